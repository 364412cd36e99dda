import CPJRT
import Foundation
import Runtime

// `PJRT_Buffer_*`: buffer queries, deletion, copies, reading back to the host.

func buffer(_ handle: OpaquePointer?) throws -> PluginBuffer {
    try Handle.object(handle, as: PluginBuffer.self, "buffer")
}

@_cdecl("nvgpu_PJRT_Buffer_Destroy")
func bufferDestroy(_ args: UnsafeMutablePointer<PJRT_Buffer_Destroy_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_Destroy") {
        let a = try arguments(args, "PJRT_Buffer_Destroy", needed: sizeThrough(\PJRT_Buffer_Destroy_Args.buffer))
        Handle.release(a.pointee.buffer, as: PluginBuffer.self)
    }
}

@_cdecl("nvgpu_PJRT_Buffer_ElementType")
func bufferElementType(_ args: UnsafeMutablePointer<PJRT_Buffer_ElementType_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_ElementType") {
        let a = try arguments(args, "PJRT_Buffer_ElementType", needed: sizeThrough(\PJRT_Buffer_ElementType_Args.type))
        a.pointee.type = try buffer(a.pointee.buffer).bufferType
    }
}

@_cdecl("nvgpu_PJRT_Buffer_Dimensions")
func bufferDimensions(_ args: UnsafeMutablePointer<PJRT_Buffer_Dimensions_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_Dimensions") {
        let a = try arguments(args, "PJRT_Buffer_Dimensions", needed: sizeThrough(\PJRT_Buffer_Dimensions_Args.num_dims))
        let owner = try buffer(a.pointee.buffer)
        a.pointee.dims = UnsafePointer(owner.dimensions)
        a.pointee.num_dims = owner.type.shape.count
    }
}

@_cdecl("nvgpu_PJRT_Buffer_UnpaddedDimensions")
func bufferUnpaddedDimensions(_ args: UnsafeMutablePointer<PJRT_Buffer_UnpaddedDimensions_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_UnpaddedDimensions") {
        let a = try arguments(args, "PJRT_Buffer_UnpaddedDimensions", needed: sizeThrough(\PJRT_Buffer_UnpaddedDimensions_Args.num_dims))
        let owner = try buffer(a.pointee.buffer)
        a.pointee.unpadded_dims = UnsafePointer(owner.dimensions)
        a.pointee.num_dims = owner.type.shape.count
    }
}

@_cdecl("nvgpu_PJRT_Buffer_DynamicDimensionIndices")
func bufferDynamicDimensionIndices(_ args: UnsafeMutablePointer<PJRT_Buffer_DynamicDimensionIndices_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_DynamicDimensionIndices") {
        let a = try arguments(args, "PJRT_Buffer_DynamicDimensionIndices", needed: sizeThrough(\PJRT_Buffer_DynamicDimensionIndices_Args.num_dynamic_dims))
        _ = try buffer(a.pointee.buffer)
        a.pointee.dynamic_dim_indices = nil
        a.pointee.num_dynamic_dims = 0
    }
}

@_cdecl("nvgpu_PJRT_Buffer_GetMemoryLayout")
func bufferGetMemoryLayout(_ args: UnsafeMutablePointer<PJRT_Buffer_GetMemoryLayout_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_GetMemoryLayout") {
        let a = try arguments(args, "PJRT_Buffer_GetMemoryLayout", needed: sizeThrough(\PJRT_Buffer_GetMemoryLayout_Args.layout))
        let owner = try buffer(a.pointee.buffer)
        var layout = PJRT_Buffer_MemoryLayout()
        layout.struct_size = PJRT_Buffer_MemoryLayout_STRUCT_SIZE
        layout.type = PJRT_Buffer_MemoryLayout_Type_Tiled
        layout.tiled.struct_size = PJRT_Buffer_MemoryLayout_Tiled_STRUCT_SIZE
        layout.tiled.minor_to_major = UnsafePointer(owner.minorToMajor)
        layout.tiled.minor_to_major_size = owner.type.shape.count
        layout.tiled.tile_dims = nil
        layout.tiled.tile_dim_sizes = nil
        layout.tiled.num_tiles = 0
        a.pointee.layout = layout
    }
}

