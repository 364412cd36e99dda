import CUDA
import CUDARuntime
import Foundation
import Reference
import Runtime
import StableHLO

/// Where a buffer's bytes are: in host memory (the reference backend) or in a GPU
/// allocation that stays there between executions (the CUDA backend).
enum BufferStorage: Sendable {
    case host(HostTensor)
    case device(DeviceTensor)
}

/// A GPU allocation holding one tensor, freed when the last buffer using it goes away.
final class DeviceTensor: @unchecked Sendable {
    let allocation: DeviceAllocation
    let queue: any DeviceQueue
    let type: TensorType

    init(allocation: DeviceAllocation, queue: any DeviceQueue, type: TensorType) {
        self.allocation = allocation
        self.queue = queue
        self.type = type
    }

    deinit { try? queue.deallocate(allocation) }

    var byteCount: Int { type.elementCount * type.elementType.storageBytes }
}

/// What the plugin needs of a backend: compile a module's `main`, move tensors in and out,
/// run a compiled program on stored inputs. Every call but `compile` runs on the client's
/// work queue, in submission order.
protocol PluginBackend: Sendable {
    /// `cuda` or `cpu`.
    var kind: String { get }
    /// The device as people read it (`NVIDIA H100 80GB HBM3 (sm_90)`).
    var deviceDescription: String { get }
    func compile(_ module: Module) throws -> any PluginProgram
    func store(_ tensor: HostTensor) throws -> BufferStorage
    func hostTensor(_ storage: BufferStorage) throws -> HostTensor
    /// Blocks until the work queued so far has finished on the device (and reports what
    /// failed there); runs on the client's completion queue.
    func awaitDevice() throws
    /// The device allocator's counters, where there is one (`Device_MemoryStats`).
    var allocatorStatistics: AllocatorStatistics? { get }
    /// The most bytes one tensor may take (nil: the device's allocator says when it runs out).
    var tensorByteLimit: Int? { get }
}

/// A compiled `main`, ready to run on stored inputs.
protocol PluginProgram: Sendable {
    func run(_ inputs: [BufferStorage]) throws -> [BufferStorage]
}

extension PluginBackend {
    func hostTensor(_ storage: BufferStorage) throws -> HostTensor {
        switch storage {
        case .host(let tensor): return tensor
        case .device(let device):
            let bytes = try device.queue.download(from: device.allocation.pointer, byteCount: device.byteCount)
            return HostTensor(type: device.type, bytes: bytes)
        }
    }
}

/// The CPU reference backend: buffers are host tensors; each run interprets the module.
struct ReferenceBackend: PluginBackend {
    let device: any Device
    var kind: String { "cpu" }
    var deviceDescription: String { "CPU reference interpreter" }

    func compile(_ module: Module) throws -> any PluginProgram {
        HostProgram(program: try device.load(module))
    }

    func store(_ tensor: HostTensor) throws -> BufferStorage { .host(tensor) }

    func awaitDevice() throws {}

    var allocatorStatistics: AllocatorStatistics? { nil }

    /// Host memory: a tensor larger than the machine's memory is refused before the
    /// interpreter tries to allocate it (which would end the process).
    var tensorByteLimit: Int? { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    struct HostProgram: PluginProgram {
        let program: any LoadedProgram
        func run(_ inputs: [BufferStorage]) throws -> [BufferStorage] {
            let tensors = try inputs.map { storage -> HostTensor in
                guard case .host(let tensor) = storage else { throw RuntimeError("a device buffer given to the reference backend") }
                return tensor
            }
            return try program.invoke(function: PluginExecutable.entry, inputs: tensors).map { .host($0) }
        }
    }
}

/// The CUDA backend: `main` is compiled for the GPU when JAX compiles (kernels through
/// NVRTC, cuBLASLt/cuDNN calls, host steps for ops with no kernel); buffers live in GPU
/// memory; a run binds the input allocations in place and copies each output into an
/// allocation of its own, so results never pass through the host. Everything goes on one
/// stream: a run is queued and returns, later work is ordered after it by the stream, and
/// the completion queue waits for the device to tell the host when results are ready.
struct CUDABackend: PluginBackend {
    let device: CUDAComputeDevice
    var kind: String { "cuda" }
    var deviceDescription: String { device.name }

    func compile(_ module: Module) throws -> any PluginProgram {
        let executable = try device.compile(module, function: PluginExecutable.entry)
        return GPUProgram(runner: try device.load(executable), queue: device.queue)
    }

    func awaitDevice() throws { try device.queue.synchronize() }

    var allocatorStatistics: AllocatorStatistics? { (device.queue as? CUDAQueue)?.allocator.stats }

    /// Device allocations that fail come back as errors; host steps still run on the
    /// reference backend, whose tensors are bounded by host memory.
    var tensorByteLimit: Int? { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    func store(_ tensor: HostTensor) throws -> BufferStorage {
        let allocation = try device.queue.allocate(byteCount: max(1, tensor.bytes.count))
        do {
            if !tensor.bytes.isEmpty { try device.queue.upload(tensor.bytes, to: allocation.pointer) }
        } catch {
            try? device.queue.deallocate(allocation)
            throw error
        }
        return .device(DeviceTensor(allocation: allocation, queue: device.queue, type: tensor.type))
    }

    struct GPUProgram: PluginProgram {
        let runner: CUDAExecutableRunner
        let queue: any DeviceQueue

        func run(_ inputs: [BufferStorage]) throws -> [BufferStorage] {
            var held: [DeviceTensor] = []
            for input in inputs {
                switch input {
                case .device(let tensor): held.append(tensor)
                case .host(let tensor):
                    let allocation = try queue.allocate(byteCount: max(1, tensor.bytes.count))
                    let staged = DeviceTensor(allocation: allocation, queue: queue, type: tensor.type)
                    if !tensor.bytes.isEmpty { try queue.upload(tensor.bytes, to: allocation.pointer) }
                    held.append(staged)
                }
            }
            let outputs = try runner.invoke(deviceInputs: held.map(\.allocation.pointer))
            let types = runner.executable.outputs.map { runner.executable.buffers[$0].tensorType }
            var results: [BufferStorage] = []
            for (allocation, type) in zip(outputs, types) {
                guard let type else {
                    for allocation in outputs { try? queue.deallocate(allocation) }
                    throw RuntimeError("an output of @\(runner.executable.entry) is not a tensor")
                }
                results.append(.device(DeviceTensor(allocation: allocation, queue: queue, type: type)))
            }
            // Inputs freed now go back to the caching allocator; whatever reuses them is queued
            // on the same stream, after this run.
            withExtendedLifetime(held) {}
            return results
        }
    }
}
