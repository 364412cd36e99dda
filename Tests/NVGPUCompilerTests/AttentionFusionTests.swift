import CUDA
import Foundation
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// The attention matcher fuses einsum + softmax attention into one kernel launch, reads
/// Q/K/V through views in place, and leaves near misses to the unfused lowering.
@Suite struct AttentionFusionTests {
    /// How a synthetic program scales its scores.
    enum ScaleForm: String, CaseIterable, Sendable {
        case divideInScoreType, multiplyInScoreType, divideInF32, none
    }

    /// A program in the exported form: B×H×S×D operands of type `t`, softmax in f32.
    /// `tweak` edits the text (near misses); `extraResult` returns one more value.
    static func program(_ t: String, b: Int = 2, h: Int = 3, sq: Int = 256, skv: Int = 192, d: Int = 64,
                        scale: ScaleForm = .divideInScoreType, output: String? = nil,
                        extraResult: (value: String, type: String)? = nil, mergeHeads: Bool = false,
                        causal: CausalMask? = nil, kvHeads: Int? = nil, keyMaskFill: String? = nil,
                        headBias: String? = nil, biasFirst: Bool = false) -> String {
        let out = output ?? t
        let q = "tensor<\(b)x\(h)x\(sq)x\(d)x\(t)>", k = "tensor<\(b)x\(h)x\(skv)x\(d)x\(t)>"
        let s = "tensor<\(b)x\(h)x\(sq)x\(skv)x\(t)>", sf = "tensor<\(b)x\(h)x\(sq)x\(skv)xf32>"
        let row = "tensor<\(b)x\(h)x\(sq)xf32>", row1 = "tensor<\(b)x\(h)x\(sq)x1xf32>"
        let o = "tensor<\(b)x\(h)x\(sq)x\(d)x\(out)>"
        let merged = "tensor<\(b)x\(sq)x\(h * d)x\(out)>", swapped = "tensor<\(b)x\(sq)x\(h)x\(d)x\(out)>"
        let returned = mergeHeads ? merged : o
        // Grouped-query attention: K and V have `kvHeads` heads, repeated (`jnp.repeat`) over h.
        let kIn = kvHeads.map { "tensor<\(b)x\($0)x\(skv)x\(d)x\(t)>" } ?? k
        // A key padding mask (`jnp.where(mask[:, None, None, :], s, fill)`), a fourth input.
        let maskType = "tensor<\(b)x\(skv)xi1>"
        // A per-head bias `[h, query, key]` of type `headBias` (converted to f32 unless f32),
        // broadcast over the batch and added to the scores.
        let biasType = headBias.map { "tensor<\(h)x\(sq)x\(skv)x\($0)>" } ?? ""
        let maskArgument = (keyMaskFill == nil ? "" : ", %pm: \(maskType)") + (headBias == nil ? "" : ", %hb: \(biasType)")
        var lines = ["func.func public @main(%q: \(q), %k: \(kIn), %v: \(kIn)\(maskArgument)) -> (\(returned)\(extraResult.map { ", " + $0.type } ?? "")) {"]
        var (kName, vName) = ("%k", "%v")
        if let kvHeads {
            let spread = "tensor<\(b)x\(kvHeads)x\(h / kvHeads)x\(skv)x\(d)x\(t)>"
            for x in ["k", "v"] {
                lines += ["  %\(x)b = stablehlo.broadcast_in_dim %\(x), dims = [0, 1, 3, 4] : (\(kIn)) -> \(spread)",
                          "  %\(x)r = stablehlo.reshape %\(x)b : (\(spread)) -> \(k)"]
            }
            (kName, vName) = ("%kr", "%vr")
        }
        lines += ["  %0 = stablehlo.dot_general %q, \(kName), batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [3] : (\(q), \(k)) -> \(s)"]
        switch scale {
        case .divideInScoreType, .multiplyInScoreType:
            let op = scale == .divideInScoreType ? "divide" : "multiply"
            lines += ["  %c = stablehlo.constant dense<\(scale == .divideInScoreType ? "8.0" : "0.125")> : tensor<\(t)>",
                      "  %cb = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<\(t)>) -> \(s)",
                      "  %1 = stablehlo.\(op) %0, %cb : \(s)",
                      "  %2 = stablehlo.convert %1 : (\(s)) -> \(sf)"]
        case .divideInF32:
            lines += ["  %1 = stablehlo.convert %0 : (\(s)) -> \(sf)",
                      "  %c = stablehlo.constant dense<8.0> : tensor<f32>",
                      "  %cb = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<f32>) -> \(sf)",
                      "  %2 = stablehlo.divide %1, %cb : \(sf)"]
        case .none:
            lines += ["  %2 = stablehlo.convert %0 : (\(s)) -> \(sf)"]
        }
        var x = "%2"
        // The bias goes after the mask, or first (`biasFirst`, dot_product_attention's order).
        func addBias(_ type: String) {
            let wide = sf.replacingOccurrences(of: "xf32>", with: "x\(type)>")
            lines += ["  %hbb = stablehlo.broadcast_in_dim %hb, dims = [1, 2, 3] : (\(biasType)) -> \(wide)"]
            if type != "f32" { lines += ["  %hbf = stablehlo.convert %hbb : (\(wide)) -> \(sf)"] }
            lines += ["  %2h = stablehlo.add \(x), \(type == "f32" ? "%hbb" : "%hbf") : \(sf)"]
            x = "%2h"
        }
        if let headBias, biasFirst { addBias(headBias) }
        if let causal {
            lines += causal.lines(scores: x, sq: sq, skv: skv, scoreType: sf, batchDims: 2)
            x = "%2m"
        } else if let keyMaskFill {
            let sb = sf.replacingOccurrences(of: "xf32>", with: "xi1>")
            lines += ["  %pmb = stablehlo.broadcast_in_dim %pm, dims = [0, 3] : (\(maskType)) -> \(sb)",
                      "  %pfill = stablehlo.constant dense<\(keyMaskFill)> : tensor<f32>",
                      "  %pfb = stablehlo.broadcast_in_dim %pfill, dims = [] : (tensor<f32>) -> \(sf)",
                      "  %2m = stablehlo.select %pmb, \(x), %pfb : \(sb), \(sf)"]
            x = "%2m"
        }
        if let headBias, !biasFirst { addBias(headBias) }
        lines += [
            "  %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>",
            "  %3 = stablehlo.reduce(\(x) init: %ninf) applies stablehlo.maximum across dimensions = [3] : (\(sf), tensor<f32>) -> \(row)",
            "  %ninfb = stablehlo.broadcast_in_dim %ninf, dims = [] : (tensor<f32>) -> \(row)",
            "  %4 = stablehlo.maximum %ninfb, %3 : \(row)",
            "  %5 = stablehlo.broadcast_in_dim %4, dims = [0, 1, 2] : (\(row)) -> \(row1)",
            "  %6 = stablehlo.broadcast_in_dim %5, dims = [0, 1, 2, 3] : (\(row1)) -> \(sf)",
            "  %7 = stablehlo.subtract \(x), %6 : \(sf)",
            "  %8 = stablehlo.exponential %7 : \(sf)",
            "  %zero = stablehlo.constant dense<0.0> : tensor<f32>",
            "  %9 = stablehlo.reduce(%8 init: %zero) applies stablehlo.add across dimensions = [3] : (\(sf), tensor<f32>) -> \(row)",
            "  %10 = stablehlo.broadcast_in_dim %9, dims = [0, 1, 2] : (\(row)) -> \(row1)",
            "  %11 = stablehlo.broadcast_in_dim %10, dims = [0, 1, 2, 3] : (\(row1)) -> \(sf)",
            "  %12 = stablehlo.divide %8, %11 : \(sf)",
            "  %13 = stablehlo.convert %12 : (\(sf)) -> \(s)",
            "  %14 = stablehlo.dot_general %13, \(vName), batching_dims = [0, 1] x [0, 1], contracting_dims = [3] x [2] : (\(s), \(k)) -> \(o)",
            mergeHeads ? "  %15 = stablehlo.transpose %14, dims = [0, 2, 1, 3] : (\(o)) -> \(swapped)" : "",
            mergeHeads ? "  %16 = stablehlo.reshape %15 : (\(swapped)) -> \(merged)" : "",
            "  return \(mergeHeads ? "%16" : "%14")\(extraResult.map { ", " + $0.value } ?? "") : \(returned)\(extraResult.map { ", " + $0.type } ?? "")",
            "}",
        ]
        return lines.joined(separator: "\n")
    }

