import Foundation
import Testing
@testable import CUDA

/// The runtime's shared state driven from many threads at once (issue 14, item 3; run under
/// `scripts/sanitize.sh thread` too): the caching allocator and the kernel cache.
@Suite("Concurrency: allocator and kernel cache")
struct ConcurrencyTests {
    /// Runs `body(thread)` on `count` threads of their own, started together.
    static func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for thread in 0..<count {
            group.enter()
            Thread {
                start.wait()
                body(thread)
                group.leave()
            }.start()
        }
        for _ in 0..<count { start.signal() }
        group.wait()
    }

    /// A set that says when a value was already in it, for many threads.
    final class LiveSet: @unchecked Sendable {
        private let lock = NSLock()
        private var values = Set<UInt64>()
        private(set) var collisions = 0
        func insert(_ value: UInt64) {
            lock.lock()
            if !values.insert(value).inserted { collisions += 1 }
            lock.unlock()
        }
        func remove(_ value: UInt64) {
            lock.lock()
            values.remove(value)
            lock.unlock()
        }
    }

    @Test func allocatorNeverHandsOutABlockTwice() throws {
        let backend = FakeDeviceMemory()
        let allocator = CachingAllocator(backend: backend)
        let live = LiveSet()
        let failures = LiveSet()
        Self.onThreads(16) { thread in
            var held: [DeviceAllocation] = []
            var state = UInt64(thread + 1) &* 0x9E37_79B9_7F4A_7C15
            for step in 0..<3000 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                if held.count < 8 && (state >> 60) & 1 == 0 || held.isEmpty {
                    let size = Int((state >> 33) % 100_000)
                    guard let allocation = try? allocator.allocate(byteCount: size) else {
                        failures.insert(UInt64(thread * 10_000 + step))
                        continue
                    }
                    live.insert(allocation.pointer.rawValue)
                    held.append(allocation)
                } else {
                    let allocation = held.remove(at: Int((state >> 40) % UInt64(held.count)))
                    live.remove(allocation.pointer.rawValue)
                    if (try? allocator.deallocate(allocation)) == nil { failures.insert(UInt64(thread * 10_000 + step)) }
                }
            }
            for allocation in held {
                live.remove(allocation.pointer.rawValue)
                if (try? allocator.deallocate(allocation)) == nil { failures.insert(UInt64(thread)) }
            }
        }
        #expect(live.collisions == 0, "a live block was handed out again")
        #expect(failures.collisions == 0)
        let stats = allocator.stats
        #expect(stats.bytesInUse == 0)
        #expect(stats.cacheHits > 0, "blocks were reused across threads")
        _ = try allocator.trim()
        #expect(backend.live.isEmpty)
        #expect(backend.allocations == backend.frees)
    }

    @Test func kernelCacheUnderManyThreadsAndInstances() throws {
        guard let nvrtc = NVRTCAvailability.compiler() else { return }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-cache-threads-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sources = (0..<4).map { "// variant \($0)\n" + SelfTestKernels.vectorAdd }
        let shared = KernelCache(directory: folder)
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var cubins: [Int: Set<[UInt8]>] = [:]
            var errors: [String] = []
        }
        let results = Results()
        Self.onThreads(8) { thread in
            // Half the threads share one cache value; the rest each open the same folder.
            let cache = thread % 2 == 0 ? shared : KernelCache(directory: folder)
            for round in 0..<3 {
                for (index, source) in sources.enumerated() {
                    do {
                        let cubin = try cache.cubin(source: source, architecture: "sm_90", compiler: nvrtc)
                        results.lock.lock()
                        results.cubins[index, default: []].insert(cubin)
                        results.lock.unlock()
                    } catch {
                        results.lock.lock()
                        results.errors.append("thread \(thread) round \(round) source \(index): \(error)")
                        results.lock.unlock()
                    }
                }
            }
        }
        #expect(results.errors.isEmpty, "\(results.errors)")
        #expect(results.cubins.count == sources.count)
        for (index, cubins) in results.cubins { #expect(cubins.count == 1, "source \(index) gave different cubins") }
        // Every entry on disk is whole: a fresh cache hits all of them.
        let fresh = KernelCache(directory: folder)
        for source in sources { _ = try fresh.cubin(source: source, architecture: "sm_90", compiler: nvrtc) }
        #expect(fresh.statistics.hits == sources.count)
        #expect(fresh.statistics.misses == 0)
    }
}
