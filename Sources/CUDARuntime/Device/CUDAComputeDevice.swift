import CUDA
import Foundation
import Runtime
import StableHLO

/// Compiles one function of a module for a GPU architecture (`sm_90`) into an executable.
/// The CLI passes the compiler's `cuda` target; the runtime itself does not depend on it.
public typealias ExecutableCompiler = @Sendable (_ module: Module, _ function: String, _ architecture: String) throws -> Executable

/// A CUDA GPU as a `Device` (`platform` "cuda"): `load` compiles each function the first
/// time it is invoked and runs it with `CUDAExecutableRunner`.
public final class CUDAComputeDevice: Device, @unchecked Sendable {
    /// The queue every program loaded here runs on.
    public let queue: any DeviceQueue
    private let compiler: ExecutableCompiler
    private let hostFallback: (any HostFallback)?

    public init(queue: any DeviceQueue, compiler: @escaping ExecutableCompiler, hostFallback: (any HostFallback)?) {
        self.queue = queue
        self.compiler = compiler
        self.hostFallback = hostFallback
    }

    public var platform: String { "cuda" }
    public var name: String { "\(queue.deviceName) (\(queue.architecture))" }

    public func load(_ module: Module) throws -> any LoadedProgram {
        CUDALoadedModule(device: self, module: module)
    }

    /// Compiles `function` of `module` for this device's architecture.
    public func compile(_ module: Module, function: String) throws -> Executable {
        try compiler(module, function, queue.architecture)
    }

    /// Loads an already compiled executable (a `.nvx` file).
    public func load(_ executable: Executable) throws -> CUDAExecutableRunner {
        guard executable.architecture == queue.architecture else {
            throw RuntimeError("the executable was compiled for \(executable.architecture), this GPU is \(queue.architecture) (recompile with --target=\(queue.architecture))")
        }
        return try CUDAExecutableRunner(executable: executable, queue: queue, hostFallback: hostFallback,
                                        collectives: try NCCLCollectives.singleProcess(for: executable, queue: queue))
    }
}

/// A module loaded on a `CUDAComputeDevice`: each function is compiled and loaded on first use.
final class CUDALoadedModule: LoadedProgram, @unchecked Sendable {
    let device: CUDAComputeDevice
    let module: Module
    private var runners: [String: CUDAExecutableRunner] = [:]
    private let lock = NSLock()

    init(device: CUDAComputeDevice, module: Module) {
        self.device = device
        self.module = module
    }

    func invoke(function: String, inputs: [HostTensor]) throws -> [HostTensor] {
        try runner(for: function).invoke(inputs: inputs)
    }

    private func runner(for function: String) throws -> CUDAExecutableRunner {
        lock.lock()
        defer { lock.unlock() }
        if let runner = runners[function] { return runner }
        let runner = try device.load(try device.compile(module, function: function))
        runners[function] = runner
        return runner
    }
}

/// Opens the GPU for `--device=cuda`, or says in one line why there is none.
public enum CUDADeviceOpening {
    /// A queue on GPU `ordinal`; the error is one line naming the cause (no driver, no device).
    public static func openQueue(driverPath: String = CUDADriver.libraryName, ordinal: Int = 0) throws(RuntimeError) -> CUDAQueue {
        let driver: CUDADriver
        do {
            driver = try CUDADriver.load(path: driverPath)
        } catch let error as DynamicLibraryError {
            if case .notFound = error {
                throw RuntimeError("--device=cuda: no CUDA driver found (\(driverPath)): \(CUDADriver.absentHint)")
            }
            throw RuntimeError("--device=cuda: the CUDA driver is unusable: \(error)")
        } catch {
            throw RuntimeError("--device=cuda: the CUDA driver is unusable: \(error)")
        }
        do {
            let count = try driver.deviceCount()
            guard ordinal >= 0, ordinal < count else {
                throw RuntimeError("--device=cuda: the CUDA driver reports \(count) device(s), no device \(ordinal)")
            }
            return try CUDAQueue(driver: driver, ordinal: ordinal)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw RuntimeError("--device=cuda: cannot open GPU \(ordinal): \(error)")
        }
    }
}
