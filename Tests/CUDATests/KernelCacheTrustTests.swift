import Foundation
import Testing
@testable import CUDA

/// The kernel cache loads only what it wrote, from a directory only this user can write:
/// entries carry their key and checksum, and corrupt, renamed or old-format entries are
/// misses (recompiled); a directory writable by its group or others is not read.
@Suite("Kernel cache trust")
struct KernelCacheTrustTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-cache-trust-\(UUID().uuidString)", isDirectory: true)
    }

    static func mode(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func directoryIsCreatedPrivate() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = KernelCache(directory: folder)
        try cache.store([1, 2, 3], forKey: "k")
        #expect(try Self.mode(folder) == 0o700)
        #expect(cache.untrustedReason == nil)
        #expect(cache.cubin(forKey: "k") == [1, 2, 3])
    }

    @Test func tuningChoicesAreStoredLikeCubins() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = KernelCache(directory: folder)
        let key = "gemm-v1|NVIDIA H100 80GB HBM3|cublasLt 130100|1x[4096x4096x4096] NN bfloat16->bfloat16 none"
        #expect(cache.choice(forKey: key) == nil)
        try cache.storeChoice(3, forKey: key)
        try cache.storeChoice(0, forKey: key + " h16/4")  // any text, slashes included
        #expect(cache.choice(forKey: key) == 3)
        #expect(cache.choice(forKey: key + " h16/4") == 0)
        // A damaged entry is a miss (the choice is timed again), never a wrong index.
        let file = folder.appendingPathComponent(KernelCache.choiceKey(key) + ".cubin")
        var bytes = [UInt8](try Data(contentsOf: file))
        bytes[bytes.count - 1] = UInt8(ascii: "7")
        try Data(bytes).write(to: file)
        #expect(cache.choice(forKey: key) == nil)
    }

    @Test(arguments: ["flip", "truncate", "rename", "raw"])
    func damagedEntriesAreMisses(_ damage: String) throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = KernelCache(directory: folder)
        try cache.store(Array(0..<200), forKey: "k")
        let file = folder.appendingPathComponent("k.cubin"), other = folder.appendingPathComponent("j.cubin")
        var bytes = [UInt8](try Data(contentsOf: file))
        switch damage {
        case "flip": bytes[bytes.count - 7] ^= 0x40
        case "truncate": bytes.removeLast(9)
        case "raw": bytes = Array(0..<200)  // an entry as nvgpu wrote them before checksums
        default: try Data(bytes).write(to: other)  // a valid entry under another key's name
        }
        if damage != "rename" { try Data(bytes).write(to: file) }
        let key = damage == "rename" ? "j" : "k"
        #expect(cache.cubin(forKey: key) == nil)
        #expect(cache.rejectedEntries == 1)
        try cache.store(Array(0..<200), forKey: key)
        #expect(cache.cubin(forKey: key) == Array(0..<200))
    }

    @Test func writableByOthersIsNotRead() throws {
        let folder = Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = KernelCache(directory: folder)
        try cache.store([7, 8, 9], forKey: "k")
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
        let reason = try #require(cache.untrustedReason)
        #expect(reason.contains("mode 777") && reason.contains(folder.path))
        #expect(cache.cubin(forKey: "k") == nil)
        #expect(throws: (any Error).self) { try cache.store([1], forKey: "k") }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
        #expect(cache.cubin(forKey: "k") == [7, 8, 9])
    }
}