@_cdecl("nvgpu_PJRT_Buffer_OnDeviceSizeInBytes")
func bufferOnDeviceSizeInBytes(_ args: UnsafeMutablePointer<PJRT_Buffer_OnDeviceSizeInBytes_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_OnDeviceSizeInBytes") {
        let a = try arguments(args, "PJRT_Buffer_OnDeviceSizeInBytes", needed: sizeThrough(\PJRT_Buffer_OnDeviceSizeInBytes_Args.on_device_size_in_bytes))
        a.pointee.on_device_size_in_bytes = try buffer(a.pointee.buffer).byteCount
    }
}

@_cdecl("nvgpu_PJRT_Buffer_Device")
func bufferDevice(_ args: UnsafeMutablePointer<PJRT_Buffer_Device_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_Device") {
        let a = try arguments(args, "PJRT_Buffer_Device", needed: sizeThrough(\PJRT_Buffer_Device_Args.device))
        a.pointee.device = Handle.unretained(try buffer(a.pointee.buffer).device)
    }
}

@_cdecl("nvgpu_PJRT_Buffer_Memory")
func bufferMemory(_ args: UnsafeMutablePointer<PJRT_Buffer_Memory_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_Memory") {
        let a = try arguments(args, "PJRT_Buffer_Memory", needed: sizeThrough(\PJRT_Buffer_Memory_Args.memory))
        a.pointee.memory = try buffer(a.pointee.buffer).device.memory
    }
}

@_cdecl("nvgpu_PJRT_Buffer_Delete")
func bufferDelete(_ args: UnsafeMutablePointer<PJRT_Buffer_Delete_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_Delete") {
        let a = try arguments(args, "PJRT_Buffer_Delete", needed: sizeThrough(\PJRT_Buffer_Delete_Args.buffer))
        try buffer(a.pointee.buffer).delete()
    }
}

@_cdecl("nvgpu_PJRT_Buffer_IsDeleted")
func bufferIsDeleted(_ args: UnsafeMutablePointer<PJRT_Buffer_IsDeleted_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_IsDeleted") {
        let a = try arguments(args, "PJRT_Buffer_IsDeleted", needed: sizeThrough(\PJRT_Buffer_IsDeleted_Args.is_deleted))
        a.pointee.is_deleted = try buffer(a.pointee.buffer).isDeleted
    }
}

/// A new buffer on `device` holding `source`'s contents once they are ready.
private func copy(_ source: PluginBuffer, to device: PluginDevice) throws -> PluginBuffer {
    let sourceContents = try source.liveContents()
    // One device: the copy shares the (immutable) storage.
    let contents = PluginFuture<BufferStorage>()
    let ready = PluginEvent()
    source.ready.onReady { ready.complete($0) }
    let copy = try PluginBuffer(device: device, type: source.type, contents: contents, ready: ready)
    sourceContents.event.onReady { failure in
        if let failure {
            contents.fail(failure)
        } else {
            do { contents.fulfil(try sourceContents.get()) } catch { contents.fail(PluginFailure(PJRT_Error_Code_INTERNAL, "\(error)")) }
        }
    }
    return copy
}

@_cdecl("nvgpu_PJRT_Buffer_CopyToDevice")
func bufferCopyToDevice(_ args: UnsafeMutablePointer<PJRT_Buffer_CopyToDevice_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_CopyToDevice") {
        let a = try arguments(args, "PJRT_Buffer_CopyToDevice", needed: sizeThrough(\PJRT_Buffer_CopyToDevice_Args.dst_buffer))
        let source = try buffer(a.pointee.buffer)
        let target = a.pointee.dst_device == nil ? source.device : try device(a.pointee.dst_device)
        a.pointee.dst_buffer = Handle.retained(try copy(source, to: target))
    }
}

@_cdecl("nvgpu_PJRT_Buffer_CopyToMemory")
func bufferCopyToMemory(_ args: UnsafeMutablePointer<PJRT_Buffer_CopyToMemory_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_CopyToMemory") {
        let a = try arguments(args, "PJRT_Buffer_CopyToMemory", needed: sizeThrough(\PJRT_Buffer_CopyToMemory_Args.dst_buffer))
        let source = try buffer(a.pointee.buffer)
        let target = a.pointee.dst_memory == nil ? source.device : try memoryDevice(a.pointee.dst_memory)
        a.pointee.dst_buffer = Handle.retained(try copy(source, to: target))
    }
}

