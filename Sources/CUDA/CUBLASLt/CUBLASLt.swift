import CCUDA
import Foundation

/// A failed cuBLASLt call.
public struct CUBLASLtError: Error, Equatable, CustomStringConvertible {
    /// The call that failed (`cublasLtMatmul`).
    public var call: String
    /// cuBLAS's status code.
    public var status: Int32
    /// Its name (`CUBLAS_STATUS_NOT_SUPPORTED`).
    public var name: String
    /// What nvgpu was doing, when known.
    public var context: String?

    public var description: String {
        "\(call) failed: \(name)" + (context.map { " while \($0)" } ?? "")
    }

    /// cuBLAS's spelling of a status, for when the library cannot be asked.
    static func knownName(_ status: Int32) -> String {
        switch status {
        case 0: return "CUBLAS_STATUS_SUCCESS"
        case 1: return "CUBLAS_STATUS_NOT_INITIALIZED"
        case 3: return "CUBLAS_STATUS_ALLOC_FAILED"
        case 7: return "CUBLAS_STATUS_INVALID_VALUE"
        case 8: return "CUBLAS_STATUS_ARCH_MISMATCH"
        case 11: return "CUBLAS_STATUS_MAPPING_ERROR"
        case 13: return "CUBLAS_STATUS_EXECUTION_FAILED"
        case 14: return "CUBLAS_STATUS_INTERNAL_ERROR"
        case 15: return "CUBLAS_STATUS_NOT_SUPPORTED"
        case 16: return "CUBLAS_STATUS_LICENSE_ERROR"
        default: return "cuBLAS status \(status)"
        }
    }
}

/// cuBLASLt (`libcublasLt.so.13`), loaded at run time.
public final class CUBLASLt: @unchecked Sendable {
    /// Where cuBLASLt is looked for: `NVGPU_CUBLASLT_PATH`, the loader path, the CUDA
    /// toolkit, and the `nvidia-cublas` wheel's folders in virtual environments.
    public static let locator = LibraryLocator(
        sonames: ["libcublasLt.so.13", "libcublasLt.so.12"],
        overrideVariable: "NVGPU_CUBLASLT_PATH",
        wheelFolders: ["nvidia/cu13/lib", "nvidia/cublas/lib"])

    /// The opened library.
    public let library: DynamicLibrary
    /// `cublasLtGetVersion()` (`130100` for 13.1.0).
    public let version: Int
    let functions: nvgpu_cublaslt_functions

    /// Finds and opens cuBLASLt (see `locator`).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CUBLASLt {
        let library = try DynamicLibrary.openFirst(
            of: locator.candidates(environment: environment), library: "libcublasLt.so.13",
            hint: "install the CUDA toolkit or the nvidia-cublas wheel, or set NVGPU_CUBLASLT_PATH")
        return try CUBLASLt(library: library)
    }

    /// cuBLASLt's version number as people write it (`130100` → `13.1.0`).
    static func versionString(_ version: Int) -> String {
        "\(version / 10000).\((version % 10000) / 100).\(version % 100)"
    }

    init(library: DynamicLibrary) throws {
        var table = nvgpu_cublaslt_functions()
        func bind<F>(_ name: String, _ slot: WritableKeyPath<nvgpu_cublaslt_functions, F?>, required: Bool = true) throws {
            if required {
                table[keyPath: slot] = unsafeBitCast(try library.requiredAddress(of: name), to: F.self)
            } else if let address = library.address(of: name) {
                table[keyPath: slot] = unsafeBitCast(address, to: F.self)
            }
        }
        try bind("cublasLtGetVersion", \.cublasLtGetVersion)
        try bind("cublasLtGetStatusName", \.cublasLtGetStatusName, required: false)
        try bind("cublasLtCreate", \.cublasLtCreate)
        try bind("cublasLtDestroy", \.cublasLtDestroy)
        try bind("cublasLtMatmulDescCreate", \.cublasLtMatmulDescCreate)
        try bind("cublasLtMatmulDescDestroy", \.cublasLtMatmulDescDestroy)
        try bind("cublasLtMatmulDescSetAttribute", \.cublasLtMatmulDescSetAttribute)
        try bind("cublasLtMatrixLayoutCreate", \.cublasLtMatrixLayoutCreate)
        try bind("cublasLtMatrixLayoutDestroy", \.cublasLtMatrixLayoutDestroy)
        try bind("cublasLtMatrixLayoutSetAttribute", \.cublasLtMatrixLayoutSetAttribute)
        try bind("cublasLtMatmulPreferenceCreate", \.cublasLtMatmulPreferenceCreate)
        try bind("cublasLtMatmulPreferenceDestroy", \.cublasLtMatmulPreferenceDestroy)
        try bind("cublasLtMatmulPreferenceSetAttribute", \.cublasLtMatmulPreferenceSetAttribute)
        try bind("cublasLtMatmulAlgoGetHeuristic", \.cublasLtMatmulAlgoGetHeuristic)
        try bind("cublasLtMatmul", \.cublasLtMatmul)
        self.library = library
        self.functions = table
        self.version = table.cublasLtGetVersion.map { Int($0()) } ?? 0
        try DynamicLibraryError.require(library.path, version: version, minimum: 120000, format: Self.versionString)
    }

    /// Runs one cuBLASLt call and throws a `CUBLASLtError` naming `call` when it fails.
    func check(_ call: String, context: String? = nil,
               _ body: (nvgpu_cublaslt_functions) -> cublasStatus_t?) throws(CUBLASLtError) {
        guard let status = body(functions) else {
            throw CUBLASLtError(call: call, status: -1, name: "symbol missing", context: context)
        }
        if status == 0 { return }
        let name = functions.cublasLtGetStatusName.flatMap { $0(status) }.map { String(cString: $0) }
        throw CUBLASLtError(call: call, status: status, name: name ?? CUBLASLtError.knownName(status), context: context)
    }
}

/// A cuBLASLt handle (`cublasLtCreate`), destroyed when released.
public final class CUBLASLtHandle: @unchecked Sendable {
    /// The library it came from.
    public let library: CUBLASLt
    let handle: cublasLtHandle_t

    /// Creates a handle.
    public init(library: CUBLASLt) throws(CUBLASLtError) {
        var handle: cublasLtHandle_t?
        try library.check("cublasLtCreate") { $0.cublasLtCreate?(&handle) }
        guard let handle else { throw CUBLASLtError(call: "cublasLtCreate", status: 14, name: "null handle") }
        self.library = library
        self.handle = handle
    }

    deinit {
        _ = library.functions.cublasLtDestroy?(handle)
    }
}
