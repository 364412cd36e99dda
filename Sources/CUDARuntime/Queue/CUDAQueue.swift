import CUDA
import Foundation
import Runtime

/// `DeviceQueue` on one CUDA stream of one GPU: memory from a caching allocator, kernels
/// from `cuModuleLoadData`, matrix multiplies through cuBLASLt (loaded on first use, one
/// plan per distinct shape, one shared workspace).
public final class CUDAQueue: DeviceQueue, @unchecked Sendable {
    /// The device's primary context.
    public let context: CUDAContext
    /// The stream every step is queued on.
    public let stream: CUDAStream
    /// Where buffers come from.
    public let allocator: CachingAllocator

    private let lock = NSLock()
    private var functions: [CUDAFunction] = []
    private var cublas: CUBLASLtHandle?
    private var plans: [BatchedMatmulDescription: BatchedMatmul] = [:]
    private var workspace: DeviceAllocation?
    private var events: [CUDAEvent] = []
    private var marksInUse = 0
    /// cuDNN handle, convolution plans and workspace (see `CUDAQueue+Convolution`).
    let convolutionPlans = ConvolutionPlans()
    /// cuFFT plans (see `CUDAQueue+FFT`).
    let fftPlans = FFTPlans()
    /// Fused-attention engine choices and cuDNN plans (see `CUDAQueue+Attention`).
    let attentionChoices = AttentionChoices()
    /// Held from the start of a graph capture on `stream` to its end, and by every transfer
    /// and wait that other threads (a PJRT client's device_put, to-host copies, completion
    /// waits) queue on `stream`: work queued on a capturing stream becomes part of the graph
    /// (a host copy into memory freed long before a replay), and a wait on it invalidates the
    /// capture. Recursive: the capturing thread's own steps take it again.
    let streamLock = NSRecursiveLock()
    /// Streams capturing into conditional-node bodies, innermost last (see `CUDAQueue+Graphs`).
    var captureStack: [CUDAStream] = []
    /// Idle streams for body captures, reused.
    var spareStreams: [CUDAStream] = []

    /// The queue's graph capture (see `graphs`).
    lazy var graphCapture = CUDAGraphCapture(queue: self)

    /// The stream work is queued on now: `stream`, or the body graph being captured.
    var activeStream: CUDAStream { captureStack.last ?? stream }

    /// Opens device `ordinal` through `driver` and creates a stream on it.
    public init(driver: CUDADriver, ordinal: Int = 0) throws {
        context = try CUDAContext(driver: driver, ordinal: ordinal)
        stream = try CUDAStream(context: context)
        allocator = CachingAllocator(backend: context)
    }

    deinit {
        if let workspace { try? allocator.deallocate(workspace) }
        convolutionPlans.release(to: allocator)
        attentionChoices.release(to: allocator)
        fftPlans.release()
        _ = try? allocator.trim()
    }

    public var deviceName: String { context.device.name }
    public var architecture: String { context.device.architecture }

    public func allocate(byteCount: Int) throws -> DeviceAllocation {
        try allocator.allocate(byteCount: byteCount)
    }

    public func deallocate(_ allocation: DeviceAllocation) throws {
        try allocator.deallocate(allocation)
    }

    public func upload(_ bytes: [UInt8], to destination: DevicePointer) throws {
        streamLock.lock()
        defer { streamLock.unlock() }
        var failure: CUDAError?
        bytes.withUnsafeBytes { raw in
            do throws(CUDAError) { try stream.copyAsync(from: raw, to: destination) } catch { failure = error }
        }
        if let failure { throw failure }
        // Pageable source memory: wait, so the caller may free or reuse `bytes` at once.
        try stream.synchronize()
    }

