import CPJRT
import Foundation
import StableHLO

// `PJRT_Executable_*` and `PJRT_LoadedExecutable_*`: what was compiled, running it, and
// serializing it for JAX's persistent compilation cache.

func executable(_ handle: OpaquePointer?) throws -> PluginExecutable {
    try Handle.object(handle, as: ExecutableHandle.self, "executable").executable
}

/// Owned bytes handed out with a deleter (serialized executables, compile options, device
/// assignments).
private final class OwnedBytes {
    let pointer: UnsafeMutablePointer<CChar>
    let count: Int
    init(_ bytes: [UInt8]) {
        count = bytes.count
        pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: raw.count) }
        }
    }
    deinit { pointer.deallocate() }
}

private let releaseOwnedBytes: @convention(c) (OpaquePointer?) -> Void = { handle in
    Handle.release(handle, as: OwnedBytes.self)
}

@_cdecl("nvgpu_PJRT_Executable_Destroy")
func executableDestroy(_ args: UnsafeMutablePointer<PJRT_Executable_Destroy_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_Destroy") {
        let a = try arguments(args, "PJRT_Executable_Destroy", needed: sizeThrough(\PJRT_Executable_Destroy_Args.executable))
        Handle.release(a.pointee.executable, as: ExecutableHandle.self)
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_Destroy")
func loadedExecutableDestroy(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_Destroy_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_Destroy") {
        let a = try arguments(args, "PJRT_LoadedExecutable_Destroy", needed: sizeThrough(\PJRT_LoadedExecutable_Destroy_Args.executable))
        Handle.release(a.pointee.executable, as: ExecutableHandle.self)
    }
}

@_cdecl("nvgpu_PJRT_Executable_Name")
func executableName(_ args: UnsafeMutablePointer<PJRT_Executable_Name_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_Name") {
        let a = try arguments(args, "PJRT_Executable_Name", needed: sizeThrough(\PJRT_Executable_Name_Args.executable_name_size))
        let owner = try executable(a.pointee.executable)
        let text = owner.storage.string(owner.name)
        a.pointee.executable_name = text.pointer
        a.pointee.executable_name_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Executable_NumReplicas")
func executableNumReplicas(_ args: UnsafeMutablePointer<PJRT_Executable_NumReplicas_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_NumReplicas") {
        let a = try arguments(args, "PJRT_Executable_NumReplicas", needed: sizeThrough(\PJRT_Executable_NumReplicas_Args.num_replicas))
        a.pointee.num_replicas = try executable(a.pointee.executable).options.replicas
    }
}

@_cdecl("nvgpu_PJRT_Executable_NumPartitions")
func executableNumPartitions(_ args: UnsafeMutablePointer<PJRT_Executable_NumPartitions_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_NumPartitions") {
        let a = try arguments(args, "PJRT_Executable_NumPartitions", needed: sizeThrough(\PJRT_Executable_NumPartitions_Args.num_partitions))
        a.pointee.num_partitions = try executable(a.pointee.executable).options.partitions
    }
}

@_cdecl("nvgpu_PJRT_Executable_NumOutputs")
func executableNumOutputs(_ args: UnsafeMutablePointer<PJRT_Executable_NumOutputs_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_NumOutputs") {
        let a = try arguments(args, "PJRT_Executable_NumOutputs", needed: sizeThrough(\PJRT_Executable_NumOutputs_Args.num_outputs))
        a.pointee.num_outputs = try executable(a.pointee.executable).outputTypes.count
    }
}

@_cdecl("nvgpu_PJRT_Executable_SizeOfGeneratedCodeInBytes")
func executableSizeOfGeneratedCodeInBytes(_ args: UnsafeMutablePointer<PJRT_Executable_SizeOfGeneratedCodeInBytes_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_SizeOfGeneratedCodeInBytes") {
        let a = try arguments(args, "PJRT_Executable_SizeOfGeneratedCodeInBytes", needed: sizeThrough(\PJRT_Executable_SizeOfGeneratedCodeInBytes_Args.size_in_bytes))
        a.pointee.size_in_bytes = Int64(try executable(a.pointee.executable).programBytes.count)
    }
}

