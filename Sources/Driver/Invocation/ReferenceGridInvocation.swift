import Foundation
import Reference
import Runtime
import StableHLO

/// `nvgpu run --replicas=N --partitions=M` on the CPU reference backend: every process of
/// the grid runs the function on its own thread, meeting at each collective op. The grid
/// defaults to the module's `mhlo.num_replicas` × `mhlo.num_partitions`.
public struct ReferenceGridInvocation {
    public var path: String
    public var function: String
    public var inputs: [String]
    public var outputs: [String]
    public var replicas: Int?
    public var partitions: Int?

    public init(path: String, function: String = "main", inputs: [String] = [], outputs: [String] = [],
                replicas: Int? = nil, partitions: Int? = nil) {
        self.path = path
        self.function = function
        self.inputs = inputs
        self.outputs = outputs
        self.replicas = replicas
        self.partitions = partitions
    }

    /// The grid to run on: the flags, else what the module declares.
    public static func grid(of module: Module, replicas: Int?, partitions: Int?) throws -> ProcessGrid {
        let declared = try module.declaredProcessGrid()
        return try ProcessGrid(replicas: replicas ?? declared.replicaCount, partitions: partitions ?? declared.partitionCount)
    }

    /// The grid `module` runs on, when the run needs several processes; nil for one.
    public func gridIfSeveral(_ module: Module) throws -> ProcessGrid? {
        let grid = try Self.grid(of: module, replicas: replicas, partitions: partitions)
        return grid.processCount > 1 ? grid : nil
    }

    /// Runs every process; returns each one's results in flattened-id order. `--output`s
    /// are written for process 0.
    public func run(_ module: Module, on grid: ProcessGrid) throws -> [[HostTensor]] {
        let destinations = try outputs.map { text throws(InputError) in try OutputDestination(parsing: text) }
        guard let entry = module.function(named: function) else {
            let names = module.functions.map { "@" + $0.name }.joined(separator: ", ")
            throw RuntimeError("\(path): error: no function named @\(function) (the module has \(names.isEmpty ? "none" : names))")
        }
        let arguments = try inputs.map { text throws(InputError) in try InputArgument(parsing: text) }
        let sets = try ProcessInputSets.split(arguments, types: entry.inputTypes.map(\.tensorType),
                                              processCount: grid.processCount, function: function)
        let results = try ReferenceProgram(module: module).invoke(function: function, grid: grid, inputs: sets)
        if let first = results.first {
            guard destinations.count <= first.count else {
                throw RuntimeError("--output: @\(function) has \(first.count) result\(first.count == 1 ? "" : "s") but \(destinations.count) --output were given")
            }
            for (destination, result) in zip(destinations, first) { try destination.write(result) }
        }
        return results
    }

    /// Each process's results under a `process P (replica R, partition Q):` line.
    public static func format(_ results: [[HostTensor]], grid: ProcessGrid, printer: TensorPrinter) -> [String] {
        var lines: [String] = []
        for (i, process) in grid.processes.enumerated() where i < results.count {
            lines.append("process \(i) (replica \(process.replica), partition \(process.partition)):")
            lines += results[i].map(printer.format)
        }
        return lines
    }
}
