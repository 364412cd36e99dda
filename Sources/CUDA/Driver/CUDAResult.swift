import CCUDA

/// A CUDA driver status code, with the ones nvgpu meets named.
public struct CUDAResult: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The call succeeded.
    public static let success = CUDAResult(rawValue: 0)
    /// An argument was out of range.
    public static let invalidValue = CUDAResult(rawValue: 1)
    /// The device has no memory left for the request.
    public static let outOfMemory = CUDAResult(rawValue: 2)
    /// `cuInit` has not run.
    public static let notInitialized = CUDAResult(rawValue: 3)
    /// The driver is shutting down.
    public static let deinitialized = CUDAResult(rawValue: 4)
    /// The library is a stub (a toolkit's `stubs/libcuda.so`), not a real driver.
    public static let stubLibrary = CUDAResult(rawValue: 34)
    /// The driver sees no CUDA-capable device.
    public static let noDevice = CUDAResult(rawValue: 100)
    /// The device ordinal is out of range.
    public static let invalidDevice = CUDAResult(rawValue: 101)
    /// The module image is not a valid cubin/fatbin/PTX.
    public static let invalidImage = CUDAResult(rawValue: 200)
    /// No context is current on the calling thread.
    public static let invalidContext = CUDAResult(rawValue: 201)
    /// The cubin was built for another architecture.
    public static let noBinaryForGPU = CUDAResult(rawValue: 209)
    /// PTX failed to JIT.
    public static let invalidPTX = CUDAResult(rawValue: 218)
    /// A handle (stream, event, module) is invalid.
    public static let invalidHandle = CUDAResult(rawValue: 400)
    /// A named symbol (kernel) was not found.
    public static let notFound = CUDAResult(rawValue: 500)
    /// Asynchronous work has not finished (not an error for queries).
    public static let notReady = CUDAResult(rawValue: 600)
    /// A kernel read or wrote an invalid address; the context is unusable.
    public static let illegalAddress = CUDAResult(rawValue: 700)
    /// Too many registers or too much shared memory for the launch.
    public static let launchOutOfResources = CUDAResult(rawValue: 701)
    /// A kernel ran too long.
    public static let launchTimeout = CUDAResult(rawValue: 702)
    /// A kernel failed for another reason; the context is unusable.
    public static let launchFailed = CUDAResult(rawValue: 719)
    /// The operation is not supported on this device or platform.
    public static let notSupported = CUDAResult(rawValue: 801)
    /// The kernel driver and the user-mode `libcuda` differ in version.
    public static let systemDriverMismatch = CUDAResult(rawValue: 803)
    /// An unknown internal error.
    public static let unknown = CUDAResult(rawValue: 999)
    /// An uncorrectable ECC error; the context is unusable.
    public static let eccUncorrectable = CUDAResult(rawValue: 214)
    /// A device-side `assert` failed; the context is unusable.
    public static let deviceAssert = CUDAResult(rawValue: 710)
    /// A kernel overflowed its call stack; the context is unusable.
    public static let hardwareStackError = CUDAResult(rawValue: 714)
    /// A kernel ran an illegal instruction (or `trap`); the context is unusable.
    public static let illegalInstruction = CUDAResult(rawValue: 715)
    /// A kernel made a misaligned access; the context is unusable.
    public static let misalignedAddress = CUDAResult(rawValue: 716)
    /// A kernel used an address in the wrong address space; the context is unusable.
    public static let invalidAddressSpace = CUDAResult(rawValue: 717)
    /// A kernel's program counter left its code; the context is unusable.
    public static let invalidPC = CUDAResult(rawValue: 718)

    /// Whether the status is "sticky": the context that saw it can do no more work, and
    /// every later call in it fails. Only a reset of the device's primary context (which
    /// frees everything in it) makes the device usable again in this process.
    public var losesContext: Bool {
        switch self {
        case .illegalAddress, .launchTimeout, .launchFailed, .eccUncorrectable, .deviceAssert, .hardwareStackError,
             .illegalInstruction, .misalignedAddress, .invalidAddressSpace, .invalidPC:
            return true
        default:
            return false
        }
    }

    /// The driver's `CUDA_ERROR_*` spelling for the codes above, used when the driver
    /// itself cannot be asked (`cuGetErrorName` missing or failing).
    public var knownName: String? {
        switch self {
        case .success: return "CUDA_SUCCESS"
        case .invalidValue: return "CUDA_ERROR_INVALID_VALUE"
        case .outOfMemory: return "CUDA_ERROR_OUT_OF_MEMORY"
        case .notInitialized: return "CUDA_ERROR_NOT_INITIALIZED"
        case .deinitialized: return "CUDA_ERROR_DEINITIALIZED"
        case .stubLibrary: return "CUDA_ERROR_STUB_LIBRARY"
        case .noDevice: return "CUDA_ERROR_NO_DEVICE"
        case .invalidDevice: return "CUDA_ERROR_INVALID_DEVICE"
        case .invalidImage: return "CUDA_ERROR_INVALID_IMAGE"
        case .invalidContext: return "CUDA_ERROR_INVALID_CONTEXT"
        case .noBinaryForGPU: return "CUDA_ERROR_NO_BINARY_FOR_GPU"
        case .invalidPTX: return "CUDA_ERROR_INVALID_PTX"
        case .invalidHandle: return "CUDA_ERROR_INVALID_HANDLE"
        case .notFound: return "CUDA_ERROR_NOT_FOUND"
        case .notReady: return "CUDA_ERROR_NOT_READY"
        case .illegalAddress: return "CUDA_ERROR_ILLEGAL_ADDRESS"
        case .launchOutOfResources: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"
        case .launchTimeout: return "CUDA_ERROR_LAUNCH_TIMEOUT"
        case .launchFailed: return "CUDA_ERROR_LAUNCH_FAILED"
        case .notSupported: return "CUDA_ERROR_NOT_SUPPORTED"
        case .systemDriverMismatch: return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"
        case .unknown: return "CUDA_ERROR_UNKNOWN"
        case .eccUncorrectable: return "CUDA_ERROR_ECC_UNCORRECTABLE"
        case .deviceAssert: return "CUDA_ERROR_ASSERT"
        case .hardwareStackError: return "CUDA_ERROR_HARDWARE_STACK_ERROR"
        case .illegalInstruction: return "CUDA_ERROR_ILLEGAL_INSTRUCTION"
        case .misalignedAddress: return "CUDA_ERROR_MISALIGNED_ADDRESS"
        case .invalidAddressSpace: return "CUDA_ERROR_INVALID_ADDRESS_SPACE"
        case .invalidPC: return "CUDA_ERROR_INVALID_PC"
        default: return nil
        }
    }

    public var description: String { knownName ?? "CUDA error \(rawValue)" }
}

/// A failed CUDA call: which call, the driver's name for the status and its message.
/// Prints as `cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)`.
public struct CUDAError: Error, Equatable, CustomStringConvertible {
    /// The driver call that failed, with its versioned name (`cuMemAlloc_v2`).
    public var call: String
    /// The status it returned.
    public var result: CUDAResult
    /// The driver's name for the status (`CUDA_ERROR_OUT_OF_MEMORY`).
    public var name: String
    /// The driver's explanation, when it has one.
    public var message: String?
    /// What nvgpu was doing (`allocating 4096 bytes`), when known.
    public var context: String?
    /// What follows from the failure, when it is more than this call (a lost context).
    public var note: String?

    public init(call: String, result: CUDAResult, name: String? = nil, message: String? = nil, context: String? = nil,
                note: String? = nil) {
        self.call = call
        self.result = result
        self.name = name ?? result.description
        self.message = message
        self.context = context
        self.note = note
    }

    public var description: String {
        var text = "\(call) failed: \(name)"
        if let message, !message.isEmpty { text += " (\(message))" }
        if let context { text += " while \(context)" }
        if let note { text += "; \(note)" }
        return text
    }
}