@_cdecl("nvgpu_PJRT_Executable_GetCostAnalysis")
func executableGetCostAnalysis(_ args: UnsafeMutablePointer<PJRT_Executable_GetCostAnalysis_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_GetCostAnalysis") {
        let a = try arguments(args, "PJRT_Executable_GetCostAnalysis", needed: sizeThrough(\PJRT_Executable_GetCostAnalysis_Args.properties))
        _ = try executable(a.pointee.executable)
        a.pointee.num_properties = 0
        a.pointee.properties = nil
    }
}

@_cdecl("nvgpu_PJRT_Executable_OutputMemoryKinds")
func executableOutputMemoryKinds(_ args: UnsafeMutablePointer<PJRT_Executable_OutputMemoryKinds_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_OutputMemoryKinds") {
        let a = try arguments(args, "PJRT_Executable_OutputMemoryKinds", needed: sizeThrough(\PJRT_Executable_OutputMemoryKinds_Args.memory_kind_sizes))
        let owner = try executable(a.pointee.executable)
        let made = owner.shapes
        a.pointee.num_outputs = owner.outputTypes.count
        a.pointee.memory_kinds = UnsafePointer(made.outputKinds)
        a.pointee.memory_kind_sizes = UnsafePointer(made.outputKindSizes)
    }
}

@_cdecl("nvgpu_PJRT_Executable_ParameterMemoryKinds")
func executableParameterMemoryKinds(_ args: UnsafeMutablePointer<PJRT_Executable_ParameterMemoryKinds_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_ParameterMemoryKinds") {
        let a = try arguments(args, "PJRT_Executable_ParameterMemoryKinds", needed: sizeThrough(\PJRT_Executable_ParameterMemoryKinds_Args.memory_kind_sizes))
        let owner = try executable(a.pointee.executable)
        let made = owner.shapes
        a.pointee.num_parameters = owner.inputTypes.count
        a.pointee.memory_kinds = UnsafePointer(made.parameterKinds)
        a.pointee.memory_kind_sizes = UnsafePointer(made.parameterKindSizes)
    }
}

@_cdecl("nvgpu_PJRT_Executable_OutputElementTypes")
func executableOutputElementTypes(_ args: UnsafeMutablePointer<PJRT_Executable_OutputElementTypes_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_OutputElementTypes") {
        let a = try arguments(args, "PJRT_Executable_OutputElementTypes", needed: sizeThrough(\PJRT_Executable_OutputElementTypes_Args.num_output_types))
        let owner = try executable(a.pointee.executable)
        a.pointee.output_types = owner.shapes.outputTypes
        a.pointee.num_output_types = owner.outputTypes.count
    }
}

@_cdecl("nvgpu_PJRT_Executable_OutputDimensions")
func executableOutputDimensions(_ args: UnsafeMutablePointer<PJRT_Executable_OutputDimensions_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_OutputDimensions") {
        let a = try arguments(args, "PJRT_Executable_OutputDimensions", needed: sizeThrough(\PJRT_Executable_OutputDimensions_Args.dim_sizes))
        let owner = try executable(a.pointee.executable)
        let made = owner.shapes
        a.pointee.num_outputs = owner.outputTypes.count
        a.pointee.dims = UnsafePointer(made.outputDims)
        a.pointee.dim_sizes = UnsafePointer(made.outputDimSizes)
    }
}

