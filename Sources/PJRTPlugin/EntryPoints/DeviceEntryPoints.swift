import CPJRT
import Foundation

// `PJRT_DeviceDescription_*`, `PJRT_Device_*`, `PJRT_Memory_*`. A device's description
// handle is the device's own handle.

func device(_ handle: OpaquePointer?) throws -> PluginDevice {
    try Handle.object(handle, as: PluginDevice.self, "device")
}

func memoryDevice(_ memory: UnsafeMutablePointer<PJRT_Memory>?) throws -> PluginDevice {
    guard let memory, let owner = nvgpu_memory_owner(memory) else { throw PluginFailure.invalidArgument("null memory") }
    return Unmanaged<PluginDevice>.fromOpaque(owner).takeUnretainedValue()
}

@_cdecl("nvgpu_PJRT_DeviceDescription_Id")
func deviceDescriptionId(_ args: UnsafeMutablePointer<PJRT_DeviceDescription_Id_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_DeviceDescription_Id") {
        let a = try arguments(args, "PJRT_DeviceDescription_Id", needed: sizeThrough(\PJRT_DeviceDescription_Id_Args.id))
        a.pointee.id = Int32(try device(a.pointee.device_description).id)
    }
}

@_cdecl("nvgpu_PJRT_DeviceDescription_ProcessIndex")
func deviceDescriptionProcessIndex(_ args: UnsafeMutablePointer<PJRT_DeviceDescription_ProcessIndex_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_DeviceDescription_ProcessIndex") {
        let a = try arguments(args, "PJRT_DeviceDescription_ProcessIndex", needed: sizeThrough(\PJRT_DeviceDescription_ProcessIndex_Args.process_index))
        _ = try device(a.pointee.device_description)
        a.pointee.process_index = 0
    }
}

@_cdecl("nvgpu_PJRT_DeviceDescription_Attributes")
func deviceDescriptionAttributes(_ args: UnsafeMutablePointer<PJRT_DeviceDescription_Attributes_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_DeviceDescription_Attributes") {
        let a = try arguments(args, "PJRT_DeviceDescription_Attributes", needed: sizeThrough(\PJRT_DeviceDescription_Attributes_Args.attributes))
        _ = try device(a.pointee.device_description)
        a.pointee.num_attributes = 0
        a.pointee.attributes = nil
    }
}

@_cdecl("nvgpu_PJRT_DeviceDescription_Kind")
func deviceDescriptionKind(_ args: UnsafeMutablePointer<PJRT_DeviceDescription_Kind_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_DeviceDescription_Kind") {
        let a = try arguments(args, "PJRT_DeviceDescription_Kind", needed: sizeThrough(\PJRT_DeviceDescription_Kind_Args.device_kind_size))
        let owner = try device(a.pointee.device_description)
        let text = owner.storage.string(owner.kind)
        a.pointee.device_kind = text.pointer
        a.pointee.device_kind_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_DeviceDescription_DebugString")
func deviceDescriptionDebugString(_ args: UnsafeMutablePointer<PJRT_DeviceDescription_DebugString_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_DeviceDescription_DebugString") {
        let a = try arguments(args, "PJRT_DeviceDescription_DebugString", needed: sizeThrough(\PJRT_DeviceDescription_DebugString_Args.debug_string_size))
        let owner = try device(a.pointee.device_description)
        let text = owner.storage.string(owner.debugString)
        a.pointee.debug_string = text.pointer
        a.pointee.debug_string_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_DeviceDescription_ToString")
func deviceDescriptionToString(_ args: UnsafeMutablePointer<PJRT_DeviceDescription_ToString_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_DeviceDescription_ToString") {
        let a = try arguments(args, "PJRT_DeviceDescription_ToString", needed: sizeThrough(\PJRT_DeviceDescription_ToString_Args.to_string_size))
        let owner = try device(a.pointee.device_description)
        let text = owner.storage.string(owner.displayString)
        a.pointee.to_string = text.pointer
        a.pointee.to_string_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Device_GetDescription")
func deviceGetDescription(_ args: UnsafeMutablePointer<PJRT_Device_GetDescription_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Device_GetDescription") {
        let a = try arguments(args, "PJRT_Device_GetDescription", needed: sizeThrough(\PJRT_Device_GetDescription_Args.device_description))
        a.pointee.device_description = Handle.unretained(try device(a.pointee.device))
    }
}

@_cdecl("nvgpu_PJRT_Device_IsAddressable")
func deviceIsAddressable(_ args: UnsafeMutablePointer<PJRT_Device_IsAddressable_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Device_IsAddressable") {
        let a = try arguments(args, "PJRT_Device_IsAddressable", needed: sizeThrough(\PJRT_Device_IsAddressable_Args.is_addressable))
        _ = try device(a.pointee.device)
        a.pointee.is_addressable = true
    }
}

@_cdecl("nvgpu_PJRT_Device_LocalHardwareId")
func deviceLocalHardwareId(_ args: UnsafeMutablePointer<PJRT_Device_LocalHardwareId_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Device_LocalHardwareId") {
        let a = try arguments(args, "PJRT_Device_LocalHardwareId", needed: sizeThrough(\PJRT_Device_LocalHardwareId_Args.local_hardware_id))
        a.pointee.local_hardware_id = Int32(try device(a.pointee.device).id)
    }
}

