import CPJRT
import Foundation
import PJRTPlugin

/// A failed PJRT call: the entry point and the plugin's message.
public struct PJRTCallError: Error, CustomStringConvertible {
    public var entryPoint: String
    public var message: String
    public var description: String { "\(entryPoint): \(message)" }
}

/// The nvgpu plugin driven through its C function table, the way a framework drives it:
/// one client, programs compiled from StableHLO text, f32 buffers in and out, executions
/// with donation, memory statistics. Each method is one or a few C calls; every error
/// comes back as a `PJRTCallError`.
public final class PJRTCaller: @unchecked Sendable {
    let api: PJRT_Api
    let client: OpaquePointer
    let device: OpaquePointer

    /// A client on `backend` (`cpu` or `cuda`, as `NVGPU_DEVICE` says).
    public init(backend: String) throws {
        guard let table = nvgpu_pjrt_api() else { throw PJRTCallError(entryPoint: "GetPjrtApi", message: "no table") }
        api = table.pointee
        setenv("NVGPU_DEVICE", backend, 1)
        var create = PJRT_Client_Create_Args()
        create.struct_size = PJRT_Client_Create_Args_STRUCT_SIZE
        try Self.check(api, "PJRT_Client_Create", api.PJRT_Client_Create(&create))
        guard let client = create.client else { throw PJRTCallError(entryPoint: "PJRT_Client_Create", message: "no client") }
        self.client = client
        var devices = PJRT_Client_AddressableDevices_Args()
        devices.struct_size = PJRT_Client_AddressableDevices_Args_STRUCT_SIZE
        devices.client = client
        try Self.check(api, "PJRT_Client_AddressableDevices", api.PJRT_Client_AddressableDevices(&devices))
        guard devices.num_addressable_devices > 0, let list = devices.addressable_devices, let first = list[0] else {
            throw PJRTCallError(entryPoint: "PJRT_Client_AddressableDevices", message: "no device")
        }
        device = first
    }

    deinit {
        var destroy = PJRT_Client_Destroy_Args()
        destroy.struct_size = PJRT_Client_Destroy_Args_STRUCT_SIZE
        destroy.client = client
        _ = api.PJRT_Client_Destroy(&destroy)
    }

    static func check(_ api: PJRT_Api, _ entryPoint: String, _ error: UnsafeMutablePointer<PJRT_Error>?) throws {
        guard let error else { return }
        var message = PJRT_Error_Message_Args()
        message.struct_size = PJRT_Error_Message_Args_STRUCT_SIZE
        message.error = UnsafePointer(error)
        api.PJRT_Error_Message(&message)
        let text = message.message.map {
            String(decoding: UnsafeRawBufferPointer(start: $0, count: message.message_size), as: UTF8.self)
        } ?? "(no message)"
        var destroy = PJRT_Error_Destroy_Args()
        destroy.struct_size = PJRT_Error_Destroy_Args_STRUCT_SIZE
        destroy.error = error
        api.PJRT_Error_Destroy(&destroy)
        throw PJRTCallError(entryPoint: entryPoint, message: text)
    }

    func check(_ entryPoint: String, _ error: UnsafeMutablePointer<PJRT_Error>?) throws {
        try Self.check(api, entryPoint, error)
    }

    /// Waits for `event` and destroys it; throws what it completed with.
    func waitFor(_ event: OpaquePointer?, _ entryPoint: String) throws {
        guard let event else { return }
        defer {
            var destroy = PJRT_Event_Destroy_Args()
            destroy.struct_size = PJRT_Event_Destroy_Args_STRUCT_SIZE
            destroy.event = event
            _ = api.PJRT_Event_Destroy(&destroy)
        }
        var wait = PJRT_Event_Await_Args()
        wait.struct_size = PJRT_Event_Await_Args_STRUCT_SIZE
        wait.event = event
        try check(entryPoint, api.PJRT_Event_Await(&wait))
    }

    /// A `PJRT_LoadedExecutable`, destroyed with this value.
    public final class Executable: @unchecked Sendable {
        let caller: PJRTCaller
        let handle: OpaquePointer
        init(caller: PJRTCaller, handle: OpaquePointer) {
            self.caller = caller
            self.handle = handle
        }
        deinit {
            var destroy = PJRT_LoadedExecutable_Destroy_Args()
            destroy.struct_size = PJRT_LoadedExecutable_Destroy_Args_STRUCT_SIZE
            destroy.executable = handle
            _ = caller.api.PJRT_LoadedExecutable_Destroy(&destroy)
        }
    }

