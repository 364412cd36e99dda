import Foundation

/// Runs the built `nvgpu` binary as a subprocess, the way a user would.
///
/// The binary is `$NVGPU_BIN` when set, else the `nvgpu` beside this test bundle (SwiftPM
/// builds it into the same folder, because the tests depend on the executable target).
struct NVGPUProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
        /// Ended by a signal (a trap), not an exit.
        var crashed: Bool
    }

    static let binary: URL? = {
        if let path = ProcessInfo.processInfo.environment["NVGPU_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("nvgpu")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

    /// The package root (for `tests/fixtures`, `examples`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 60,
                    environment: [String: String]? = nil) throws -> Result {
        guard let binary else { throw LookupError() }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes while waiting so a chatty child never blocks.
        let outData = DataBox(), errData = DataBox()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData.data, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self),
                      timedOut: timedOut,
                      crashed: process.terminationReason == .uncaughtSignal)
    }

    struct LookupError: Error, CustomStringConvertible {
        var description: String { "cannot find the nvgpu binary: set NVGPU_BIN or build the package first" }
    }
}

private final class DataBox: @unchecked Sendable {
    var data = Data()
}