@_cdecl("nvgpu_PJRT_Device_AddressableMemories")
func deviceAddressableMemories(_ args: UnsafeMutablePointer<PJRT_Device_AddressableMemories_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Device_AddressableMemories") {
        let a = try arguments(args, "PJRT_Device_AddressableMemories", needed: sizeThrough(\PJRT_Device_AddressableMemories_Args.num_memories))
        let owner = try device(a.pointee.device)
        a.pointee.memories = UnsafePointer(owner.memoryList)
        a.pointee.num_memories = 1
    }
}

@_cdecl("nvgpu_PJRT_Device_DefaultMemory")
func deviceDefaultMemory(_ args: UnsafeMutablePointer<PJRT_Device_DefaultMemory_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Device_DefaultMemory") {
        let a = try arguments(args, "PJRT_Device_DefaultMemory", needed: sizeThrough(\PJRT_Device_DefaultMemory_Args.memory))
        a.pointee.memory = try device(a.pointee.device).memory
    }
}

@_cdecl("nvgpu_PJRT_Device_MemoryStats")
func deviceMemoryStats(_ args: UnsafeMutablePointer<PJRT_Device_MemoryStats_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Device_MemoryStats") {
        let a = try arguments(args, "PJRT_Device_MemoryStats", needed: sizeThrough(\PJRT_Device_MemoryStats_Args.bytes_in_use))
        guard let client = try device(a.pointee.device).client else {
            throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "the device's client is gone")
        }
        let stats = client.statistics.snapshot
        a.pointee.bytes_in_use = Int64(stats.inUse)
        if let allocator = client.backend.allocatorStatistics {
            // GPU memory as the caching allocator holds it: buffers, executables' arenas, cache.
            a.pointee.bytes_in_use = Int64(allocator.bytesInUse)
            if hasField(a, \PJRT_Device_MemoryStats_Args.bytes_reserved_is_set) {
                a.pointee.bytes_reserved = Int64(allocator.bytesInUse + allocator.bytesCached)
                a.pointee.bytes_reserved_is_set = true
            }
            if hasField(a, \PJRT_Device_MemoryStats_Args.peak_bytes_reserved_is_set) {
                a.pointee.peak_bytes_reserved = Int64(allocator.peakBytesReserved)
                a.pointee.peak_bytes_reserved_is_set = true
            }
        }
        if hasField(a, \PJRT_Device_MemoryStats_Args.peak_bytes_in_use_is_set) {
            a.pointee.peak_bytes_in_use = Int64(stats.peak)
            a.pointee.peak_bytes_in_use_is_set = true
        }
        if hasField(a, \PJRT_Device_MemoryStats_Args.num_allocs_is_set) {
            a.pointee.num_allocs = Int64(stats.allocations)
            a.pointee.num_allocs_is_set = true
        }
        if hasField(a, \PJRT_Device_MemoryStats_Args.largest_alloc_size_is_set) {
            a.pointee.largest_alloc_size = Int64(stats.largest)
            a.pointee.largest_alloc_size_is_set = true
        }
    }
}

