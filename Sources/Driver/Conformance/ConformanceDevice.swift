import CUDARuntime
import Conformance
import Foundation
import Runtime
import StableHLO

/// Where `nvgpu conformance --device=...` runs its cases, and the executor that does it.
public enum ConformanceDevice {
    /// A `--device` choice with `auto` decided, and a line saying what was chosen.
    public struct Resolution {
        /// `cpu` or `cuda`.
        public var choice: DeviceChoice
        public var description: String
    }

    /// Decides `auto` (cuda when GPU 0 opens, else cpu); `cuda` fails with one line when
    /// there is no driver or GPU. `--compile-only` needs no GPU.
    public static func resolve(_ choice: DeviceChoice, compileOnly: Bool) throws -> Resolution {
        if compileOnly {
            return Resolution(choice: .cuda, description: "compiling every case for the GPU (\(compileOnlyArchitecture), "
                              + "constant folding off), running none")
        }
        switch choice {
        case .cpu:
            return Resolution(choice: .cpu, description: "running on the cpu reference backend")
        case .cuda:
            let queue = try CUDADeviceOpening.openQueue(driverPath: DeviceSelection.driverPath)
            return Resolution(choice: .cuda, description: onGPU(queue))
        case .auto:
            do {
                let queue = try CUDADeviceOpening.openQueue(driverPath: DeviceSelection.driverPath)
                return Resolution(choice: .cuda, description: onGPU(queue))
            } catch {
                let reason = error.message.replacingOccurrences(of: "--device=cuda: ", with: "")
                return Resolution(choice: .cpu, description: "note: \(reason); running on the cpu reference backend "
                                  + "(--device=cpu silences this)")
            }
        }
    }

    /// The architecture `--compile-only` compiles for.
    public static let compileOnlyArchitecture = "sm_90"

    private static func onGPU(_ queue: CUDAQueue) -> String {
        "running on \(queue.deviceName) (\(queue.architecture)), constant folding off, check ops on the host"
    }

    /// How f32 products of precision DEFAULT are computed, for the run's header line.
    public static func precisionNote(allowsTF32: Bool) -> String {
        allowsTF32 ? "f32 dots of precision DEFAULT in TF32 (as XLA)" : "f32 dots in full f32 (--tf32 allows TF32)"
    }

    /// The executor for a resolved choice (`cpu` or `cuda`).
    public static func executor(for choice: DeviceChoice, compileOnly: Bool, allowsTF32: Bool) throws -> any CaseExecutor {
        if compileOnly {
            return CUDACaseExecutor(queue: nil, compilation: compilation(architecture: compileOnlyArchitecture,
                                                                         allowsTF32: allowsTF32))
        }
        switch choice {
        case .cpu:
            return ReferenceCaseExecutor()
        case .cuda, .auto:
            let queue = try CUDADeviceOpening.openQueue(driverPath: DeviceSelection.driverPath)
            return CUDACaseExecutor(queue: queue, compilation: compilation(architecture: queue.architecture,
                                                                           allowsTF32: allowsTF32))
        }
    }

    /// The executor of a worker process; when the device cannot be opened, one that fails
    /// every case saying why (a worker that exited instead would only show as crashes).
    public static func workerExecutor(for choice: DeviceChoice, compileOnly: Bool, allowsTF32: Bool) -> any CaseExecutor {
        do {
            return try executor(for: choice, compileOnly: compileOnly, allowsTF32: allowsTF32)
        } catch {
            return UnavailableExecutor(reason: "\(error)")
        }
    }

    /// The NVIDIA plugin with vendor libraries and no constant folding; f32 products in full
    /// f32 unless `allowsTF32` (the suite's expected values are exact f32 results).
    public static func compilation(architecture: String, allowsTF32: Bool) -> ExecutableCompilation {
        ExecutableCompilation(CompileConfiguration(foldsConstants: false, allowsTF32: allowsTF32), architecture: architecture)
    }
}

/// Fails every case with the reason the worker's device could not be opened.
public struct UnavailableExecutor: CaseExecutor {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public func run(_ entries: [Function], of module: Module, deadline: ContinuousClock.Instant) throws -> CaseExecution {
        throw CaseFailure(cause: "worker error", message: "the worker cannot run cases: \(reason)")
    }
}
