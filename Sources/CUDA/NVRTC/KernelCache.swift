import Foundation

/// Compiled kernels on disk, keyed by (source, architecture, options, NVRTC version):
/// `<directory>/<sha256>.cubin`, written atomically so concurrent processes never read a
/// half-written file. The directory is `$NVGPU_CACHE_DIR`, else `~/.cache/nvgpu/kernels`.
public final class KernelCache: @unchecked Sendable {
    /// Where cubins are stored.
    public let directory: URL
    private let lock = NSLock()
    private var counters = (hits: 0, misses: 0)

    /// A cache in `directory` (created on first write).
    public init(directory: URL) {
        self.directory = directory
    }

    /// The default cache: `$NVGPU_CACHE_DIR`, else `$XDG_CACHE_HOME/nvgpu/kernels`,
    /// else `~/.cache/nvgpu/kernels`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> KernelCache {
        if let path = environment["NVGPU_CACHE_DIR"], !path.isEmpty {
            return KernelCache(directory: URL(fileURLWithPath: path, isDirectory: true))
        }
        let base: URL
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg, isDirectory: true)
        } else {
            let home = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FileManager.default.homeDirectoryForCurrentUser
            base = home.appendingPathComponent(".cache", isDirectory: true)
        }
        return KernelCache(directory: base.appendingPathComponent("nvgpu/kernels", isDirectory: true))
    }

    /// The cache key: SHA-256 over every input that changes the cubin.
    public static func key(source: String, architecture: String, options: [String], compilerVersion: String) -> String {
        let material = ["nvgpu-kernel-v1", compilerVersion, architecture, options.joined(separator: "\u{1}"), source]
            .joined(separator: "\u{0}")
        return SHA256.hexDigest(Array(material.utf8))
    }

    /// (hits, misses) in this process.
    public var statistics: (hits: Int, misses: Int) {
        lock.lock()
        defer { lock.unlock() }
        return counters
    }

    /// The stored cubin for `key`, if any.
    public func cubin(forKey key: String) -> [UInt8]? {
        guard let data = try? Data(contentsOf: fileURL(forKey: key)), !data.isEmpty else { return nil }
        return [UInt8](data)
    }

    /// Stores `cubin` under `key` (write to a temporary file, then rename).
    public func store(_ cubin: [UInt8], forKey key: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(cubin).write(to: fileURL(forKey: key), options: .atomic)
    }

    /// The cubin for `source`, from the cache or compiled by `compiler` and then stored.
    /// A cache that cannot be written is not an error: the kernel is still returned.
    public func cubin(source: String, name: String = "kernel.cu", architecture: String,
                      options: [String] = [], compiler: NVRTC) throws -> [UInt8] {
        let key = Self.key(source: source, architecture: architecture, options: options,
                           compilerVersion: compiler.versionString)
        if let cached = cubin(forKey: key) {
            record(hit: true)
            return cached
        }
        record(hit: false)
        let compiled = try compiler.compile(source: source, name: name, architecture: architecture, options: options)
        try? store(compiled.cubin, forKey: key)
        return compiled.cubin
    }

    private func fileURL(forKey key: String) -> URL {
        directory.appendingPathComponent(key + ".cubin")
    }

    private func record(hit: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if hit { counters.hits += 1 } else { counters.misses += 1 }
    }
}
