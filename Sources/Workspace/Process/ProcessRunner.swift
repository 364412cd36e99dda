import Foundation

/// What a finished process printed and how it exited.
public struct ProcessOutput: Sendable {
    /// The exit status (or the terminating signal's number, for a killed process).
    public var status: Int32
    /// Everything it wrote to standard output.
    public var stdout: String
    /// Everything it wrote to standard error.
    public var stderr: String
}

/// Runs programs with an argument vector, never through a shell (except `runShell`, which
/// runs a user-supplied command with `/bin/sh -c` on purpose).
public enum ProcessRunner {
    /// Runs `executable` (looked up on `PATH` through `/usr/bin/env`) with `arguments` in
    /// `directory`, adding `environment` to the inherited one; collects its output.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:]
    ) throws(WorkspaceError) -> ProcessOutput {
        let process = makeProcess(
            URL(fileURLWithPath: "/usr/bin/env"), [executable] + arguments, directory, environment)
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .launchFailed(executable: executable, reason: error.localizedDescription)
        }
        let stderrBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderrBox.data = stderrPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdoutData = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessOutput(
            status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrBox.data, as: UTF8.self))
    }

    /// Runs a user-supplied shell command with `/bin/sh -c`, in `directory`, passing context
    /// only through `environment` (nothing is interpolated into the command). Each output
    /// line (stdout and stderr merged) goes to `onLine`; returns the exit status.
    public static func runShell(
        _ command: String, in directory: URL, environment: [String: String],
        onLine: @Sendable (String) -> Void
    ) throws(WorkspaceError) -> Int32 {
        let process = makeProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command], directory, environment)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .launchFailed(executable: "/bin/sh", reason: error.localizedDescription)
        }
        let handle = pipe.fileHandleForReading
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                onLine(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    private static func makeProcess(
        _ executable: URL, _ arguments: [String], _ directory: URL, _ environment: [String: String]
    ) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        return process
    }
}

/// Output collected on another thread; read only after the collecting work has finished.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
