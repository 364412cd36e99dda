import Foundation
import Testing

@testable import Workspace

/// The `nvgpu` executable built beside the test bundle (`swift build --build-tests` and
/// `swift test` build it), or `$NVGPU_BINARY`.
let nvgpuExecutable: URL? = {
    if let path = ProcessInfo.processInfo.environment["NVGPU_BINARY"], !path.isEmpty {
        return URL(fileURLWithPath: path)
    }
    let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    for directory in [me.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()] {
        let candidate = directory.appendingPathComponent("nvgpu")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
}()

/// How an `nvgpu` child process ended and what it printed.
struct ChildRun {
    var status: Int32
    var killedBySignal: Bool
    var stdout: String
    var stderr: String
}

/// Runs `nvgpu arguments` in `directory` with `environment` added, the way a user or a CI
/// job does (Foundation's `Process` makes it the leader of its own process group, so a
/// `kill 0` from one of its children reaches it and its git processes, not the tests).
func runNVGPU(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> ChildRun {
    let executable = try #require(nvgpuExecutable, "the nvgpu executable is not built next to the tests")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value }
    process.environment = merged
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let errBox = LockedData()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errBox.set(err.fileHandleForReading.readDataToEndOfFile())
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ChildRun(
        status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
        stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errBox.get(), as: UTF8.self))
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) {
        lock.lock()
        data = value
        lock.unlock()
    }
    func get() -> Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}

/// A small deterministic generator (SplitMix64) for seeded kill points.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