    /// A causal mask on the f32 scores, from iotas over query × key: `k ≤ q + offset`
    /// written as `compare` `direction` of (q + offset, k) (`GE`) or (k, q + offset) (`LE`),
    /// applied by `select` (`jnp.where`) or by adding `select(mask, 0, fill)`.
    struct CausalMask: Sendable {
        var offset = 0
        var additive = false
        var fill = "0xFF800000"
        var keyFirst = false

        func lines(scores: String, sq: Int, skv: Int, scoreType: String, batchDims: Int) -> [String] {
            let i = "tensor<\(sq)x\(skv)xi32>", b = "tensor<\(sq)x\(skv)xi1>", f = "tensor<\(sq)x\(skv)xf32>"
            let sb = scoreType.replacingOccurrences(of: "xf32>", with: "xi1>")
            let dims = "[\(batchDims), \(batchDims + 1)]"
            var lines = [
                "  %qi = stablehlo.iota dim = 0 : \(i)",
                "  %ki = stablehlo.iota dim = 1 : \(i)",
                "  %off = stablehlo.constant dense<\(offset)> : tensor<i32>",
                "  %offb = stablehlo.broadcast_in_dim %off, dims = [] : (tensor<i32>) -> \(i)",
                "  %qo = stablehlo.add %qi, %offb : \(i)",
                keyFirst ? "  %cmp = stablehlo.compare LE, %ki, %qo, SIGNED : (\(i), \(i)) -> \(b)"
                         : "  %cmp = stablehlo.compare GE, %qo, %ki, SIGNED : (\(i), \(i)) -> \(b)",
                "  %fill = stablehlo.constant dense<\(fill)> : tensor<f32>",
            ]
            if additive {
                lines += [
                    "  %z = stablehlo.constant dense<0.0> : tensor<f32>",
                    "  %zb = stablehlo.broadcast_in_dim %z, dims = [] : (tensor<f32>) -> \(f)",
                    "  %fb = stablehlo.broadcast_in_dim %fill, dims = [] : (tensor<f32>) -> \(f)",
                    "  %bias = stablehlo.select %cmp, %zb, %fb : \(b), \(f)",
                    "  %biasb = stablehlo.broadcast_in_dim %bias, dims = \(dims) : (\(f)) -> \(scoreType)",
                    "  %2m = stablehlo.add \(scores), %biasb : \(scoreType)",
                ]
            } else {
                lines += [
                    "  %mb = stablehlo.broadcast_in_dim %cmp, dims = \(dims) : (\(b)) -> \(sb)",
                    "  %fb = stablehlo.broadcast_in_dim %fill, dims = [] : (tensor<f32>) -> \(scoreType)",
                    "  %2m = stablehlo.select %mb, \(scores), %fb : \(sb), \(scoreType)",
                ]
            }
            return lines
        }
    }

