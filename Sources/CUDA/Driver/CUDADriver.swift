import CCUDA

/// The CUDA driver (`libcuda.so.1`), loaded at run time and initialized.
///
/// Every driver call goes through `check(_:context:_:)`, which turns a status into a
/// `CUDAError` carrying the call's name and the driver's name for the status.
public final class CUDADriver: @unchecked Sendable {
    /// The soname of the driver library.
    public static let libraryName = "libcuda.so.1"
    /// The message given when the driver library is absent.
    public static let absentHint = "no NVIDIA driver on this machine"

    /// The opened library (kept loaded for the process's life).
    public let library: DynamicLibrary
    /// The resolved entry points.
    let functions: nvgpu_cuda_driver_functions
    /// The driver's CUDA version as `1000 * major + 10 * minor` (13000 for CUDA 13.0).
    public private(set) var version: Int32 = 0

    /// Opens the driver library, resolves its symbols and calls `cuInit(0)`.
    /// - Parameter path: the library to open; the system's `libcuda.so.1` by default.
    /// - Throws: `DynamicLibraryError.notFound` ("libcuda.so.1 not found: no NVIDIA driver
    ///   on this machine") when it cannot be opened, `.missingSymbol` for an incomplete
    ///   driver, `CUDAError` when `cuInit` fails (`CUDA_ERROR_NO_DEVICE`, ...).
    public static func load(path: String = libraryName) throws -> CUDADriver {
        let library: DynamicLibrary
        do {
            library = try DynamicLibrary(path: path)
        } catch {
            let reason: String
            if case .openFailed(_, let text) = error { reason = text } else { reason = error.description }
            let tried = path == libraryName ? [] : [path + " (" + reason + ")"]
            throw DynamicLibraryError.notFound(library: path, tried: tried, hint: absentHint)
        }
        let driver = CUDADriver(library: library, functions: try DriverSymbols.resolve(in: library))
        try driver.check("cuInit") { $0.cuInit?(0) }
        var version: Int32 = 0
        try driver.check("cuDriverGetVersion") { $0.cuDriverGetVersion?(&version) }
        driver.version = version
        return driver
    }

    init(library: DynamicLibrary, functions: nvgpu_cuda_driver_functions) {
        self.library = library
        self.functions = functions
    }

    /// The driver version as text (`13.0`).
    public var versionString: String { "\(version / 1000).\((version % 1000) / 10)" }

    /// Runs one driver call and throws a `CUDAError` naming `call` when it fails.
    /// `body` returns nil when the entry point is absent (an optional symbol).
    func check(_ call: String, context: String? = nil,
               _ body: (nvgpu_cuda_driver_functions) -> CUresult?) throws(CUDAError) {
        guard let status = body(functions) else {
            throw CUDAError(call: call, result: .notSupported, name: "not provided by this driver", context: context)
        }
        if status == 0 { return }
        var failure = error(for: CUDAResult(rawValue: status), call: call, context: context)
        if failure.result.losesContext {
            failure.note = PrimaryContextHealth.lostNote
            var current: CUcontext?
            if functions.cuCtxGetCurrent?(&current) == 0, let current {
                PrimaryContextHealth.shared.recordLoss(of: current, failure)
            }
        }
        throw failure
    }

    /// A `CUDAError` with the driver's own name and message for `result`.
    func error(for result: CUDAResult, call: String, context: String?) -> CUDAError {
        var namePointer: UnsafePointer<CChar>?
        var messagePointer: UnsafePointer<CChar>?
        _ = functions.cuGetErrorName?(result.rawValue, &namePointer)
        _ = functions.cuGetErrorString?(result.rawValue, &messagePointer)
        return CUDAError(
            call: call, result: result,
            name: namePointer.map { String(cString: $0) },
            message: messagePointer.map { String(cString: $0) },
            context: context)
    }

    /// The number of devices the driver sees.
    public func deviceCount() throws(CUDAError) -> Int {
        var count: Int32 = 0
        try check("cuDeviceGetCount") { $0.cuDeviceGetCount?(&count) }
        return Int(count)
    }

    /// Every device, with its name, architecture, memory and multiprocessor count.
    public func devices() throws(CUDAError) -> [CUDADevice] {
        try (0..<deviceCount()).map { (ordinal: Int) throws(CUDAError) -> CUDADevice in
            try device(ordinal)
        }
    }
}
