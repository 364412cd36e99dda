import CPJRT
import Foundation
import Runtime
import StableHLO

/// A `PJRT_Buffer`: a tensor on one device whose contents may still be being computed
/// (the output of an `Execute` that has not finished). Shape and element type are known at
/// once, so the framework can read them before the data is ready.
final class PluginBuffer: @unchecked Sendable {
    let device: PluginDevice
    let type: TensorType
    let bufferType: PJRT_Buffer_Type
    /// The storage, as soon as it is known: work queued after it on the device stream sees
    /// its final contents.
    let contents: PluginFuture<BufferStorage>
    /// Completes when the contents are final on the device (for the host: `ReadyEvent`).
    let ready: PluginEvent
    /// `Dimensions` and the memory layout's minor-to-major order, kept for the C API.
    let dimensions: UnsafeMutablePointer<Int64>
    let minorToMajor: UnsafeMutablePointer<Int64>
    private let lock = NSLock()
    private var deleted = false
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
        return deleted
    }

    /// `PJRT_Buffer_Delete`: the contents are released; later reads fail.
    func delete() {
        lock.lock()
        let wasDeleted = deleted
        deleted = true
        lock.unlock()
        if !wasDeleted { device.client?.statistics.freed(byteCount) }
    }

    /// The contents, waiting for them; fails on a deleted buffer or a failed computation.
    func storage() throws -> BufferStorage {
        guard !isDeleted else { throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "the buffer was deleted") }
        return try contents.get()
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