@_cdecl("nvgpu_PJRT_Executable_OptimizedProgram")
func executableOptimizedProgram(_ args: UnsafeMutablePointer<PJRT_Executable_OptimizedProgram_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_OptimizedProgram") {
        let a = try arguments(args, "PJRT_Executable_OptimizedProgram", needed: sizeThrough(\PJRT_Executable_OptimizedProgram_Args.program))
        let owner = try executable(a.pointee.executable)
        guard let program = a.pointee.program else { throw PluginFailure.invalidArgument("null program") }
        // The program as JAX sent it (a StableHLO portable artifact JAX can read back); our
        // own lowering is not MLIR that JAX's parser knows.
        let text = owner.programBytes
        let format = owner.storage.string("mlir")
        program.pointee.format = format.pointer
        program.pointee.format_size = format.count
        if let code = program.pointee.code {
            guard program.pointee.code_size >= text.count else {
                throw PluginFailure.invalidArgument("code holds \(program.pointee.code_size) bytes, the program \(text.count)")
            }
            text.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(code).copyMemory(from: base, byteCount: raw.count) }
            }
        }
        program.pointee.code_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Executable_Serialize")
func executableSerialize(_ args: UnsafeMutablePointer<PJRT_Executable_Serialize_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_Serialize") {
        let a = try arguments(args, "PJRT_Executable_Serialize", needed: sizeThrough(\PJRT_Executable_Serialize_Args.serialized_executable_deleter))
        let owner = try executable(a.pointee.executable)
        let bytes = OwnedBytes(owner.serialized)
        a.pointee.serialized_bytes = UnsafePointer(bytes.pointer)
        a.pointee.serialized_bytes_size = bytes.count
        a.pointee.serialized_executable = Handle.retained(bytes)
        a.pointee.serialized_executable_deleter = releaseOwnedBytes
    }
}

@_cdecl("nvgpu_PJRT_Executable_GetCompileOptions")
func executableGetCompileOptions(_ args: UnsafeMutablePointer<PJRT_Executable_GetCompileOptions_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_GetCompileOptions") {
        let a = try arguments(args, "PJRT_Executable_GetCompileOptions", needed: sizeThrough(\PJRT_Executable_GetCompileOptions_Args.serialized_compile_options_deleter))
        let bytes = OwnedBytes(try executable(a.pointee.executable).optionBytes)
        a.pointee.serialized_bytes = UnsafePointer(bytes.pointer)
        a.pointee.serialized_bytes_size = bytes.count
        a.pointee.serialized_compile_options = Handle.retained(bytes)
        a.pointee.serialized_compile_options_deleter = releaseOwnedBytes
    }
}

@_cdecl("nvgpu_PJRT_Executable_Fingerprint")
func executableFingerprint(_ args: UnsafeMutablePointer<PJRT_Executable_Fingerprint_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_Fingerprint") {
        let a = try arguments(args, "PJRT_Executable_Fingerprint", needed: sizeThrough(\PJRT_Executable_Fingerprint_Args.executable_fingerprint_size))
        let owner = try executable(a.pointee.executable)
        let text = owner.storage.string(owner.fingerprint)
        a.pointee.executable_fingerprint = text.pointer
        a.pointee.executable_fingerprint_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_Fingerprint")
func loadedExecutableFingerprint(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_Fingerprint_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_Fingerprint") {
        let a = try arguments(args, "PJRT_LoadedExecutable_Fingerprint", needed: sizeThrough(\PJRT_LoadedExecutable_Fingerprint_Args.executable_fingerprint_size))
        let owner = try executable(a.pointee.executable)
        let text = owner.storage.string(owner.fingerprint)
        a.pointee.executable_fingerprint = text.pointer
        a.pointee.executable_fingerprint_size = text.count
    }
}

