import Compiler
import Foundation
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Kernel source written in one forward pass: input reads described as `BufferLoad`s with
/// vector lanes, staged vectors as `VectorLoad`s, headers that carry their launch bounds and
/// name as written.
@Suite struct KernelSourceTests {
    @Test func vectorLoadRendersDeclarationAndSixteenByteCopies() {
        let load = VectorLoad(name: "vl_in0", storage: "float", byteWidth: 4, count: 4, address: "in0 + base")
        #expect(load.element(3) == "vl_in0[3]")
        #expect(load.statements(indentation: "    ") == [
            "    __align__(16) float vl_in0[4];",
            "    ((nv_v16*)(vl_in0))[0] = ((const nv_v16*)(in0 + base))[0];",
        ])
        let bf16 = VectorLoad(name: "vr_in1_2", storage: "unsigned short", byteWidth: 2, count: 16,
                              address: "in1 + rb + cb2")
        #expect(bf16.statements(indentation: "") == [
            "__align__(16) unsigned short vr_in1_2[16];",
            "((nv_v16*)(vr_in1_2))[0] = ((const nv_v16*)(in1 + rb + cb2))[0];",
            "((nv_v16*)(vr_in1_2))[1] = ((const nv_v16*)(in1 + rb + cb2))[1];",
        ])
    }

    @Test func bufferLoadRendersTheScalarReadThroughTheElementType() throws {
        let f32 = try #require(KernelElementType(.float(.f32)))
        let load = BufferLoad(parameter: "in2", valueID: 7, elementType: f32, index: "i5", lane: nil)
        #expect(load.scalarRead == f32.load("in2[i5]"))
        #expect(load.scalarRead.contains("in2[i5]"))
    }

    @Test func loopVectorServesOnlyReadsAtTheLoopsOwnPosition() {
        let inputs: [Int: (count: Int, storage: String, width: Int)] = [1: (1024, "float", 4), 2: (32, "float", 4)]
        let f32 = KernelElementType(.float(.f32))!
        let atLane = BufferLoad(parameter: "in0", valueID: 1, elementType: f32, index: "el2",
                                lane: VectorLane(space: .element, vector: 0, element: 2))
        let vector = FusionKernelBuilder.loopVector(for: atLane, inputs: inputs, count: 1024, width: 4)
        #expect(vector == VectorLoad(name: "vl_in0", storage: "float", byteWidth: 4, count: 4, address: "in0 + base"))
        var scalar = atLane
        scalar.lane = nil
        #expect(FusionKernelBuilder.loopVector(for: scalar, inputs: inputs, count: 1024, width: 4) == nil)
        var smaller = atLane
        smaller.valueID = 2
        #expect(FusionKernelBuilder.loopVector(for: smaller, inputs: inputs, count: 1024, width: 4) == nil)
    }

    @Test func headerCarriesTheGivenLaunchBoundsAndName() {
        let plain = KernelSource.header(name: "fusion_3", parameters: ["const float* __restrict__ in0", "float* __restrict__ out0"],
                                        block: 256, indexType: "int", comment: "fusion_3: test")
        #expect(plain == [
            "// fusion_3: test",
            "extern \"C\" __global__ void __launch_bounds__(256) fusion_3(",
            "    const float* __restrict__ in0,\n    float* __restrict__ out0) {",
            "  typedef int idx_t;",
        ])
        let bounded = KernelSource.header(name: "row", parameters: [], block: 128, minimumBlocks: 8,
                                          indexType: "long long", comment: "row")
        #expect(bounded[1] == "extern \"C\" __global__ void __launch_bounds__(128, 8) row(")
    }

    @Test func sectionReturnsItsLinesAndLeavesTheOuterOnesAlone() throws {
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        w.emit("a;")
        let inner = w.section { w.nested { w.emit("b;") } }
        #expect(inner == ["    b;"])
        #expect(w.lines == ["  a;"])
        w.emit(lines: inner)
        #expect(w.lines == ["  a;", "    b;"])
    }

    @Test func lanesFollowOnlyTheExactPosition() {
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        let lane = VectorLane(space: .element, vector: 0, element: 1)
        // A 1-D index's only term is its position: the lane survives terms → linear.
        let flat = ElementIndex(shape: [64], linear: "el1", lane: lane)
        let terms = w.terms(flat)
        #expect(terms.map(\.lane) == [lane])
        let position = w.position(ElementIndex(shape: [64], terms: terms))
        #expect(position.code == "el1" && position.lane == lane)
        // A 2-D index's terms are derived (divided, wrapped): no lane on them or their sum.
        let square = ElementIndex(shape: [8, 8], linear: "el1", lane: lane)
        let squareTerms = w.terms(square)
        #expect(squareTerms.allSatisfy { $0.lane == nil })
        #expect(w.position(ElementIndex(shape: [8, 8], terms: squareTerms.reversed())).lane == nil)
    }

    /// A loop kernel over an add of a buffer and a transposed buffer whose minor dimension
    /// stays minor (not tiled: `TiledTransposeKernelTests`): the thread's coordinates are
    /// computed once and both operands are read as vectors, the transposed one at its own
    /// address; with a minor extent the lanes do not divide, the transposed read stays
    /// element by element.
    @Test(arguments: [(32, true), (6, false)])
    func readsKeepingTheMinorDimensionAreVectors(minor: Int, vectorized: Bool) throws {
        let text = """
        func.func @main(%a: tensor<8x4x\(minor)xf32>, %b: tensor<4x8x\(minor)xf32>) -> tensor<8x4x\(minor)xf32> {
          %t = stablehlo.transpose %b, dims = [1, 0, 2] : (tensor<4x8x\(minor)xf32>) -> tensor<8x4x\(minor)xf32>
          %s = stablehlo.add %a, %t : tensor<8x4x\(minor)xf32>
          return %s : tensor<8x4x\(minor)xf32>
        }
        """
        let (executable, _) = try TestPrograms.lower(text)
        let kernel = try #require(executable.kernels.first)
        #expect(executable.kernels.count == 1)
        let vectors = kernel.source.components(separatedBy: "\n").filter { $0.contains("__align__(16) float vl_in") }
        if vectorized {
            #expect(vectors.count == 2)
            #expect(kernel.source.contains("const idx_t c2 = (base % \(minor));"))
            #expect(!kernel.source.contains(" = in0[") && !kernel.source.contains(" = in1["))
            // Each vector is loaded before the body that reads it.
            let name = try #require(vectors.first?.split(separator: " ").last?.split(separator: "[").first)
            let declared = try #require(kernel.source.range(of: "\(name)[4];"))
            let used = try #require(kernel.source.range(of: "= \(name)[0];"))
            #expect(declared.lowerBound < used.lowerBound)
        } else {
            #expect(vectors.count == 1)
            #expect(kernel.source.contains(" = in0[") || kernel.source.contains(" = in1["))
        }
    }

    /// Every kernel of the benchmark workloads and of reductions kept apart from their
    /// consumers declares the function its launch names (the loop kernels beside a kept-apart
    /// reduction, `fusion_0_0_l` and `fusion_0_1_l` here, were once renamed after writing,
    /// which missed names with a shape suffix).
    @Test func everyKernelDeclaresTheEntryPointItIsLaunchedBy() throws {
        var programs: [String] = TestPrograms.mlirFiles(in: TestPrograms.workloadsDirectory)
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }
        programs.append("""
        func.func @main(%x: tensor<4x6xf32>, %y: tensor<4x6xf32>) -> (tensor<6xf32>, tensor<4x6xf32>, tensor<4xf32>) {
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %e = stablehlo.exponential %x : tensor<4x6xf32>
          %r = stablehlo.reduce(%e init: %z) applies stablehlo.add across dimensions = [0] : (tensor<4x6xf32>, tensor<f32>) -> tensor<6xf32>
          %m = stablehlo.multiply %e, %y : tensor<4x6xf32>
          %s = stablehlo.slice %e [0:4, 0:1] : (tensor<4x6xf32>) -> tensor<4x1xf32>
          %q = stablehlo.reshape %s : (tensor<4x1xf32>) -> tensor<4xf32>
          return %r, %m, %q : tensor<6xf32>, tensor<4x6xf32>, tensor<4xf32>
        }
        """)
        for text in programs {
            let (executable, _) = try TestPrograms.lower(text)
            for kernel in executable.kernels {
                #expect(kernel.source.contains(" \(kernel.entryPoint)("), "\(kernel.entryPoint) is not declared")
            }
        }
    }
}

