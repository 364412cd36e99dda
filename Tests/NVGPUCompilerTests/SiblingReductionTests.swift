@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Sibling reductions (same input, same reduced dimensions, independent) share one kernel
/// that reads the input once; dependent reductions, other dimensions and
/// `NVGPU_SIBLING_REDUCTIONS=0` keep theirs.
@Suite struct SiblingReductionTests {
    static func launches(_ text: String) throws -> [String] {
        let (executable, _) = try TestPrograms.lower(text)
        return executable.steps.compactMap { step -> String? in
            guard case .launch(let l) = step else { return nil }
            return executable.kernels[l.kernel].entryPoint
        }
    }

    @Test(arguments: ["[1]", "[0]"])
    func meanAndMeanOfSquaresReadTheInputOnce(dims: String) throws {
        let out = dims == "[1]" ? "512" : "256"
        let text = """
        func.func @main(%x: tensor<512x256xf32>) -> (tensor<\(out)xf32>, tensor<\(out)xf32>) {
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %s = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = \(dims) : (tensor<512x256xf32>, tensor<f32>) -> tensor<\(out)xf32>
          %q = stablehlo.multiply %x, %x : tensor<512x256xf32>
          %m = stablehlo.reduce(%q init: %z) applies stablehlo.maximum across dimensions = \(dims) : (tensor<512x256xf32>, tensor<f32>) -> tensor<\(out)xf32>
          return %s, %m : tensor<\(out)xf32>, tensor<\(out)xf32>
        }
        """
        // One fusion (a column reduction may run as two stages of it: partials, then totals).
        let kernels = try Self.launches(text)
        #expect(Set(kernels.map { $0.replacingOccurrences(of: "_partials", with: "") }) == ["fusion_0"], "\(kernels)")
    }

    @Test func dependentReductionsStayApart() throws {
        // The second reduction reads the first's result (a variance after its mean).
        let text = """
        func.func @main(%x: tensor<512x256xf32>) -> tensor<512xf32> {
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %s = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [1] : (tensor<512x256xf32>, tensor<f32>) -> tensor<512xf32>
          %b = stablehlo.broadcast_in_dim %s, dims = [0] : (tensor<512xf32>) -> tensor<512x256xf32>
          %d = stablehlo.subtract %x, %b : tensor<512x256xf32>
          %c = stablehlo.multiply %d, %d : tensor<512x256xf32>
          %v = stablehlo.reduce(%c init: %z) applies stablehlo.add across dimensions = [1] : (tensor<512x256xf32>, tensor<f32>) -> tensor<512xf32>
          return %v : tensor<512xf32>
        }
        """
        let (executable, _) = try TestPrograms.lower(text)
        #expect(!executable.kernels.isEmpty)
        let module = try Module.parse(text, file: "dep.mlir")
        let block = try #require(module.function(named: "main")?.body.entry)
        let groups = FusionPlanner(policies: [:], decided: [:]).plan(block)
        #expect(FusionGroup.mergingSiblingReductions(groups, block: block, policies: [:]).count == groups.count)
    }

    @Test func differentDimensionsStayApart() throws {
        let text = """
        func.func @main(%x: tensor<64x64xf32>) -> (tensor<64xf32>, tensor<64xf32>) {
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %r = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [1] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
          %c = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [0] : (tensor<64x64xf32>, tensor<f32>) -> tensor<64xf32>
          return %r, %c : tensor<64xf32>, tensor<64xf32>
        }
        """
        #expect(try Self.launches(text).count == 2)
    }
}
