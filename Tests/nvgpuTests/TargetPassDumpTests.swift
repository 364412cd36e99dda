import Foundation
import Testing

/// `nvgpu compile --dump-after=NAME` shows the module after one of the CUDA target's own
/// passes: the fused op it wrote, in a form that the parser reads back.
@Suite struct TargetPassDumpTests {
    /// `relu(a·b + bias)` in f32: one cuBLASLt call with the bias+ReLU epilogue.
    static let biasRelu = """
        func.func public @main(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %bias: tensor<16xf32>) -> tensor<4x16xf32> {
          %0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
          %1 = stablehlo.broadcast_in_dim %bias, dims = [1] : (tensor<16xf32>) -> tensor<4x16xf32>
          %2 = stablehlo.add %0, %1 : tensor<4x16xf32>
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %3 = stablehlo.broadcast_in_dim %z, dims = [] : (tensor<f32>) -> tensor<4x16xf32>
          %4 = stablehlo.maximum %2, %3 : tensor<4x16xf32>
          return %4 : tensor<4x16xf32>
        }
        """

    @Test func dumpAfterMatmulEpilogueFusionShowsTheFusedOp() throws {
        let file = try CompileOptionsTests.write(Self.biasRelu)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let output = file.deletingLastPathComponent().appendingPathComponent("m.nvx").path
        let result = try NVGPUProcess.run(["compile", file.path, "-o", output, "--dump-after=nvgpu-matmul-epilogue-fusion"],
                                          in: NVGPUProcess.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("// -----// IR dump after nvgpu-matmul-epilogue-fusion //----- //"), "\(result.stderr)")
        #expect(result.stderr.contains("\"nvgpu.matmul_epilogue\""), "\(result.stderr)")
        #expect(result.stderr.contains("epilogue = \"biasRelu\""), "\(result.stderr)")
        #expect(!result.stderr.contains("stablehlo.maximum"), "\(result.stderr)")
        #expect(result.stdout.contains("wrote \(output): 0 kernel(s)"), "\(result.stdout)")
    }

    @Test func everyTargetPassCanBeDumped() throws {
        let file = try CompileOptionsTests.write(Self.biasRelu)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let names = ["composite-to-call", "inline-all", "dynamic-to-static", "map-to-elementwise", "forward-tuples",
                     "drop-unused-tokens", "nvgpu-attention-fusion", "nvgpu-convolution-epilogue-fusion", "nvgpu-collective-layout"]
        let output = file.deletingLastPathComponent().appendingPathComponent("out.nvx").path
        let result = try NVGPUProcess.run(["compile", file.path, "-o", output] + names.map { "--dump-after=\($0)" },
                                          in: NVGPUProcess.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        for name in names {
            #expect(result.stderr.contains("// -----// IR dump after \(name) //----- //"), "\(name): \(result.stderr)")
        }
    }
}
