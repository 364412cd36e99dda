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
