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
public final class CUDAContext: @unchecked Sendable {
    /// The driver that made it.
    public let driver: CUDADriver
    /// The device it belongs to.
    public let device: CUDADevice
    let deviceHandle: CUdevice
    let handle: CUcontext

    /// Retains the primary context of device `ordinal`.
    public init(driver: CUDADriver, ordinal: Int = 0) throws(CUDAError) {
        self.driver = driver
        self.device = try driver.device(ordinal)
        let deviceHandle = try driver.handle(ofDevice: ordinal)
        self.deviceHandle = deviceHandle
        var context: CUcontext?
        try driver.check("cuDevicePrimaryCtxRetain", context: "device \(ordinal)") {
            $0.cuDevicePrimaryCtxRetain?(&context, deviceHandle)
        }
        guard let context else {
            throw CUDAError(call: "cuDevicePrimaryCtxRetain", result: .invalidContext, context: "device \(ordinal)")
        }
        self.handle = context
        try makeCurrent()
    }

    deinit {
        _ = driver.functions.cuDevicePrimaryCtxRelease?(deviceHandle)
    }

    /// Makes this context current on the calling thread.
    public func makeCurrent() throws(CUDAError) {
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
