import ArgumentParser
import Driver
import CUDA
import CUDARuntime
import Foundation
import Reference
import Runtime
import StableHLO

/// `nvgpu bench FILE`: times a program on the GPU the way the peers are timed (median and
/// spread of single calls, per-call time of back-to-back calls), against its floor.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a program on the GPU against its floor (bytes / bandwidth, flops / matrix rate).",
        discussion: """
            Inputs are staged on the GPU once; then --warmup untimed runs, --runs single runs \
            (CUDA events around each, waited for) reported as median, p10 and p90, and --runs \
            runs back to back between one event pair (per-call time). The floor is the input \
            plus output bytes at the device-to-device copy bandwidth (a 1 GiB copy, measured \
            once per GPU and cached) or the dot_general/convolution flops at the matrix rate \
            (739 TFLOP/s bf16/f16, 67 f32; --peak-tflops overrides), whichever is larger. \
            --check compares the results with the reference backend on the same inputs.
            """)

    @Argument(help: "The program (.mlir, compiled in memory) or executable (.nvx).")
    var file: String

    @Option(name: .customLong("input"), help: "An input, in parameter order (repeat for each).")
    var inputs: [String] = []

    @Flag(help: "Use reproducible random inputs instead of --input.")
    var randomInputs = false

    @Option(help: "Seed of --random-inputs.")
    var seed: UInt64 = 1

    @Option(help: "Timed runs (each way).")
    var runs = 20

    @Option(help: "Untimed runs first.")
    var warmup = 3

    @Flag(help: "Compare the GPU results with the reference backend (needs the .mlir program).")
    var check = false

    @Option(help: "The .mlir program an .nvx was compiled from (for --check and the flops floor).")
    var program: String?

    @Option(help: "Seconds the reference backend may take for --check before the check is skipped.")
    var checkTimeLimit = 600

    @Option(help: "Matrix rate for the flops floor, in TFLOP/s.")
    var peakTflops: Double?

    @Option(help: "Write the record (times, spread, floor, device, date) as JSON to this file.")
    var json: String?

    @Option(help: "The workload name in the record (default: the file's base name).")
    var name: String?

    @Option(help: "The GPU architecture to compile a program for (default: the GPU's).")
    var target: String?

    @Option(help: "The function to compile.")
    var function: String = "main"

    @OptionGroup var compilerOptions: CompilerOptions

    func validate() throws {
        guard runs >= 1, runs <= 100_000 else { throw ValidationError("--runs must be between 1 and 100000") }
        guard warmup >= 0, warmup <= 100_000 else { throw ValidationError("--warmup must be between 0 and 100000") }
        guard checkTimeLimit >= 1 else { throw ValidationError("--check-time-limit must be at least 1 second") }
        guard !(randomInputs && !inputs.isEmpty) else { throw ValidationError("give --input or --random-inputs, not both") }
        if let peakTflops, !(peakTflops > 0) { throw ValidationError("--peak-tflops must be positive") }
    }

    func run() throws {
        let record = try reportingErrors { try measure() }
        if let json {
            try reportingErrors {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                guard OutputFile.write(try encoder.encode(record), to: json) else {
                    throw RuntimeError("--json: cannot write \(json)")
                }
            }
        }
        if let check = record.check, !check.passed { throw ExitCode.failure }
    }

    private func measure() throws -> BenchRecord {
        let configuration = compilerOptions.configuration(architecture: target)
        let device = try DeviceSelection.cudaDevice(configuration: configuration)
        guard let queue = device.queue as? CUDAQueue else { throw RuntimeError("bench needs a CUDA GPU") }
        var program = try GPUProgram(path: file, function: function, configuration: configuration,
                                     deviceArchitecture: queue.architecture)
        if let source = self.program, program.module == nil {
            program.module = try ProgramSource.load(path: source)
        }
        let executable = program.executable
        let tensors = try loadInputs(executable)
        let runner = try device.load(executable)
        let results = try runner.invoke(inputs: tensors)
        try runner.stage(inputs: tensors)
        let timings = try runner.time(warmup: warmup, count: runs)
        // The timed runs replayed graphs where they could: their results must be the first run's.
        let replayed = try runner.downloadOutputs()
        let replayMatches = replayed.count == results.count && zip(replayed, results).allSatisfy { $0.bytes == $1.bytes }
        let single = TimingSummary(timings.singleRuns)
        let bandwidth = try BandwidthMeasurement.bandwidth(queue: queue)
        let (flops, dominant) = matrixFlops(program)
        let rate = peakTflops.map { $0 * 1e12 } ?? dominant.map(MatrixFlops.defaultRate) ?? MatrixFlops.defaultRate(for: .float(.bf16))
        let sizes = ExecutableSizes(executable)
        let floor = PerformanceFloor(bytes: sizes.inputBytes + sizes.outputBytes, flops: flops,
                                     bandwidth: bandwidth.bytesPerSecond, matrixRate: rate)
        let label = name ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        print("\(label) on \(device.name)")
        if let seconds = program.compileSeconds { print("compile: \(format(seconds, 3)) s") }
        print("single call: median \(format(single.median)) ms (p10 \(format(single.p10)), p90 \(format(single.p90))) over \(runs) runs")
        print("back-to-back: \(format(timings.backToBackPerRun)) ms per call (\(runs) calls)")
        let host = TimingSummary(timings.hostSingleRuns)
        print("single call on the host (queue + wait): median \(format(host.median)) ms (p10 \(format(host.p10)), p90 \(format(host.p90)))")
        print("CUDA graphs: " + (runner.graphUnavailableReason.map { "off (\($0))" } ?? "on (the whole executable replays as one graph)"))
        print("timed runs' results equal the first run's: \(replayMatches ? "yes" : "NO")")
        for decision in queue.attentionDecisions { print("attention: \(decision)") }
        let mechanisms = runner.controlFlowMechanisms.sorted { $0.key.rawValue < $1.key.rawValue }
        if !mechanisms.isEmpty {
            print("control flow: " + mechanisms.map { "\($0.value) run(s) \($0.key.rawValue)" }.joined(separator: ", "))
        }
        print("floor: \(format(floor.milliseconds)) ms (\(floor.bound)-bound: \(ByteCount(floor.bytes)) at \(format(floor.bandwidth / 1e12, 2)) TB/s\(bandwidth.cached ? " (cached)" : "") = \(format(floor.memoryMilliseconds)) ms; \(format(flops / 1e9, 1)) GFLOP at \(format(rate / 1e12, 0)) TFLOP/s = \(format(floor.computeMilliseconds)) ms)")
        let best = min(single.median, timings.backToBackPerRun)
        if best > 0, floor.milliseconds > 0 { print("fraction of floor: \(format(100 * floor.milliseconds / best, 1))%") }
        var record = BenchRecord(
            name: label, file: file, device: queue.deviceName, architecture: queue.architecture,
            date: ISO8601DateFormatter().string(from: Date()), ms: single.median, p10: single.p10, p90: single.p90,
            msLoop: timings.backToBackPerRun, runs: runs, floorMs: floor.milliseconds, floor: floor,
            compileSeconds: program.compileSeconds, kernels: executable.kernels.count, steps: executable.steps.count,
            hostSteps: executable.allSteps.filter { if case .host = $0 { return true }; return false }.count, check: nil)
        record.hostMs = host.median
        record.replayMatchesFirstRun = replayMatches
        if check { record.check = try compare(results, inputs: tensors, program: program, flops: flops) }
        return record
    }

    private func loadInputs(_ executable: Executable) throws -> [HostTensor] {
        let types = executable.inputs.compactMap { executable.buffers[$0].tensorType }
        if randomInputs {
            var generator = RandomInputs(seed: seed)
            return try types.map { type throws(RuntimeError) in try generator.tensor(of: type) }
        }
        guard inputs.count == types.count else {
            throw RuntimeError("@\(executable.entry) takes \(types.count) input(s), got \(inputs.count) --input (or use --random-inputs)")
        }
        return try zip(inputs, types).map { text, type throws(InputError) in
            try InputArgument(parsing: text).load(expected: type)
        }
    }

    private func matrixFlops(_ program: GPUProgram) -> (Double, ElementType?) {
        if let module = program.module { return MatrixFlops.count(in: module, function: function) }
        var flops = 0.0
        var type: ElementType?
        for case .matmul(let call) in program.executable.allSteps {
            flops += 2 * Double(call.batch) * Double(call.m) * Double(call.n) * Double(call.k)
            type = ElementType(mlirName: call.inputType)
        }
        return (flops, type)
    }

    /// Matrix flops per second the reference backend manages, roughly (it checks its time
    /// limit only between ops, so one huge dot_general cannot be interrupted).
    static let referenceFlopRate = 2e7

    private func compare(_ results: [HostTensor], inputs: [HostTensor], program: GPUProgram, flops: Double) throws -> CheckRecord {
        let estimate = flops / Self.referenceFlopRate
        if estimate > Double(checkTimeLimit) {
            let reason = "\(String(format: "%.1f", flops / 1e9)) GFLOP of dot_general/convolution would take the reference backend about \(Int(estimate)) s, over --check-time-limit \(checkTimeLimit) s"
            print("check: SKIPPED (\(reason))")
            return CheckRecord(passed: true, skipped: reason, maxError: nil, outputs: [])
        }
        guard let module = program.module else {
            print("check: SKIPPED (an .nvx file has no program to run on the reference backend; give --program FILE.mlir)")
            return CheckRecord(passed: true, skipped: "no .mlir program", maxError: nil, outputs: [])
        }
        let expected: [HostTensor]
        do {
            // The oracle is the reference backend computing in f64 (see `PromotedOracle`);
            // a program it cannot promote (bitcasts of floats) runs as written.
            do {
                expected = try PromotedOracle(module).invoke(
                    function: function, inputs: inputs, timeLimit: .seconds(checkTimeLimit))
                print("check: oracle: the reference backend with floats computed in f64")
            } catch let error as InterpreterError {
                if case .timedOut = error { throw error }
                let reference = ReferenceDevice(timeLimit: .seconds(checkTimeLimit))
                expected = try reference.load(module).invoke(function: function, inputs: inputs)
                print("check: oracle: the reference backend as written (f64 promotion failed: \(error))")
            }
        } catch {
            print("check: SKIPPED (the reference backend did not finish: \(error))")
            return CheckRecord(passed: true, skipped: "\(error)", maxError: nil, outputs: [])
        }
        guard expected.count == results.count else {
            print("check: FAIL: the GPU returned \(results.count) results, the reference \(expected.count)")
            return CheckRecord(passed: false, skipped: nil, maxError: .infinity, outputs: [])
        }
        var comparisons = try zip(results, expected).map { actual, reference throws(RuntimeError) in
            try OutputComparison(actual: actual, expected: reference)
        }
        if comparisons.contains(where: { !$0.passed }), let module = program.module {
            // Measure the program's own rounding (f64 inside each op, each result rounded to its
            // declared type): where it alone misses the bounds, they widen to twice its error.
            do {
                let rounded = try DeclaredRoundingOracle(module).invoke(
                    function: function, inputs: inputs, timeLimit: .seconds(checkTimeLimit))
                comparisons = try zip(zip(results, expected), rounded).map { pair, model throws(RuntimeError) in
                    try OutputComparison(actual: pair.0, expected: pair.1, programRounding: model)
                }
                print("check: program rounding: the reference backend in f64 rounding each op's result to its declared type")
            } catch {
                print("check: program rounding not measured (\(error))")
            }
        }
        var outputs: [OutputCheck] = []
        for (index, (actual, comparison)) in zip(results, comparisons).enumerated() {
            outputs.append(OutputCheck(comparison))
            // "max error" (elementwise) first: scripts/gpu parse it.
            var line = "check: result #\(index) \(actual.type): max error \(String(format: "%.3g", comparison.maxError)) at element \(comparison.worstIndex) (tolerance \(String(format: "%.3g", comparison.tolerance)), per element |gpu-ref|/max(|ref|, rms(ref))), normwise error \(String(format: "%.3g", comparison.normwiseError)) (tolerance \(String(format: "%.3g", comparison.normwiseTolerance)))"
            if let own = comparison.programRounding {
                line += "; the program's own rounding: normwise \(String(format: "%.3g", own.normwise)), elementwise \(String(format: "%.3g", own.elementwise)) at element \(own.worstIndex)\(comparison.widened ? " (bounds widened to twice it)" : "")"
            }
            print("\(line) \(comparison.passed ? "ok" : "FAIL")")
        }
        let passed = outputs.allSatisfy(\.passed)
        print("check: \(passed ? "passed" : "FAILED")")
        return CheckRecord(passed: passed, skipped: nil, maxError: outputs.map(\.maxError).max(), outputs: outputs)
    }

    private func format(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }
}

