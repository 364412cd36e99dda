import CCUDA

/// One driver entry point: its base name (what `cuGetProcAddress` takes), the versioned
/// name the library exports (what plain `dlsym` needs and what errors print), and the
/// slot of `nvgpu_cuda_driver_functions` it fills.
struct DriverSymbol: Sendable {
    let name: String
    let exportedName: String
    let slot: PartialKeyPath<nvgpu_cuda_driver_functions> & Sendable
    let isRequired: Bool
    /// Resolved by `dlsym` of `exportedName` only: entry points newer than `pinnedVersion`
    /// whose exported name fixes the ABI we declared.
    let isExportedNameOnly: Bool

    init(_ name: String, _ exportedName: String? = nil,
         _ slot: PartialKeyPath<nvgpu_cuda_driver_functions> & Sendable, required: Bool = true,
         exportedNameOnly: Bool = false) {
        self.name = name
        self.exportedName = exportedName ?? name
        self.slot = slot
        self.isRequired = required
        self.isExportedNameOnly = exportedNameOnly
    }
}

/// The driver API nvgpu uses, listed once. Resolved through `cuGetProcAddress_v2` at
/// `pinnedVersion` (so the driver hands back the ABI we declared, `_v2` where that
/// exists), falling back to `dlsym` of `exportedName` on drivers older than CUDA 12.
enum DriverSymbols {
    /// The CUDA API version our declarations in `ccuda_driver.h` follow (12.0).
    static let pinnedVersion: Int32 = 12000
    /// `CU_GET_PROC_ADDRESS_LEGACY_STREAM`: the null stream is the legacy default stream.
    static let legacyStreamFlag: UInt64 = 1

    typealias Table = nvgpu_cuda_driver_functions