@_cdecl("nvgpu_PJRT_Device_ClearMemoryStats")
func deviceClearMemoryStats(_ args: UnsafeMutablePointer<PJRT_Device_ClearMemoryStats_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Device_ClearMemoryStats") {
        let a = try arguments(args, "PJRT_Device_ClearMemoryStats", needed: sizeThrough(\PJRT_Device_ClearMemoryStats_Args.device))
        try device(a.pointee.device).client?.statistics.clearPeak()
    }
}

/// Frees nothing: device attributes are empty.
private let noDeviceAttributes: @convention(c) (OpaquePointer?) -> Void = { _ in }

@_cdecl("nvgpu_PJRT_Device_GetAttributes")
func deviceGetAttributes(_ args: UnsafeMutablePointer<PJRT_Device_GetAttributes_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Device_GetAttributes") {
        let a = try arguments(args, "PJRT_Device_GetAttributes", needed: sizeThrough(\PJRT_Device_GetAttributes_Args.attributes_deleter))
        _ = try device(a.pointee.device)
        a.pointee.attributes = nil
        a.pointee.num_attributes = 0
        a.pointee.device_attributes = nil
        a.pointee.attributes_deleter = noDeviceAttributes
    }
}

@_cdecl("nvgpu_PJRT_Memory_Id")
func memoryId(_ args: UnsafeMutablePointer<PJRT_Memory_Id_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Memory_Id") {
        let a = try arguments(args, "PJRT_Memory_Id", needed: sizeThrough(\PJRT_Memory_Id_Args.id))
        a.pointee.id = Int32(try memoryDevice(a.pointee.memory).id)
    }
}

@_cdecl("nvgpu_PJRT_Memory_Kind")
func memoryKind(_ args: UnsafeMutablePointer<PJRT_Memory_Kind_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Memory_Kind") {
        let a = try arguments(args, "PJRT_Memory_Kind", needed: sizeThrough(\PJRT_Memory_Kind_Args.kind_size))
        let text = try memoryDevice(a.pointee.memory).storage.string(PluginDevice.memoryKind)
        a.pointee.kind = text.pointer
        a.pointee.kind_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Memory_Kind_Id")
func memoryKindId(_ args: UnsafeMutablePointer<PJRT_Memory_Kind_Id_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Memory_Kind_Id") {
        let a = try arguments(args, "PJRT_Memory_Kind_Id", needed: sizeThrough(\PJRT_Memory_Kind_Id_Args.kind_id))
        _ = try memoryDevice(a.pointee.memory)
        a.pointee.kind_id = 0
    }
}

@_cdecl("nvgpu_PJRT_Memory_DebugString")
func memoryDebugString(_ args: UnsafeMutablePointer<PJRT_Memory_DebugString_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Memory_DebugString") {
        let a = try arguments(args, "PJRT_Memory_DebugString", needed: sizeThrough(\PJRT_Memory_DebugString_Args.debug_string_size))
        let owner = try memoryDevice(a.pointee.memory)
        let text = owner.storage.string("nvgpu device memory \(owner.id)")
        a.pointee.debug_string = text.pointer
        a.pointee.debug_string_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Memory_ToString")
func memoryToString(_ args: UnsafeMutablePointer<PJRT_Memory_ToString_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Memory_ToString") {
        let a = try arguments(args, "PJRT_Memory_ToString", needed: sizeThrough(\PJRT_Memory_ToString_Args.to_string_size))
        let owner = try memoryDevice(a.pointee.memory)
        let text = owner.storage.string("NvgpuDeviceMemory(id=\(owner.id))")
        a.pointee.to_string = text.pointer
        a.pointee.to_string_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Memory_AddressableByDevices")
func memoryAddressableByDevices(_ args: UnsafeMutablePointer<PJRT_Memory_AddressableByDevices_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Memory_AddressableByDevices") {
        let a = try arguments(args, "PJRT_Memory_AddressableByDevices", needed: sizeThrough(\PJRT_Memory_AddressableByDevices_Args.num_devices))
        let owner = try memoryDevice(a.pointee.memory)
        a.pointee.devices = UnsafePointer(owner.deviceList)
        a.pointee.num_devices = 1
    }
}
