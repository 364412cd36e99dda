import CPJRT
import Foundation
import Runtime
import StableHLO

/// A `PJRT_Buffer`: a tensor on one device whose contents may still be being computed
/// (the output of an `Execute` that has not finished). Shape and element type are known at
/// once, so the framework can read them before the data is ready.
///
/// Work that reads the buffer (an execution, a copy to the host) takes its contents' future
/// when it is submitted, so `Delete` or donation right after never fails that work: the
/// buffer drops its own reference, and the storage (device memory) is freed when the last
/// piece of pending work has finished with it.
final class PluginBuffer: @unchecked Sendable {
    let device: PluginDevice
    let type: TensorType
    let bufferType: PJRT_Buffer_Type
    /// Completes when the contents are final on the device (for the host: `ReadyEvent`).
    let ready: PluginEvent
    /// `Dimensions` and the memory layout's minor-to-major order, kept for the C API.
    let dimensions: UnsafeMutablePointer<Int64>
    let minorToMajor: UnsafeMutablePointer<Int64>
    private let lock = NSLock()
    /// The storage, as soon as it is known (work queued after it on the device stream sees
    /// its final contents); nil once the buffer is deleted or donated.
    private var contents: PluginFuture<BufferStorage>?
    private var externalReferences = 0

    init(device: PluginDevice, type: TensorType, contents: PluginFuture<BufferStorage>, ready: PluginEvent? = nil) throws {
        self.ready = ready ?? contents.event
        self.device = device
        self.type = type
        self.bufferType = try BufferTypes.bufferType(type.elementType)
        self.contents = contents
        let rank = type.shape.count
        dimensions = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, rank))
        minorToMajor = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, rank))
        for axis in 0..<rank {
            dimensions[axis] = Int64(type.shape[axis])
            minorToMajor[axis] = Int64(rank - 1 - axis)
        }
        device.client?.statistics.allocated(byteCount)
    }

    deinit {
        dimensions.deallocate()
        minorToMajor.deallocate()
        if !isDeleted { device.client?.statistics.freed(byteCount) }
    }

    var byteCount: Int { type.elementCount * type.elementType.storageBytes }

    var isDeleted: Bool {
        lock.lock()
        defer { lock.unlock() }
        return contents == nil
    }

    /// `PJRT_Buffer_Delete`, and what donation does to an input: the buffer lets go of its
    /// contents (freed once work already submitted is done with them); later uses fail.
    func delete() {
        lock.lock()
        let wasLive = contents != nil
        contents = nil
        lock.unlock()
        if wasLive { device.client?.statistics.freed(byteCount) }
    }

    /// The future of the contents, for work being submitted now; fails on a deleted buffer.
    func liveContents() throws -> PluginFuture<BufferStorage> {
        lock.lock()
        defer { lock.unlock() }
        guard let contents else {
            throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "the buffer was deleted (or donated)")
        }
        return contents
    }

    func retainExternally() {
        lock.lock()
        externalReferences += 1
        lock.unlock()
    }

    func releaseExternally() throws {
        lock.lock()
        defer { lock.unlock() }
        guard externalReferences > 0 else {
            throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "no external reference to release")
        }
        externalReferences -= 1
    }
}