/// Carries a caller's destination pointer into the completion closure.
private struct HostDestination: @unchecked Sendable {
    var pointer: UnsafeMutableRawPointer
    var strides: [Int]
}

@_cdecl("nvgpu_PJRT_Buffer_ToHostBuffer")
func bufferToHostBuffer(_ args: UnsafeMutablePointer<PJRT_Buffer_ToHostBuffer_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_ToHostBuffer") {
        let a = try arguments(args, "PJRT_Buffer_ToHostBuffer", needed: sizeThrough(\PJRT_Buffer_ToHostBuffer_Args.event))
        let source = try buffer(a.pointee.src)
        guard !source.isDeleted else { throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "the buffer was deleted") }
        let elementSize = source.type.elementType.storageBytes
        guard let dst = a.pointee.dst else {
            a.pointee.dst_size = source.byteCount
            return
        }
        guard a.pointee.dst_size >= source.byteCount else {
            throw PluginFailure.invalidArgument("dst holds \(a.pointee.dst_size) bytes, the buffer \(source.byteCount)")
        }
        var strides = StridedCopy.denseStrides(source.type.shape, elementSize: elementSize)
        if let layout = a.pointee.host_layout {
            switch layout.pointee.type {
            case PJRT_Buffer_MemoryLayout_Type_Strides:
                let given = layout.pointee.strides
                guard given.num_byte_strides == source.type.shape.count, let values = given.byte_strides else {
                    throw PluginFailure.invalidArgument("host layout has \(given.num_byte_strides) strides for rank \(source.type.shape.count)")
                }
                strides = (0..<given.num_byte_strides).map { Int(values[$0]) }
            default:
                let tiled = layout.pointee.tiled
                guard tiled.num_tiles == 0 else { throw PluginFailure.unimplemented("tiled host layouts are not supported") }
                if tiled.minor_to_major_size == source.type.shape.count, let order = tiled.minor_to_major {
                    let minorToMajor = (0..<tiled.minor_to_major_size).map { Int(order[$0]) }
                    guard Set(minorToMajor) == Set(0..<source.type.shape.count) else {
                        throw PluginFailure.invalidArgument("host layout minor_to_major \(minorToMajor) is not a permutation")
                    }
                    strides = StridedCopy.strides(minorToMajor: minorToMajor, shape: source.type.shape, elementSize: elementSize)
                }
            }
        }
        guard let span = StridedCopy.span(shape: source.type.shape, byteStrides: strides, elementSize: elementSize),
              span.lowest >= 0, span.end <= a.pointee.dst_size else {
            throw PluginFailure.invalidArgument("host layout strides \(strides) reach past the \(a.pointee.dst_size)-byte dst")
        }
        let destination = HostDestination(pointer: dst, strides: strides)
        let done = PluginEvent()
        let dense = strides == StridedCopy.denseStrides(source.type.shape, elementSize: elementSize)
        guard let client = source.device.client else { throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "the buffer's client is gone") }
        let sourceContents = try source.liveContents()
        let tensor = PluginFuture<HostTensor>()
        source.ready.onReady { failure in
            if let failure { return tensor.fail(failure) }
            client.enqueue(into: tensor) { try client.backend.hostTensor(try sourceContents.get()) }
        }
        tensor.event.onReady { failure in
            if let failure {
                done.complete(failure)
                return
            }
            do {
                let tensor = try tensor.get()
                if dense {
                    tensor.bytes.withUnsafeBytes { bytes in
                        if let base = bytes.baseAddress { destination.pointer.copyMemory(from: base, byteCount: bytes.count) }
                    }
                } else {
                    StridedCopy.scatter(tensor.bytes, to: destination.pointer, shape: tensor.type.shape,
                                        byteStrides: destination.strides, elementSize: elementSize)
                }
                done.complete()
            } catch {
                done.complete(PluginFailure(PJRT_Error_Code_INTERNAL, "\(error)"))
            }
        }
        a.pointee.event = Handle.retained(done)
    }
}

