import ArgumentParser
import Driver
import Conformance
import Foundation

/// `nvgpu conformance [DIR]`: runs the StableHLO conformance suite on the reference
/// backend or the GPU (`--device`) and prints a table by op family.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run the StableHLO conformance suite.",
        discussion: """
            Runs main of every DIR/testdata/*.mlir and every // ----- case of DIR/interpret/*.mlir \
            in worker processes (a case that hangs or crashes fails alone). Ends with \
            'N passed, N failed, N skipped'. Exit status: 0 when nothing failed, or, with \
            --min-passed/--min-passed-file, when at least that many passed; 1 otherwise. \
            A missing suite is an error (exit 1) unless --allow-missing.
            """)

    @Argument(help: "The suite (default: $NVGPU_CONFORMANCE_DIR, else ../shared/conformance).")
    var directory: String?

    @Option(help: "Run only cases whose name contains this text.")
    var filter: String?

    @Option(help: "Worker processes to run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds one case may take before it fails.")
    var timeout: Double = 20

    @Option(help: "Write every case's outcome to this JSON file.")
    var json: String?

    @Option(help: "Succeed when at least this many cases pass, even if some fail.")
    var minPassed: Int?

    @Option(help: "Like --min-passed, reading the number from a file.")
    var minPassedFile: String?

    @Flag(help: "Exit 0 when the suite directory does not exist.")
    var allowMissing = false

    @Flag(help: "Run cases one by one in this process (no protection from hangs or traps).")
    var inProcess = false

    @OptionGroup var deviceOptions: DeviceOptions

    @Option(help: ArgumentHelp(
        "Cases expected to fail ('case-name  reason' per line): listed failures do not fail the run, unlisted ones do.",
        valueName: "file"))
    var knownFailures: String?

    @Flag(help: "With --device=cuda or auto: only compile each case for the GPU (sm_90, NVRTC; no GPU needed).")
    var compileOnly = false

    @Flag(help: "On the GPU: let f32 dots of precision DEFAULT use TF32, as XLA does (default: full f32, as the reference).")
    var tf32 = false

    @Flag(help: .hidden)
    var worker = false

    func validate() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256") }
        guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout must be positive and at most a day (86400 s)") }
        guard minPassed == nil || minPassedFile == nil else {
            throw ValidationError("give --min-passed or --min-passed-file, not both")
        }
        guard !(compileOnly && deviceOptions.device == .cpu) else {
            throw ValidationError("--compile-only compiles for the GPU; it does not go with --device=cpu")
        }
    }

    func run() throws {
        let timeLimit = Duration.milliseconds(Int64(timeout * 1000))
        if worker {
            let executor = ConformanceDevice.workerExecutor(for: deviceOptions.device, compileOnly: compileOnly, allowsTF32: tf32)
            // The address-space cap guards against runaway reference cases; a CUDA context
            // reserves far more address space than it uses, so GPU workers go without it, as
            // do workers under AddressSanitizer (terabytes of shadow address space), which
            // scripts/sanitize.sh marks with NVGPU_WORKER_ADDRESS_LIMIT=0.
            let uncapped = ProcessInfo.processInfo.environment["NVGPU_WORKER_ADDRESS_LIMIT"] == "0"
            let cap: UInt64? = deviceOptions.device == .cpu && !uncapped ? 8 << 30 : nil
            ConformanceWorker(runner: CaseRunner(timeLimit: timeLimit, executor: executor), memoryLimitBytes: cap).serve()
            return
        }
        let suite = ConformanceSuite(directory: directory ?? ConformanceSuite.defaultDirectory())
        guard suite.exists else {
            let message = "conformance suite not found at \(suite.directory) (set NVGPU_CONFORMANCE_DIR)"
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            print("0 passed, 0 failed, 0 skipped")
            if allowMissing { return }
            throw ExitCode.failure
        }
        let report = try reportingErrors {
            let floor = try minPassedFile.map(PassCountFloor.read) ?? minPassed
            let known = try knownFailures.map(KnownFailureList.read)
            let device = try ConformanceDevice.resolve(deviceOptions.device, compileOnly: compileOnly)
            let precision = device.choice == .cuda ? "; " + ConformanceDevice.precisionNote(allowsTF32: tf32) : ""
            FileHandle.standardError.write(Data("conformance: \(device.description)\(precision)\n".utf8))
            let executor = inProcess
                ? try ConformanceDevice.executor(for: device.choice, compileOnly: compileOnly, allowsTF32: tf32)
                : ReferenceCaseExecutor()
            let arguments = Self.workerArguments(timeout) + ["--device", device.choice.rawValue]
                + (compileOnly ? ["--compile-only"] : []) + (tf32 ? ["--tf32"] : [])
            let execution: ConformanceRun.Execution = inProcess
                ? .inProcess
                : .workers(executable: Self.executable, arguments: arguments, jobs: jobs)
            let report = try ConformanceRun(suite: suite, filter: filter, timeLimit: timeLimit, execution: execution,
                                            executor: executor).run()
            if let json { try report.json().write(to: URL(fileURLWithPath: json)) }
            return (report, floor, known.map { $0.judge(report) })
        }
        print(report.0.render(trailer: report.2?.render() ?? ""), terminator: "")
        var failing = false
        if let verdict = report.2, !verdict.isAcceptable {
            FileHandle.standardError.write(Data("error: \(verdict.unexpectedFailures.count) failure(s) not in \(knownFailures ?? "the known-failures list")\n".utf8))
            failing = true
        }
        if let floor = report.1 {
            if report.0.passed < floor {
                FileHandle.standardError.write(Data("error: \(report.0.passed) passed, fewer than the expected \(floor)\n".utf8))
                failing = true
            }
        } else if report.2 == nil, report.0.failed > 0 {
            failing = true
        }
        if failing { throw ExitCode.failure }
    }

    /// This program's own executable, to start workers from.
    static var executable: URL {
        let proc = URL(fileURLWithPath: "/proc/self/exe")
        if FileManager.default.fileExists(atPath: proc.path) { return proc.resolvingSymlinksInPath() }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    static func workerArguments(_ timeout: Double) -> [String] {
        ["conformance", "--worker", "--timeout", String(timeout)]
    }
}
