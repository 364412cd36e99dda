import CPJRT
import Foundation
@testable import PJRTPlugin
import Testing

/// The plugin through its C table, as a framework calls it: every slot filled, a client on
/// the reference backend, host buffers in (with strides) and out, compile and execute,
/// errors that carry the entry point's name.
@Suite struct PJRTPluginTests {
    let api = nvgpu_pjrt_api()!.pointee

    /// Reads an error's message and frees it.
    func message(_ error: UnsafeMutablePointer<PJRT_Error>?) -> String? {
        guard let error else { return nil }
        defer { nvgpu_error_free(error) }
        return String(cString: nvgpu_error_message(error))
    }

    func makeClient() throws -> OpaquePointer {
        setenv("NVGPU_DEVICE", "cpu", 1)
        var args = PJRT_Client_Create_Args()
        args.struct_size = PJRT_Client_Create_Args_STRUCT_SIZE
        #expect(message(api.PJRT_Client_Create(&args)) == nil)
        return try #require(args.client)
    }

    func upload(_ client: OpaquePointer, _ values: [Float], dims: [Int64], strides: [Int64]? = nil) throws -> OpaquePointer {
        var args = PJRT_Client_BufferFromHostBuffer_Args()
        args.struct_size = PJRT_Client_BufferFromHostBuffer_Args_STRUCT_SIZE
        args.client = client
        args.type = PJRT_Buffer_Type_F32
        let error = values.withUnsafeBytes { data in
            dims.withUnsafeBufferPointer { dimPointer in
                (strides ?? []).withUnsafeBufferPointer { stridePointer in
                    args.data = data.baseAddress
                    args.dims = dimPointer.baseAddress
                    args.num_dims = dims.count
                    args.byte_strides = strides == nil ? nil : stridePointer.baseAddress
                    args.num_byte_strides = strides?.count ?? 0
                    return api.PJRT_Client_BufferFromHostBuffer(&args)
                }
            }
        }
        #expect(message(error) == nil)
        var destroy = PJRT_Event_Destroy_Args()
        destroy.struct_size = PJRT_Event_Destroy_Args_STRUCT_SIZE
        destroy.event = args.done_with_host_buffer
        _ = api.PJRT_Event_Destroy(&destroy)
        return try #require(args.buffer)
    }

    func download(_ buffer: OpaquePointer, count: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        var args = PJRT_Buffer_ToHostBuffer_Args()
        args.struct_size = PJRT_Buffer_ToHostBuffer_Args_STRUCT_SIZE
        args.src = buffer
        let error = out.withUnsafeMutableBytes { raw in
            args.dst = raw.baseAddress
            args.dst_size = raw.count
            let error = api.PJRT_Buffer_ToHostBuffer(&args)
            var wait = PJRT_Event_Await_Args()
            wait.struct_size = PJRT_Event_Await_Args_STRUCT_SIZE
            wait.event = args.event
            #expect(message(api.PJRT_Event_Await(&wait)) == nil)
            return error
        }
        #expect(message(error) == nil)
        return out
    }

