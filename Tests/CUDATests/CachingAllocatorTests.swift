import Testing
@testable import CUDA

/// A fake device: hands out increasing addresses, records frees, and can run out of memory.
final class FakeDeviceMemory: DeviceMemoryBackend, @unchecked Sendable {
    var nextAddress: UInt64 = 0x1000_0000
    var live: [DevicePointer: Int] = [:]
    var allocations = 0
    var frees = 0
    var capacity: Int

    init(capacity: Int = .max) { self.capacity = capacity }

    func allocate(byteCount: Int) throws(CUDAError) -> DevicePointer {
        guard live.values.reduce(0, +) + byteCount <= capacity else {
            throw CUDAError(call: "cuMemAlloc_v2", result: .outOfMemory)
        }
        let pointer = DevicePointer(rawValue: nextAddress)
        nextAddress += UInt64(byteCount)
        live[pointer] = byteCount
        allocations += 1
        return pointer
    }

    func free(_ pointer: DevicePointer) throws(CUDAError) {
        guard live.removeValue(forKey: pointer) != nil else {
            throw CUDAError(call: "cuMemFree_v2", result: .invalidValue)
        }
        frees += 1
    }
}

@Suite("CachingAllocator")
struct CachingAllocatorTests {
    @Test(arguments: [
        (0, 512), (1, 512), (512, 512), (513, 640), (1000, 1024), (1025, 1280), (1537, 1792),
        (4096, 4096), (4097, 5120), (1 << 20, 1 << 20), ((1 << 20) + 1, 1_310_720), (3_000_000, 3_145_728),
    ])
    func sizeClassesRoundUpByAtMostAQuarter(request: Int, expected: Int) {
        let size = CachingAllocator.sizeClass(for: request)
        #expect(size == expected)
        #expect(size % 128 == 0)
        #expect(size >= request && (request <= 512 || Double(size) <= Double(request) * 1.25 + 1))
    }

    @Test func freedBlocksAreReusedForTheSameSizeClass() throws {
        let backend = FakeDeviceMemory()
        let allocator = CachingAllocator(backend: backend)
        let a = try allocator.allocate(byteCount: 1000)
        try allocator.deallocate(a)
        let b = try allocator.allocate(byteCount: 900)  // same class (1024)
        #expect(b.pointer == a.pointer && b.byteCount == 900 && b.capacity == 1024)
        let c = try allocator.allocate(byteCount: 5000)  // another class: new block
        #expect(c.pointer != a.pointer)
        #expect(backend.allocations == 2)
        let stats = allocator.stats
        #expect(stats.cacheHits == 1 && stats.cacheMisses == 2)
        #expect(stats.bytesInUse == 1024 + 5120 && stats.bytesCached == 0 && stats.backendBlocks == 2)
    }

    @Test func doubleFreeIsAnError() throws {
        let allocator = CachingAllocator(backend: FakeDeviceMemory())
        let block = try allocator.allocate(byteCount: 64)
        try allocator.deallocate(block)
        #expect(throws: AllocatorError.unknownAllocation(block.pointer)) { try allocator.deallocate(block) }
        #expect(throws: AllocatorError.invalidSize(-1)) { _ = try allocator.allocate(byteCount: -1) }
    }

    @Test func trimReturnsCachedBlocksToTheBackend() throws {
        let backend = FakeDeviceMemory()
        let allocator = CachingAllocator(backend: backend)
        let blocks = try (0..<4).map { _ in try allocator.allocate(byteCount: 4096) }
        for block in blocks { try allocator.deallocate(block) }
        #expect(allocator.stats.bytesCached == 4 * 4096)
        #expect(try allocator.trim() == 4 * 4096)
        #expect(backend.frees == 4 && backend.live.isEmpty)
        #expect(allocator.stats.bytesCached == 0 && allocator.stats.backendBlocks == 0)
        #expect(allocator.stats.peakBytesReserved == 4 * 4096)
    }

    @Test func outOfMemoryEmptiesTheCacheAndRetries() throws {
        let backend = FakeDeviceMemory(capacity: 8192)
        let allocator = CachingAllocator(backend: backend)
        let small = try allocator.allocate(byteCount: 4096)
        try allocator.deallocate(small)  // cached, still held from the backend
        let large = try allocator.allocate(byteCount: 8192)  // needs the cached bytes back
        #expect(large.capacity == 8192)
        #expect(allocator.stats.retriesAfterTrim == 1 && backend.frees == 1)
        #expect {
            _ = try allocator.allocate(byteCount: 4096)
        } throws: { error in
            (error as? CUDAError)?.description == "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY"
        }
    }
}