    /// The plans the matcher finds in `text`'s entry block, read back from the
    /// `nvgpu.attention` ops it wrote.
    static func plans(_ text: String) throws -> [AttentionPlan] {
        let module = try Module.parse(text, file: "attention.mlir")
        guard let body = module.function(named: "main")?.body.entry else { return [] }
        return try AttentionMatcher.fusingAttention(into: body).operations
            .filter { $0.name == AttentionPlan.operationName }.map { try AttentionPlan($0) }
    }

    static func attentionLaunches(_ e: Executable) -> [KernelLaunch] {
        e.steps.compactMap { step in
            guard let l = step.kernelLaunch, e.kernels[l.kernel].entryPoint.hasPrefix("attention_") else { return nil }
            return l
        }
    }

    static let variants: [(String, Int, ScaleForm)] = ["bf16", "f16"].flatMap { t in
        [64, 128, 256].flatMap { d in ScaleForm.allCases.map { (t, d, $0) } }
    }

    @Test(arguments: variants)
    func syntheticAttentionBecomesOneLaunch(_ t: String, _ d: Int, _ scale: ScaleForm) throws {
        let text = Self.program(t, d: d, scale: scale)
        let plans = try Self.plans(text)
        #expect(plans.count == 1)
        let plan = try #require(plans.first)
        #expect(plan.headDim == d && plan.batch == 2 && plan.heads == 3 && plan.queryLength == 256 && plan.keyLength == 192)
        #expect(plan.scoreRounding?.rawValue == t)
        switch scale {
        case .divideInScoreType: #expect(plan.scale == .init(factor: 0.125, roundedTo: .init(rawValue: t)))
        case .multiplyInScoreType: #expect(plan.scale == .init(factor: 0.125, roundedTo: .init(rawValue: t)))
        case .divideInF32: #expect(plan.scale == .init(factor: 0.125, roundedTo: nil))
        case .none: #expect(plan.scale == nil)
        }
        // Operands are read in place, row-major.
        #expect(plan.query.sequenceStride == d && plan.query.headStride == 256 * d && plan.query.batchStride == 3 * 256 * d)
        #expect(plan.key.sequenceStride == d && plan.value.headStride == 192 * d)
        for vendor in [true, false] {
            let (executable, _) = try TestPrograms.lower(text, vendor: vendor)
            #expect(executable.steps.count == 1, "\(executable.inspection())")
            #expect(Self.attentionLaunches(executable).count == 1)
            #expect(TestPrograms.matmuls(executable) == 0 && TestPrograms.hostSteps(executable).isEmpty)
        }
    }

