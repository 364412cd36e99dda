@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// An attention the matcher does not fuse is named in the executable's remarks with the
/// reason (`nvgpu compile --report` lists them); fused attention and plain matmuls leave none.
@Suite struct AttentionRemarkTests {
    static func remarks(_ text: String) throws -> [String] {
        let (executable, _) = try TestPrograms.lower(text)
        return executable.remarks ?? []
    }

    @Test func fusedAttentionLeavesNoRemark() throws {
        #expect(try Self.remarks(AttentionFusionTests.program("bf16")).isEmpty)
    }

    /// A mask between the scale and the softmax: causal (query ≥ key) is fused as such; one
    /// that compares the query position with the head index is fused as a boolean mask
    /// read from its (computed) buffer.
    @Test(arguments: [(3, true), (1, false)])
    func maskedScoresAreFusedOrExplained(_ otherDim: Int, _ causal: Bool) throws {
        let s = "tensor<2x3x256x192xf32>"
        let masked = AttentionFusionTests.program("bf16").replacingOccurrences(
            of: "  %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>\n",
            with: """
              %rows = stablehlo.iota dim = 2 : tensor<2x3x256x192xi32>
              %cols = stablehlo.iota dim = \(otherDim) : tensor<2x3x256x192xi32>
              %keep = stablehlo.compare GE, %rows, %cols, SIGNED : (tensor<2x3x256x192xi32>, tensor<2x3x256x192xi32>) -> tensor<2x3x256x192xi1>
              %big = stablehlo.constant dense<-1.0e+30> : tensor<f32>
              %bigb = stablehlo.broadcast_in_dim %big, dims = [] : (tensor<f32>) -> \(s)
              %m = stablehlo.select %keep, %2, %bigb : tensor<2x3x256x192xi1>, \(s)
              %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>

            """)
            .replacingOccurrences(of: "applies stablehlo.maximum across dimensions = [3] : (\(s), tensor<f32>)", with: "XX")
            .replacingOccurrences(of: "%3 = stablehlo.reduce(%2 init: %ninf) XX", with: "%3 = stablehlo.reduce(%m init: %ninf) applies stablehlo.maximum across dimensions = [3] : (\(s), tensor<f32>)")
            .replacingOccurrences(of: "%7 = stablehlo.subtract %2, %6", with: "%7 = stablehlo.subtract %m, %6")
        let remarks = try Self.remarks(masked)
        if causal {
            #expect(remarks.isEmpty, "\(remarks)")
            #expect(try AttentionFusionTests.plans(masked).first?.causalOffset == 0)
            return
        }
        #expect(remarks.isEmpty, "\(remarks)")
        let plan = try #require(try AttentionFusionTests.plans(masked).first)
        #expect(plan.causalOffset == nil && plan.mask?.fill == Double(Float(-1e30)))
        #expect(plan.mask?.headStride == 256 * 192 && plan.mask?.keyStride == 1)
    }

    @Test func unsupportedHeadDimIsExplained() throws {
        let remarks = try Self.remarks(AttentionFusionTests.program("bf16", d: 72))
        #expect(remarks.count == 1 && remarks[0].contains("head dim 72"), "\(remarks)")
    }

    @Test func plainMatmulLeavesNoRemark() throws {
        let text = """
        func.func @main(%a: tensor<64x128xbf16>, %b: tensor<128x32xbf16>) -> tensor<64x32xbf16> {
          %0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (tensor<64x128xbf16>, tensor<128x32xbf16>) -> tensor<64x32xbf16>
          return %0 : tensor<64x32xbf16>
        }
        """
        #expect(try Self.remarks(text).isEmpty)
    }
}
