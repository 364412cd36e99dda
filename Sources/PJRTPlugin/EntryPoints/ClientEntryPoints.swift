import CPJRT
import Foundation
import Runtime
import StableHLO

// `PJRT_Client_*`: creating a client, its devices and memories, compiling, host buffers.

func client(_ handle: OpaquePointer?) throws -> PluginClient {
    try Handle.object(handle, as: PluginClient.self, "client")
}

/// The backend a new client uses: the create option `device`, else `NVGPU_DEVICE`, else auto.
private func deviceChoice(options: UnsafePointer<PJRT_NamedValue>?, count: Int) throws -> DeviceChoice {
    var text = ProcessInfo.processInfo.environment["NVGPU_DEVICE"].flatMap { $0.isEmpty ? nil : $0 }
    if let options {
        for index in 0..<count {
            let option = options[index]
            guard let namePointer = option.name else { continue }
            let name = String(decoding: UnsafeRawBufferPointer(start: namePointer, count: option.name_size), as: UTF8.self)
            if name == "device", option.type == PJRT_NamedValue_kString, let value = option.string_value {
                text = String(decoding: UnsafeRawBufferPointer(start: value, count: option.value_size), as: UTF8.self)
            }
        }
    }
    guard let text else { return .auto }
    guard let choice = DeviceChoice(rawValue: text) else {
        throw PluginFailure.invalidArgument("device '\(text)' is not one of auto, cpu, cuda (NVGPU_DEVICE or the 'device' option)")
    }
    return choice
}

@_cdecl("nvgpu_PJRT_Client_Create")
func clientCreate(_ args: UnsafeMutablePointer<PJRT_Client_Create_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_Create") {
        let a = try arguments(args, "PJRT_Client_Create", needed: sizeThrough(\PJRT_Client_Create_Args.client))
        let choice = try deviceChoice(options: a.pointee.create_options, count: a.pointee.num_options)
        a.pointee.client = Handle.retained(try PluginClient(choice: choice))
    }
}

@_cdecl("nvgpu_PJRT_Client_Destroy")
func clientDestroy(_ args: UnsafeMutablePointer<PJRT_Client_Destroy_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_Destroy") {
        let a = try arguments(args, "PJRT_Client_Destroy", needed: sizeThrough(\PJRT_Client_Destroy_Args.client))
        Handle.release(a.pointee.client, as: PluginClient.self)
    }
}

@_cdecl("nvgpu_PJRT_Client_PlatformName")
func clientPlatformName(_ args: UnsafeMutablePointer<PJRT_Client_PlatformName_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_PlatformName") {
        let a = try arguments(args, "PJRT_Client_PlatformName", needed: sizeThrough(\PJRT_Client_PlatformName_Args.platform_name_size))
        let text = try client(a.pointee.client).storage.string(PluginClient.platformName)
        a.pointee.platform_name = text.pointer
        a.pointee.platform_name_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Client_ProcessIndex")
func clientProcessIndex(_ args: UnsafeMutablePointer<PJRT_Client_ProcessIndex_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_ProcessIndex") {
        let a = try arguments(args, "PJRT_Client_ProcessIndex", needed: sizeThrough(\PJRT_Client_ProcessIndex_Args.process_index))
        _ = try client(a.pointee.client)
        a.pointee.process_index = 0
    }
}

@_cdecl("nvgpu_PJRT_Client_PlatformVersion")
func clientPlatformVersion(_ args: UnsafeMutablePointer<PJRT_Client_PlatformVersion_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_PlatformVersion") {
        let a = try arguments(args, "PJRT_Client_PlatformVersion", needed: sizeThrough(\PJRT_Client_PlatformVersion_Args.platform_version_size))
        let owner = try client(a.pointee.client)
        let text = owner.storage.string(owner.platformVersion)
        a.pointee.platform_version = text.pointer
        a.pointee.platform_version_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Client_Devices")
func clientDevices(_ args: UnsafeMutablePointer<PJRT_Client_Devices_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_Devices") {
        let a = try arguments(args, "PJRT_Client_Devices", needed: sizeThrough(\PJRT_Client_Devices_Args.num_devices))
        let owner = try client(a.pointee.client)
        a.pointee.devices = UnsafePointer(owner.deviceHandles)
        a.pointee.num_devices = owner.devices.count
    }
}

@_cdecl("nvgpu_PJRT_Client_AddressableDevices")
func clientAddressableDevices(_ args: UnsafeMutablePointer<PJRT_Client_AddressableDevices_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_AddressableDevices") {
        let a = try arguments(args, "PJRT_Client_AddressableDevices", needed: sizeThrough(\PJRT_Client_AddressableDevices_Args.num_addressable_devices))
        let owner = try client(a.pointee.client)
        a.pointee.addressable_devices = UnsafePointer(owner.deviceHandles)
        a.pointee.num_addressable_devices = owner.devices.count
    }
}