/// bf16/f16 chains in a fusion keep f32 between ops (XLA's excess precision) and round
/// where values leave the chain; `allowsExcessPrecision: false` rounds after every op.
@Suite struct ExcessPrecisionTests {
    static let chain = """
    func.func @main(%x: tensor<64x32xTYPE>) -> (tensor<64x32xTYPE>, tensor<64x32xf32>) {
      %a = stablehlo.multiply %x, %x : tensor<64x32xTYPE>
      %t = stablehlo.tanh %a : tensor<64x32xTYPE>
      %s = stablehlo.add %t, %x : tensor<64x32xTYPE>
      %f = stablehlo.convert %s : (tensor<64x32xTYPE>) -> tensor<64x32xf32>
      return %s, %f : tensor<64x32xTYPE>, tensor<64x32xf32>
    }
    """

    static func source(_ type: String, excess: Bool) throws -> String {
        try HalfRoundedValueTests.body(chain.replacingOccurrences(of: "TYPE", with: type), excess: excess)
    }

    @Test(arguments: ["bf16", "f16"])
    func chainsKeepF32AndRoundWhereTheyLeave(_ type: String) throws {
        let body = try Self.source(type, excess: true)
        // Only the convert rounds (the stored output rounds through its store).
        #expect(body.components(separatedBy: "nv_round_\(type)(").count - 1 == 4, "\(body)")
        #expect(body.contains(type == "bf16" ? "nv_tanh_approx(" : "tanhf("))
        let exact = try Self.source(type, excess: false)
        // Every op rounds: multiply, tanh, add (4 lanes each), and nothing is left unrounded.
        #expect(exact.components(separatedBy: "nv_round_\(type)(").count - 1 == 12, "\(exact)")
    }
}

