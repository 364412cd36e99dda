import Digest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Compiled kernels on disk, keyed by (source, architecture, options, NVRTC version):
/// `<directory>/<sha256>.cubin`, written atomically so concurrent processes never read a
/// half-written file. The directory is `$NVGPU_CACHE_DIR`, else `~/.cache/nvgpu/kernels`.
///
/// The cache holds code the GPU runs, so it is trusted only as far as its directory is: it
/// is created with mode 0700, and one that another user owns or that its group or others
/// may write is not read (every kernel is compiled afresh; `untrustedReason` says why).
/// Each entry carries its key and the SHA-256 of its cubin; an entry whose header does not
/// match (corrupt, truncated, renamed, or written by an older nvgpu) is a miss, recompiled
/// and rewritten.
public final class KernelCache: @unchecked Sendable {
    /// Where cubins are stored.
    public let directory: URL
    private let lock = NSLock()
    private var counters = (hits: 0, misses: 0)
    private var rejected = 0

    /// The first bytes of an entry: magic, then the key and the cubin's SHA-256 in hex.
    static let magic = Array("nvgpu-cubin-v1\n".utf8)

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

    /// Entries found corrupt or mismatched in this process (each was recompiled).
    public var rejectedEntries: Int {
        lock.lock()
        defer { lock.unlock() }
        return rejected
    }

    /// Why the directory is not trusted (another owner, or writable by its group or by
    /// others), or nil when it is trusted or does not exist yet.
    public var untrustedReason: String? {
        var info = stat()
        guard stat(directory.path, &info) == 0 else { return nil }
        if info.st_uid != geteuid() {
            return "kernel cache \(directory.path) belongs to user \(info.st_uid), not to this user (\(geteuid())); it is not read"
        }
        let mode = info.st_mode & 0o777
        if mode & 0o022 != 0 {
            return "kernel cache \(directory.path) has mode \(String(mode, radix: 8)): its group or others may write it; it is not read (chmod 700 it)"
        }
        return nil
    }

    /// The stored cubin for `key`, if the directory is trusted and the entry's header names
    /// this key and the SHA-256 of the bytes that follow.
    public func cubin(forKey key: String) -> [UInt8]? {
        guard untrustedReason == nil,
              let data = try? Data(contentsOf: fileURL(forKey: key)), !data.isEmpty else { return nil }
        let bytes = [UInt8](data)
        let headerCount = Self.magic.count + 64 + 1 + 64 + 1
        guard bytes.count > headerCount, Array(bytes[..<Self.magic.count]) == Self.magic,
              String(decoding: bytes[Self.magic.count..<(Self.magic.count + 64)], as: UTF8.self) == Self.padded(key) else {
            recordRejected()
            return nil
        }
        let cubin = Array(bytes[headerCount...])
        let digest = String(decoding: bytes[(Self.magic.count + 65)..<(Self.magic.count + 129)], as: UTF8.self)
        guard digest == SHA256.hexDigest(cubin) else {
            recordRejected()
            return nil
        }
        return cubin
    }

    /// Stores `cubin` under `key` (write to a temporary file, then rename), in a directory
    /// created with mode 0700; nothing is written into an untrusted directory.
    public func store(_ cubin: [UInt8], forKey key: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        if let reason = untrustedReason { throw CocoaError(.fileWriteNoPermission, userInfo: [NSLocalizedDescriptionKey: reason]) }
        let header = Self.magic + Array(Self.padded(key).utf8) + [0x0a] + Array(SHA256.hexDigest(cubin).utf8) + [0x0a]
        try Data(header + cubin).write(to: fileURL(forKey: key), options: .atomic)
    }

    /// A tuning choice (an index) stored under `key`, like a cubin: in the same trusted
    /// directory, checked against its key and digest.
    /// The file name is the SHA-256 of "choice:" + `key`.
    public func choice(forKey key: String) -> Int? {
        cubin(forKey: Self.choiceKey(key)).flatMap { Int(String(decoding: $0, as: UTF8.self)) }
    }

    /// Stores a tuning choice under `key` (see `choice(forKey:)`).
    public func storeChoice(_ choice: Int, forKey key: String) throws {
        try store(Array(String(choice).utf8), forKey: Self.choiceKey(key))
    }

    static func choiceKey(_ key: String) -> String { SHA256.hexDigest(Array(("choice:" + key).utf8)) }

    /// `key` as the 64 characters the header holds (a SHA-256 in hex; other keys, as tests
    /// use, are hashed so the header keeps its size).
    static func padded(_ key: String) -> String {
        key.utf8.count == 64 ? key : SHA256.hexDigest(Array(key.utf8))
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

    private func recordRejected() {
        lock.lock()
        defer { lock.unlock() }
        rejected += 1
    }

    private func record(hit: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if hit { counters.hits += 1 } else { counters.misses += 1 }
    }
}