@_cdecl("nvgpu_PJRT_Client_LookupDevice")
func clientLookupDevice(_ args: UnsafeMutablePointer<PJRT_Client_LookupDevice_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_LookupDevice") {
        let a = try arguments(args, "PJRT_Client_LookupDevice", needed: sizeThrough(\PJRT_Client_LookupDevice_Args.device))
        let owner = try client(a.pointee.client)
        guard let device = owner.devices.first(where: { $0.id == Int(a.pointee.id) }) else {
            throw PluginFailure(PJRT_Error_Code_NOT_FOUND, "no device with id \(a.pointee.id)")
        }
        a.pointee.device = Handle.unretained(device)
    }
}

@_cdecl("nvgpu_PJRT_Client_LookupAddressableDevice")
func clientLookupAddressableDevice(_ args: UnsafeMutablePointer<PJRT_Client_LookupAddressableDevice_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_LookupAddressableDevice") {
        let a = try arguments(args, "PJRT_Client_LookupAddressableDevice", needed: sizeThrough(\PJRT_Client_LookupAddressableDevice_Args.addressable_device))
        let owner = try client(a.pointee.client)
        guard let device = owner.devices.first(where: { $0.id == Int(a.pointee.local_hardware_id) }) else {
            throw PluginFailure(PJRT_Error_Code_NOT_FOUND, "no addressable device with local hardware id \(a.pointee.local_hardware_id)")
        }
        a.pointee.addressable_device = Handle.unretained(device)
    }
}

@_cdecl("nvgpu_PJRT_Client_AddressableMemories")
func clientAddressableMemories(_ args: UnsafeMutablePointer<PJRT_Client_AddressableMemories_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_AddressableMemories") {
        let a = try arguments(args, "PJRT_Client_AddressableMemories", needed: sizeThrough(\PJRT_Client_AddressableMemories_Args.num_addressable_memories))
        let owner = try client(a.pointee.client)
        a.pointee.addressable_memories = UnsafePointer(owner.memoryHandles)
        a.pointee.num_addressable_memories = owner.devices.count
    }
}

@_cdecl("nvgpu_PJRT_Client_Compile")
func clientCompile(_ args: UnsafeMutablePointer<PJRT_Client_Compile_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_Compile") {
        let a = try arguments(args, "PJRT_Client_Compile", needed: sizeThrough(\PJRT_Client_Compile_Args.executable))
        let owner = try client(a.pointee.client)
        guard let program = a.pointee.program else { throw PluginFailure.invalidArgument("null program") }
        let format = program.pointee.format.map {
            String(decoding: UnsafeRawBufferPointer(start: $0, count: program.pointee.format_size), as: UTF8.self)
        } ?? ""
        guard format == "mlir" else {
            throw PluginFailure.invalidArgument("program format '\(format)' is not supported; the nvgpu plugin compiles 'mlir' (StableHLO)")
        }
        guard let code = program.pointee.code, program.pointee.code_size > 0 else { throw PluginFailure.invalidArgument("empty program") }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: code, count: program.pointee.code_size))
        let options = a.pointee.compile_options.map {
            [UInt8](UnsafeRawBufferPointer(start: $0, count: a.pointee.compile_options_size))
        } ?? []
        let executable = try PluginExecutable(client: owner, programBytes: bytes, optionBytes: options)
        a.pointee.executable = Handle.retained(ExecutableHandle(executable))
    }
}

@_cdecl("nvgpu_PJRT_Client_DefaultDeviceAssignment")
func clientDefaultDeviceAssignment(_ args: UnsafeMutablePointer<PJRT_Client_DefaultDeviceAssignment_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_DefaultDeviceAssignment") {
        let a = try arguments(args, "PJRT_Client_DefaultDeviceAssignment", needed: sizeThrough(\PJRT_Client_DefaultDeviceAssignment_Args.default_assignment))
        let owner = try client(a.pointee.client)
        let count = Int(a.pointee.num_replicas) * Int(a.pointee.num_partitions)
        guard count >= 1, count <= owner.devices.count else {
            throw PluginFailure.invalidArgument(
                "\(a.pointee.num_replicas) replicas × \(a.pointee.num_partitions) partitions need \(count) devices; the nvgpu client has \(owner.devices.count)")
        }
        guard let assignment = a.pointee.default_assignment, a.pointee.default_assignment_size >= count else {
            throw PluginFailure.invalidArgument("default_assignment holds \(a.pointee.default_assignment_size) entries, \(count) needed")
        }
        for index in 0..<count { assignment[index] = Int32(owner.devices[index].id) }
    }
}

/// The dense row-major contents of a host array with optional byte strides.
private func hostTensor(data: UnsafeRawPointer?, type: TensorType, strides: UnsafePointer<Int64>?, strideCount: Int) throws -> HostTensor {
    let elementSize = type.elementType.storageBytes
    let count = type.elementCount
    guard count == 0 || data != nil else { throw PluginFailure.invalidArgument("null host data for \(type)") }
    guard let data, count > 0 else { return HostTensor(type: type, bytes: []) }
    var byteStrides = StridedCopy.denseStrides(type.shape, elementSize: elementSize)
    if let strides, strideCount > 0 {
        guard strideCount == type.shape.count else {
            throw PluginFailure.invalidArgument("\(strideCount) byte strides for a rank-\(type.shape.count) array")
        }
        byteStrides = (0..<strideCount).map { Int(strides[$0]) }
        guard StridedCopy.span(shape: type.shape, byteStrides: byteStrides, elementSize: elementSize) != nil else {
            throw PluginFailure.invalidArgument("byte strides \(byteStrides) for \(type) overflow")
        }
    }
    if byteStrides == StridedCopy.denseStrides(type.shape, elementSize: elementSize) {
        return HostTensor(type: type, bytes: [UInt8](UnsafeRawBufferPointer(start: data, count: count * elementSize)))
    }
    return HostTensor(type: type, bytes: StridedCopy.gather(from: data, shape: type.shape, byteStrides: byteStrides, elementSize: elementSize))
}

