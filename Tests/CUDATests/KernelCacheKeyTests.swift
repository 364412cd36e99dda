import Digest
import Foundation
import Testing
@testable import CUDA

@Suite("Kernel cache keys")
struct KernelCacheKeyTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256MatchesFIPSVectors(message: String, expected: String) {
        #expect(SHA256.hexDigest(Array(message.utf8)) == expected)
    }

    @Test func sha256OfMillionAs() {
        let digest = SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func keyChangesWithEveryInput() {
        let base = KernelCache.key(source: "s", architecture: "sm_90", options: [], compilerVersion: "13.0")
        #expect(base == KernelCache.key(source: "s", architecture: "sm_90", options: [], compilerVersion: "13.0"))
        #expect(base != KernelCache.key(source: "t", architecture: "sm_90", options: [], compilerVersion: "13.0"))
        #expect(base != KernelCache.key(source: "s", architecture: "sm_80", options: [], compilerVersion: "13.0"))
        #expect(base != KernelCache.key(source: "s", architecture: "sm_90", options: ["-lineinfo"], compilerVersion: "13.0"))
        #expect(base != KernelCache.key(source: "s", architecture: "sm_90", options: [], compilerVersion: "12.8"))
    }

    @Test func storeIsAtomicAndReadable() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("nvgpu-cache-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = KernelCache(directory: folder)
        #expect(cache.cubin(forKey: "k") == nil)
        try cache.store([1, 2, 3], forKey: "k")
        try cache.store([4, 5], forKey: "k")
        #expect(cache.cubin(forKey: "k") == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["k.cubin"])
    }

    @Test func standardDirectoryHonoursEnvironment() {
        #expect(KernelCache.standard(environment: ["NVGPU_CACHE_DIR": "/tmp/x"]).directory.path == "/tmp/x")
        #expect(KernelCache.standard(environment: ["HOME": "/home/u"]).directory.path == "/home/u/.cache/nvgpu/kernels")
    }
}