    public func download(from source: DevicePointer, byteCount: Int) throws -> [UInt8] {
        guard byteCount > 0 else { return [] }
        streamLock.lock()
        defer { streamLock.unlock() }
        var bytes = [UInt8](repeating: 0, count: byteCount)
        var failure: CUDAError?
        bytes.withUnsafeMutableBytes { raw in
            do throws(CUDAError) {
                try stream.copyAsync(from: source, to: raw)
                try stream.synchronize()
            } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    public func copy(from source: DevicePointer, to destination: DevicePointer, byteCount: Int) throws {
        streamLock.lock()
        defer { streamLock.unlock() }
        try activeStream.copyAsync(from: source, to: destination, byteCount: byteCount)
    }

    public func loadKernel(_ image: KernelImage) throws -> Int {
        guard image.format == "cubin" || image.format == "ptx" else {
            throw RuntimeError("kernel \(image.entryPoint): image format '\(image.format)' cannot be loaded (cubin or ptx)")
        }
        var bytes = [UInt8](image.binary)
        if image.format == "ptx", bytes.last != 0 { bytes.append(0) }
        let module = try CUDAModule(context: context, image: bytes)
        let function = try module.function(named: image.entryPoint)
        lock.lock()
        defer { lock.unlock() }
        functions.append(function)
        return functions.count - 1
    }

    public func launch(kernel: Int, configuration: LaunchConfiguration, arguments: [KernelArgument]) throws {
        lock.lock()
        let function = functions.indices.contains(kernel) ? functions[kernel] : nil
        lock.unlock()
        guard let function else { throw RuntimeError("launch of kernel handle \(kernel), which was never loaded") }
        if configuration.sharedMemoryBytes > 48 << 10 {
            try function.setMaxDynamicSharedMemory(configuration.sharedMemoryBytes)
        }
        try activeStream.launch(function, configuration, arguments: arguments)
    }

    public func matmul(_ call: MatmulCall, operands: MatmulOperands) throws {
        let (plan, space) = try matmulPlan(for: call, operands: operands)
        try plan.run(a: operands.a, b: operands.b, c: operands.c, bias: operands.bias,
                     workspace: space, stream: activeStream)
    }

    /// The cached plan for `call` and the workspace it may use.
    private func matmulPlan(for call: MatmulCall, operands: MatmulOperands) throws -> (BatchedMatmul, DevicePointer?) {
        let description = try BatchedMatmulDescription(call, biasType: operands.biasType)
        lock.lock()
        defer { lock.unlock() }
        let handle: CUBLASLtHandle
        if let cublas {
            handle = cublas
        } else {
            handle = try CUBLASLtHandle(library: try CUBLASLt.load())
            cublas = handle
        }
        let limit = 32 << 20
        if workspace == nil { workspace = try allocator.allocate(byteCount: limit) }
        if let plan = plans[description] { return (plan, workspace?.pointer) }
        let plan = try BatchedMatmul(handle: handle, plan: description, workspaceLimit: limit,
                                     candidates: Tuning.isEnabled ? Tuning.matmulCandidates : 1)
        try tuneMatmul(plan, operands: operands, workspace: workspace?.pointer)
        plans[description] = plan
        return (plan, workspace?.pointer)
    }

    public func synchronize() throws {
        streamLock.lock()
        defer { streamLock.unlock() }
        try stream.synchronize()
    }

    public func recordMark() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        if marksInUse == events.count { events.append(try CUDAEvent(context: context)) }
        let mark = marksInUse
        try events[mark].record(on: stream)
        marksInUse += 1
        return mark
    }

    public func elapsedMilliseconds(from start: Int, to end: Int) throws -> Double {
        lock.lock()
        defer { lock.unlock() }
        guard events.indices.contains(start), events.indices.contains(end) else {
            throw RuntimeError("timing marks \(start), \(end) were never recorded")
        }
        try events[end].synchronize()
        return try events[end].elapsedMilliseconds(since: events[start])
    }

    public func releaseMarks() {
        lock.lock()
        marksInUse = 0
        lock.unlock()
    }
}

extension BatchedMatmulDescription {
    /// The cuBLASLt plan for an executable's matmul step; `biasType` is the bias buffer's
    /// element type (by MLIR spelling), for the bias epilogues.
    init(_ call: MatmulCall, biasType: String?) throws {
        func type(_ name: String, _ role: String) throws -> MatmulElementType {
            switch name {
            case "bf16": return .bfloat16
            case "f16": return .float16
            case "f32": return .float32
            default: throw RuntimeError("matmul step: \(role) type \(name) is not supported by cuBLASLt (bf16, f16, f32)")
            }
        }
        let epilogue: MatmulEpilogue
        switch call.epilogue {
        case .none: epilogue = .none
        case .bias: epilogue = .bias
        case .relu: epilogue = .relu
        case .biasRelu: epilogue = .biasRelu
        case .gelu: epilogue = .gelu
        case .biasGelu: epilogue = .biasGelu
        }
        let output = try type(call.outputType, "output")
        self.init(m: call.m, n: call.n, k: call.k, batch: call.batch, transposeA: call.transposeA,
                  transposeB: call.transposeB, inputType: try type(call.inputType, "input"), outputType: output,
                  epilogue: epilogue, biasType: epilogue.usesBias ? try type(biasType ?? call.outputType, "bias") : nil,
                  allowsTF32: call.allowsTF32 ?? false)
    }
}