    static let all: [DriverSymbol] = [
        DriverSymbol("cuGetErrorName", nil, \Table.cuGetErrorName),
        DriverSymbol("cuGetErrorString", nil, \Table.cuGetErrorString),
        DriverSymbol("cuInit", nil, \Table.cuInit),
        DriverSymbol("cuDriverGetVersion", nil, \Table.cuDriverGetVersion),
        DriverSymbol("cuDeviceGetCount", nil, \Table.cuDeviceGetCount),
        DriverSymbol("cuDeviceGet", nil, \Table.cuDeviceGet),
        DriverSymbol("cuDeviceGetName", nil, \Table.cuDeviceGetName),
        DriverSymbol("cuDeviceGetAttribute", nil, \Table.cuDeviceGetAttribute),
        DriverSymbol("cuDeviceTotalMem", "cuDeviceTotalMem_v2", \Table.cuDeviceTotalMem),
        DriverSymbol("cuDevicePrimaryCtxRetain", nil, \Table.cuDevicePrimaryCtxRetain),
        DriverSymbol("cuDevicePrimaryCtxRelease", "cuDevicePrimaryCtxRelease_v2", \Table.cuDevicePrimaryCtxRelease),
        DriverSymbol("cuDevicePrimaryCtxReset", "cuDevicePrimaryCtxReset_v2", \Table.cuDevicePrimaryCtxReset),
        DriverSymbol("cuCtxSetCurrent", nil, \Table.cuCtxSetCurrent),
        DriverSymbol("cuCtxGetCurrent", nil, \Table.cuCtxGetCurrent),
        DriverSymbol("cuCtxSynchronize", nil, \Table.cuCtxSynchronize),
        DriverSymbol("cuMemGetInfo", "cuMemGetInfo_v2", \Table.cuMemGetInfo),
        DriverSymbol("cuMemAlloc", "cuMemAlloc_v2", \Table.cuMemAlloc),
        DriverSymbol("cuMemFree", "cuMemFree_v2", \Table.cuMemFree),
        DriverSymbol("cuMemcpyHtoD", "cuMemcpyHtoD_v2", \Table.cuMemcpyHtoD),
        DriverSymbol("cuMemcpyDtoH", "cuMemcpyDtoH_v2", \Table.cuMemcpyDtoH),
        DriverSymbol("cuMemcpyDtoD", "cuMemcpyDtoD_v2", \Table.cuMemcpyDtoD),
        DriverSymbol("cuMemcpyHtoDAsync", "cuMemcpyHtoDAsync_v2", \Table.cuMemcpyHtoDAsync),
        DriverSymbol("cuMemcpyDtoHAsync", "cuMemcpyDtoHAsync_v2", \Table.cuMemcpyDtoHAsync),
        DriverSymbol("cuMemcpyDtoDAsync", "cuMemcpyDtoDAsync_v2", \Table.cuMemcpyDtoDAsync),
        DriverSymbol("cuMemsetD8", "cuMemsetD8_v2", \Table.cuMemsetD8),
        DriverSymbol("cuMemsetD8Async", nil, \Table.cuMemsetD8Async),
        DriverSymbol("cuStreamCreate", nil, \Table.cuStreamCreate),
        DriverSymbol("cuStreamDestroy", "cuStreamDestroy_v2", \Table.cuStreamDestroy),
        DriverSymbol("cuStreamSynchronize", nil, \Table.cuStreamSynchronize),
        DriverSymbol("cuStreamWaitEvent", nil, \Table.cuStreamWaitEvent),
        DriverSymbol("cuEventCreate", nil, \Table.cuEventCreate),
        DriverSymbol("cuEventDestroy", "cuEventDestroy_v2", \Table.cuEventDestroy),
        DriverSymbol("cuEventRecord", nil, \Table.cuEventRecord),
        DriverSymbol("cuEventSynchronize", nil, \Table.cuEventSynchronize),
        DriverSymbol("cuEventElapsedTime", nil, \Table.cuEventElapsedTime),
        DriverSymbol("cuModuleLoadData", nil, \Table.cuModuleLoadData),
        DriverSymbol("cuModuleUnload", nil, \Table.cuModuleUnload),
        DriverSymbol("cuModuleGetFunction", nil, \Table.cuModuleGetFunction),
        DriverSymbol("cuFuncGetAttribute", nil, \Table.cuFuncGetAttribute),
        DriverSymbol("cuFuncSetAttribute", nil, \Table.cuFuncSetAttribute, required: false),
        DriverSymbol("cuLaunchKernel", nil, \Table.cuLaunchKernel),
        // Graphs: optional; without them executables run step by step and loops from the host.
        DriverSymbol("cuStreamBeginCapture", "cuStreamBeginCapture_v2", \Table.cuStreamBeginCapture, required: false, exportedNameOnly: true),
        DriverSymbol("cuStreamEndCapture", nil, \Table.cuStreamEndCapture, required: false, exportedNameOnly: true),
        DriverSymbol("cuStreamGetCaptureInfo", "cuStreamGetCaptureInfo_v2", \Table.cuStreamGetCaptureInfo, required: false, exportedNameOnly: true),
        DriverSymbol("cuStreamUpdateCaptureDependencies", nil, \Table.cuStreamUpdateCaptureDependencies, required: false, exportedNameOnly: true),
        DriverSymbol("cuStreamBeginCaptureToGraph", nil, \Table.cuStreamBeginCaptureToGraph, required: false, exportedNameOnly: true),
        DriverSymbol("cuGraphConditionalHandleCreate", nil, \Table.cuGraphConditionalHandleCreate, required: false, exportedNameOnly: true),
        DriverSymbol("cuGraphAddNode", nil, \Table.cuGraphAddNode, required: false, exportedNameOnly: true),
        DriverSymbol("cuGraphInstantiateWithFlags", nil, \Table.cuGraphInstantiateWithFlags, required: false, exportedNameOnly: true),
        DriverSymbol("cuGraphLaunch", nil, \Table.cuGraphLaunch, required: false, exportedNameOnly: true),
        DriverSymbol("cuGraphExecDestroy", nil, \Table.cuGraphExecDestroy, required: false, exportedNameOnly: true),
        DriverSymbol("cuGraphDestroy", nil, \Table.cuGraphDestroy, required: false, exportedNameOnly: true),
    ]

    /// Fills a table from `library`: every symbol through `cuGetProcAddress_v2` when the
    /// driver has it, else (or when it declines one) through `dlsym`.
    /// - Throws: `DynamicLibraryError.missingSymbol` for a required symbol found neither way.
    static func resolve(in library: DynamicLibrary) throws(DynamicLibraryError) -> Table {
        let getProcAddress = library.function("cuGetProcAddress_v2", as: nvgpu_cuGetProcAddress_fn.self)
        var table = Table()
        for symbol in all {
            var address: UnsafeMutableRawPointer?
            if let getProcAddress, !symbol.isExportedNameOnly {
                var status: CUdriverProcAddressQueryResult = 0
                let result = getProcAddress(symbol.name, &address, pinnedVersion, legacyStreamFlag, &status)
                if result != 0 || status != 0 { address = nil }
            }
            if address == nil { address = library.address(of: symbol.exportedName) }
            guard let address else {
                if symbol.isRequired {
                    throw .missingSymbol(library: library.path, symbol: symbol.exportedName)
                }
                continue
            }
            guard let offset = MemoryLayout<Table>.offset(of: symbol.slot) else {
                throw .missingSymbol(library: "nvgpu_cuda_driver_functions", symbol: symbol.name)
            }
            withUnsafeMutableBytes(of: &table) { bytes in
                bytes.storeBytes(of: address, toByteOffset: offset, as: UnsafeMutableRawPointer.self)
            }
        }
        return table
    }
}
