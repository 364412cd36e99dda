import StableHLO

/// Something that can run programs: the reference CPU backend, a CUDA GPU.
public protocol Device: Sendable {
    /// A short platform name: `cpu`, `cuda`.
    var platform: String { get }
    /// A human-readable description (`CPU reference interpreter`, `NVIDIA H100 (sm_90)`).
    var name: String { get }
    /// Loads a program for execution on this device.
    func load(_ module: Module) throws -> any LoadedProgram
}

/// A program loaded on a device, ready to be invoked.
public protocol LoadedProgram: Sendable {
    /// Runs function `function` on `inputs`, returning its results.
    func invoke(function: String, inputs: [HostTensor]) throws -> [HostTensor]
}

/// What a target backend produces: a self-contained, serializable executable
/// (for the CUDA target: the step plan plus the cubins).
public protocol CompiledArtifact: Sendable {
    /// The target it was built for (`cuda`), with its architecture where one applies.
    var target: String { get }
    /// The bytes written by `nvgpu compile -o FILE`.
    func serialized() throws -> [UInt8]
    /// A human-readable listing (`nvgpu inspect`): steps, kernels, buffer sizes.
    func inspection() -> String
}
