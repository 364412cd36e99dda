import Compiler
@testable import NVGPUCompiler
import StableHLO
import Testing

/// `CUDATarget.passes(options:)` lists the target's rewrites by name, after the standard
/// pipeline, whatever the options (a pass that is off changes nothing).
@Suite struct TargetPassListTests {
    static let names = ["composite-to-call", "inline-all", "nvgpu-process-grid", "dynamic-to-static", "map-to-elementwise",
                        "forward-tuples", "drop-unused-tokens", "nvgpu-attention-fusion", "nvgpu-pointwise-convolution", "nvgpu-matmul-epilogue-fusion",
                        "nvgpu-convolution-layout", "nvgpu-convolution-epilogue-fusion", "nvgpu-collective-layout",
                        "nvgpu-one-pass-variance", "nvgpu-online-softmax", "nvgpu-dce", "nvgpu-merge-sibling-reduces", "nvgpu-duplicate-cheap-producers"]

    @Test(arguments: [true, false])
    func passesAreListedByName(_ vendor: Bool) throws {
        let options = CompileOptions(useVendorLibraries: vendor)
        #expect(CUDATarget().passes(options: options).map(\.name) == Self.names)
        let session = try CompilerSession(registry: PluginRegistry(plugins: [NVGPUPlugin()]))
        let all = try session.passNames(target: "cuda", options: options)
        #expect(Array(all.suffix(Self.names.count)) == Self.names)
    }

    @Test func dumpAfterSeesTheFusedOp() throws {
        let session = try CompilerSession(registry: PluginRegistry(plugins: [NVGPUPlugin()]))
        final class Seen: @unchecked Sendable { var texts: [String: String] = [:] }
        let seen = Seen()
        var observed = session
        observed.observer = PassObserver(after: ["nvgpu-matmul-epilogue-fusion"]) { name, module in seen.texts[name] = module.text }
        observed.verifiesAfterEachPass = true
        _ = try observed.lower(Module.parse(MatmulEpilogueFusionPassTests.biasRelu("f32"), file: "m.mlir"), target: "cuda")
        #expect(seen.texts["nvgpu-matmul-epilogue-fusion"]?.contains("\"nvgpu.matmul_epilogue\"") == true)
    }
}
