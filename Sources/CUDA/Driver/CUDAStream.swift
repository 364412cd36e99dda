import CCUDA

/// A CUDA stream: work queued on it runs in order, asynchronously to the host.
public final class CUDAStream: @unchecked Sendable {
    /// The context it belongs to (kept alive by the stream).
    public let context: CUDAContext
    /// The driver handle; nil is the legacy default stream.
    let handle: CUstream?

    /// Creates a stream; `nonBlocking` streams do not wait on the legacy default stream.
    public init(context: CUDAContext, nonBlocking: Bool = true) throws(CUDAError) {
        self.context = context
        try context.makeCurrent()
        var stream: CUstream?
        try context.driver.check("cuStreamCreate") { $0.cuStreamCreate?(&stream, nonBlocking ? 1 : 0) }
        self.handle = stream
    }

    /// The legacy default stream of `context`.
    public init(defaultStreamOf context: CUDAContext) {
        self.context = context
        self.handle = nil
    }

    deinit {
        if let handle, context.isUsable { _ = context.driver.functions.cuStreamDestroy?(handle) }
    }

    var driver: CUDADriver { context.driver }

    /// Waits for everything queued so far.
    public func synchronize() throws(CUDAError) {
        try context.makeCurrent()
        try driver.check("cuStreamSynchronize") { $0.cuStreamSynchronize?(handle) }
    }

    /// Whether work queued now would be captured into a graph rather than run (false when
    /// the driver cannot say).
    public var isCapturing: Bool {
        var status: Int32 = 0
        guard let query = driver.functions.cuStreamGetCaptureInfo,
              query(handle, &status, nil, nil, nil, nil) == 0 else { return false }
        return status != 0  // CU_STREAM_CAPTURE_STATUS_ACTIVE (1) or INVALIDATED (2)
    }

    /// Makes later work on this stream wait for `event`.
    public func wait(for event: CUDAEvent) throws(CUDAError) {
        try driver.check("cuStreamWaitEvent") { $0.cuStreamWaitEvent?(handle, event.handle, 0) }
    }

    /// Queues a host-to-device copy. `source` must stay valid (and, for real overlap,
    /// page-locked) until the stream reaches the copy.
    public func copyAsync(from source: UnsafeRawBufferPointer, to destination: DevicePointer) throws(CUDAError) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        try context.makeCurrent()
        try driver.check("cuMemcpyHtoDAsync_v2", context: "copying \(source.count) bytes to \(destination)") {
            $0.cuMemcpyHtoDAsync?(destination.rawValue, base, source.count, handle)
        }
    }

    /// Queues a device-to-host copy; `destination` must stay valid until it completes.
    public func copyAsync(from source: DevicePointer, to destination: UnsafeMutableRawBufferPointer) throws(CUDAError) {
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        try context.makeCurrent()
        try driver.check("cuMemcpyDtoHAsync_v2", context: "copying \(destination.count) bytes from \(source)") {
            $0.cuMemcpyDtoHAsync?(base, source.rawValue, destination.count, handle)
        }
    }

    /// Queues a device-to-device copy.
    public func copyAsync(from source: DevicePointer, to destination: DevicePointer, byteCount: Int) throws(CUDAError) {
        guard byteCount > 0 else { return }
        try context.makeCurrent()
        try driver.check("cuMemcpyDtoDAsync_v2", context: "copying \(byteCount) bytes \(source) -> \(destination)") {
            $0.cuMemcpyDtoDAsync?(destination.rawValue, source.rawValue, byteCount, handle)
        }
    }

    /// Queues setting `byteCount` bytes to `value`.
    public func fillAsync(_ destination: DevicePointer, byte value: UInt8, byteCount: Int) throws(CUDAError) {
        guard byteCount > 0 else { return }
        try driver.check("cuMemsetD8Async") { $0.cuMemsetD8Async?(destination.rawValue, value, byteCount, handle) }
    }
}

/// A CUDA event: a point in a stream, for ordering and timing.
public final class CUDAEvent: @unchecked Sendable {
    /// The context it belongs to.
    public let context: CUDAContext
    let handle: CUevent?

    /// Creates an event that records timing (`CU_EVENT_DEFAULT`).
    public init(context: CUDAContext) throws(CUDAError) {
        self.context = context
        try context.makeCurrent()
        var event: CUevent?
        try context.driver.check("cuEventCreate") { $0.cuEventCreate?(&event, 0) }
        self.handle = event
    }

    deinit {
        if let handle, context.isUsable { _ = context.driver.functions.cuEventDestroy?(handle) }
    }

    /// Records the event at the current end of `stream`.
    public func record(on stream: CUDAStream) throws(CUDAError) {
        try context.driver.check("cuEventRecord") { $0.cuEventRecord?(handle, stream.handle) }
    }

    /// Waits until the stream reaches the event.
    public func synchronize() throws(CUDAError) {
        try context.driver.check("cuEventSynchronize") { $0.cuEventSynchronize?(handle) }
    }

    /// Milliseconds between `start` and this event (both recorded and completed).
    public func elapsedMilliseconds(since start: CUDAEvent) throws(CUDAError) -> Double {
        var milliseconds: Float = 0
        try context.driver.check("cuEventElapsedTime") { $0.cuEventElapsedTime?(&milliseconds, start.handle, handle) }
        return Double(milliseconds)
    }
}