/// f32 values that only ever reach bf16/f16 outputs (a softmax computed in f32 on bf16
/// data) take cheaper forms with excess precision on: the row's divisor inverted once,
/// `exp` through the SFU; f32 outputs and `--exact-half-precision` keep the exact forms.
@Suite struct HalfRoundedValueTests {
    static func softmax(input: String, output: String) -> String {
        """
        func.func @main(%x: tensor<256x128x\(input)>) -> tensor<256x128x\(output)> {
          %f = stablehlo.convert %x : (tensor<256x128x\(input)>) -> tensor<256x128xf32>
          %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %m = stablehlo.reduce(%f init: %ninf) applies stablehlo.maximum across dimensions = [1] : (tensor<256x128xf32>, tensor<f32>) -> tensor<256xf32>
          %mb = stablehlo.broadcast_in_dim %m, dims = [0] : (tensor<256xf32>) -> tensor<256x128xf32>
          %d = stablehlo.subtract %f, %mb : tensor<256x128xf32>
          %e = stablehlo.exponential %d : tensor<256x128xf32>
          %zero = stablehlo.constant dense<0.0> : tensor<f32>
          %s = stablehlo.reduce(%e init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<256x128xf32>, tensor<f32>) -> tensor<256xf32>
          %sb = stablehlo.broadcast_in_dim %s, dims = [0] : (tensor<256xf32>) -> tensor<256x128xf32>
          %q = stablehlo.divide %e, %sb : tensor<256x128xf32>
          %r = stablehlo.convert %q : (tensor<256x128xf32>) -> tensor<256x128x\(output)>
          return %r : tensor<256x128x\(output)>
        }
        """
    }

    /// Every kernel's function (the prelude left out) of `text` compiled with or without
    /// excess precision.
    static func body(_ text: String, excess: Bool = true) throws -> String {
        let options = CompileOptions(allowsExcessPrecision: excess)
        let module = try CUDATarget.rewritten(Module.parse(text, file: "test.mlir"), options: options)
        let (e, _) = try ExecutableBuilder(options: options).build(module)
        try #require(!e.kernels.isEmpty)
        return e.kernels.map { $0.source.components(separatedBy: "extern \"C\"").last ?? "" }.joined(separator: "\n")
    }

