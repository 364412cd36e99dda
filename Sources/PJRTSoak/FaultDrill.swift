import Foundation

/// GPU faults provoked on purpose through the PJRT plugin (issue 14, item 5). Each case makes
/// one thing go wrong, expects an error that names it, and then shows the process is fine:
/// the same client runs a program and gets the right answer. A kernel that faults is sticky:
/// CUDA runs no more work in that process, so those cases run in a child process
/// (`faults --sticky KIND`), which must get clear errors (never a signal) from the faulting
/// client and from a new one, and then this process runs a program. Runs on a CUDA device only.
public struct FaultDrill: Sendable {
    /// A library that opens but is not cuBLASLt (a wrong library at `NVGPU_CUBLASLT_PATH`).
    public var wrongLibrary: String?
    /// Where the drill may make kernel caches.
    public var scratch: URL
    /// The executable run as the child for sticky faults (`faults --sticky KIND`).
    public var childExecutable: String

    public init(wrongLibrary: String?, scratch: URL, childExecutable: String = "/proc/self/exe") {
        self.wrongLibrary = wrongLibrary
        self.scratch = scratch
        self.childExecutable = childExecutable
    }

    /// One case's outcome: what was provoked, the error seen, and whether the process went on.
    public struct Outcome: Sendable, Codable {
        public var name: String
        public var passed: Bool
        public var error: String
        public var after: String
    }

