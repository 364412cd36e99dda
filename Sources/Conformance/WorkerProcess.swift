import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One child process running `nvgpu conformance --worker`: it reads one case per line on
/// stdin and answers one `CaseOutcome` JSON line (prefixed by `WorkerProtocol.prefix`).
final class WorkerProcess {
    private let process: Process
    private let input: FileHandle
    /// Closed through its `FileHandle` (never by descriptor: the handle closes it again
    /// when released, and Foundation traps on that second close).
    private let output: FileHandle
    private let outputFD: Int32
    private var buffer: [UInt8] = []
    /// The worker announced it exits after its current answer (`WorkerProtocol.retiring`).
    private(set) var isRetiring = false

    /// What waiting for an answer produced.
    enum Reply {
        case line(String)
        case timedOut
        case exited(String)
    }

    /// Pool threads start workers one at a time: `Process.run` opens and closes
    /// descriptors, and launches racing on many threads (16 jobs) trapped in Foundation.
    private static let launchLock = NSLock()

    init(executable: URL, arguments: [String]) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        Self.launchLock.lock()
        defer { Self.launchLock.unlock() }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.input = stdin.fileHandleForWriting
        self.output = stdout.fileHandleForReading
        self.outputFD = stdout.fileHandleForReading.fileDescriptor
    }

    /// Sends one request line; false when the worker is gone.
    func send(_ line: String) -> Bool {
        do {
            try input.write(contentsOf: Data((line + "\n").utf8))
            return true
        } catch {
            return false
        }
    }

    /// Waits for the next protocol line until `deadline`.
    func receive(until deadline: ContinuousClock.Instant) -> Reply {
        while true {
            if let newline = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                if line.hasPrefix(WorkerProtocol.prefix) { return .line(String(line.dropFirst(WorkerProtocol.prefix.count))) }
                if line == WorkerProtocol.retiring { isRetiring = true }
                continue
            }
            let left = deadline - ContinuousClock.now
            if left <= .zero { return .timedOut }
            let ms = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            var pfd = pollfd(fd: outputFD, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, min(ms, 1000))
            if ready < 0 { if errno == EINTR { continue }; return .exited(stop()) }
            if ready == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, 65536) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return .exited(stop()) }
            buffer += chunk[0..<n]
        }
    }

    /// Kills the worker (if still running), reaps it and says how it ended.
    @discardableResult
    func stop() -> String {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? input.close()
        process.waitUntilExit()
        try? output.close()
        switch process.terminationReason {
        case .uncaughtSignal: return "crashed (signal \(process.terminationStatus))"
        case .exit: return "exited with status \(process.terminationStatus)"
        @unknown default: return "ended"
        }
    }
}

/// The line format between the pool and its workers.
public enum WorkerProtocol {
    /// Marks answer lines, so anything else a case prints to stdout is ignored.
    public static let prefix = "@@nvgpu-case "
    /// Sent before an answer when the worker exits after it; the pool starts a new one.
    public static let retiring = "@@nvgpu-worker-retiring"
}