/// What `nvgpu bench --json` writes.
struct BenchRecord: Codable {
    var name: String
    var file: String
    var device: String
    var architecture: String
    /// ISO 8601.
    var date: String
    /// Median single-call milliseconds, and its spread.
    var ms: Double
    var p10: Double
    var p90: Double
    /// Per-call milliseconds of back-to-back calls.
    var msLoop: Double
    var runs: Int
    var floorMs: Double
    var floor: PerformanceFloor
    var compileSeconds: Double?
    var kernels: Int
    var steps: Int
    var hostSteps: Int
    var check: CheckRecord?
    /// Median host milliseconds of one call (queue + wait).
    var hostMs: Double?
    /// Whether the last timed run's results equal the first run's, byte for byte.
    var replayMatchesFirstRun: Bool?

    enum CodingKeys: String, CodingKey {
        case name, file, device, architecture, date, ms, p10, p90, runs, floor, kernels, steps, check
        case msLoop = "ms_loop", floorMs = "floor_ms", compileSeconds = "compile_s", hostSteps = "host_steps"
        case hostMs = "host_ms", replayMatchesFirstRun = "replay_matches_first_run"
    }
}

/// The `--check` outcome.
struct CheckRecord: Codable {
    var passed: Bool
    /// Why the check did not run, when it did not.
    var skipped: String?
    var maxError: Double?
    var outputs: [OutputCheck]