    struct Expectation: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs every case; `progress` gets one line per case.
    public func run(progress: (String) -> Void = { _ in }) -> [Outcome] {
        let cases: [(String, () throws -> (String, String))] = [
            ("device out of memory (outputs larger than the card)", outOfMemory),
            ("NVRTC compile failure", nvrtcFailure),
            ("vendor library missing (NVGPU_CUBLASLT_PATH names no file)", { try vendorLibrary(path: "/nonexistent/libcublasLt.so.13", expect: "not found") }),
            ("vendor library wrong (NVGPU_CUBLASLT_PATH names another library)", {
                guard let wrongLibrary else { throw Expectation(description: "no --wrong-library given") }
                return try vendorLibrary(path: wrongLibrary, expect: "has no symbol")
            }),
            ("kernel-cache entries corrupted (detected, recompiled, right answer)", corruptCache),
            ("kernel fault: illegal address (sticky: errors in the faulting process, a new process works)",
             { try stickyInChild(.illegalAddress) }),
            ("kernel fault: trap (sticky: errors in the faulting process, a new process works)",
             { try stickyInChild(.trap) }),
        ]
        var outcomes: [Outcome] = []
        for (name, body) in cases {
            let outcome: Outcome
            do {
                let (error, after) = try body()
                outcome = Outcome(name: name, passed: true, error: error, after: after)
            } catch {
                outcome = Outcome(name: name, passed: false, error: "\(error)", after: "")
            }
            progress("\(outcome.passed ? "PASS" : "FAIL") \(name)\n  error: \(outcome.error)\n  after: \(outcome.after)")
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Runs the elementwise program of the soak mix on `caller` and checks every value.
    func runsCorrectly(_ caller: PJRTCaller, size: Int = 4096) throws -> String {
        let program = SoakProgram.elementwise(size, samples: 1 << 30)
        let executable = try caller.compile(program.text)
        let a = (0..<size).map { Float($0 % 17) / 8 - 1 }
        let b = (0..<size).map { Float($0 % 5) / 4 }
        let output = try caller.execute(
            executable, [try caller.buffer(a, dims: [size]), try caller.buffer(b, dims: [size])], outputCount: 1)
        let values = try output.buffers[0].floats(count: size)
        for index in 0..<size {
            let expected = program.expected([a, b], 0, index)
            guard abs(values[index] - expected) <= 1e-5 * (1 + abs(expected)) else {
                throw Expectation(description: "after the fault, element \(index) is \(values[index]), expected \(expected)")
            }
        }
        return "a \(size)-element program then ran and all \(size) values were right"
    }

    /// Expects `body` to throw an error whose text contains every one of `needles`.
    func expectError(_ needles: [String], _ body: () throws -> Void) throws -> String {
        do {
            try body()
        } catch {
            let text = "\(error)"
            for needle in needles where !text.contains(needle) {
                throw Expectation(description: "the error does not mention '\(needle)': \(text)")
            }
            return text
        }
        throw Expectation(description: "no error (expected one mentioning \(needles.joined(separator: ", ")))")
    }

    func outOfMemory() throws -> (String, String) {
        let caller = try PJRTCaller(backend: "cuda")
        // Three 60 GB outputs: more than an H100 or H200 holds, each less than host memory.
        let n = 15_000_000_000
        let text = """
            func.func public @main(%x: tensor<f32>) -> (tensor<\(n)xf32>, tensor<\(n)xf32>, tensor<\(n)xf32>) {
              %0 = stablehlo.broadcast_in_dim %x, dims = [] : (tensor<f32>) -> tensor<\(n)xf32>
              %1 = stablehlo.negate %0 : tensor<\(n)xf32>
              %2 = stablehlo.abs %0 : tensor<\(n)xf32>
              return %0, %1, %2 : tensor<\(n)xf32>, tensor<\(n)xf32>, tensor<\(n)xf32>
            }
            """
        let error = try expectError(["OUT_OF_MEMORY"]) {
            let executable = try caller.compile(text)
            _ = try caller.execute(executable, [try caller.buffer([1], dims: [])], outputCount: 3)
        }
        return (error, try runsCorrectly(caller))
    }

    /// The child's part of a sticky case: the fault, the same client again and a new client
    /// each fail with an error that says to restart the process. Returns the three errors.
    public func stickyCase(_ fault: InjectedFaultKind) throws -> String {
        setenv("NVGPU_INJECT_FAULT", fault.rawValue, 1)
        defer { unsetenv("NVGPU_INJECT_FAULT") }
        let faulty = try PJRTCaller(backend: "cuda")
        let first = try expectError([fault.statusName, "restart the process"]) { _ = try runsCorrectly(faulty) }
        unsetenv("NVGPU_INJECT_FAULT")
        let second = try expectError(["restart the process"]) { _ = try runsCorrectly(faulty) }
        let third = try expectError(["restart the process"]) { _ = try runsCorrectly(try PJRTCaller(backend: "cuda")) }
        return first + "\n  then, on the same client: " + second + "\n  then, a new client: " + third
    }

    /// Runs `stickyCase(fault)` in a child process, which must exit normally (0) with its
    /// errors; then this process, which never faulted, runs a program.
    func stickyInChild(_ fault: InjectedFaultKind) throws -> (String, String) {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: childExecutable)
        child.arguments = ["faults", "--sticky", fault.rawValue]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = pipe
        try child.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        guard child.terminationReason == .exit else {
            throw Expectation(description: "the child process died of signal \(child.terminationStatus): \(output)")
        }
        guard child.terminationStatus == 0 else {
            throw Expectation(description: "the child process exited \(child.terminationStatus): \(output)")
        }
        let errors = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return ("in a child process (exit status 0, no signal): " + errors,
                "this process (a new one, never faulted): " + (try runsCorrectly(try PJRTCaller(backend: "cuda"))))
    }

    func nvrtcFailure() throws -> (String, String) {
        let cache = scratch.appendingPathComponent("nvrtc-cache-\(UUID().uuidString)")
        setenv("NVGPU_CACHE_DIR", cache.path, 1)
        defer { unsetenv("NVGPU_CACHE_DIR") }
        let caller = try PJRTCaller(backend: "cuda")
        setenv("NVGPU_INJECT_FAULT", "nvrtc", 1)
        let error: String
        do {
            defer { unsetenv("NVGPU_INJECT_FAULT") }
            error = try expectError(["nvrtcCompileProgram", "fault injected"]) { _ = try runsCorrectly(caller, size: 4097) }
        }
        return (error, try runsCorrectly(caller, size: 4097))
    }

    func vendorLibrary(path: String, expect: String) throws -> (String, String) {
        setenv("NVGPU_CUBLASLT_PATH", path, 1)
        let error: String
        do {
            defer { unsetenv("NVGPU_CUBLASLT_PATH") }
            let caller = try PJRTCaller(backend: "cuda")
            let program = SoakProgram.matmul(256, 256, 256, samples: 1 << 30)
            let executable = try caller.compile(program.text)
            error = try expectError([expect]) {
                let inputs = try program.inputShapes.map { shape in
                    try caller.buffer([Float](repeating: 0.5, count: shape.reduce(1, *)), dims: shape)
                }
                _ = try caller.execute(executable, inputs, outputCount: 1)
            }
        }
        return (error, try runsCorrectly(try PJRTCaller(backend: "cuda")))
    }

    func corruptCache() throws -> (String, String) {
        let cache = scratch.appendingPathComponent("corrupt-cache-\(UUID().uuidString)")
        setenv("NVGPU_CACHE_DIR", cache.path, 1)
        defer { unsetenv("NVGPU_CACHE_DIR") }
        _ = try runsCorrectly(try PJRTCaller(backend: "cuda"), size: 4099)
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { !$0.hasPrefix(".") }
        guard !entries.isEmpty else { throw Expectation(description: "the first compile wrote no cache entry in \(cache.path)") }
        var corrupted: [String: Data] = [:]
        for entry in entries {
            let url = cache.appendingPathComponent(entry)
            var bytes = try Data(contentsOf: url)
            guard !bytes.isEmpty else { continue }
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: url)
            corrupted[entry] = bytes
        }
        let after = try runsCorrectly(try PJRTCaller(backend: "cuda"), size: 4099)
        let rewritten = corrupted.filter { entry, bytes in
            (try? Data(contentsOf: cache.appendingPathComponent(entry))) != bytes
        }.count
        guard rewritten == corrupted.count else {
            throw Expectation(description: "\(corrupted.count - rewritten) of \(corrupted.count) corrupted entries were not rewritten")
        }
        return ("\(corrupted.count) entries corrupted (one byte flipped each); all \(rewritten) detected and rewritten", after)
    }
}

/// The device faults the drill provokes (`NVGPU_INJECT_FAULT`), with the status each gives.
public enum InjectedFaultKind: String, Sendable {
    case illegalAddress = "illegal-address"
    case trap

    var statusName: String {
        switch self {
        case .illegalAddress: return "CUDA_ERROR_ILLEGAL_ADDRESS"
        case .trap: return "CUDA_ERROR_"
        }
    }
}
