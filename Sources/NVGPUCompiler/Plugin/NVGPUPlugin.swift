import CUDA
import Compiler
import Runtime
import StableHLO

/// The NVIDIA plugin: registers the `cuda` target (fusion, CUDA C++ generation, cuBLASLt
/// lowering, buffer planning). Active by default.
public struct NVGPUPlugin: CompilerPlugin {
    public init() {}
    public var name: String { "nvgpu" }
    public var isActiveByDefault: Bool { true }
    public func register(in registrar: inout PluginRegistrar) {
        registrar.addTarget(CUDATarget())
    }
}

/// The `cuda` target backend: lowers the entry function to an `Executable` and compiles
/// its kernels with NVRTC for `options.architecture` (default `sm_90`).
public struct CUDATarget: TargetBackend {
    public init() {}
    public var name: String { "cuda" }

    /// The target's rewrites, after the standard passes (`--dump-after=NAME` shows each):
    /// `composite-to-call`, `inline-all`, `dynamic-to-static`, `map-to-elementwise`,
    /// `forward-tuples`, `drop-unused-tokens`, `nvgpu-attention-fusion`, `nvgpu-pointwise-convolution`, `nvgpu-matmul-epilogue-fusion`,
    /// `nvgpu-convolution-epilogue-fusion`, `nvgpu-collective-layout` (see
    /// `docs/target-passes.md`). Fusion planning and buffer planning run inside `translate`.
    public func passes(options: CompileOptions) -> [any Pass] { Self.rewritePasses(options: options) }

    public func translate(_ module: Module, options: CompileOptions) throws -> any CompiledArtifact {
        var (executable, _) = try ExecutableBuilder(options: options).build(module)
        if !executable.kernels.isEmpty {
            let compiler = try NVRTC.load()
            try KernelCompilation.compile(&executable, compiler: compiler)
        }
        return executable
    }
}
