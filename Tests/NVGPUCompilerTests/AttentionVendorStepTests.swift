import Foundation
import Testing
@testable import CUDA
@testable import NVGPUCompiler
import Runtime

/// Fused attention offered to cuDNN: which plans become an attention step (cuDNN or the
/// kernel, timed on the first run), the 4-D views the step gives cuDNN, and the operation
/// graph built from them, all checked without a GPU.
@Suite("Attention vendor step")
struct AttentionVendorStepTests {
    typealias Program = AttentionFusionTests

    static func attentionSteps(_ e: Executable) -> [AttentionCall] {
        e.steps.compactMap { if case .attention(let call) = $0 { return call } else { return nil } }
    }

    @Test(arguments: ["bf16", "f16"])
    func plainAttentionIsOfferedToCuDNNWithItsKernel(_ t: String) throws {
        let (e, _) = try TestPrograms.lower(Program.program(t, b: 2, h: 3, sq: 256, skv: 192, d: 64))
        let call = try #require(Self.attentionSteps(e).first)
        #expect(Self.attentionSteps(e).count == 1)
        #expect(call.elementType == t)
        // BHSD inputs read in place: [batch, heads, sequence, feature] strides.
        #expect(call.query.dims == [2, 3, 256, 64] && call.query.strides == [3 * 256 * 64, 256 * 64, 64, 1])
        #expect(call.key.dims == [2, 3, 192, 64] && call.key.strides == [3 * 192 * 64, 192 * 64, 64, 1])
        #expect(call.value.dims == [2, 3, 192, 64])
        #expect(call.output.dims == [2, 3, 256, 64] && call.output.strides == [3 * 256 * 64, 256 * 64, 64, 1])
        #expect(call.scale == 0.125 && call.causalOffset == nil && call.bias == nil)
        #expect(e.kernels[call.kernel.kernel].entryPoint.hasPrefix("attention_"))
    }

    @Test func withoutVendorLibrariesItStaysTheKernel() throws {
        let (e, _) = try TestPrograms.lower(Program.program("bf16"), vendor: false)
        #expect(Self.attentionSteps(e).isEmpty)
        #expect(TestPrograms.launches(e) == 1)
    }

    @Test func groupedQueryHeadsAndCausalOffsetReachTheStep() throws {
        let text = Program.program("bf16", b: 1, h: 8, sq: 128, skv: 128, d: 128, kvHeads: 2)
        let call = try #require(Self.attentionSteps(try TestPrograms.lower(text).0).first)
        #expect(call.query.dims == [1, 8, 128, 128])
        #expect(call.key.dims == [1, 2, 128, 128] && call.key.strides[1] == 128 * 128)
        let causal = Program.program("bf16", sq: 64, skv: 192, causal: .init(offset: 128))
        #expect(try Self.attentionSteps(try TestPrograms.lower(causal).0).first?.causalOffset == 128)
    }

    @Test func aHeadBiasOfTheInputTypeIsPassedBroadcastAlongTheBatch() throws {
        let text = Program.program("bf16", b: 2, h: 3, sq: 128, skv: 64, headBias: "bf16")
        let call = try #require(Self.attentionSteps(try TestPrograms.lower(text).0).first)
        let bias = try #require(call.bias)
        #expect(bias.dims == [1, 3, 128, 64] && bias.strides == [0, 128 * 64, 64, 1])
    }

    @Test func plansCuDNNCannotTakeStayTheKernel() throws {
        // A boolean key mask, an f32 bias with bf16 inputs, an f32 result.
        for text in [Program.program("bf16", keyMaskFill: "0xFF800000"), Program.program("bf16", headBias: "f32"),
                     Program.program("bf16", output: "f32")] {
            let (e, _) = try TestPrograms.lower(text)
            #expect(Self.attentionSteps(e).isEmpty)
            #expect(TestPrograms.launches(e) >= 1)
        }
    }

    @Test func theCuDNNGraphIsTheFlashAttentionPattern() throws {
        let layout = { (dims: [Int]) in
            CUDNNAttentionDescription.Layout(dims: dims, strides: [dims[1] * dims[2] * dims[3], dims[2] * dims[3], dims[3], 1])
        }
        var description = CUDNNAttentionDescription(
            elementType: .bfloat16, query: layout([2, 8, 256, 64]), key: layout([2, 2, 512, 64]),
            value: layout([2, 2, 512, 64]), output: layout([2, 8, 256, 64]), scale: 0.125)
        #expect(description.unsupportedReason == nil)
        let names = { (graph: AttentionGraph) in graph.nodes.map { node -> String in
            switch node {
            case .matmul: return "matmul"
            case .pointwise(let mode, _, _, _, _, _, _): return "\(mode)"
            case .reduction(let op, _, _): return "reduce-\(op)"
            }
        } }
        let plain = AttentionGraph(description)
        #expect(names(plain) == ["matmul", "multiply", "reduce-max", "subtract", "exp", "reduce-add", "divide", "matmul"])
        // Kᵀ is K's view with its last two dims and strides swapped; P is bf16 for the second matmul.
        guard case .matmul(let q, let kT, let s) = plain.nodes[0], case .matmul(let p, _, let o) = plain.nodes[7] else {
            Issue.record("no matmuls"); return
        }
        #expect(q.uid == CUDNNAttention.UID.query.rawValue && !q.isVirtual)
        #expect(kT.dims == [2, 2, 64, 512] && kT.strides == [2 * 512 * 64, 512 * 64, 1, 64])
        #expect(s.dims == [2, 8, 256, 512] && s.type == .float && s.isVirtual)
        #expect(p.type == .bfloat16 && p.isVirtual && o.uid == CUDNNAttention.UID.output.rawValue)

        description.causalOffset = 256
        description.bias = .init(dims: [1, 8, 256, 512], strides: [0, 256 * 512, 512, 1])
        let masked = AttentionGraph(description)
        #expect(names(masked) == ["matmul", "multiply", "add", "generateIndex", "generateIndex", "add", "greaterOrEqual",
                                  "binarySelect", "reduce-max", "subtract", "exp", "reduce-add", "divide", "matmul"])
        let uids = masked.nodes.flatMap { node -> [AttentionGraph.Tensor] in
            switch node {
            case let .matmul(a, b, c): return [a, b, c]
            case let .pointwise(_, _, _, x, b, t, y): return [x, y] + [b, t].compactMap { $0 }
            case let .reduction(_, x, y): return [x, y]
            }
        }
        let byValue = Set(uids.filter(\.isByValue).map(\.uid))
        #expect(byValue == [CUDNNAttention.UID.scale, .negativeInfinity, .causalOffset].map(\.rawValue).reduce(into: Set()) { $0.insert($1) })
        description.causalOffset = 0
        #expect(!names(AttentionGraph(description)).contains("add") || names(AttentionGraph(description)).filter { $0 == "add" }.count == 1)
    }

    @Test func problemsCuDNNCannotTakeSayWhy() {
        let layout = CUDNNAttentionDescription.Layout(dims: [1, 3, 16, 64], strides: [3 * 16 * 64, 16 * 64, 64, 1])
        var description = CUDNNAttentionDescription(elementType: .float32, query: layout, key: layout, value: layout,
                                                    output: layout, scale: 1)
        #expect(description.unsupportedReason?.contains("bf16") == true)
        description.elementType = .float16
        description.key.dims[1] = 2
        #expect(description.unsupportedReason?.contains("divide") == true)
    }
}