    enum CodingKeys: String, CodingKey {
        case passed, skipped, outputs
        case maxError = "max_error"
    }
}

/// One result's comparison (see `OutputComparison`).
struct OutputCheck: Codable {
    /// Elementwise: `max |gpu_i - ref_i| / max(|ref_i|, rms(ref))` and its bound.
    var maxError: Double
    var tolerance: Double
    var worstIndex: Int
    /// `‖gpu - ref‖₂ / ‖ref‖₂` and its bound.
    var normwiseError: Double
    var normwiseTolerance: Double
    /// The program's own rounding against the oracle, when it was measured.
    var programNormwiseError: Double?
    var programMaxError: Double?
    /// Whether the program's own rounding widened the per-dtype bounds.
    var widened: Bool
    var passed: Bool

    init(_ comparison: OutputComparison) {
        maxError = comparison.maxError
        tolerance = comparison.tolerance
        worstIndex = comparison.worstIndex
        normwiseError = comparison.normwiseError
        normwiseTolerance = comparison.normwiseTolerance
        programNormwiseError = comparison.programRounding?.normwise
        programMaxError = comparison.programRounding?.elementwise
        widened = comparison.widened
        passed = comparison.passed
    }

    enum CodingKeys: String, CodingKey {
        case tolerance, passed, widened
        case maxError = "max_error", worstIndex = "worst_index"
        case normwiseError = "normwise_error", normwiseTolerance = "normwise_tolerance"
        case programNormwiseError = "program_normwise_error", programMaxError = "program_max_error"
    }
}