@_cdecl("nvgpu_PJRT_Buffer_CopyRawToHost")
func bufferCopyRawToHost(_ args: UnsafeMutablePointer<PJRT_Buffer_CopyRawToHost_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_CopyRawToHost") {
        let a = try arguments(args, "PJRT_Buffer_CopyRawToHost", needed: sizeThrough(\PJRT_Buffer_CopyRawToHost_Args.event))
        let source = try buffer(a.pointee.buffer)
        let offset = Int(a.pointee.offset), size = Int(a.pointee.transfer_size)
        guard offset >= 0, size >= 0, offset + size <= source.byteCount, let dst = a.pointee.dst else {
            throw PluginFailure.invalidArgument("bytes \(offset)..<\(offset + size) are outside the \(source.byteCount)-byte buffer")
        }
        let destination = HostDestination(pointer: dst, strides: [])
        let done = PluginEvent()
        guard let client = source.device.client else { throw PluginFailure(PJRT_Error_Code_FAILED_PRECONDITION, "the buffer's client is gone") }
        let sourceContents = try source.liveContents()
        let tensor = PluginFuture<HostTensor>()
        source.ready.onReady { failure in
            if let failure { return tensor.fail(failure) }
            client.enqueue(into: tensor) { try client.backend.hostTensor(try sourceContents.get()) }
        }
        tensor.event.onReady { failure in
            if let failure { return done.complete(failure) }
            do {
                let tensor = try tensor.get()
                tensor.bytes.withUnsafeBytes { bytes in
                    if let base = bytes.baseAddress { destination.pointer.copyMemory(from: base + offset, byteCount: size) }
                }
                done.complete()
            } catch {
                done.complete(PluginFailure(PJRT_Error_Code_INTERNAL, "\(error)"))
            }
        }
        a.pointee.event = Handle.retained(done)
    }
}

@_cdecl("nvgpu_PJRT_Buffer_IsOnCpu")
func bufferIsOnCpu(_ args: UnsafeMutablePointer<PJRT_Buffer_IsOnCpu_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_IsOnCpu") {
        let a = try arguments(args, "PJRT_Buffer_IsOnCpu", needed: sizeThrough(\PJRT_Buffer_IsOnCpu_Args.is_on_cpu))
        _ = try buffer(a.pointee.buffer)
        // Contents are reached only through ToHostBuffer, never by pointer.
        a.pointee.is_on_cpu = false
    }
}

@_cdecl("nvgpu_PJRT_Buffer_ReadyEvent")
func bufferReadyEvent(_ args: UnsafeMutablePointer<PJRT_Buffer_ReadyEvent_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_ReadyEvent") {
        let a = try arguments(args, "PJRT_Buffer_ReadyEvent", needed: sizeThrough(\PJRT_Buffer_ReadyEvent_Args.event))
        let source = try buffer(a.pointee.buffer)
        let ready = PluginEvent()
        source.ready.onReady { ready.complete($0) }
        a.pointee.event = Handle.retained(ready)
    }
}

@_cdecl("nvgpu_PJRT_Buffer_IncreaseExternalReferenceCount")
func bufferIncreaseExternalReferenceCount(_ args: UnsafeMutablePointer<PJRT_Buffer_IncreaseExternalReferenceCount_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_IncreaseExternalReferenceCount") {
        let a = try arguments(args, "PJRT_Buffer_IncreaseExternalReferenceCount", needed: sizeThrough(\PJRT_Buffer_IncreaseExternalReferenceCount_Args.buffer))
        try buffer(a.pointee.buffer).retainExternally()
    }
}

@_cdecl("nvgpu_PJRT_Buffer_DecreaseExternalReferenceCount")
func bufferDecreaseExternalReferenceCount(_ args: UnsafeMutablePointer<PJRT_Buffer_DecreaseExternalReferenceCount_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Buffer_DecreaseExternalReferenceCount") {
        let a = try arguments(args, "PJRT_Buffer_DecreaseExternalReferenceCount", needed: sizeThrough(\PJRT_Buffer_DecreaseExternalReferenceCount_Args.buffer))
        try buffer(a.pointee.buffer).releaseExternally()
    }
}
