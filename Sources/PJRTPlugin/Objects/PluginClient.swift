import CPJRT
import CUDARuntime
import Driver
import Foundation
import Runtime

/// A `PJRT_Client`: the devices, their memories and the backend programs compile for.
///
/// The backend is chosen when the client is created: `NVGPU_DEVICE` (or the create option
/// `device`) says `cuda`, `cpu` or `auto` (the default: the GPU when a driver and a device
/// are there, else the CPU reference backend).
final class PluginClient: @unchecked Sendable {
    /// Where programs run and buffers live.
    let backend: any PluginBackend
    /// `cuda` or `cpu`: what `backend` is.
    var backendKind: String { backend.kind }
    let devices: [PluginDevice]
    let storage = CStorage()
    /// Work runs here, in submission order, off the caller's thread (a thread with a
    /// 16 MiB stack, not a dispatch queue's 512 KiB worker).
    let queue = SerialWorkThread(name: "openxla-nvgpu.pjrt.execute")
    /// Waits for the device after each run and completes the events the host sees (their
    /// callbacks, the caller's code, run on this thread: a large stack too).
    let completions = SerialWorkThread(name: "openxla-nvgpu.pjrt.completion")
    let statistics = MemoryStatistics()

    private(set) var deviceHandles: UnsafeMutablePointer<OpaquePointer?>
    private(set) var memoryHandles: UnsafeMutablePointer<UnsafeMutablePointer<PJRT_Memory>?>

    /// The platform name JAX sees (`jax.devices("nvgpu")`).
    static let platformName = "nvgpu"

    init(choice: DeviceChoice) throws {
        let device = try DeviceSelection.device(for: choice)
        if let gpu = device as? CUDAComputeDevice {
            backend = CUDABackend(device: gpu)
        } else {
            backend = ReferenceBackend(device: device)
        }
        devices = [PluginDevice(id: 0, kind: backend.deviceDescription, backendKind: backend.kind)]
        deviceHandles = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: devices.count)
        memoryHandles = UnsafeMutablePointer<UnsafeMutablePointer<PJRT_Memory>?>.allocate(capacity: devices.count)
        for (index, device) in devices.enumerated() {
            device.client = self
            device.publishLists()
            deviceHandles[index] = Handle.unretained(device)
            memoryHandles[index] = device.memory
        }
    }

    deinit {
        deviceHandles.deallocate()
        memoryHandles.deallocate()
    }

    /// The device a call names, or the first one.
    func device(_ handle: OpaquePointer?) throws -> PluginDevice {
        guard let handle else { return devices[0] }
        let device = try Handle.object(handle, as: PluginDevice.self, "device")
        guard devices.contains(where: { $0 === device }) else { throw PluginFailure.invalidArgument("the device belongs to another client") }
        return device
    }

    /// The device whose memory a call names.
    func device(memory: UnsafeMutablePointer<PJRT_Memory>?) throws -> PluginDevice? {
        guard let memory else { return nil }
        guard let owner = nvgpu_memory_owner(memory) else { throw PluginFailure.invalidArgument("memory without an owner") }
        return try device(OpaquePointer(owner))
    }

    /// Runs `work` on the work queue and hands its result to `future`.
    func enqueue<Value: Sendable>(into future: PluginFuture<Value>, _ work: @escaping @Sendable () throws -> Value) {
        queue.async {
            do {
                future.fulfil(try work())
            } catch {
                future.fail(error as? PluginFailure ?? PluginFailure(PJRT_Error_Code_INTERNAL, "\(error)"))
            }
        }
    }

    /// `PJRT_Client_PlatformVersion`: the plugin version and the backend.
    var platformVersion: String { "openxla-nvgpu \(PluginVersion.current) (\(backendKind))" }
}

/// One `PJRT_Device` (with its description) and its one memory space, `device`.
final class PluginDevice: @unchecked Sendable {
    let id: Int
    let kind: String
    let backendKind: String
    weak var client: PluginClient?
    let storage = CStorage()
    /// The device's memory (a C object whose first word is the memory vtable).
    private(set) var memory: UnsafeMutablePointer<PJRT_Memory>?

    init(id: Int, kind: String, backendKind: String) {
        self.id = id
        self.kind = kind
        self.backendKind = backendKind
        memory = nvgpu_memory_create(Unmanaged.passUnretained(self).toOpaque())
    }

    /// `[memory]` and `[self]` as C arrays, for `AddressableMemories`/`AddressableByDevices`
    /// (made once, when the client is created).
    private(set) var memoryList: UnsafeMutablePointer<UnsafeMutablePointer<PJRT_Memory>?>?
    private(set) var deviceList: UnsafeMutablePointer<OpaquePointer?>?

    func publishLists() {
        memoryList = storage.array([memory])
        deviceList = storage.array([Optional(Handle.unretained(self))])
    }

    deinit { nvgpu_memory_free(memory) }

    var debugString: String { "nvgpu:\(id) (\(kind))" }
    var displayString: String { "NvgpuDevice(id=\(id), backend=\(backendKind))" }
    static let memoryKind = "device"
}

/// Bytes held by live buffers, for `PJRT_Device_MemoryStats`.
final class MemoryStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var inUse = 0
    private var peak = 0
    private var allocations = 0
    private var largest = 0

    func allocated(_ bytes: Int) {
        lock.lock()
        inUse += bytes
        allocations += 1
        peak = max(peak, inUse)
        largest = max(largest, bytes)
        lock.unlock()
    }

    func freed(_ bytes: Int) {
        lock.lock()
        inUse -= bytes
        lock.unlock()
    }

    func clearPeak() {
        lock.lock()
        peak = inUse
        lock.unlock()
    }

    var snapshot: (inUse: Int, peak: Int, allocations: Int, largest: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (inUse, peak, allocations, largest)
    }
}

/// The plugin's version, as the Python package states it.
enum PluginVersion {
    static let current = "0.1.0"
    /// The StableHLO version stated in `Plugin_Attributes`: JAX serializes programs at the
    /// smaller of its own and this one.
    static let stablehloCurrent: [Int64] = [1, 17, 0]
    /// The oldest StableHLO portable artifact the bytecode reader accepts.
    static let stablehloMinimum: [Int64] = [1, 0, 0]
}
