import Foundation

/// Where device memory comes from: the driver (`CUDAContext`), or a fake in tests.
public protocol DeviceMemoryBackend: AnyObject, Sendable {
    /// Fresh memory of at least `byteCount` bytes.
    func allocate(byteCount: Int) throws(CUDAError) -> DevicePointer
    /// Gives memory from `allocate` back.
    func free(_ pointer: DevicePointer) throws(CUDAError)
}

/// A block handed out by `CachingAllocator`.
public struct DeviceAllocation: Hashable, Sendable {
    /// Where it starts.
    public var pointer: DevicePointer
    /// The bytes asked for.
    public var byteCount: Int
    /// The bytes reserved (its size class).
    public var capacity: Int
}

/// Counters of a `CachingAllocator`.
public struct AllocatorStatistics: Sendable, Equatable {
    /// Requests served from the cache.
    public var cacheHits = 0
    /// Requests that went to the backend.
    public var cacheMisses = 0
    /// Backend allocations that failed and were retried after emptying the cache.
    public var retriesAfterTrim = 0
    /// Bytes in blocks handed out and not yet returned (by size class).
    public var bytesInUse = 0
    /// Bytes in free blocks kept for reuse.
    public var bytesCached = 0
    /// The largest `bytesInUse + bytesCached` seen.
    public var peakBytesReserved = 0
    /// Blocks currently held from the backend (in use or cached).
    public var backendBlocks = 0
}

/// Why the allocator refused a request.
public enum AllocatorError: Error, Equatable, CustomStringConvertible {
    /// A negative size was asked for.
    case invalidSize(Int)
    /// `deallocate` got a block this allocator does not have in use (double free).
    case unknownAllocation(DevicePointer)

    public var description: String {
        switch self {
        case .invalidSize(let size): return "cannot allocate \(size) bytes"
        case .unknownAllocation(let pointer): return "\(pointer) is not an allocation in use (double free?)"
        }
    }
}

/// A caching device allocator: sizes round up to a size class, freed blocks go to a free
/// list per class and are handed out again instead of calling the driver. When the
/// backend runs out of memory, the cache is emptied and the request tried once more.
///
/// Size classes: at least `minimumBlock` bytes; above that, four steps per power of two
/// (1, 1.25, 1.5, 1.75 × 2^k), so a block wastes at most a quarter of the request. Every
/// class is a multiple of 128 bytes; blocks themselves come from the driver, 256-aligned.
public final class CachingAllocator: @unchecked Sendable {
    /// The smallest block.
    public static let minimumBlock = 512

    private let backend: any DeviceMemoryBackend
    private let lock = NSLock()
    private var freeBlocks: [Int: [DevicePointer]] = [:]
    private var inUse: [DevicePointer: DeviceAllocation] = [:]
    private var statistics = AllocatorStatistics()

    /// An allocator drawing on `backend`.
    public init(backend: any DeviceMemoryBackend) {
        self.backend = backend
    }

    /// The size class that holds `byteCount` bytes.
    public static func sizeClass(for byteCount: Int) -> Int {
        if byteCount <= minimumBlock { return minimumBlock }
        let power = Int.bitWidth - (byteCount - 1).leadingZeroBitCount - 1  // floor(log2(byteCount - 1))
        let base = 1 << power
        let step = base / 4
        return (byteCount + step - 1) / step * step
    }

    /// The current counters.
    public var stats: AllocatorStatistics {
        lock.lock()
        defer { lock.unlock() }
        return statistics
    }

    /// A block of at least `byteCount` bytes, reused from the cache when one is free.
    public func allocate(byteCount: Int) throws -> DeviceAllocation {
        guard byteCount >= 0 else { throw AllocatorError.invalidSize(byteCount) }
        let capacity = Self.sizeClass(for: byteCount)
        lock.lock()
        defer { lock.unlock() }
        let pointer: DevicePointer
        if var list = freeBlocks[capacity], let reused = list.popLast() {
            freeBlocks[capacity] = list.isEmpty ? nil : list
            statistics.cacheHits += 1
            statistics.bytesCached -= capacity
            pointer = reused
        } else {
            statistics.cacheMisses += 1
            pointer = try allocateFromBackend(capacity: capacity)
            statistics.backendBlocks += 1
        }
        let allocation = DeviceAllocation(pointer: pointer, byteCount: byteCount, capacity: capacity)
        inUse[pointer] = allocation
        statistics.bytesInUse += capacity
        statistics.peakBytesReserved = max(statistics.peakBytesReserved, statistics.bytesInUse + statistics.bytesCached)
        return allocation
    }

    /// Returns a block to the cache for reuse.
    public func deallocate(_ allocation: DeviceAllocation) throws {
        lock.lock()
        defer { lock.unlock() }
        guard let known = inUse.removeValue(forKey: allocation.pointer) else {
            throw AllocatorError.unknownAllocation(allocation.pointer)
        }
        freeBlocks[known.capacity, default: []].append(known.pointer)
        statistics.bytesInUse -= known.capacity
        statistics.bytesCached += known.capacity
    }

    /// Frees every cached block back to the backend; returns the bytes released.
    @discardableResult
    public func trim() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        return try trimLocked()
    }

    private func trimLocked() throws -> Int {
        var released = 0
        for (capacity, pointers) in freeBlocks {
            for pointer in pointers {
                try backend.free(pointer)
                released += capacity
                statistics.bytesCached -= capacity
                statistics.backendBlocks -= 1
            }
            freeBlocks[capacity] = nil
        }
        return released
    }

    private func allocateFromBackend(capacity: Int) throws -> DevicePointer {
        let failure: CUDAError
        do {
            return try backend.allocate(byteCount: capacity)
        } catch {
            failure = error
        }
        guard failure.result == .outOfMemory, statistics.bytesCached > 0 else { throw failure }
        statistics.retriesAfterTrim += 1
        _ = try trimLocked()
        return try backend.allocate(byteCount: capacity)
    }
}
