import CCUDA
import Foundation

/// A failed cuDNN call.
public struct CUDNNError: Error, Equatable, CustomStringConvertible {
    /// The call that failed (`cudnnConvolutionForward`).
    public var call: String
    /// cuDNN's status code.
    public var status: Int32
    /// Its name (`CUDNN_STATUS_NOT_SUPPORTED`), from `cudnnGetErrorString` when it can be asked.
    public var name: String
    /// What nvgpu was doing, when known.
    public var context: String?

    public var description: String {
        "\(call) failed: \(name)" + (context.map { " while \($0)" } ?? "")
    }

    /// cuDNN 9's spelling of a status, for when the library cannot be asked.
    static func knownName(_ status: Int32) -> String {
        switch status {
        case 0: return "CUDNN_STATUS_SUCCESS"
        case 1001: return "CUDNN_STATUS_NOT_INITIALIZED"
        case 2000: return "CUDNN_STATUS_BAD_PARAM"
        case 3000: return "CUDNN_STATUS_NOT_SUPPORTED"
        case 4000: return "CUDNN_STATUS_INTERNAL_ERROR"
        case 5000: return "CUDNN_STATUS_EXECUTION_FAILED"
        default: return "cuDNN status \(status)"
        }
    }
}

/// cuDNN (`libcudnn.so.9`), loaded at run time; nvgpu uses its legacy convolution API and
/// its backend graph API (fused attention, `CUDNNAttention`).
///
/// cuDNN 9's `libcudnn.so.9` is a shim that opens its sub-libraries (`libcudnn_cnn`,
/// `libcudnn_ops`, `libcudnn_graph`, the engine libraries) by soname when first needed.
/// When the shim came from a folder the loader does not search (a pip wheel), `load`
/// opens those siblings right after it, by full path and globally, so the shim's later
/// lookups find them already loaded.
public final class CUDNN: @unchecked Sendable {
    /// Where cuDNN is looked for: `NVGPU_CUDNN_PATH`, the loader path, the CUDA toolkit,
    /// and the `nvidia-cudnn-cu13`/`-cu12` wheels' folders in virtual environments.
    public static let locator = LibraryLocator(
        sonames: ["libcudnn.so.9"],
        overrideVariable: "NVGPU_CUDNN_PATH",
        wheelFolders: ["nvidia/cudnn/lib", "nvidia/cu13/lib"])

    /// Sub-libraries of cuDNN 9 opened beside the shim, in dependency order.
    static let siblings = [
        "libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
        "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9",
    ]

    /// The opened library.
    public let library: DynamicLibrary
    /// `cudnnGetVersion()` (`90300` for 9.3.0).
    public let version: Int
    let functions: nvgpu_cudnn_functions