    @Test func everySlotIsFilledAndTheVersionIsClaimed() {
        #expect(api.pjrt_api_version.major_version == 0)
        #expect(api.pjrt_api_version.minor_version == 112)
        #expect(api.struct_size == MemoryLayout<PJRT_Api>.size)
        withUnsafeBytes(of: api) { raw in
            let slots = raw.count / 8
            for slot in 5..<slots { #expect(raw.load(fromByteOffset: slot * 8, as: UInt.self) != 0, "slot at \(slot * 8)") }
        }
    }

    @Test func unimplementedEntryPointsNameThemselves() {
        var args = PJRT_TopologyDescription_Create_Args()
        args.struct_size = PJRT_TopologyDescription_Create_Args_STRUCT_SIZE
        let error = api.PJRT_TopologyDescription_Create(&args)
        var code = PJRT_Error_GetCode_Args()
        code.struct_size = PJRT_Error_GetCode_Args_STRUCT_SIZE
        code.error = UnsafePointer(error)
        _ = api.PJRT_Error_GetCode(&code)
        #expect(code.code == PJRT_Error_Code_UNIMPLEMENTED)
        #expect(message(error)?.contains("PJRT_TopologyDescription_Create") == true)
    }

    @Test func stridedInputRunsAndReadsBack() throws {
        let client = try makeClient()
        defer {
            var args = PJRT_Client_Destroy_Args()
            args.struct_size = PJRT_Client_Destroy_Args_STRUCT_SIZE
            args.client = client
            _ = api.PJRT_Client_Destroy(&args)
        }
        let program = """
            func.func public @main(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
              %0 = stablehlo.add %a, %b : tensor<2x3xf32>
              return %0 : tensor<2x3xf32>
            }
            """
        var code = Array(program.utf8).map { CChar(bitPattern: $0) }
        var compile = PJRT_Client_Compile_Args()
        compile.struct_size = PJRT_Client_Compile_Args_STRUCT_SIZE
        compile.client = client
        let format = "mlir"
        let error = code.withUnsafeMutableBufferPointer { codePointer in
            format.withCString { formatPointer in
                var p = PJRT_Program()
                p.struct_size = PJRT_Program_STRUCT_SIZE
                p.code = codePointer.baseAddress
                p.code_size = codePointer.count
                p.format = formatPointer
                p.format_size = 4
                return withUnsafePointer(to: &p) { pointer in
                    compile.program = pointer
                    return api.PJRT_Client_Compile(&compile)
                }
            }
        }
        #expect(message(error) == nil)
        let executable = try #require(compile.executable)
        // [[0 1 2][3 4 5]] given as the transpose of a 3x2 row-major array (column-major strides).
        let a = try upload(client, [0, 3, 1, 4, 2, 5], dims: [2, 3], strides: [4, 8])
        let b = try upload(client, [10, 10, 10, 10, 10, 10], dims: [2, 3])
        var inputs: [OpaquePointer?] = [a, b]
        var outputs: [OpaquePointer?] = [nil]
        var execute = PJRT_LoadedExecutable_Execute_Args()
        execute.struct_size = PJRT_LoadedExecutable_Execute_Args_STRUCT_SIZE
        execute.executable = executable
        execute.num_devices = 1
        execute.num_args = 2
        let runError = inputs.withUnsafeMutableBufferPointer { inputPointer in
            outputs.withUnsafeMutableBufferPointer { outputPointer in
                var argumentLists: [UnsafePointer<OpaquePointer?>?] = [UnsafePointer(inputPointer.baseAddress)]
                var outputLists: [UnsafeMutablePointer<OpaquePointer?>?] = [outputPointer.baseAddress]
                return argumentLists.withUnsafeMutableBufferPointer { lists in
                    outputLists.withUnsafeMutableBufferPointer { outs in
                        execute.argument_lists = UnsafePointer(lists.baseAddress)
                        execute.output_lists = UnsafePointer(outs.baseAddress)
                        return api.PJRT_LoadedExecutable_Execute(&execute)
                    }
                }
            }
        }
        #expect(message(runError) == nil)
        let result = try #require(outputs[0])
        #expect(download(result, count: 6) == [10, 11, 12, 13, 14, 15])
    }

    @Test func badProgramIsAnErrorNamingTheEntryPoint() throws {
        let client = try makeClient()
        var code = Array("func.func @main( garbage".utf8).map { CChar(bitPattern: $0) }
        var compile = PJRT_Client_Compile_Args()
        compile.struct_size = PJRT_Client_Compile_Args_STRUCT_SIZE
        compile.client = client
        let error = code.withUnsafeMutableBufferPointer { codePointer in
            "mlir".withCString { formatPointer in
                var p = PJRT_Program()
                p.struct_size = PJRT_Program_STRUCT_SIZE
                p.code = codePointer.baseAddress
                p.code_size = codePointer.count
                p.format = formatPointer
                p.format_size = 4
                return withUnsafePointer(to: &p) { pointer in
                    compile.program = pointer
                    return api.PJRT_Client_Compile(&compile)
                }
            }
        }
        let text = try #require(message(error))
        #expect(text.hasPrefix("PJRT_Client_Compile: "))
    }

    @Test func compileOptionsReadReplicasAndPartitions() throws {
        // num_replicas 2, num_partitions 3 inside executable_build_options (field 3).
        let options = try CompileOptionsProto(serialized: [0x1A, 0x04, 0x20, 0x02, 0x28, 0x03])
        #expect(options.replicas == 2 && options.partitions == 3)
        #expect(throws: PluginFailure.self) { try CompileOptionsProto(serialized: [0x1A, 0x09, 0x20]) }
    }

    @Test func compileOptionsWithHugeCountsAreRefusedNotOverflowed() throws {
        // num_replicas 2^62, num_partitions 4: their product overflows Int.
        let options = try CompileOptionsProto(serialized: [0x1A, 0x0C, 0x20, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x28, 0x04])
        #expect(options.replicas == 1 << 62 && options.partitions == 4)
    }

    @Test func stridedSpansCoverReversedViewsAndRejectOverflow() {
        #expect(StridedCopy.span(shape: [2, 3], byteStrides: [12, 4], elementSize: 4)! == (0, 24))
        #expect(StridedCopy.span(shape: [2, 3], byteStrides: [4, 8], elementSize: 4)! == (0, 24))
        // A reversed view (NumPy's a[::-1]): offsets run below the first element.
        #expect(StridedCopy.span(shape: [2, 3], byteStrides: [-12, 4], elementSize: 4)! == (-12, 12))
        #expect(StridedCopy.span(shape: [2, 3], byteStrides: [Int.max, 8], elementSize: 4) == nil)
        #expect(StridedCopy.span(shape: [0, 3], byteStrides: [12, 4], elementSize: 4)! == (0, 0))
    }

    @Test func overflowingHostStridesAreAnError() throws {
        let client = try makeClient()
        var args = PJRT_Client_BufferFromHostBuffer_Args()
        args.struct_size = PJRT_Client_BufferFromHostBuffer_Args_STRUCT_SIZE
        args.client = client
        args.type = PJRT_Buffer_Type_F32
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        let dims: [Int64] = [2, 3], strides: [Int64] = [Int64.max, 4]
        let error = values.withUnsafeBytes { data in
            dims.withUnsafeBufferPointer { d in
                strides.withUnsafeBufferPointer { s in
                    args.data = data.baseAddress
                    args.dims = d.baseAddress
                    args.num_dims = 2
                    args.byte_strides = s.baseAddress
                    args.num_byte_strides = 2
                    return api.PJRT_Client_BufferFromHostBuffer(&args)
                }
            }
        }
        #expect(message(error)?.contains("overflow") == true)
    }

    @Test(arguments: [[2, 3], [4, 1, 5], [3]])
    func stridedCopiesRoundTrip(_ shape: [Int]) {
        let count = shape.reduce(1, *)
        let dense = (0..<count * 4).map { UInt8(truncatingIfNeeded: $0) }
        // Column-major strides: the transpose's layout.
        let strides = StridedCopy.strides(minorToMajor: Array(0..<shape.count), shape: shape, elementSize: 4)
        var scattered = [UInt8](repeating: 0, count: dense.count)
        scattered.withUnsafeMutableBytes { StridedCopy.scatter(dense, to: $0.baseAddress!, shape: shape, byteStrides: strides, elementSize: 4) }
        let back = scattered.withUnsafeBytes { StridedCopy.gather(from: $0.baseAddress!, shape: shape, byteStrides: strides, elementSize: 4) }
        #expect(back == dense)
    }
}
