import CUDARuntime
import Foundation
import Runtime

/// `nvgpu run FILE.nvx --input=...`: runs a compiled executable on the GPU.
public struct ExecutableInvocation: Sendable {
    public var path: String
    public var inputs: [String]
    public var outputs: [String]

    public init(path: String, inputs: [String] = [], outputs: [String] = []) {
        self.path = path
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Loads the executable on GPU 0, runs it on the parsed inputs, writes `--output`s.
    public func run(choice: DeviceChoice) throws -> [HostTensor] {
        guard choice != .cpu else {
            throw RuntimeError("\(path): error: an .nvx executable runs on a GPU; run the .mlir program for --device=cpu")
        }
        let destinations = try outputs.map { text throws(InputError) in try OutputDestination(parsing: text) }
        let arguments = try inputs.map { text throws(InputError) in try InputArgument(parsing: text) }
        let program = try GPUProgram(path: path)
        let executable = program.executable
        let types = executable.inputs.map { executable.buffers[$0].typeText }
        guard arguments.count == types.count else {
            throw RuntimeError("@\(executable.entry) takes \(types.count) input\(types.count == 1 ? "" : "s")\(types.isEmpty ? "" : " (" + types.joined(separator: ", ") + ")"), got \(arguments.count) --input")
        }
        let tensors = try zip(arguments, executable.inputs).map { argument, buffer throws(InputError) in
            try argument.load(expected: executable.buffers[buffer].tensorType)
        }
        let device = try DeviceSelection.cudaDevice()
        let results = try device.load(executable).invoke(inputs: tensors)
        guard destinations.count <= results.count else {
            throw RuntimeError("--output: @\(executable.entry) has \(results.count) result\(results.count == 1 ? "" : "s") but \(destinations.count) --output were given")
        }
        for (destination, result) in zip(destinations, results) { try destination.write(result) }
        return results
    }
}