    /// A `PJRT_Buffer`, destroyed with this value.
    public final class Buffer: @unchecked Sendable {
        let caller: PJRTCaller
        let handle: OpaquePointer
        init(caller: PJRTCaller, handle: OpaquePointer) {
            self.caller = caller
            self.handle = handle
        }
        deinit {
            var destroy = PJRT_Buffer_Destroy_Args()
            destroy.struct_size = PJRT_Buffer_Destroy_Args_STRUCT_SIZE
            destroy.buffer = handle
            _ = caller.api.PJRT_Buffer_Destroy(&destroy)
        }

        /// `PJRT_Buffer_Delete`: the contents go; the handle stays until this value does.
        public func delete() throws {
            var delete = PJRT_Buffer_Delete_Args()
            delete.struct_size = PJRT_Buffer_Delete_Args_STRUCT_SIZE
            delete.buffer = handle
            try caller.check("PJRT_Buffer_Delete", caller.api.PJRT_Buffer_Delete(&delete))
        }

        public var isDeleted: Bool {
            get throws {
                var args = PJRT_Buffer_IsDeleted_Args()
                args.struct_size = PJRT_Buffer_IsDeleted_Args_STRUCT_SIZE
                args.buffer = handle
                try caller.check("PJRT_Buffer_IsDeleted", caller.api.PJRT_Buffer_IsDeleted(&args))
                return args.is_deleted
            }
        }

        /// The contents as f32 values (`count` of them), waiting for them.
        public func floats(count: Int) throws -> [Float] {
            var values = [Float](repeating: .nan, count: count)
            var args = PJRT_Buffer_ToHostBuffer_Args()
            args.struct_size = PJRT_Buffer_ToHostBuffer_Args_STRUCT_SIZE
            args.src = handle
            try values.withUnsafeMutableBytes { raw in
                args.dst = raw.baseAddress
                args.dst_size = raw.count
                try caller.check("PJRT_Buffer_ToHostBuffer", caller.api.PJRT_Buffer_ToHostBuffer(&args))
                try caller.waitFor(args.event, "PJRT_Buffer_ToHostBuffer")
            }
            return values
        }
    }

    /// Compiles StableHLO text.
    public func compile(_ text: String) throws -> Executable {
        try compile(bytes: Array(text.utf8))
    }

    /// Compiles a program in the `mlir` format: StableHLO text or a portable artifact.
    public func compile(bytes: [UInt8]) throws -> Executable {
        var code = bytes.map { CChar(bitPattern: $0) }
        var compile = PJRT_Client_Compile_Args()
        compile.struct_size = PJRT_Client_Compile_Args_STRUCT_SIZE
        compile.client = client
        let error = code.withUnsafeMutableBufferPointer { codePointer in
            "mlir".withCString { format in
                var program = PJRT_Program()
                program.struct_size = PJRT_Program_STRUCT_SIZE
                program.code = codePointer.baseAddress
                program.code_size = codePointer.count
                program.format = format
                program.format_size = 4
                return withUnsafePointer(to: &program) { pointer in
                    compile.program = pointer
                    return api.PJRT_Client_Compile(&compile)
                }
            }
        }
        try check("PJRT_Client_Compile", error)
        guard let handle = compile.executable else { throw PJRTCallError(entryPoint: "PJRT_Client_Compile", message: "no executable") }
        return Executable(caller: self, handle: handle)
    }

    /// A device buffer holding `values` (row-major, f32) of shape `dims`.
    public func buffer(_ values: [Float], dims: [Int]) throws -> Buffer {
        var args = PJRT_Client_BufferFromHostBuffer_Args()
        args.struct_size = PJRT_Client_BufferFromHostBuffer_Args_STRUCT_SIZE
        args.client = client
        args.type = PJRT_Buffer_Type_F32
        args.device = device
        let extents = dims.map(Int64.init)
        try values.withUnsafeBytes { data in
            try extents.withUnsafeBufferPointer { dimPointer in
                args.data = data.baseAddress
                args.dims = dimPointer.baseAddress
                args.num_dims = extents.count
                try check("PJRT_Client_BufferFromHostBuffer", api.PJRT_Client_BufferFromHostBuffer(&args))
                // The host data may change once this completes (`kImmutableOnlyDuringCall`).
                try waitFor(args.done_with_host_buffer, "PJRT_Client_BufferFromHostBuffer")
            }
        }
        guard let handle = args.buffer else { throw PJRTCallError(entryPoint: "PJRT_Client_BufferFromHostBuffer", message: "no buffer") }
        return Buffer(caller: self, handle: handle)
    }