@_cdecl("nvgpu_PJRT_Executable_GetCompiledMemoryStats")
func executableGetCompiledMemoryStats(_ args: UnsafeMutablePointer<PJRT_Executable_GetCompiledMemoryStats_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_GetCompiledMemoryStats") {
        let a = try arguments(args, "PJRT_Executable_GetCompiledMemoryStats", needed: sizeThrough(\PJRT_Executable_GetCompiledMemoryStats_Args.temp_size_in_bytes))
        let owner = try executable(a.pointee.executable)
        func bytes(_ types: [TensorType]) -> Int64 { Int64(types.reduce(0) { $0 + $1.elementCount * $1.elementType.storageBytes }) }
        a.pointee.generated_code_size_in_bytes = Int64(owner.programBytes.count)
        a.pointee.argument_size_in_bytes = bytes(owner.inputTypes)
        a.pointee.output_size_in_bytes = bytes(owner.outputTypes)
        a.pointee.alias_size_in_bytes = 0
        a.pointee.temp_size_in_bytes = 0
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_GetExecutable")
func loadedExecutableGetExecutable(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_GetExecutable_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_GetExecutable") {
        let a = try arguments(args, "PJRT_LoadedExecutable_GetExecutable", needed: sizeThrough(\PJRT_LoadedExecutable_GetExecutable_Args.executable))
        a.pointee.executable = Handle.retained(ExecutableHandle(try executable(a.pointee.loaded_executable)))
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_AddressableDevices")
func loadedExecutableAddressableDevices(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_AddressableDevices_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_AddressableDevices") {
        let a = try arguments(args, "PJRT_LoadedExecutable_AddressableDevices", needed: sizeThrough(\PJRT_LoadedExecutable_AddressableDevices_Args.num_addressable_devices))
        let owner = try executable(a.pointee.executable)
        a.pointee.addressable_devices = UnsafePointer(owner.shapes.devices)
        a.pointee.num_addressable_devices = 1
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_AddressableDeviceLogicalIds")
func loadedExecutableAddressableDeviceLogicalIds(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_AddressableDeviceLogicalIds") {
        let a = try arguments(args, "PJRT_LoadedExecutable_AddressableDeviceLogicalIds", needed: sizeThrough(\PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args.num_addressable_device_logical_ids))
        let owner = try executable(a.pointee.executable)
        a.pointee.addressable_device_logical_ids = owner.shapes.logicalIds
        a.pointee.num_addressable_device_logical_ids = 1
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_GetDeviceAssignment")
func loadedExecutableGetDeviceAssignment(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_GetDeviceAssignment_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_GetDeviceAssignment") {
        let a = try arguments(args, "PJRT_LoadedExecutable_GetDeviceAssignment", needed: sizeThrough(\PJRT_LoadedExecutable_GetDeviceAssignment_Args.serialized_device_assignment_deleter))
        let owner = try executable(a.pointee.executable)
        // xla.DeviceAssignmentProto: replica_count 1, computation_count 1, one computation on device 0.
        let device = UInt8(truncatingIfNeeded: owner.client.devices[0].id)
        let bytes = OwnedBytes([0x08, 0x01, 0x10, 0x01, 0x1A, 0x02, 0x08, device])
        a.pointee.serialized_bytes = UnsafePointer(bytes.pointer)
        a.pointee.serialized_bytes_size = bytes.count
        a.pointee.serialized_device_assignment = Handle.retained(bytes)
        a.pointee.serialized_device_assignment_deleter = releaseOwnedBytes
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_Delete")
func loadedExecutableDelete(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_Delete_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_Delete") {
        let a = try arguments(args, "PJRT_LoadedExecutable_Delete", needed: sizeThrough(\PJRT_LoadedExecutable_Delete_Args.executable))
        try executable(a.pointee.executable).delete()
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_IsDeleted")
func loadedExecutableIsDeleted(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_IsDeleted_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_IsDeleted") {
        let a = try arguments(args, "PJRT_LoadedExecutable_IsDeleted", needed: sizeThrough(\PJRT_LoadedExecutable_IsDeleted_Args.is_deleted))
        a.pointee.is_deleted = try executable(a.pointee.executable).isDeleted
    }
}

@_cdecl("nvgpu_PJRT_LoadedExecutable_Execute")
func loadedExecutableExecute(_ args: UnsafeMutablePointer<PJRT_LoadedExecutable_Execute_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_LoadedExecutable_Execute") {
        let a = try arguments(args, "PJRT_LoadedExecutable_Execute", needed: sizeThrough(\PJRT_LoadedExecutable_Execute_Args.device_complete_events))
        let owner = try executable(a.pointee.executable)
        guard a.pointee.num_devices == 1 else {
            throw PluginFailure.invalidArgument("execution on \(a.pointee.num_devices) devices; the nvgpu plugin runs on one")
        }
        guard let argumentLists = a.pointee.argument_lists, let outputLists = a.pointee.output_lists,
              let outputs = outputLists[0] else {
            throw PluginFailure.invalidArgument("null argument or output lists")
        }
        var inputs: [PluginBuffer] = []
        for index in 0..<a.pointee.num_args {
            guard let list = argumentLists[0] else { throw PluginFailure.invalidArgument("null argument list") }
            inputs.append(try buffer(list[index]))
        }
        var target = owner.client.devices[0]
        if hasField(a, \PJRT_LoadedExecutable_Execute_Args.execute_device), let chosen = a.pointee.execute_device {
            target = try device(chosen)
        }
        let donated = donatedArguments(owner, options: a.pointee.options)
        let (results, done) = try owner.execute(inputs, donating: donated, on: target)
        for (index, result) in results.enumerated() { outputs[index] = Handle.retained(result) }
        if let events = a.pointee.device_complete_events {
            events[0] = Handle.retained(done)
        }
    }
}

/// The inputs an execution consumes: those the program marks donatable, less the ones the
/// caller lists as non-donatable. A caller whose options end before that list (older than
/// PJRT 0.46, or a 0.39–0.45 caller that stops its size at `launch_id`) donates nothing:
/// donation is a permission, and without the list it cannot be known which are allowed.
private func donatedArguments(_ executable: PluginExecutable, options: UnsafeMutablePointer<PJRT_ExecuteOptions>?) -> Set<Int> {
    guard !executable.donatableArguments.isEmpty, let options,
          hasField(options, \PJRT_ExecuteOptions.num_non_donatable_input_indices) else { return [] }
    var donated = executable.donatableArguments
    if let indices = options.pointee.non_donatable_input_indices {
        for k in 0..<options.pointee.num_non_donatable_input_indices { donated.remove(Int(indices[k])) }
    }
    return donated
}

@_cdecl("nvgpu_PJRT_Executable_DeserializeAndLoad")
func executableDeserializeAndLoad(_ args: UnsafeMutablePointer<PJRT_Executable_DeserializeAndLoad_Args>?) -> UnsafeMutablePointer<PJRT_Error>? {
    guarded("PJRT_Executable_DeserializeAndLoad") {
        let a = try arguments(args, "PJRT_Executable_DeserializeAndLoad", needed: sizeThrough(\PJRT_Executable_DeserializeAndLoad_Args.loaded_executable))
        let owner = try client(a.pointee.client)
        guard let data = a.pointee.serialized_executable else { throw PluginFailure.invalidArgument("null serialized executable") }
        let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: a.pointee.serialized_executable_size))
        var overriding: [UInt8]?
        if hasField(a, \PJRT_Executable_DeserializeAndLoad_Args.overridden_serialized_compile_options_size),
           let options = a.pointee.overridden_serialized_compile_options, a.pointee.overridden_serialized_compile_options_size > 0 {
            overriding = [UInt8](UnsafeRawBufferPointer(start: options, count: a.pointee.overridden_serialized_compile_options_size))
        }
        let loaded = try PluginExecutable.deserialize(bytes, client: owner, overridingOptions: overriding)
        a.pointee.loaded_executable = Handle.retained(ExecutableHandle(loaded))
    }
}
