import CCUDA

/// A CUDA device attribute (`CU_DEVICE_ATTRIBUTE_*`), with the ones nvgpu reads named.
public struct CUDADeviceAttribute: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// Largest number of threads in a block.
    public static let maxThreadsPerBlock = CUDADeviceAttribute(rawValue: 1)
    /// Shared memory a block gets without opting in (48 KiB).
    public static let maxSharedMemoryPerBlock = CUDADeviceAttribute(rawValue: 8)
    /// Threads in a warp (32).
    public static let warpSize = CUDADeviceAttribute(rawValue: 10)
    /// 32-bit registers available to a block.
    public static let maxRegistersPerBlock = CUDADeviceAttribute(rawValue: 12)
    /// Number of streaming multiprocessors.
    public static let multiprocessorCount = CUDADeviceAttribute(rawValue: 16)
    /// Memory bus width in bits.
    public static let globalMemoryBusWidth = CUDADeviceAttribute(rawValue: 37)
    /// L2 cache size in bytes.
    public static let l2CacheSize = CUDADeviceAttribute(rawValue: 38)
    /// Resident threads per multiprocessor.
    public static let maxThreadsPerMultiprocessor = CUDADeviceAttribute(rawValue: 39)
    /// Compute capability, major part.
    public static let computeCapabilityMajor = CUDADeviceAttribute(rawValue: 75)
    /// Compute capability, minor part.
    public static let computeCapabilityMinor = CUDADeviceAttribute(rawValue: 76)
    /// Shared memory per multiprocessor in bytes.
    public static let maxSharedMemoryPerMultiprocessor = CUDADeviceAttribute(rawValue: 81)
    /// Shared memory a block may opt in to (`cuFuncSetAttribute`), in bytes.
    public static let maxSharedMemoryPerBlockOptIn = CUDADeviceAttribute(rawValue: 97)
}

/// One GPU as the driver describes it.
public struct CUDADevice: Sendable, Equatable, CustomStringConvertible {
    /// The device ordinal (0-based).
    public var ordinal: Int
    /// The driver's name for it (`NVIDIA H100 80GB HBM3`).
    public var name: String
    /// Compute capability (9.0 for Hopper).
    public var computeCapability: (major: Int, minor: Int)
    /// Device memory in bytes.
    public var totalMemory: Int
    /// Streaming multiprocessors.
    public var multiprocessorCount: Int
    /// L2 cache in bytes.
    public var l2CacheBytes: Int
    /// Shared memory a block may opt in to, in bytes.
    public var maxSharedMemoryPerBlockOptIn: Int

    /// Describes a device; used by the driver query and by tests.
    public init(ordinal: Int, name: String, computeCapability: (major: Int, minor: Int), totalMemory: Int,
                multiprocessorCount: Int, l2CacheBytes: Int = 0, maxSharedMemoryPerBlockOptIn: Int = 0) {
        self.ordinal = ordinal
        self.name = name
        self.computeCapability = computeCapability
        self.totalMemory = totalMemory
        self.multiprocessorCount = multiprocessorCount
        self.l2CacheBytes = l2CacheBytes
        self.maxSharedMemoryPerBlockOptIn = maxSharedMemoryPerBlockOptIn
    }

    /// The NVRTC/ptxas architecture name (`sm_90`).
    public var architecture: String { "sm_\(computeCapability.major)\(computeCapability.minor)" }

    /// Device memory in GiB.
    public var totalMemoryGiB: Double { Double(totalMemory) / Double(1 << 30) }

    public var description: String {
        let gib = (totalMemoryGiB * 10).rounded() / 10
        return "\(ordinal): \(name) (\(architecture), \(gib) GiB, \(multiprocessorCount) SMs)"
    }

    public static func == (lhs: CUDADevice, rhs: CUDADevice) -> Bool {
        lhs.ordinal == rhs.ordinal && lhs.name == rhs.name
            && lhs.computeCapability == rhs.computeCapability && lhs.totalMemory == rhs.totalMemory
            && lhs.multiprocessorCount == rhs.multiprocessorCount && lhs.l2CacheBytes == rhs.l2CacheBytes
            && lhs.maxSharedMemoryPerBlockOptIn == rhs.maxSharedMemoryPerBlockOptIn
    }
}

extension CUDADriver {
    /// The driver's handle for device `ordinal`.
    func handle(ofDevice ordinal: Int) throws(CUDAError) -> CUdevice {
        var device: CUdevice = 0
        try check("cuDeviceGet", context: "opening device \(ordinal)") { $0.cuDeviceGet?(&device, Int32(ordinal)) }
        return device
    }

    /// One attribute of device `ordinal`.
    public func attribute(_ attribute: CUDADeviceAttribute, ofDevice ordinal: Int) throws(CUDAError) -> Int {
        let device = try handle(ofDevice: ordinal)
        var value: Int32 = 0
        try check("cuDeviceGetAttribute", context: "reading attribute \(attribute.rawValue) of device \(ordinal)") {
            $0.cuDeviceGetAttribute?(&value, attribute.rawValue, device)
        }
        return Int(value)
    }

    /// Describes device `ordinal`.
    public func device(_ ordinal: Int) throws(CUDAError) -> CUDADevice {
        let device = try handle(ofDevice: ordinal)
        var nameBytes = [CChar](repeating: 0, count: 256)
        try check("cuDeviceGetName") { $0.cuDeviceGetName?(&nameBytes, Int32(nameBytes.count - 1), device) }
        var totalMemory = 0
        try check("cuDeviceTotalMem_v2") { $0.cuDeviceTotalMem?(&totalMemory, device) }
        let name = String(decoding: nameBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return CUDADevice(
            ordinal: ordinal, name: name,
            computeCapability: (try attribute(.computeCapabilityMajor, ofDevice: ordinal),
                                try attribute(.computeCapabilityMinor, ofDevice: ordinal)),
            totalMemory: totalMemory,
            multiprocessorCount: try attribute(.multiprocessorCount, ofDevice: ordinal),
            l2CacheBytes: try attribute(.l2CacheSize, ofDevice: ordinal),
            maxSharedMemoryPerBlockOptIn: try attribute(.maxSharedMemoryPerBlockOptIn, ofDevice: ordinal))
    }
}
