import CUDA
import Foundation
import Runtime
import StableHLO
@testable import CUDARuntime

/// Device memory simulated in host arrays: each block the allocator asks for is a byte
/// array at a made-up, 256-aligned address.
final class FakeMemory: DeviceMemoryBackend, @unchecked Sendable {
    private(set) var blocks: [UInt64: [UInt8]] = [:]
    private var next: UInt64 = 0x10000
    var frees = 0

    func allocate(byteCount: Int) throws(CUDAError) -> DevicePointer {
        let base = next
        blocks[base] = [UInt8](repeating: 0xEE, count: byteCount)
        next += UInt64((byteCount + 255) / 256 * 256 + 256)
        return DevicePointer(rawValue: base)
    }

    func free(_ pointer: DevicePointer) throws(CUDAError) {
        blocks[pointer.rawValue] = nil
        frees += 1
    }

    /// The block holding `pointer` and the offset into it.
    private func locate(_ pointer: DevicePointer, _ count: Int) throws -> (UInt64, Int) {
        for (base, bytes) in blocks where pointer.rawValue >= base {
            let offset = Int(pointer.rawValue - base)
            if offset + count <= bytes.count { return (base, offset) }
        }
        throw RuntimeError("fake device: access of \(count) bytes at \(pointer) outside every allocation")
    }

    func read(_ pointer: DevicePointer, _ count: Int) throws -> [UInt8] {
        let (base, offset) = try locate(pointer, count)
        return Array(blocks[base, default: []][offset..<offset + count])
    }

    func write(_ bytes: [UInt8], at pointer: DevicePointer) throws {
        let (base, offset) = try locate(pointer, bytes.count)
        blocks[base, default: []].replaceSubrange(offset..<offset + bytes.count, with: bytes)
    }

    func int32(_ pointer: DevicePointer) throws -> Int32 {
        let bytes = try read(pointer, 4)
        return Int32(bitPattern: UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
    }

    func floats(_ pointer: DevicePointer, _ count: Int) throws -> [Float] {
        let bytes = try read(pointer, count * 4)
        return (0..<count).map { i in
            Float(bitPattern: UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24)
        }
    }

    func writeFloats(_ values: [Float], at pointer: DevicePointer) throws {
        try write(values.flatMap(\.littleEndianBytes), at: pointer)
    }
}

extension Float {
    var littleEndianBytes: [UInt8] { withUnsafeBytes(of: bitPattern.littleEndian) { Array($0) } }
}

/// A `DeviceQueue` that runs a few known kernels on the host (by entry point), computes f32
/// matmuls naively, and logs every call in order.
final class FakeDeviceQueue: DeviceQueue, @unchecked Sendable {
    let memory = FakeMemory()
    lazy var allocator = CachingAllocator(backend: memory)
    private(set) var log: [String] = []
    private(set) var launches: [(entry: String, configuration: LaunchConfiguration, arguments: [KernelArgument])] = []
    private var kernels: [String] = []
    private var marks = 0
    /// What `elapsedMilliseconds` reports for a pair of marks.
    var markDuration: (Int, Int) -> Double = { start, end in Double(end - start) }

    var deviceName: String { "Fake GPU" }
    var architecture: String { "sm_90" }

    func allocate(byteCount: Int) throws -> DeviceAllocation {
        try allocator.allocate(byteCount: byteCount)
    }

    func deallocate(_ allocation: DeviceAllocation) throws {
        try allocator.deallocate(allocation)
    }

    func upload(_ bytes: [UInt8], to destination: DevicePointer) throws {
        log.append("upload \(bytes.count)")
        try memory.write(bytes, at: destination)
    }

    func download(from source: DevicePointer, byteCount: Int) throws -> [UInt8] {
        log.append("download \(byteCount)")
        return try memory.read(source, byteCount)
    }

    func copy(from source: DevicePointer, to destination: DevicePointer, byteCount: Int) throws {
        log.append("copy \(byteCount)")
        try memory.write(try memory.read(source, byteCount), at: destination)
    }

    func loadKernel(_ image: KernelImage) throws -> Int {
        log.append("load \(image.entryPoint)")
        kernels.append(image.entryPoint)
        return kernels.count - 1
    }

    func launch(kernel: Int, configuration: LaunchConfiguration, arguments: [KernelArgument]) throws {
        let entry = kernels[kernel]
        log.append("launch \(entry)")
        launches.append((entry, configuration, arguments))
        switch (entry, arguments) {
        case ("add_f32", let args) where args.count == 4:
            guard case .pointer(let x) = args[0], case .pointer(let y) = args[1], case .pointer(let out) = args[2],
                  case .int64(let n) = args[3] else { throw RuntimeError("add_f32: bad arguments") }
            let a = try memory.floats(x, Int(n)), b = try memory.floats(y, Int(n))
            try memory.writeFloats(zip(a, b).map { $0 + $1 }, at: out)
        case ("scale_f32", let args) where args.count == 4:
            guard case .pointer(let x) = args[0], case .pointer(let out) = args[1], case .float32(let s) = args[2],
                  case .int32(let n) = args[3] else { throw RuntimeError("scale_f32: bad arguments") }
            try memory.writeFloats(try memory.floats(x, Int(n)).map { $0 * s }, at: out)
        case ("below_i32", let args) where args.count == 3:
            // out (i1) = counter (i32) < limit
            guard case .pointer(let x) = args[0], case .pointer(let out) = args[1], case .int32(let limit) = args[2]
            else { throw RuntimeError("below_i32: bad arguments") }
            try memory.write([try memory.int32(x) < limit ? 1 : 0], at: out)
        case ("increment_i32", let args) where args.count == 2:
            guard case .pointer(let x) = args[0], case .pointer(let out) = args[1] else { throw RuntimeError("increment_i32: bad arguments") }
            let next = try memory.int32(x) &+ 1
            try memory.write(withUnsafeBytes(of: next.littleEndian) { Array($0) }, at: out)
        default:
            throw RuntimeError("fake device: no kernel \(entry) taking \(arguments.count) arguments")
        }
    }

