import CCUDA

/// A device address (`CUdeviceptr`).
public struct DevicePointer: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The address `byteOffset` bytes further on.
    public func advanced(by byteOffset: Int) -> DevicePointer {
        DevicePointer(rawValue: UInt64(Int64(bitPattern: rawValue) &+ Int64(byteOffset)))
    }

    public var description: String { "0x" + String(rawValue, radix: 16) }
}

/// A device's primary context, retained for the life of this value and released after.
/// Calls that need a current context make this one current on the calling thread first.
///
/// After a sticky fault the context refuses all work (`makeCurrent` throws the fault, with
/// what to do); making a new `CUDAContext` for the device then resets it
/// (`PrimaryContextHealth`).
public final class CUDAContext: @unchecked Sendable {
    /// The driver that made it.
    public let driver: CUDADriver
    /// The device it belongs to.
    public let device: CUDADevice
    let deviceHandle: CUdevice
    let handle: CUcontext
    let ordinal: Int
    /// The primary context's generation this value belongs to.
    let generation: Int

    /// Retains the primary context of device `ordinal`, resetting it first when a fault has
    /// left it unusable.
    public init(driver: CUDADriver, ordinal: Int = 0) throws(CUDAError) {
        self.driver = driver
        self.device = try driver.device(ordinal)
        self.ordinal = ordinal
        let deviceHandle = try driver.handle(ofDevice: ordinal)
        self.deviceHandle = deviceHandle
        let health = PrimaryContextHealth.shared
        var resetGeneration: Int?
        var context: CUcontext?
        if let loss = health.loss(ordinal: ordinal) {
            // The driver may refuse to recover a device in the process that faulted (CUDA 13
            // does): then say so, with the fault that started it, rather than the driver's echo.
            do {
                try driver.check("cuDevicePrimaryCtxReset_v2", context: "resetting device \(ordinal) after \(loss.name)") {
                    $0.cuDevicePrimaryCtxReset?(deviceHandle)
                }
                try driver.check("cuDevicePrimaryCtxRetain", context: "device \(ordinal)") {
                    $0.cuDevicePrimaryCtxRetain?(&context, deviceHandle)
                }
            } catch {
                var refusal = loss
                refusal.note = "device \(ordinal) had this sticky fault earlier in this process, and the driver "
                    + "cannot recover it here (\(error.call) then gave \(error.name)); " + PrimaryContextHealth.lostNote
                throw refusal
            }
            resetGeneration = health.didReset(ordinal: ordinal)
        } else {
            try driver.check("cuDevicePrimaryCtxRetain", context: "device \(ordinal)") {
                $0.cuDevicePrimaryCtxRetain?(&context, deviceHandle)
            }
        }
        guard let context else {
            throw CUDAError(call: "cuDevicePrimaryCtxRetain", result: .invalidContext, context: "device \(ordinal)")
        }
        self.handle = context
        let registered = health.register(context, ordinal: ordinal)
        self.generation = resetGeneration ?? registered
        try makeCurrent()
    }

    deinit {
        _ = driver.functions.cuDevicePrimaryCtxRelease?(deviceHandle)
    }

    /// Why this context can do no more work (a sticky fault, or a reset since), or nil.
    public var refusal: CUDAError? {
        PrimaryContextHealth.shared.refusal(ordinal: ordinal, generation: generation)
    }

    /// Whether destructors may still hand this context's objects back to the driver; after
    /// a fault they are left (the reset that makes the device usable again frees them).
    var isUsable: Bool { refusal == nil }

    /// Makes this context current on the calling thread; throws once it is lost.
    public func makeCurrent() throws(CUDAError) {
        if let refusal { throw refusal }
        try driver.check("cuCtxSetCurrent") { $0.cuCtxSetCurrent?(handle) }
    }

    /// Waits for all work in this context to finish.
    public func synchronize() throws(CUDAError) {
        try makeCurrent()
        try driver.check("cuCtxSynchronize") { $0.cuCtxSynchronize?() }
    }

    /// Free and total device memory in bytes.
    public func memoryInfo() throws(CUDAError) -> (free: Int, total: Int) {
        try makeCurrent()
        var free = 0
        var total = 0
        try driver.check("cuMemGetInfo_v2") { $0.cuMemGetInfo?(&free, &total) }
        return (free, total)
    }
}