    /// A transpose + reshape merging the heads is written through (no transpose kernel).
    @Test func mergedHeadsAreWrittenInPlace() throws {
        let text = Self.program("bf16", d: 64, mergeHeads: true)
        let plan = try #require(try Self.plans(text).first)
        #expect(plan.result.type.tensorType?.shape == [2, 256, 192])
        #expect(plan.output == .init(batch: 256 * 192, head: 64, sequence: 192))
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.steps.count == 1 && Self.attentionLaunches(executable).count == 1)
        // Another reader of the product keeps the transpose a separate kernel.
        let plain = try #require(try Self.plans(Self.program("bf16", d: 64)).first)
        #expect(plain.output == .init(batch: 3 * 256 * 64, head: 256 * 64, sequence: 64))
    }

    @Test func f32ResultIsFused() throws {
        let plans = try Self.plans(Self.program("bf16", output: "f32"))
        #expect(plans.first?.outputType == "f32")
    }

    @Test func attentionWorkloadIsOneKernel() throws {
        let url = TestPrograms.workloadsDirectory.appendingPathComponent("attention_bf16.mlir")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            print("skipping: \(url.path) is absent")
            return
        }
        let plan = try #require(try Self.plans(text).first)
        #expect(plan.batch == 8 && plan.heads == 16 && plan.queryLength == 2048 && plan.headDim == 128)
        #expect(plan.scale?.roundedTo == .bf16 && abs((plan.scale?.factor ?? 0) - 1 / 11.3125) < 1e-12)
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.steps.count == 1)
        let launch = try #require(Self.attentionLaunches(executable).first)
        #expect(launch.grid == [16, 128, 1] && launch.block == [AttentionKernel.geometry(headDim: 128).threads, 1, 1])
        #expect(launch.sharedMemoryBytes == AttentionKernel.sharedMemoryBytes(headDim: 128))
    }

    /// gpt_block: Q, K and V are strided reads of the QKV projection (no transpose kernel).
    @Test func gptBlockReadsTheProjectionInPlace() throws {
        let url = TestPrograms.workloadsDirectory.appendingPathComponent("gpt_block_bf16.mlir")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            print("skipping: \(url.path) is absent")
            return
        }
        let plan = try #require(try Self.plans(text).first)
        #expect(plan.query.base == plan.key.base && plan.key.base == plan.value.base)
        #expect(plan.query.base.type.tensorType?.shape == [8192, 3072])
        let offsets: [Int] = [plan.query.offset, plan.key.offset, plan.value.offset]
        #expect(offsets == [0, 1024, 2048])
        #expect(plan.query.sequenceStride == 3072 && plan.query.headStride == 64 && plan.query.batchStride == 2048 * 3072)
        // The heads are merged back by writing the 8192×1024 input of the output projection.
        #expect(plan.result.type.tensorType?.shape == [8192, 1024])
        #expect(plan.output == .init(batch: 2048 * 1024, head: 64, sequence: 1024))
        let (executable, _) = try TestPrograms.lower(text)
        #expect(Self.attentionLaunches(executable).count == 1)
        // QKV projection, output projection and the MLP's two matmuls; no view kernel
        // reads the projection.
        #expect(TestPrograms.matmuls(executable) == 4)
        #expect(TestPrograms.hostSteps(executable).isEmpty)
        let projection = try #require(executable.steps.compactMap { step -> Int? in
            if case .matmul(let call) = step, call.n == 3072 { return call.c }
            return nil
        }.first)
        let readers = executable.steps.filter { step in
            if let l = step.kernelLaunch { return l.arguments.contains(.buffer(projection)) }
            return false
        }
        #expect(readers.count == 1)
    }

    /// Near misses keep the unfused lowering.
    static let nearMisses: [(String, String)] = {
        let base = program("bf16")
        let s = "tensor<2x3x256x192xbf16>", sf = "tensor<2x3x256x192xf32>"
        return [
            ("scores read elsewhere", program("bf16", extraResult: ("%1", s))),
            ("probabilities read elsewhere", program("bf16", extraResult: ("%12", sf))),
            ("row max read elsewhere", program("bf16", extraResult: ("%3", "tensor<2x3x256xf32>"))),
            ("softmax over another axis",
             base.replacingOccurrences(of: "applies stablehlo.add across dimensions = [3] : (\(sf), tensor<f32>) -> tensor<2x3x256xf32>",
                                       with: "applies stablehlo.add across dimensions = [2] : (\(sf), tensor<f32>) -> tensor<2x3x192xf32>")
                .replacingOccurrences(of: "%10 = stablehlo.broadcast_in_dim %9, dims = [0, 1, 2] : (tensor<2x3x256xf32>) -> tensor<2x3x256x1xf32>",
                                      with: "%10 = stablehlo.broadcast_in_dim %9, dims = [0, 1, 3] : (tensor<2x3x192xf32>) -> tensor<2x3x256x192xf32>")
                .replacingOccurrences(of: "%11 = stablehlo.broadcast_in_dim %10, dims = [0, 1, 2, 3] : (tensor<2x3x256x1xf32>) -> \(sf)",
                                      with: "%11 = stablehlo.broadcast_in_dim %10, dims = [0, 1, 2, 3] : (\(sf)) -> \(sf)")),
            ("wrong contraction", program("bf16", sq: 192, skv: 192).replacingOccurrences(
                of: "contracting_dims = [3] x [2]", with: "contracting_dims = [2] x [2]")),
            ("exp of something else", base.replacingOccurrences(of: "%8 = stablehlo.exponential %7", with: "%8 = stablehlo.exponential %2")),
            ("head dim 40 (not a multiple of 16)", program("bf16", d: 40)),
            ("f32 operands", program("f32")),
        ]
    }()

    @Test(arguments: nearMisses.map(\.0))
    func nearMissIsNotFused(_ name: String) throws {
        let text = try #require(Self.nearMisses.first { $0.0 == name }?.1)
        #expect(try Self.plans(text).isEmpty)
        let (executable, _) = try TestPrograms.lower(text)
        #expect(Self.attentionLaunches(executable).isEmpty)
    }

    /// Every kernel variant compiles with NVRTC for sm_90 without spilling registers (masked
    /// ones within 16 bytes).
    @Test(arguments: ["bf16", "f16"], [32, 64, 96, 128, 256])
    func kernelCompilesForSM90(_ t: String, _ d: Int) throws {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        let element = try #require(AttentionPlan.ElementType(rawValue: t))
        let variants: [AttentionKernel.Variant] = [
            .init(elementType: element, outputType: t, headDim: d, scoreRounding: element, scale: .rounded(element)),
            .init(elementType: element, outputType: t, headDim: d, scoreRounding: element, scale: .f32),
            .init(elementType: element, outputType: "f32", headDim: d, scoreRounding: nil, scale: .none),
            .init(elementType: element, outputType: t, headDim: d, scoreRounding: element, scale: .rounded(element), causal: true),
            .init(elementType: element, outputType: t, headDim: d, scoreRounding: element, scale: .rounded(element), masked: true),
            .init(elementType: element, outputType: t, headDim: d, scoreRounding: element, scale: .rounded(element), biasType: "f16"),
        ]
        for (i, variant) in variants.enumerated() {
            let name = "attention_test_\(t)_\(d)_\(i)"
            let kernel = try nvrtc.compile(source: AttentionKernel.source(variant, name: name), name: name + ".cu",
                                           architecture: "sm_90", options: KernelCompilation.options + ["--ptxas-options=-v"])
            #expect(kernel.cubin.count > 256)
            print("\(name): \(kernel.log.split(separator: "\n").filter { $0.contains("registers") || $0.contains("spill") }.joined(separator: "; "))")
            let spills = kernel.log.split(separator: "\n").filter { $0.contains("bytes spill") && !$0.contains(" 0 bytes spill stores, 0 bytes spill loads") }
            if variant.causal || variant.masked || variant.biasType != nil {
                // A mask costs registers where the kernel already uses 255 (bf16 head dim 64,
                // head dim 256): at most 16 bytes spilled (to be timed on the GPU).
                let bytes = spills.flatMap { line in line.split(separator: " ").compactMap { Int($0) } }
                #expect(bytes.allSatisfy { $0 <= 16 }, "\(name): \(kernel.log)")
            } else {
                #expect(spills.isEmpty, "\(name): \(kernel.log)")
            }
        }
    }

    @Test func reshapeStridesFollowTheLayout() {
        // Splitting a contiguous dimension, merging contiguous ones, and a merge that needs a copy.
        #expect(StridedView.reshapedStrides(shape: [8192, 3072], strides: [3072, 1], to: [4, 2048, 3, 16, 64])
                == [2048 * 3072, 3072, 1024, 64, 1])
        #expect(StridedView.reshapedStrides(shape: [4, 16, 64], strides: [64, 256, 1], to: [4, 1024]) == nil)
        #expect(StridedView.reshapedStrides(shape: [1, 4, 16, 64], strides: [0, 1024, 64, 1], to: [4, 1024]) == [1024, 1])
        #expect(StridedView.reshapedStrides(shape: [4, 6], strides: [12, 1], to: [4, 1, 6, 1]) == [12, 0, 1, 0])
    }
}