    func matmul(_ call: MatmulCall, operands: MatmulOperands) throws {
        log.append("matmul \(call.m)x\(call.n)x\(call.k)")
        guard call.inputType == "f32", call.outputType == "f32" else { throw RuntimeError("fake matmul: f32 only") }
        let (m, n, k) = (call.m, call.n, call.k)
        let a = try memory.floats(operands.a, call.batch * m * k)
        let b = try memory.floats(operands.b, call.batch * k * n)
        let bias = try operands.bias.map { try memory.floats($0, n) }
        var c = [Float](repeating: 0, count: call.batch * m * n)
        for batch in 0..<call.batch {
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<k {
                        let av = call.transposeA ? a[batch * m * k + p * m + i] : a[batch * m * k + i * k + p]
                        let bv = call.transposeB ? b[batch * k * n + j * k + p] : b[batch * k * n + p * n + j]
                        sum += av * bv
                    }
                    if let bias { sum += bias[j] }
                    if call.epilogue == .relu || call.epilogue == .biasRelu { sum = max(sum, 0) }
                    c[batch * m * n + i * n + j] = sum
                }
            }
        }
        try memory.writeFloats(c, at: operands.c)
    }

    func synchronize() throws { log.append("sync") }

    func recordMark() throws -> Int {
        marks += 1
        log.append("mark")
        return marks - 1
    }

    func elapsedMilliseconds(from start: Int, to end: Int) throws -> Double { markDuration(start, end) }

    func releaseMarks() { marks = 0 }
}

/// A host fallback whose programs negate every f32 input (program text "negate") or
/// return the wrong number of results ("broken").
struct FakeHostFallback: HostFallback {
    struct Program: LoadedProgram {
        var text: String
        func invoke(function: String, inputs: [HostTensor]) throws -> [HostTensor] {
            if text == "broken" { return [] }
            return inputs.map { input in
                var output = input
                for i in stride(from: 3, to: output.bytes.count, by: 4) { output.bytes[i] ^= 0x80 }
                return output
            }
        }
    }

    func load(program text: String, index: Int) throws -> any LoadedProgram {
        guard text == "negate" || text == "broken" else { throw RuntimeError("host program #\(index) does not parse") }
        return Program(text: text)
    }
}

/// Small executables for the tests.
enum SampleExecutables {
    static func f32(_ shape: [Int]) -> TensorType { TensorType(shape: shape, elementType: .float(.f32)) }

    static func hostTensor(_ values: [Float], shape: [Int]) -> HostTensor {
        HostTensor(type: f32(shape), bytes: values.flatMap(\.littleEndianBytes))
    }

    static func floats(_ tensor: HostTensor) -> [Float] {
        stride(from: 0, to: tensor.bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(tensor.bytes[i]) | UInt32(tensor.bytes[i + 1]) << 8
                  | UInt32(tensor.bytes[i + 2]) << 16 | UInt32(tensor.bytes[i + 3]) << 24)
        }
    }

    /// `out = matmul(-(x + c), w) (+ bias), then a copy`: one of every step kind.
    /// Buffers: 0 x (input 0), 1 w (input 1), 2 c (constant), 3 sum, 4 negated, 5 product, 6 result, 7 bias.
    static func everyStepKind(epilogue: MatmulCall.Epilogue = .none) -> Executable {
        let constant: [Float] = [10, 20, 30, 40, 50, 60]
        let buffers = [
            BufferSlot(name: "x", type: f32([2, 3]), placement: .input(index: 0)),
            BufferSlot(name: "w", type: f32([3, 2]), placement: .input(index: 1)),
            BufferSlot(name: "c", type: f32([2, 3]), placement: .constant(index: 0)),
            BufferSlot(name: "%0 = stablehlo.add", type: f32([2, 3]), placement: .arena(offset: 0)),
            BufferSlot(name: "%1 = stablehlo.negate", type: f32([2, 3]), placement: .arena(offset: 256)),
            BufferSlot(name: "%2 = stablehlo.dot", type: f32([2, 2]), placement: .arena(offset: 512)),
            BufferSlot(name: "%3 = copy", type: f32([2, 2]), placement: .arena(offset: 768)),
            BufferSlot(name: "bias", type: f32([2]), placement: .constant(index: 1)),
        ]
        return Executable(
            target: "cuda", architecture: "sm_90", entry: "main", arenaBytes: 1024, buffers: buffers,
            inputs: [0, 1], outputs: [6, 3],
            constants: [ConstantData(buffer: 2, bytes: Data(constant.flatMap(\.littleEndianBytes))),
                        ConstantData(buffer: 7, bytes: Data([Float(0.5), -100].flatMap(\.littleEndianBytes)))],
            kernels: [KernelImage(entryPoint: "add_f32", binary: Data([0x7F, 0x45, 0x4C, 0x46]), source: "// add")],
            steps: [
                .launch(KernelLaunch(kernel: 0, grid: [1], block: [128], arguments: [.buffer(0), .buffer(2), .buffer(3), .int64(6)])),
                .host(HostCall(program: 0, function: "main", inputs: [3], outputs: [4], reason: "no kernel for negate (test)")),
                .matmul(MatmulCall(a: 4, b: 1, c: 5, bias: epilogue == .none ? nil : 7, m: 2, n: 2, k: 3,
                                   inputType: "f32", outputType: "f32", epilogue: epilogue)),
                .copy(from: 5, to: 6),
            ],
            hostPrograms: ["negate"])
    }
}
