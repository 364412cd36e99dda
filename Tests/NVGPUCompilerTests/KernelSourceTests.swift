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
        let options = CompileOptions(allowsExcessPrecision: excess)
        let text = chain.replacingOccurrences(of: "TYPE", with: type)
        let module = try CUDATarget.rewritten(Module.parse(text, file: "test.mlir"), options: options)
        let (e, _) = try ExecutableBuilder(options: options).build(module)
        return try #require(e.kernels.first?.source).components(separatedBy: "extern \"C\"").last ?? ""
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
