import CCUDA
import Foundation

/// A failed cuFFT call.
public struct CUFFTError: Error, Equatable, CustomStringConvertible {
    /// The call that failed (`cufftPlanMany`).
    public var call: String
    /// cuFFT's status code.
    public var status: Int32
    /// What nvgpu was doing, when known.
    public var context: String?

    public var description: String {
        "\(call) failed: \(Self.name(status))" + (context.map { " while \($0)" } ?? "")
    }

    /// cuFFT's spelling of a status (`cufftResult`).
    public static func name(_ status: Int32) -> String {
        let names = [
            "CUFFT_SUCCESS", "CUFFT_INVALID_PLAN", "CUFFT_ALLOC_FAILED", "CUFFT_INVALID_TYPE",
            "CUFFT_INVALID_VALUE", "CUFFT_INTERNAL_ERROR", "CUFFT_EXEC_FAILED", "CUFFT_SETUP_FAILED",
            "CUFFT_INVALID_SIZE", "CUFFT_UNALIGNED_DATA", "CUFFT_INCOMPLETE_PARAMETER_LIST",
            "CUFFT_INVALID_DEVICE", "CUFFT_PARSE_ERROR", "CUFFT_NO_WORKSPACE", "CUFFT_NOT_IMPLEMENTED",
            "CUFFT_LICENSE_ERROR", "CUFFT_NOT_SUPPORTED",
        ]
        return names.indices.contains(Int(status)) ? names[Int(status)] : "cuFFT status \(status)"
    }
}

/// cuFFT (`libcufft.so.12` of CUDA 13, `.11` of CUDA 12), loaded at run time.
public final class CUFFT: @unchecked Sendable {
    /// Where cuFFT is looked for: `NVGPU_CUFFT_PATH`, the loader path, the CUDA toolkit,
    /// and the `nvidia-cufft` wheels' folders in virtual environments.
    public static let locator = LibraryLocator(
        sonames: ["libcufft.so.12", "libcufft.so.11"],
        overrideVariable: "NVGPU_CUFFT_PATH",
        wheelFolders: ["nvidia/cu13/lib", "nvidia/cufft/lib"])

    /// The opened library.
    public let library: DynamicLibrary
    /// `cufftGetVersion` (`12000` for cuFFT 12.0).
    public let version: Int
    let functions: nvgpu_cufft_functions

    /// Finds and opens cuFFT (see `locator`).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CUFFT {
        let library = try DynamicLibrary.openFirst(
            of: locator.candidates(environment: environment), library: "libcufft.so.12",
            hint: "install the CUDA toolkit's cuFFT or the nvidia-cufft wheel, or set NVGPU_CUFFT_PATH")
        return try CUFFT(library: library)
    }

    init(library: DynamicLibrary) throws {
        var table = nvgpu_cufft_functions()
        func bind<F>(_ name: String, _ slot: WritableKeyPath<nvgpu_cufft_functions, F?>) throws {
            table[keyPath: slot] = unsafeBitCast(try library.requiredAddress(of: name), to: F.self)
        }
        try bind("cufftGetVersion", \.cufftGetVersion)
        try bind("cufftPlanMany", \.cufftPlanMany)
        try bind("cufftSetStream", \.cufftSetStream)
        try bind("cufftDestroy", \.cufftDestroy)
        try bind("cufftExecC2C", \.cufftExecC2C)
        try bind("cufftExecZ2Z", \.cufftExecZ2Z)
        try bind("cufftExecR2C", \.cufftExecR2C)
        try bind("cufftExecD2Z", \.cufftExecD2Z)
        try bind("cufftExecC2R", \.cufftExecC2R)
        try bind("cufftExecZ2D", \.cufftExecZ2D)
        self.library = library
        self.functions = table
        var version: Int32 = 0
        _ = table.cufftGetVersion?(&version)
        self.version = Int(version)
    }

    /// Runs one cuFFT call and throws a `CUFFTError` naming `call` when it fails.
    func check(_ call: String, context: String? = nil,
               _ body: (nvgpu_cufft_functions) -> cufftResult?) throws(CUFFTError) {
        guard let status = body(functions) else {
            throw CUFFTError(call: call, status: 5, context: (context.map { $0 + ": " } ?? "") + "symbol missing")
        }
        if status != 0 { throw CUFFTError(call: call, status: status, context: context) }
    }
}

