import Foundation
import Runtime
import StableHLO

/// One `nvgpu run`: read and check a program, load its inputs, invoke one function on a
/// device and write the requested outputs.
public struct ProgramInvocation: Sendable {
    /// The program file (`.mlir` text or `.mlirbc` bytecode).
    public var programPath: String
    /// The function to invoke (`main` by default).
    public var function: String
    /// `--input` arguments, in parameter order.
    public var inputs: [String]
    /// `--output` arguments, one per result from the first (fewer is fine).
    public var outputs: [String]

    public init(programPath: String, function: String = "main", inputs: [String] = [], outputs: [String] = []) {
        self.programPath = programPath
        self.function = function
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Parses and verifies the program (text or bytecode).
    public func loadModule() throws -> Module {
        try ProgramSource.load(path: programPath)
    }

    /// Runs the function on `device` and writes `outputs`; returns every result.
    public func run(on device: any Device) throws -> [HostTensor] {
        try run(try loadModule(), on: device)
    }

    /// Runs the function of `module` (the program at `programPath`, already read) on `device`.
    public func run(_ module: Module, on device: any Device) throws -> [HostTensor] {
        let destinations = try outputs.map { text throws(InputError) in try OutputDestination(parsing: text) }
        let arguments = try inputs.map { text throws(InputError) in try InputArgument(parsing: text) }
        guard let entry = module.function(named: function) else {
            let names = module.functions.map { "@" + $0.name }.joined(separator: ", ")
            throw RuntimeError("\(programPath): error: no function named @\(function) (the module has \(names.isEmpty ? "none" : names))")
        }
        guard arguments.count == entry.inputTypes.count else {
            let expected = entry.inputTypes.map { $0.tensorType.map(TensorTypeText.format) ?? $0.description }
            throw RuntimeError("@\(function) takes \(entry.inputTypes.count) input\(entry.inputTypes.count == 1 ? "" : "s")\(expected.isEmpty ? "" : " (" + expected.joined(separator: ", ") + ")"), got \(arguments.count) --input")
        }
        let tensors = try zip(arguments, entry.inputTypes).map { argument, type throws(InputError) in
            try argument.load(expected: type.tensorType)
        }
        try entry.checkInputs(tensors)
        let results = try device.load(module).invoke(function: function, inputs: tensors)
        guard destinations.count <= results.count else {
            throw RuntimeError("--output: @\(function) has \(results.count) result\(results.count == 1 ? "" : "s") but \(destinations.count) --output were given")
        }
        for (destination, result) in zip(destinations, results) { try destination.write(result) }
        return results
    }
}