    /// Finds and opens cuDNN (see `locator`): the first candidate that opens, then (for a
    /// full path) its sub-libraries from the same folder, so that cuDNN never mixes a shim
    /// and sub-libraries of two installations (`CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH`).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CUDNN {
        let candidates = locator.candidates(environment: environment)
        var tried: [String] = []
        for candidate in candidates {
            guard let library = try? DynamicLibrary(path: candidate, global: true) else {
                tried.append(candidate)
                continue
            }
            if candidate.hasPrefix("/") {
                let folder = (candidate as NSString).deletingLastPathComponent
                for sibling in siblings {
                    _ = try? DynamicLibrary(path: folder + "/" + sibling, global: true)
                }
            }
            return try CUDNN(library: library)
        }
        throw DynamicLibraryError.notFound(
            library: "libcudnn.so.9", tried: tried,
            hint: "install cuDNN 9 or the nvidia-cudnn-cu13 wheel, or set NVGPU_CUDNN_PATH")
    }

    /// cuDNN's version number as people write it (`90100` → `9.1.0`).
    static func versionString(_ version: Int) -> String {
        "\(version / 10000).\((version % 10000) / 100).\(version % 100)"
    }

    init(library: DynamicLibrary) throws {
        var table = nvgpu_cudnn_functions()
        func bind<F>(_ name: String, _ slot: WritableKeyPath<nvgpu_cudnn_functions, F?>, required: Bool = true) throws {
            if required {
                table[keyPath: slot] = unsafeBitCast(try library.requiredAddress(of: name), to: F.self)
            } else if let address = library.address(of: name) {
                table[keyPath: slot] = unsafeBitCast(address, to: F.self)
            }
        }
        try bind("cudnnGetVersion", \.cudnnGetVersion)
        try bind("cudnnGetErrorString", \.cudnnGetErrorString, required: false)
        try bind("cudnnCreate", \.cudnnCreate)
        try bind("cudnnDestroy", \.cudnnDestroy)
        try bind("cudnnSetStream", \.cudnnSetStream)
        try bind("cudnnCreateTensorDescriptor", \.cudnnCreateTensorDescriptor)
        try bind("cudnnSetTensor4dDescriptor", \.cudnnSetTensor4dDescriptor)
        try bind("cudnnDestroyTensorDescriptor", \.cudnnDestroyTensorDescriptor)
        try bind("cudnnCreateFilterDescriptor", \.cudnnCreateFilterDescriptor)
        try bind("cudnnSetFilter4dDescriptor", \.cudnnSetFilter4dDescriptor)
        try bind("cudnnDestroyFilterDescriptor", \.cudnnDestroyFilterDescriptor)
        try bind("cudnnCreateConvolutionDescriptor", \.cudnnCreateConvolutionDescriptor)
        try bind("cudnnSetConvolution2dDescriptor", \.cudnnSetConvolution2dDescriptor)
        try bind("cudnnSetConvolutionGroupCount", \.cudnnSetConvolutionGroupCount)
        try bind("cudnnSetConvolutionMathType", \.cudnnSetConvolutionMathType)
        try bind("cudnnDestroyConvolutionDescriptor", \.cudnnDestroyConvolutionDescriptor)
        try bind("cudnnGetConvolution2dForwardOutputDim", \.cudnnGetConvolution2dForwardOutputDim)
        try bind("cudnnGetConvolutionForwardAlgorithm_v7", \.cudnnGetConvolutionForwardAlgorithm_v7)
        try bind("cudnnFindConvolutionForwardAlgorithmEx", \.cudnnFindConvolutionForwardAlgorithmEx, required: false)
        try bind("cudnnGetConvolutionForwardWorkspaceSize", \.cudnnGetConvolutionForwardWorkspaceSize)
        try bind("cudnnConvolutionForward", \.cudnnConvolutionForward)
        try bind("cudnnGetConvolutionBackwardDataAlgorithm_v7", \.cudnnGetConvolutionBackwardDataAlgorithm_v7, required: false)
        try bind("cudnnFindConvolutionBackwardDataAlgorithmEx", \.cudnnFindConvolutionBackwardDataAlgorithmEx, required: false)
        try bind("cudnnGetConvolutionBackwardDataWorkspaceSize", \.cudnnGetConvolutionBackwardDataWorkspaceSize, required: false)
        try bind("cudnnConvolutionBackwardData", \.cudnnConvolutionBackwardData, required: false)
        try bind("cudnnGetConvolutionBackwardFilterAlgorithm_v7", \.cudnnGetConvolutionBackwardFilterAlgorithm_v7, required: false)
        try bind("cudnnFindConvolutionBackwardFilterAlgorithmEx", \.cudnnFindConvolutionBackwardFilterAlgorithmEx, required: false)
        try bind("cudnnGetConvolutionBackwardFilterWorkspaceSize", \.cudnnGetConvolutionBackwardFilterWorkspaceSize, required: false)
        try bind("cudnnConvolutionBackwardFilter", \.cudnnConvolutionBackwardFilter, required: false)
        try bind("cudnnCreateActivationDescriptor", \.cudnnCreateActivationDescriptor, required: false)
        try bind("cudnnSetActivationDescriptor", \.cudnnSetActivationDescriptor, required: false)
        try bind("cudnnDestroyActivationDescriptor", \.cudnnDestroyActivationDescriptor, required: false)
        try bind("cudnnConvolutionBiasActivationForward", \.cudnnConvolutionBiasActivationForward, required: false)
        try bind("cudnnAddTensor", \.cudnnAddTensor, required: false)
        try bind("cudnnActivationForward", \.cudnnActivationForward, required: false)
        try bind("cudnnBackendDestroyDescriptor", \.cudnnBackendDestroyDescriptor, required: false)
        try bind("cudnnBackendFinalize", \.cudnnBackendFinalize, required: false)
        try bind("cudnnBackendCreateDescriptor", \.cudnnBackendCreateDescriptor, required: false)
        try bind("cudnnBackendSetAttribute", \.cudnnBackendSetAttribute, required: false)
        try bind("cudnnBackendGetAttribute", \.cudnnBackendGetAttribute, required: false)
        try bind("cudnnBackendExecute", \.cudnnBackendExecute, required: false)
        try bind("cudnnGetLastErrorString", \.cudnnGetLastErrorString, required: false)
        self.library = library
        self.functions = table
        self.version = table.cudnnGetVersion.map { Int($0()) } ?? 0
        try DynamicLibraryError.require(library.path, version: version, minimum: 90000, format: Self.versionString)
    }

    /// Runs one cuDNN call and throws a `CUDNNError` naming `call` when it fails.
    func check(_ call: String, context: String? = nil,
               _ body: (nvgpu_cudnn_functions) -> cudnnStatus_t?) throws(CUDNNError) {
        guard let status = body(functions) else {
            throw CUDNNError(call: call, status: -1, name: "symbol missing", context: context)
        }
        if status == 0 { return }
        var name = functions.cudnnGetErrorString.flatMap { $0(status) }.map { String(cString: $0) } ?? CUDNNError.knownName(status)
        if let lastError = functions.cudnnGetLastErrorString {
            var message = [CChar](repeating: 0, count: 1024)
            lastError(&message, message.count)
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.isEmpty { name += " (\(text.trimmingCharacters(in: .whitespacesAndNewlines)))" }
        }
        throw CUDNNError(call: call, status: status, name: name, context: context)
    }
}

/// A cuDNN handle (`cudnnCreate`) bound to one stream, destroyed when released.
public final class CUDNNHandle: @unchecked Sendable {
    /// The library it came from.
    public let library: CUDNN
    let handle: cudnnHandle_t
    /// The context of the stream it queues on.
    let context: CUDAContext

    /// Creates a handle whose work is queued on `stream` (the stream's context must be current).
    public init(library: CUDNN, stream: CUDAStream) throws {
        try stream.context.makeCurrent()
        var handle: cudnnHandle_t?
        try library.check("cudnnCreate") { $0.cudnnCreate?(&handle) }
        guard let handle else { throw CUDNNError(call: "cudnnCreate", status: 4000, name: "null handle") }
        do {
            try library.check("cudnnSetStream") { $0.cudnnSetStream?(handle, stream.handle) }
        } catch {
            _ = library.functions.cudnnDestroy?(handle)
            throw error
        }
        self.library = library
        self.handle = handle
        self.context = stream.context
    }

    deinit {
        if context.isUsable { _ = library.functions.cudnnDestroy?(handle) }
    }
}
