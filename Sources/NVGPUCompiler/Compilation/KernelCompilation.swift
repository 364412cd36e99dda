import CUDA
import Dispatch
import Foundation
import Runtime

/// A generated kernel NVRTC rejected: the compiler's log and the fusion it came from.
public struct KernelCompilationError: Error, CustomStringConvertible, Sendable {
    public var kernel: String
    public var log: String
    public var source: String

    public var description: String {
        let comment = source.split(separator: "\n").first { $0.hasPrefix("// ") && $0.contains(kernel) } ?? ""
        return "NVRTC could not compile \(kernel) (\(comment.dropFirst(3))):\n\(log)"
    }
}

/// Compiles an executable's kernels with NVRTC for its architecture, through the disk
/// kernel cache, several at a time.
public enum KernelCompilation {
    /// Options every generated kernel is compiled with.
    public static let options = ["--fmad=true", "-default-device"]

    /// Fills `executable.kernels[i].binary` with cubins.
    public static func compile(_ executable: inout Executable, compiler: NVRTC,
                               cache: KernelCache = .standard()) throws {
        if let reason = cache.untrustedReason { UntrustedCacheWarning.emitOnce(reason) }
        let kernels = executable.kernels
        let architecture = executable.architecture
        let results = compileAll(kernels.map { ($0.entryPoint, $0.source) }, architecture: architecture,
                                 compiler: compiler, cache: cache)
        for (i, result) in results.enumerated() {
            switch result {
            case .success(let cubin): executable.kernels[i].binary = Data(cubin)
            case .failure(let error): throw error
            }
        }
    }

    /// Compiles every (name, source) pair; one result per pair, in order.
    public static func compileAll(_ programs: [(name: String, source: String)], architecture: String,
                                  compiler: NVRTC, cache: KernelCache) -> [Result<[UInt8], KernelCompilationError>] {
        let slots = ResultSlots(count: programs.count)
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        DispatchQueue.concurrentPerform(iterations: min(workers, max(programs.count, 1))) { worker in
            var i = worker
            while i < programs.count {
                let (name, source) = programs[i]
                do {
                    let cubin = try cache.cubin(source: source, name: name + ".cu", architecture: architecture,
                                                options: options, compiler: compiler)
                    slots.set(i, .success(cubin))
                } catch let error as NVRTCError {
                    slots.set(i, .failure(KernelCompilationError(kernel: name, log: error.description, source: source)))
                } catch {
                    slots.set(i, .failure(KernelCompilationError(kernel: name, log: "\(error)", source: source)))
                }
                i += workers
            }
        }
        return slots.values.map { $0 ?? .failure(KernelCompilationError(kernel: "?", log: "not compiled", source: "")) }
    }
}

/// Results written by concurrent workers.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<[UInt8], KernelCompilationError>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<[UInt8], KernelCompilationError>) {
        lock.lock()
        values[i] = value
        lock.unlock()
    }
}

/// Says once per process, on standard error, that the kernel cache is not read and why.
enum UntrustedCacheWarning {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var said: Set<String> = []

    static func emitOnce(_ reason: String) {
        lock.lock()
        let first = said.insert(reason).inserted
        lock.unlock()
        if first { FileHandle.standardError.write(Data("nvgpu: warning: \(reason)\n".utf8)) }
    }
}
