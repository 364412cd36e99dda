import CUDA
import CUDARuntime
import Foundation
import Runtime
import StableHLO

/// `nvgpu run --device=cuda` for a program that runs as several processes
/// (`mhlo.num_replicas × mhlo.num_partitions > 1`, or `--replicas/--partitions`): one GPU
/// per process, collectives over NCCL.
///
/// Inputs: one set per process, process-major in flattened-id order
/// (`replica_id * num_partitions + partition_id`); one set alone is given to every process.
public struct MultiDeviceInvocation: Sendable {
    public var path: String
    public var function: String
    public var inputs: [String]
    public var outputs: [String]
    /// `--replicas` / `--partitions` when given: they override what an .mlir program declares
    /// (an .nvx executable must have been compiled for them).
    public var replicas: Int?
    public var partitions: Int?
    /// With `--time-runs=K`: time K runs (after 3 warm-ups) instead of printing results.
    public var timedRuns: Int = 0
    /// The program at `path`, when the caller has already read it (it is then not read again).
    public var module: Module?
    /// How an .mlir program is compiled (the architecture is the GPUs').
    public var configuration: CompileConfiguration

    public init(path: String, module: Module? = nil, function: String = "main", inputs: [String] = [], outputs: [String] = [],
                replicas: Int? = nil, partitions: Int? = nil, timedRuns: Int = 0,
                configuration: CompileConfiguration = CompileConfiguration()) {
        self.path = path
        self.module = module
        self.configuration = configuration
        self.function = function
        self.inputs = inputs
        self.outputs = outputs
        self.replicas = replicas
        self.partitions = partitions
        self.timedRuns = timedRuns
    }

    /// Runs every process and returns its results, in flattened-id order (and the grid's
    /// partition count). `--output`s are written for process 0.
    public func run() throws -> (results: [[HostTensor]], partitions: Int) {
        let destinations = try outputs.map { text throws(InputError) in try OutputDestination(parsing: text) }
        let driver = try Self.driver()
        let architecture = try CUDADevice.architecture(of: driver)
        let executable: Executable
        if path.hasSuffix(".nvx") {
            executable = try GPUProgram(path: path).executable
        } else {
            var module = try self.module ?? ProgramSource.load(path: path)
            for (key, value) in [("mhlo.num_replicas", replicas), ("mhlo.num_partitions", partitions)] {
                guard let value else { continue }
                module.attributes.removeAll { $0.name == key }
                module.attributes.append(NamedAttribute(key, .integer(Int64(value), type: .scalar(.si(32)))))
            }
            executable = try ExecutableCompilation(configuration, architecture: configuration.architecture ?? architecture)
                .compile(module, function: function).executable
        }
        if let replicas, replicas != (executable.replicas ?? 1) {
            throw RuntimeError("\(path): --replicas=\(replicas) but the executable was compiled for \(executable.replicas ?? 1) replicas")
        }
        if let partitions, partitions != (executable.partitions ?? 1) {
            throw RuntimeError("\(path): --partitions=\(partitions) but the executable was compiled for \(executable.partitions ?? 1) partitions")
        }
        let sets = try inputSets(for: executable)
        let runner = try MultiDeviceRunner(executable: executable, driver: driver, hostFallback: ReferenceHostFallback())
        if timedRuns > 0 {
            let timings = try runner.time(inputs: sets, warmup: 3, count: timedRuns)
            for (process, timing) in timings.enumerated() {
                let best = timing.singleRuns.min() ?? 0
                print("process \(process): \(Self.milliseconds(timing.backToBackPerRun)) ms per run back to back (\(timing.backToBackCount) runs), best single run \(Self.milliseconds(best)) ms")
            }
            return ([], executable.partitions ?? 1)
        }
        let results = try runner.invoke(inputs: sets)
        if let first = results.first {
            guard destinations.count <= first.count else {
                throw RuntimeError("--output: @\(executable.entry) has \(first.count) results but \(destinations.count) --output were given")
            }
            for (destination, result) in zip(destinations, first) { try destination.write(result) }
        }
        return (results, executable.partitions ?? 1)
    }

    /// The `--input`s split into one set per process.
    func inputSets(for executable: Executable) throws -> [[HostTensor]] {
        let types = executable.inputs.map { executable.buffers[$0].tensorType }
        let processes = executable.processCount
        let arguments = try inputs.map { text throws(InputError) in try InputArgument(parsing: text) }
        guard arguments.count == types.count * processes || arguments.count == types.count else {
            throw RuntimeError("@\(executable.entry) takes \(types.count) input\(types.count == 1 ? "" : "s") per process and runs as \(processes) processes: give \(types.count * processes) --input (process-major) or \(types.count) for every process, got \(arguments.count)")
        }
        let tensors = try arguments.enumerated().map { index, argument throws(InputError) in
            try argument.load(expected: types.isEmpty ? nil : types[index % types.count])
        }
        if tensors.count == types.count { return Array(repeating: tensors, count: processes) }
        return (0..<processes).map { Array(tensors[($0 * types.count)..<(($0 + 1) * types.count)]) }
    }

    public static func milliseconds(_ value: Double) -> String { String(format: "%.4f", value) }

    /// The processes `path` runs as (`mhlo.num_replicas × mhlo.num_partitions`), read
    /// without compiling: the module's attributes, or an .nvx file's grid.
    public static func declaredProcessCount(path: String, function: String, replicas: Int? = nil, partitions: Int? = nil) throws -> Int {
        if path.hasSuffix(".nvx") {
            let executable = try GPUProgram(path: path).executable
            return (replicas ?? executable.replicas ?? 1) * (partitions ?? executable.partitions ?? 1)
        }
        return declaredProcessCount(of: try ProgramSource.load(path: path), replicas: replicas, partitions: partitions)
    }

    /// The processes `module` runs as (`mhlo.num_replicas × mhlo.num_partitions`, or the flags).
    public static func declaredProcessCount(of module: Module, replicas: Int? = nil, partitions: Int? = nil) -> Int {
        func count(_ key: String) -> Int { module[attribute: key]?.intValue.map { max(1, Int($0)) } ?? 1 }
        return (replicas ?? count("mhlo.num_replicas")) * (partitions ?? count("mhlo.num_partitions"))
    }

    /// Prints each process's results under a `process P (replica R, partition Q):` line.
    public static func printResults(_ results: [[HostTensor]], partitions: Int, printer: TensorPrinter) {
        for (process, tensors) in results.enumerated() {
            print("process \(process) (replica \(process / max(1, partitions)), partition \(process % max(1, partitions))):")
            for tensor in tensors { print(printer.format(tensor)) }
        }
    }

    static func driver() throws -> CUDADriver {
        do {
            return try CUDADriver.load(path: DeviceSelection.driverPath)
        } catch {
            throw RuntimeError("--device=cuda: no usable CUDA driver (\(DeviceSelection.driverPath)): \(error)")
        }
    }
}

public extension CUDADevice {
    /// The architecture of GPU 0 (`sm_90`), for compiling a multi-process program.
    static func architecture(of driver: CUDADriver) throws -> String {
        let devices = try driver.devices()
        guard let first = devices.first else { throw RuntimeError("--device=cuda: the CUDA driver reports no devices") }
        return first.architecture
    }
}
