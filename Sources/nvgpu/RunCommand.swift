import ArgumentParser
import Driver
import Foundation
import Runtime
import StableHLO

/// `nvgpu run FILE.mlir --input=...`: runs one function of a StableHLO program and prints
/// its results.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a StableHLO program.",
        discussion: """
            Inputs use IREE's syntax: --input=2x3xf32=1,2,3,4,5,6, --input=f32=1.5, \
            --input=2xi1=true,false, --input=2xcomplex<f32>=(1,2),(3,4), \
            --input=4xbf16=@a.bin (raw little-endian bytes), --input=@x.npy, \
            --input=2x2xbf16=@x.npy (for ml_dtypes arrays). Results print as \
            2x3xf32=[[1 2 3][4 5 6]], one per line.

            A program of several processes (--replicas/--partitions, default the \
            module's mhlo.num_replicas and mhlo.num_partitions) takes one input set per \
            process: all of process 0's --input, then process 1's, ..., in flattened-id \
            order (replica * partitions + partition); or one set that every process \
            gets. Each process's results print under 'process P (replica R, partition \
            Q):'; --output writes process 0's.
            """)

    @Argument(help: "The program (.mlir text or .mlirbc bytecode), or an executable from 'nvgpu compile' (.nvx, runs on the GPU).")
    var file: String

    @Option(help: "The function to run.")
    var function: String = "main"

    @Option(name: .customLong("input"), help: "An input, in parameter order (repeat for each).")
    var inputs: [String] = []

    @Option(name: .customLong("output"), help: "Write result K to @FILE.npy or @FILE.bin (repeat, in result order).")
    var outputs: [String] = []

    @Option(help: "Print at most this many elements of a result (the rest: use --output).")
    var printMaxElements: Int = 1024

    @Option(help: "Replicas to run the program as (default: the module's mhlo.num_replicas, else 1).")
    var replicas: Int?

    @Option(help: "Partitions to run the program as (default: the module's mhlo.num_partitions, else 1).")
    var partitions: Int?

    @OptionGroup var deviceOptions: DeviceOptions

    @OptionGroup var multiDeviceOptions: MultiDeviceOptions

    @OptionGroup var compilerOptions: CompilerOptions

    func validate() throws {
        guard printMaxElements >= 0 else { throw ValidationError("--print-max-elements must be 0 or more") }
        guard (replicas ?? 1) >= 1, (partitions ?? 1) >= 1 else {
            throw ValidationError("--replicas and --partitions must be 1 or more")
        }
    }

    func run() throws {
        let configuration = compilerOptions.configuration()
        if file.hasSuffix(".nvx") {
            if deviceOptions.device == .cuda, try replicas != nil || partitions != nil || multiDeviceOptions.timeRuns > 0
                || reportingErrors({ try MultiDeviceInvocation.declaredProcessCount(path: file, function: function) }) > 1 {
                try runOnSeveralGPUs(module: nil, configuration: configuration)
                return
            }
            let invocation = ExecutableInvocation(path: file, inputs: inputs, outputs: outputs)
            let results = try reportingErrors { try invocation.run(choice: deviceOptions.device) }
            printResults(results)
            return
        }
        // The program is read and verified once; every path below runs this module.
        let module = try reportingErrors { try ProgramSource.load(path: file) }
        if deviceOptions.device == .cuda, replicas != nil || partitions != nil || multiDeviceOptions.timeRuns > 0
            || MultiDeviceInvocation.declaredProcessCount(of: module) > 1 {
            try runOnSeveralGPUs(module: module, configuration: configuration)
            return
        }
        if deviceOptions.device != .cuda {
            let invocation = ReferenceGridInvocation(path: file, function: function, inputs: inputs, outputs: outputs,
                                                     replicas: replicas, partitions: partitions)
            if let grid = try reportingErrors({ try invocation.gridIfSeveral(module) }) {
                if deviceOptions.device == .auto {
                    FileHandle.standardError.write(Data("nvgpu: note: running \(grid.processCount) processes on the cpu reference backend (--device=cpu silences this)\n".utf8))
                }
                let results = try reportingErrors { try invocation.run(module, on: grid) }
                let printer = TensorPrinter(maxElements: printMaxElements)
                for line in ReferenceGridInvocation.format(results, grid: grid, printer: printer) { print(line) }
                return
            }
        }
        let invocation = ProgramInvocation(programPath: file, function: function, inputs: inputs, outputs: outputs)
        let results = try reportingErrors {
            try invocation.run(module, on: try deviceOptions.selectedDevice(configuration: configuration))
        }
        printResults(results)
    }

    private func runOnSeveralGPUs(module: Module?, configuration: CompileConfiguration) throws {
        let invocation = MultiDeviceInvocation(path: file, module: module, function: function, inputs: inputs, outputs: outputs,
                                               replicas: replicas, partitions: partitions, timedRuns: multiDeviceOptions.timeRuns,
                                               configuration: configuration)
        let (results, partitions) = try reportingErrors { try invocation.run() }
        MultiDeviceInvocation.printResults(results, partitions: partitions, printer: TensorPrinter(maxElements: printMaxElements))
    }

    private func printResults(_ results: [HostTensor]) {
        let printer = TensorPrinter(maxElements: printMaxElements)
        for result in results { print(printer.format(result)) }
    }
}
