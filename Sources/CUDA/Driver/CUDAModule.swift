import CCUDA

/// A loaded cubin (`cuModuleLoadData`); unloaded when released.
public final class CUDAModule: @unchecked Sendable {
    /// The context it lives in.
    public let context: CUDAContext
    let handle: CUmodule

    /// Loads a cubin (or fatbin, or NUL-terminated PTX) image.
    public init(context: CUDAContext, image: [UInt8]) throws(CUDAError) {
        self.context = context
        try context.makeCurrent()
        var module: CUmodule?
        var failure: CUDAError?
        image.withUnsafeBytes { bytes in
            do throws(CUDAError) {
                try context.driver.check("cuModuleLoadData", context: "loading a \(image.count)-byte image") {
                    $0.cuModuleLoadData?(&module, bytes.baseAddress)
                }
            } catch { failure = error }
        }
        if let failure { throw failure }
        guard let module else {
            throw CUDAError(call: "cuModuleLoadData", result: .invalidImage, context: "loading a \(image.count)-byte image")
        }
        self.handle = module
    }

    deinit {
        if context.isUsable { _ = context.driver.functions.cuModuleUnload?(handle) }
    }

    /// The `extern "C"` kernel called `name`.
    public func function(named name: String) throws(CUDAError) -> CUDAFunction {
        var function: CUfunction?
        try context.driver.check("cuModuleGetFunction", context: "looking up kernel \(name)") {
            $0.cuModuleGetFunction?(&function, handle, name)
        }
        guard let function else {
            throw CUDAError(call: "cuModuleGetFunction", result: .notFound, context: "looking up kernel \(name)")
        }
        return CUDAFunction(module: self, name: name, handle: function)
    }
}

/// A kernel in a loaded module.
public struct CUDAFunction: @unchecked Sendable {
    /// The module that holds it (kept loaded while this value lives).
    public let module: CUDAModule
    /// Its symbol name.
    public let name: String
    let handle: CUfunction

    /// Registers per thread (`CU_FUNC_ATTRIBUTE_NUM_REGS`).
    public func registerCount() throws(CUDAError) -> Int { try attribute(4) }
    /// Local (spill) memory per thread in bytes (`CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES`).
    public func localMemoryBytes() throws(CUDAError) -> Int { try attribute(3) }
    /// The largest block this kernel can launch with (`CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK`).
    public func maxThreadsPerBlock() throws(CUDAError) -> Int { try attribute(0) }

    /// Lets launches use up to `bytes` of dynamic shared memory (beyond the 48 KiB default).
    public func setMaxDynamicSharedMemory(_ bytes: Int) throws(CUDAError) {
        try module.context.driver.check("cuFuncSetAttribute", context: "kernel \(name)") {
            $0.cuFuncSetAttribute?(handle, 8, Int32(bytes))
        }
    }

    private func attribute(_ attribute: Int32) throws(CUDAError) -> Int {
        var value: Int32 = 0
        try module.context.driver.check("cuFuncGetAttribute", context: "kernel \(name)") {
            $0.cuFuncGetAttribute?(&value, attribute, handle)
        }
        return Int(value)
    }
}

/// One kernel argument, passed by value as the kernel's parameter list declares it.
public enum KernelArgument: Sendable {
    case pointer(DevicePointer)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case float32(Float)
    case float64(Double)

    var byteCount: Int {
        switch self {
        case .int32, .uint32, .float32: return 4
        case .pointer, .int64, .float64: return 8
        }
    }

    func store(to destination: UnsafeMutableRawPointer) {
        switch self {
        case .pointer(let value): destination.storeBytes(of: value.rawValue, as: UInt64.self)
        case .int32(let value): destination.storeBytes(of: value, as: Int32.self)
        case .uint32(let value): destination.storeBytes(of: value, as: UInt32.self)
        case .int64(let value): destination.storeBytes(of: value, as: Int64.self)
        case .float32(let value): destination.storeBytes(of: value, as: Float.self)
        case .float64(let value): destination.storeBytes(of: value, as: Double.self)
        }
    }
}

/// A launch shape: grid and block dimensions, dynamic shared memory.
public struct LaunchConfiguration: Sendable, Equatable {
    public var grid: (x: Int, y: Int, z: Int)
    public var block: (x: Int, y: Int, z: Int)
    public var sharedMemoryBytes: Int

    public init(grid: (x: Int, y: Int, z: Int), block: (x: Int, y: Int, z: Int), sharedMemoryBytes: Int = 0) {
        self.grid = grid
        self.block = block
        self.sharedMemoryBytes = sharedMemoryBytes
    }

    /// A 1-D launch covering `elementCount` threads in blocks of `blockSize`.
    public static func linear(elementCount: Int, blockSize: Int = 256) -> LaunchConfiguration {
        let blocks = max(1, (elementCount + blockSize - 1) / blockSize)
        return LaunchConfiguration(grid: (blocks, 1, 1), block: (blockSize, 1, 1))
    }

    public static func == (lhs: LaunchConfiguration, rhs: LaunchConfiguration) -> Bool {
        lhs.grid == rhs.grid && lhs.block == rhs.block && lhs.sharedMemoryBytes == rhs.sharedMemoryBytes
    }

    /// Whether every dimension fits the driver's 32-bit parameters and is at least 1.
    var isValid: Bool {
        let all = [grid.x, grid.y, grid.z, block.x, block.y, block.z]
        return all.allSatisfy { $0 >= 1 && $0 <= Int(UInt32.max) }
            && sharedMemoryBytes >= 0 && sharedMemoryBytes <= Int(UInt32.max)
    }
}

extension CUDAStream {
    /// Queues `function` with `arguments` (`cuLaunchKernel`).
    public func launch(_ function: CUDAFunction, _ configuration: LaunchConfiguration,
                       arguments: [KernelArgument]) throws(CUDAError) {
        guard configuration.isValid else {
            throw CUDAError(call: "cuLaunchKernel", result: .invalidValue,
                            context: "launching \(function.name) with grid \(configuration.grid) block \(configuration.block)")
        }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(8, arguments.count * 8), alignment: 8)
        defer { storage.deallocate() }
        var parameters: [UnsafeMutableRawPointer?] = []
        for (index, argument) in arguments.enumerated() {
            let slot = storage.advanced(by: index * 8)
            argument.store(to: slot)
            parameters.append(slot)
        }
        try context.makeCurrent()
        let c = configuration
        try parameters.withUnsafeMutableBufferPointer { (list: inout UnsafeMutableBufferPointer<UnsafeMutableRawPointer?>) throws(CUDAError) in
            let base = list.baseAddress
            try driver.check("cuLaunchKernel", context: "launching \(function.name)") {
                $0.cuLaunchKernel?(
                    function.handle, UInt32(c.grid.x), UInt32(c.grid.y), UInt32(c.grid.z),
                    UInt32(c.block.x), UInt32(c.block.y), UInt32(c.block.z), UInt32(c.sharedMemoryBytes),
                    handle, base, nil)
            }
        }
    }
}