    @Test(arguments: ["bf16", "f16"])
    func softmaxRoundedToHalfInvertsTheSumOnceAndUsesTheSFU(_ type: String) throws {
        let body = try Self.body(Self.softmax(input: type, output: type))
        #expect(body.components(separatedBy: "= 1.0f / red").count - 1 == 1, "one reciprocal per row: \(body)")
        #expect(body.range(of: #"\(v\d+ / red"#, options: .regularExpression) == nil, "no per-element division")
        #expect(body.contains("nv_exp_fast(") && !body.contains("expf("))
        // bf16 results already rounded are stored by their bits, not rounded twice.
        if type == "bf16" { #expect(body.contains("nv_bf16_bits(") && !body.contains("nv_float_to_bf16(")) }
    }

    @Test func f32ResultsAndExactHalfPrecisionKeepTheExactForms() throws {
        for body in [try Self.body(Self.softmax(input: "bf16", output: "f32")),
                     try Self.body(Self.softmax(input: "bf16", output: "bf16"), excess: false)] {
            #expect(!body.contains("nv_exp_fast(") && body.contains("expf("), "\(body)")
            #expect(!body.contains("1.0f / "), "\(body)")
        }
    }

    /// The writer's set: what feeds only 16-bit roundings, through float ops; not what an
    /// f32 output or a comparison reads.
    @Test func onlyValuesEndingInHalfRoundingsAreRelaxed() throws {
        let text = """
        func.func @main(%x: tensor<1024xf32>) -> (tensor<1024xbf16>, tensor<1024xf32>, tensor<1024xi1>) {
          %a = stablehlo.exponential %x : tensor<1024xf32>
          %b = stablehlo.multiply %a, %a : tensor<1024xf32>
          %c = stablehlo.convert %b : (tensor<1024xf32>) -> tensor<1024xbf16>
          %d = stablehlo.exponential %b : tensor<1024xf32>
          %e = stablehlo.tanh %x : tensor<1024xf32>
          %f = stablehlo.convert %e : (tensor<1024xf32>) -> tensor<1024xbf16>
          %g = stablehlo.compare GT, %f, %c : (tensor<1024xbf16>, tensor<1024xbf16>) -> tensor<1024xi1>
          return %c, %d, %g : tensor<1024xbf16>, tensor<1024xf32>, tensor<1024xi1>
        }
        """
        let body = try Self.body(text)
        // %a and %b feed %d, an f32 output: exact; %e only reaches bf16 through %f, but
        // tanh has no relaxed form, so nothing in this kernel is relaxed.
        #expect(!body.contains("nv_exp_fast("), "\(body)")
    }
}

/// The prelude's `nv_fmax`/`nv_fmin` (selects, no branches) keep the reference's semantics:
/// a NaN operand wins (the first one, payload kept), -0 < +0, equal values as they are.
@Suite struct PreludeMinMaxTests {
    @Test func maximumAndMinimumMatchTheReferenceOnSpecialValues() throws {
        guard let cxx = LinalgHostEmulationTests.compiler() else {
            print("SKIPPED: no C++ compiler for the prelude min/max check")
            return
        }
        let values: [UInt32] = [0x7fc0_0001, 0xffc0_0002, 0x8000_0000, 0x0000_0000, 0x3f80_0000, 0xbf80_0000,
                                0x7f80_0000, 0xff80_0000, 0x0000_0001]
        func reference(_ a: UInt32, _ b: UInt32, max: Bool) -> UInt32 {
            let (x, y) = (Float(bitPattern: a), Float(bitPattern: b))
            if x.isNaN { return a }
            if y.isNaN { return b }
            if x == y { return x == 0 ? (max ? a & b : a | b) : a }
            return (max ? x > y : x < y) ? a : b
        }
        var program = "#include <cstdio>\n#include <cstring>\n#define __device__\n#define __forceinline__ inline\n"
        program += "inline float __int_as_float(int u) { float f; memcpy(&f, &u, 4); return f; }\n"
        program += "inline int __float_as_int(float f) { int u; memcpy(&u, &f, 4); return u; }\n"
        program += "inline double __longlong_as_double(long long u) { double f; memcpy(&f, &u, 8); return f; }\n"
        program += "inline long long __double_as_longlong(double f) { long long u; memcpy(&u, &f, 8); return u; }\n"
        program += LinalgHostEmulationTests.preludeDefinitions(["nv_fmax", "nv_fmin"])
        program += "int main() {\n  int bad = 0;\n"
        for a in values {
            for b in values {
                for max in [true, false] {
                    let call = "\(max ? "nv_fmax" : "nv_fmin")(__int_as_float((int)\(a)u), __int_as_float((int)\(b)u))"
                    let want = reference(a, b, max: max)
                    program += "  if ((unsigned)__float_as_int(\(call)) != \(want)u) { printf(\"\(call)\\n\"); ++bad; }\n"
                }
            }
        }
        program += "  return bad;\n}\n"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-minmax-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("minmax.cpp"), binary = directory.appendingPathComponent("minmax")
        try program.write(to: file, atomically: true, encoding: .utf8)
        let build = try LinalgHostEmulationTests.run(cxx, ["-std=c++17", "-O1", "-w", "-o", binary.path, file.path])
        try #require(build.status == 0, "\(build.output.prefix(2000))")
        let result = try LinalgHostEmulationTests.run(binary.path, [])
        #expect(result.status == 0, "\(result.output)")
    }
}
