import CUDA
import CUDARuntime
import Foundation
import Reference
import Runtime
import StableHLO

/// `--device=auto|cpu|cuda`: `cuda` opens GPU 0 (or fails with one line saying why);
/// `auto` uses the GPU when a driver and a device are there, else the CPU reference backend,
/// saying so on stderr when it first loads a program.
public enum DeviceSelection {
    /// The driver library to open (`NVGPU_CUDA_DRIVER` overrides it, for tests).
    public static var driverPath: String {
        ProcessInfo.processInfo.environment["NVGPU_CUDA_DRIVER"].flatMap { $0.isEmpty ? nil : $0 } ?? CUDADriver.libraryName
    }

    /// The device `choice` names; a GPU compiles programs with `configuration`.
    public static func device(for choice: DeviceChoice, configuration: CompileConfiguration = CompileConfiguration()) throws -> any Device {
        switch choice {
        case .cpu:
            return ReferenceDevice()
        case .cuda:
            return try cudaDevice(configuration: configuration)
        case .auto:
            do {
                return try cudaDevice(configuration: configuration)
            } catch {
                let reason = error.message.replacingOccurrences(of: "--device=cuda: ", with: "")
                return FallbackReferenceDevice(notice: "nvgpu: note: \(reason); running on the cpu reference backend (--device=cpu silences this)")
            }
        }
    }

    /// GPU 0 with the `cuda` compiler target and the reference backend for host steps.
    public static func cudaDevice(configuration: CompileConfiguration = CompileConfiguration()) throws(RuntimeError) -> CUDAComputeDevice {
        let queue = try CUDADeviceOpening.openQueue(driverPath: driverPath)
        let compiler: ExecutableCompiler = { module, function, architecture in
            try ExecutableCompilation(configuration, architecture: configuration.architecture ?? architecture)
                .compile(module, function: function).executable
        }
        return CUDAComputeDevice(queue: queue, compiler: compiler, hostFallback: ReferenceHostFallback())
    }
}

/// The CPU reference backend chosen by `--device=auto` for want of a GPU: tells the user
/// once, when the first program is loaded (after the program and its inputs checked out,
/// so a bad program still gives exactly one error line).
public struct FallbackReferenceDevice: Device {
    public var notice: String
    private let reference = ReferenceDevice()
    private let told = NoticeFlag()

    public init(notice: String) { self.notice = notice }

    public var platform: String { reference.platform }
    public var name: String { reference.name }

    public func load(_ module: Module) throws -> any LoadedProgram {
        if told.markTold() { FileHandle.standardError.write(Data((notice + "\n").utf8)) }
        return try reference.load(module)
    }
}

/// Whether a notice was already printed (shared by copies of the device).
public final class NoticeFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var told = false

    /// True the first time only.
    public func markTold() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if told { return false }
        told = true
        return true
    }
}

/// Runs `.host` steps of GPU executables on the reference interpreter.
public struct ReferenceHostFallback: HostFallback {
    public init() {}

    public func load(program text: String, index: Int) throws -> any LoadedProgram {
        let module = try Module.parse(text, file: "<host program \(index)>")
        return try ReferenceDevice().load(module)
    }
}