/// The tensor type a buffer call describes.
func tensorType(dims: UnsafePointer<Int64>?, count: Int, type: PJRT_Buffer_Type) throws -> TensorType {
    guard count == 0 || dims != nil else { throw PluginFailure.invalidArgument("null dims") }
    var shape: [Int] = []
    var elements = 1
    for index in 0..<count {
        let dim = dims.map { Int($0[index]) } ?? 0
        guard dim >= 0 else { throw PluginFailure.invalidArgument("negative dimension \(dim)") }
        let (product, overflow) = elements.multipliedReportingOverflow(by: max(dim, 1))
        guard !overflow, product < (1 << 40) else { throw PluginFailure(PJRT_Error_Code_RESOURCE_EXHAUSTED, "an array of shape \(shape + [dim]) is too large") }
        elements = product
        shape.append(dim)
    }
    return TensorType(shape: shape, elementType: try BufferTypes.elementType(type))
}

@_cdecl("nvgpu_PJRT_Client_BufferFromHostBuffer")
func clientBufferFromHostBuffer(_ args: UnsafeMutablePointer<PJRT_Client_BufferFromHostBuffer_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_BufferFromHostBuffer") {
        let a = try arguments(args, "PJRT_Client_BufferFromHostBuffer", needed: sizeThrough(\PJRT_Client_BufferFromHostBuffer_Args.buffer))
        let owner = try client(a.pointee.client)
        let device = try owner.device(memory: a.pointee.memory) ?? owner.device(a.pointee.device)
        let type = try tensorType(dims: a.pointee.dims, count: a.pointee.num_dims, type: a.pointee.type)
        // The data is copied before returning, so the host buffer is free as soon as we are.
        let tensor = try hostTensor(data: a.pointee.data, type: type, strides: a.pointee.byte_strides,
                                    strideCount: a.pointee.num_byte_strides)
        let contents = PluginFuture<BufferStorage>()
        owner.enqueue(into: contents) { try owner.backend.store(tensor) }
        let buffer = try PluginBuffer(device: device, type: type, contents: contents)
        a.pointee.done_with_host_buffer = Handle.retained(PluginEvent.completed())
        a.pointee.buffer = Handle.retained(buffer)
    }
}

@_cdecl("nvgpu_PJRT_Client_CreateUninitializedBuffer")
func clientCreateUninitializedBuffer(_ args: UnsafeMutablePointer<PJRT_Client_CreateUninitializedBuffer_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_CreateUninitializedBuffer") {
        let a = try arguments(args, "PJRT_Client_CreateUninitializedBuffer", needed: sizeThrough(\PJRT_Client_CreateUninitializedBuffer_Args.buffer))
        let owner = try client(a.pointee.client)
        let device = try owner.device(memory: a.pointee.memory) ?? owner.device(a.pointee.device)
        let type = try tensorType(dims: a.pointee.shape_dims, count: a.pointee.shape_num_dims, type: a.pointee.shape_element_type)
        let zeros = HostTensor(type: type, bytes: [UInt8](repeating: 0, count: type.elementCount * type.elementType.storageBytes))
        let contents = PluginFuture<BufferStorage>()
        owner.enqueue(into: contents) { try owner.backend.store(zeros) }
        a.pointee.buffer = Handle.retained(try PluginBuffer(device: device, type: type, contents: contents))
    }
}

@_cdecl("nvgpu_PJRT_Client_CreateErrorBuffer")
func clientCreateErrorBuffer(_ args: UnsafeMutablePointer<PJRT_Client_CreateErrorBuffer_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Client_CreateErrorBuffer") {
        let a = try arguments(args, "PJRT_Client_CreateErrorBuffer", needed: sizeThrough(\PJRT_Client_CreateErrorBuffer_Args.buffer))
        let owner = try client(a.pointee.client)
        let device = try owner.device(memory: a.pointee.memory) ?? owner.devices[0]
        let type = try tensorType(dims: a.pointee.shape_dims, count: a.pointee.shape_num_dims, type: a.pointee.shape_element_type)
        let message = a.pointee.error_message.map {
            String(decoding: UnsafeRawBufferPointer(start: $0, count: a.pointee.error_message_size), as: UTF8.self)
        } ?? "error buffer"
        let contents = PluginFuture<BufferStorage>()
        contents.fail(PluginFailure(a.pointee.error_code, message))
        a.pointee.buffer = Handle.retained(try PluginBuffer(device: device, type: type, contents: contents))
    }
}