    /// What `execute` returns: the outputs, and what `afterSubmit` returned.
    public struct Execution {
        public var buffers: [Buffer]
        public var deletedAfterSubmit: Int
    }

    /// Runs `executable` on `inputs` and waits for it. `keep` lists inputs that must not be
    /// donated (`non_donatable_input_indices`); the program's other donatable inputs are.
    /// `afterSubmit` runs once the execution is queued and before it is awaited (to delete
    /// inputs while the run is pending).
    public func execute(_ executable: Executable, _ inputs: [Buffer], outputCount: Int, keep: [Int] = [],
                        afterSubmit: () throws -> Int = { 0 }) throws -> Execution {
        var arguments: [OpaquePointer?] = inputs.map(\.handle)
        var outputs = [OpaquePointer?](repeating: nil, count: outputCount)
        var done: [OpaquePointer?] = [nil]
        let kept = keep.map(Int64.init)
        try kept.withUnsafeBufferPointer { keptPointer in
            var options = PJRT_ExecuteOptions()
            options.struct_size = PJRT_ExecuteOptions_STRUCT_SIZE
            options.non_donatable_input_indices = keptPointer.baseAddress
            options.num_non_donatable_input_indices = kept.count
            var execute = PJRT_LoadedExecutable_Execute_Args()
            execute.struct_size = PJRT_LoadedExecutable_Execute_Args_STRUCT_SIZE
            execute.executable = executable.handle
            execute.num_devices = 1
            execute.num_args = inputs.count
            let error = withUnsafeMutablePointer(to: &options) { optionPointer in
                arguments.withUnsafeMutableBufferPointer { argumentPointer in
                    outputs.withUnsafeMutableBufferPointer { outputPointer in
                        done.withUnsafeMutableBufferPointer { donePointer in
                            var argumentLists: [UnsafePointer<OpaquePointer?>?] = [UnsafePointer(argumentPointer.baseAddress)]
                            var outputLists: [UnsafeMutablePointer<OpaquePointer?>?] = [outputPointer.baseAddress]
                            return argumentLists.withUnsafeMutableBufferPointer { lists in
                                outputLists.withUnsafeMutableBufferPointer { outs in
                                    execute.options = optionPointer
                                    execute.argument_lists = UnsafePointer(lists.baseAddress)
                                    execute.output_lists = UnsafePointer(outs.baseAddress)
                                    execute.device_complete_events = donePointer.baseAddress
                                    return api.PJRT_LoadedExecutable_Execute(&execute)
                                }
                            }
                        }
                    }
                }
            }
            try check("PJRT_LoadedExecutable_Execute", error)
        }
        let results = outputs.compactMap { $0.map { Buffer(caller: self, handle: $0) } }
        let deleted: Int
        do { deleted = try afterSubmit() } catch {
            try? waitFor(done[0], "PJRT_LoadedExecutable_Execute (device_complete_events)")
            throw error
        }
        try waitFor(done[0], "PJRT_LoadedExecutable_Execute (device_complete_events)")
        guard results.count == outputCount else {
            throw PJRTCallError(entryPoint: "PJRT_LoadedExecutable_Execute", message: "\(results.count) outputs, expected \(outputCount)")
        }
        return Execution(buffers: results, deletedAfterSubmit: deleted)
    }

    /// `PJRT_Device_MemoryStats`: bytes held by live buffers, and the bytes the device
    /// allocator has reserved from the driver where it says.
    public func memoryStatistics() throws -> (inUse: Int64, reserved: Int64?) {
        var args = PJRT_Device_MemoryStats_Args()
        args.struct_size = PJRT_Device_MemoryStats_Args_STRUCT_SIZE
        args.device = device
        try check("PJRT_Device_MemoryStats", api.PJRT_Device_MemoryStats(&args))
        return (args.bytes_in_use, args.bytes_reserved_is_set ? args.bytes_reserved : nil)
    }
}
