import CUDA
import Runtime

/// The device addresses of an attention step's tensors (each at its operand's offset).
public struct AttentionOperands: Sendable, Hashable {
    public var query: DevicePointer
    public var key: DevicePointer
    public var value: DevicePointer
    public var output: DevicePointer
    public var bias: DevicePointer?

    public init(query: DevicePointer, key: DevicePointer, value: DevicePointer, output: DevicePointer,
                bias: DevicePointer? = nil) {
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.bias = bias
    }
}

extension DeviceQueue {
    /// Queues without cuDNN (test fakes) run the compiler's kernel.
    public func attention(_ call: AttentionCall, operands: AttentionOperands, kernel: () throws -> Void) throws {
        try kernel()
    }
}

extension CUDAExecutableRunner {
    /// Runs an attention step: cuDNN or the step's own kernel, as the queue chose.
    func runAttention(_ call: AttentionCall) throws {
        func pointer(_ operand: AttentionCall.Operand) throws -> DevicePointer {
            try address(of: operand.buffer).advanced(by: operand.offset * 2)
        }
        let operands = AttentionOperands(
            query: try pointer(call.query), key: try pointer(call.key), value: try pointer(call.value),
            output: try pointer(call.output), bias: try call.bias.map { try pointer($0) })
        try queue.attention(call, operands: operands) { try run(.launch(call.kernel)) }
    }
}

extension Executable {
    /// An attention step's tensors lie inside their buffers, have the step's element type,
    /// and its output is none of its inputs; its kernel is valid like any launch.
    func checkAttention(
        _ call: AttentionCall, label: String,
        readable: (Int, String) throws(RuntimeError) -> BufferSlot,
        writable: (Int, String) throws(RuntimeError) -> BufferSlot,
        fail: (String) -> RuntimeError
    ) throws(RuntimeError) {
        guard ["bf16", "f16"].contains(call.elementType) else {
            throw fail("\(label): attention element type \(call.elementType) (cuDNN's fused attention takes bf16 and f16)")
        }
        let roles: [(AttentionCall.Operand, String)] = [(call.query, "query"), (call.key, "key"), (call.value, "value"),
                                                        (call.output, "output")] + (call.bias.map { [($0, "bias")] } ?? [])
        for (operand, role) in roles {
            guard operand.dims.count == 4, operand.strides.count == 4, operand.dims.allSatisfy({ $0 > 0 && $0 < Int(Int32.max) }),
                  operand.strides.allSatisfy({ $0 >= 0 && $0 < Int(Int32.max) }), operand.offset >= 0 else {
                throw fail("\(label): attention \(role) dims \(operand.dims) strides \(operand.strides) (4 of each, positive)")
            }
            let slot = role == "output" ? try writable(operand.buffer, role) : try readable(operand.buffer, role)
            let (end, overflow) = operand.offset.addingReportingOverflow(operand.extent)
            guard slot.elementTypeName == call.elementType, !overflow, end <= slot.byteSize / 2 else {
                throw fail("\(label): attention \(role) \(slot.name) (\(slot.byteSize) bytes of \(slot.elementTypeName)) does not hold "
                           + "\(operand.dims) \(call.elementType) at offset \(operand.offset) with strides \(operand.strides)")
            }
        }
        let q = call.query.dims, k = call.key.dims, v = call.value.dims, o = call.output.dims
        guard q[1] % k[1] == 0, q[1] % v[1] == 0, k[0] == q[0], v[0] == q[0], k[2] == v[2], k[3] == q[3],
              o == [q[0], q[1], q[2], v[3]] else {
            throw fail("\(label): attention shapes q \(q), k \(k), v \(v), o \(o) do not agree")
        }
        let inputs = [call.query.buffer, call.key.buffer, call.value.buffer] + (call.bias.map { [$0.buffer] } ?? [])
        guard !inputs.contains(call.output.buffer) else {
            throw fail("\(label): attention output buffer \(call.output.buffer) is also an input")
        }
        let launch = call.kernel
        guard kernels.indices.contains(launch.kernel) else { throw fail("\(label): attention kernel \(launch.kernel) of \(kernels.count)") }
        guard [launch.grid, launch.block].allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy { $0 >= 1 && $0 <= Int(UInt32.max) } }),
              launch.sharedMemoryBytes >= 0 else {
            throw fail("\(label): attention kernel grid \(launch.grid) block \(launch.block) shared \(launch.sharedMemoryBytes)")
        }
        for argument in launch.arguments {
            if case .buffer(let buffer) = argument { _ = try readable(buffer, "attention kernel argument") }
        }
    }
}
