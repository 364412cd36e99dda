import CCUDA
import Foundation

/// A failed NVRTC call; for compilation failures `log` holds the compiler's messages.
public struct NVRTCError: Error, Equatable, CustomStringConvertible {
    /// The NVRTC call that failed (`nvrtcCompileProgram`).
    public var call: String
    /// NVRTC's status code.
    public var code: Int32
    /// NVRTC's text for the code (`NVRTC_ERROR_COMPILATION`).
    public var name: String
    /// The program's name (`vector_add.cu`).
    public var program: String
    /// The compile log, when there is one.
    public var log: String

    public var description: String {
        var text = "\(call) failed for \(program): \(name)"
        if !log.isEmpty { text += "\n" + log }
        return text
    }
}

/// The result of compiling one CUDA C++ program.
public struct CompiledKernel: Sendable, Equatable {
    /// The cubin (an ELF image for one `sm_XX`).
    public var cubin: [UInt8]
    /// Warnings, if any.
    public var log: String
}

/// NVRTC, the runtime CUDA C++ compiler (`libnvrtc.so.13` or `.so.12`), loaded at run time.
public final class NVRTC: @unchecked Sendable {
    /// Where NVRTC is looked for: `NVGPU_NVRTC_PATH` (file or folder), the loader path,
    /// the CUDA toolkit, and the `nvidia-cuda-nvrtc` wheel's folders in virtual environments.
    public static let locator = LibraryLocator(
        sonames: ["libnvrtc.so.13", "libnvrtc.so.12"],
        overrideVariable: "NVGPU_NVRTC_PATH",
        wheelFolders: ["nvidia/cu13/lib", "nvidia/cuda_nvrtc/lib"])

    /// The opened library.
    public let library: DynamicLibrary
    /// NVRTC's version (`13.0`).
    public let version: (major: Int, minor: Int)
    private let functions: nvgpu_nvrtc_functions

    /// Finds and opens NVRTC (see `locator`).
    /// - Throws: `DynamicLibraryError.notFound` listing what was tried.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> NVRTC {
        let candidates = locator.candidates(environment: environment, currentDirectory: currentDirectory)
        var failures: [String] = []
        for candidate in candidates {
            if candidate.hasPrefix("/") { preloadBuiltins(besides: candidate) }
            do {
                return try NVRTC(library: DynamicLibrary(path: candidate))
            } catch let error as DynamicLibraryError {
                if case .openFailed(_, let reason) = error { failures.append(reason) } else { throw error }
            }
        }
        throw DynamicLibraryError.notFound(
            library: "libnvrtc.so.13",
            tried: failures,
            hint: "install the nvidia-cuda-nvrtc wheel into .venv, or set NVGPU_NVRTC_PATH")
    }

    /// NVRTC opens `libnvrtc-builtins.so.X.Y` by soname, which the loader finds only on its
    /// path; opening it first by full path (RTLD_GLOBAL) makes that lookup succeed.
    static func preloadBuiltins(besides libraryPath: String) {
        let folder = (libraryPath as NSString).deletingLastPathComponent
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries.sorted() where entry.hasPrefix("libnvrtc-builtins.so.") {
            _ = try? DynamicLibrary(path: folder + "/" + entry, global: true)
        }
    }

    init(library: DynamicLibrary) throws {
        var table = nvgpu_nvrtc_functions()
        func bind<F>(_ name: String, _ slot: WritableKeyPath<nvgpu_nvrtc_functions, F?>) throws {
            table[keyPath: slot] = unsafeBitCast(try library.requiredAddress(of: name), to: F.self)
        }
        try bind("nvrtcGetErrorString", \.nvrtcGetErrorString)
        try bind("nvrtcVersion", \.nvrtcVersion)
        try bind("nvrtcCreateProgram", \.nvrtcCreateProgram)
        try bind("nvrtcDestroyProgram", \.nvrtcDestroyProgram)
        try bind("nvrtcCompileProgram", \.nvrtcCompileProgram)
        try bind("nvrtcGetProgramLogSize", \.nvrtcGetProgramLogSize)
        try bind("nvrtcGetProgramLog", \.nvrtcGetProgramLog)
        try bind("nvrtcGetCUBINSize", \.nvrtcGetCUBINSize)
        try bind("nvrtcGetCUBIN", \.nvrtcGetCUBIN)
        try bind("nvrtcGetPTXSize", \.nvrtcGetPTXSize)
        try bind("nvrtcGetPTX", \.nvrtcGetPTX)
        self.library = library
        self.functions = table
        var major: Int32 = 0
        var minor: Int32 = 0
        _ = table.nvrtcVersion?(&major, &minor)
        self.version = (Int(major), Int(minor))
    }

    /// NVRTC's version as text (`13.0`).
    public var versionString: String { "\(version.major).\(version.minor)" }

    /// Compiles `source` to a cubin for `architecture` (`sm_90`).
    /// - Parameters:
    ///   - name: the program's file name, shown in diagnostics.
    ///   - options: extra `nvcc`-style options (`-lineinfo`, `--use_fast_math`).
    /// - Throws: `NVRTCError` with the compile log when compilation fails.
    public func compile(source: String, name: String = "kernel.cu", architecture: String,
                        options: [String] = []) throws(NVRTCError) -> CompiledKernel {
        let source = InjectedFault.requested?.instrument(source) ?? source
        var program: nvrtcProgram?
        try check("nvrtcCreateProgram", name) { $0.nvrtcCreateProgram?(&program, source, name, 0, nil, nil) }
        defer { _ = functions.nvrtcDestroyProgram?(&program) }
        let allOptions = ["--gpu-architecture=\(architecture)", "--std=c++17"] + options
        let status = withCStrings(allOptions) { pointers in
            functions.nvrtcCompileProgram?(program, Int32(pointers.count), pointers.baseAddress)
        }
        let log = programLog(program)
        guard let status else { throw missing("nvrtcCompileProgram", name) }
        if status != 0 {
            throw NVRTCError(call: "nvrtcCompileProgram", code: status, name: errorName(status), program: name, log: log)
        }
        var size = 0
        try check("nvrtcGetCUBINSize", name) { $0.nvrtcGetCUBINSize?(program, &size) }
        var cubin = [UInt8](repeating: 0, count: size)
        try check("nvrtcGetCUBIN", name) { table in
            cubin.withUnsafeMutableBytes { bytes in
                table.nvrtcGetCUBIN?(program, bytes.baseAddress?.assumingMemoryBound(to: CChar.self))
            }
        }
        return CompiledKernel(cubin: cubin, log: log)
    }

    private func programLog(_ program: nvrtcProgram?) -> String {
        var size = 0
        guard functions.nvrtcGetProgramLogSize?(program, &size) == 0, size > 1 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        guard functions.nvrtcGetProgramLog?(program, &bytes) == 0 else { return "" }
        return String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func errorName(_ status: nvrtcResult) -> String {
        guard let text = functions.nvrtcGetErrorString?(status) else { return "NVRTC error \(status)" }
        return String(cString: text)
    }

    private func missing(_ call: String, _ program: String) -> NVRTCError {
        NVRTCError(call: call, code: -1, name: "symbol missing", program: program, log: "")
    }

    private func check(_ call: String, _ program: String,
                       _ body: (nvgpu_nvrtc_functions) -> nvrtcResult?) throws(NVRTCError) {
        guard let status = body(functions) else { throw missing(call, program) }
        if status != 0 {
            throw NVRTCError(call: call, code: status, name: errorName(status), program: program, log: "")
        }
    }
}

/// Calls `body` with a C array of NUL-terminated copies of `strings`, valid during the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer(body)
}