/// One batched cuFFT transform of contiguous row-major data (`cufftPlanMany` with the
/// default layout); destroyed when released.
public final class CUFFTPlan: @unchecked Sendable {
    /// What the plan transforms.
    public enum Transform: Sendable, Hashable {
        /// Complex to complex; `inverse` uses the positive exponent (unscaled).
        case complexToComplex(inverse: Bool)
        /// Real to the `n/2 + 1` non-negative frequencies of the last axis.
        case realToComplex
        /// Those frequencies back to real values (unscaled; may overwrite its input).
        case complexToReal
    }

    public let library: CUFFT
    public let transform: Transform
    public let doublePrecision: Bool
    let handle: cufftHandle
    /// The context holding the plan's work area.
    let context: CUDAContext

    /// Plans `batch` transforms of extents `lengths` (1–3 axes, the last one innermost) in
    /// `context` (cuFFT allocates the plan's work area there).
    public init(library: CUFFT, lengths: [Int], batch: Int, transform: Transform, doublePrecision: Bool,
                context: CUDAContext) throws {
        let what = "planning \(transform) of \(lengths) x \(batch)"
        guard (1...3).contains(lengths.count), lengths.allSatisfy({ $0 > 0 && $0 <= Int(Int32.max) }),
              batch > 0, batch <= Int(Int32.max) else {
            throw CUFFTError(call: "cufftPlanMany", status: 8, context: what)
        }
        try context.makeCurrent()
        let type: Int32
        switch (transform, doublePrecision) {
        case (.complexToComplex, false): type = Int32(NVGPU_CUFFT_C2C)
        case (.complexToComplex, true): type = Int32(NVGPU_CUFFT_Z2Z)
        case (.realToComplex, false): type = Int32(NVGPU_CUFFT_R2C)
        case (.realToComplex, true): type = Int32(NVGPU_CUFFT_D2Z)
        case (.complexToReal, false): type = Int32(NVGPU_CUFFT_C2R)
        case (.complexToReal, true): type = Int32(NVGPU_CUFFT_Z2D)
        }
        var extents = lengths.map { Int32($0) }
        var handle: cufftHandle = 0
        try library.check("cufftPlanMany", context: what) { table in
            extents.withUnsafeMutableBufferPointer { n in
                table.cufftPlanMany?(&handle, Int32(lengths.count), n.baseAddress, nil, 1, 0, nil, 1, 0, type, Int32(batch))
            }
        }
        self.library = library
        self.context = context
        self.transform = transform
        self.doublePrecision = doublePrecision
        self.handle = handle
    }

    /// Queues the transform of `input` into `output` on `stream`.
    public func execute(input: DevicePointer, output: DevicePointer, stream: CUDAStream) throws(CUFFTError) {
        let h = handle
        try library.check("cufftSetStream") { $0.cufftSetStream?(h, stream.handle) }
        let i = UnsafeMutableRawPointer(bitPattern: UInt(input.rawValue))
        let o = UnsafeMutableRawPointer(bitPattern: UInt(output.rawValue))
        switch (transform, doublePrecision) {
        case (.complexToComplex(let inverse), false):
            let direction = inverse ? NVGPU_CUFFT_INVERSE : NVGPU_CUFFT_FORWARD
            try library.check("cufftExecC2C") { $0.cufftExecC2C?(h, i, o, Int32(direction)) }
        case (.complexToComplex(let inverse), true):
            let direction = inverse ? NVGPU_CUFFT_INVERSE : NVGPU_CUFFT_FORWARD
            try library.check("cufftExecZ2Z") { $0.cufftExecZ2Z?(h, i, o, Int32(direction)) }
        case (.realToComplex, false): try library.check("cufftExecR2C") { $0.cufftExecR2C?(h, i, o) }
        case (.realToComplex, true): try library.check("cufftExecD2Z") { $0.cufftExecD2Z?(h, i, o) }
        case (.complexToReal, false): try library.check("cufftExecC2R") { $0.cufftExecC2R?(h, i, o) }
        case (.complexToReal, true): try library.check("cufftExecZ2D") { $0.cufftExecZ2D?(h, i, o) }
        }
    }

    deinit {
        if context.isUsable { _ = library.functions.cufftDestroy?(handle) }
    }
}
