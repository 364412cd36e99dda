import CUDA
import Foundation
import Runtime
import StableHLO

/// An `Executable` loaded on a device: constants uploaded, each kernel image loaded once
/// and its entry point resolved, one arena and one buffer per input allocated.
///
/// `invoke(inputs:)` copies the inputs in, queues the steps in order on one queue and
/// copies the outputs out. For benchmarking, `stage(inputs:)` then `enqueueSteps()` runs
/// with the data already on the device (see `CUDAExecutableRunner+Timing`). Invocations
/// are serialized: they share the arena.
public final class CUDAExecutableRunner: @unchecked Sendable {
    /// What was loaded.
    public let executable: Executable
    /// Where it runs.
    public let queue: any DeviceQueue
    /// Runs `.collective` steps as one process of the grid (see `MultiDeviceRunner`).
    public let collectives: (any CollectiveBackend)?

    private let hostPrograms: [any LoadedProgram]
    private let kernelHandles: [Int]
    private var arena: DeviceAllocation?
    private var constantAllocations: [DeviceAllocation] = []
    private var inputAllocations: [DeviceAllocation] = []
    /// Inputs already on the device for the call in progress (`invoke(deviceInputs:)`): the
    /// steps read them in place instead of `inputAllocations`.
    private var boundInputs: [DevicePointer]?
    /// Outputs written straight into the caller's allocations for the call in progress
    /// (buffer index → address).
    private var boundOutputs: [Int: DevicePointer] = [:]
    /// Output buffers that own their arena bytes (no other buffer overlaps them), so a run
    /// can write them into an allocation of the caller's instead of the arena.
    private lazy var redirectableOutputs: Set<Int> = Self.outputsOwningTheirBytes(executable)
    private let lock = NSLock()
    /// Captured graphs and how control steps ran (see `CUDAExecutableRunner+Graphs`).
    var graphState = GraphState()
    /// The fault `NVGPU_INJECT_FAULT` asked for when the executable was loaded (a test hook;
    /// read once here, not on every run).
    private let injectedFault = InjectedFault.requested

    /// Validates `executable` and loads it on `queue`.
    /// - Parameter hostFallback: runs `.host` steps; required when the executable has any.
    /// - Parameter collectives: runs `.collective` steps; required when the executable has any.
    public init(executable: Executable, queue: any DeviceQueue, hostFallback: (any HostFallback)? = nil,
                collectives: (any CollectiveBackend)? = nil) throws {
        self.collectives = collectives
        try executable.validate()
        self.executable = executable
        self.queue = queue
        if executable.hostPrograms.isEmpty {
            hostPrograms = []
        } else {
            guard let hostFallback else {
                throw RuntimeError("the executable has \(executable.hostPrograms.count) host program(s) but no host fallback was given")
            }
            hostPrograms = try executable.hostPrograms.enumerated().map { index, text in
                try hostFallback.load(program: text, index: index)
            }
        }
        kernelHandles = try executable.kernels.map { try queue.loadKernel($0) }
        do {
            arena = try queue.allocate(byteCount: executable.arenaBytes)
            for constant in executable.constants {
                let allocation = try queue.allocate(byteCount: constant.bytes.count)
                constantAllocations.append(allocation)
                try queue.upload([UInt8](constant.bytes), to: allocation.pointer)
            }
            for buffer in executable.inputs {
                inputAllocations.append(try queue.allocate(byteCount: executable.buffers[buffer].byteSize))
            }
        } catch {
            releaseMemory()
            throw error
        }
    }

    deinit { releaseMemory() }

    private func releaseMemory() {
        for allocation in [arena].compactMap({ $0 }) + constantAllocations + inputAllocations {
            try? queue.deallocate(allocation)
        }
        arena = nil
        constantAllocations = []
        inputAllocations = []
    }

    /// Runs the executable on `inputs` (the entry's arguments, in order) and returns its results.
    public func invoke(inputs: [HostTensor]) throws -> [HostTensor] {
        lock.lock()
        defer { lock.unlock() }
        try stageLocked(inputs)
        try enqueueStepsLocked()
        try queue.synchronize()
        return try executable.outputs.map { buffer in try downloadLocked(buffer) }
    }

    /// Runs the executable on inputs that are already on the device (one pointer per entry
    /// argument, each holding that argument's bytes, read in place) and copies each output
    /// into a new allocation of `allocator`'s; returns them in output order. The work is
    /// queued: call `queue.synchronize()` before reading the outputs on the host. The caller
    /// owns the returned allocations.
    public func invoke(deviceInputs: [DevicePointer]) throws -> [DeviceAllocation] {
        lock.lock()
        defer { lock.unlock() }
        guard deviceInputs.count == executable.inputs.count else {
            throw RuntimeError("@\(executable.entry) takes \(executable.inputs.count) input(s), got \(deviceInputs.count)")
        }
        boundInputs = deviceInputs
        defer {
            boundInputs = nil
            boundOutputs = [:]
        }
        // Each output gets an allocation of its own: written in place by the steps when the
        // buffer owns its arena bytes, else copied there after the steps.
        var outputs: [DeviceAllocation] = []
        var copied: [(buffer: Int, allocation: DeviceAllocation)] = []
        do {
            for buffer in executable.outputs {
                let size = executable.buffers[buffer].byteSize
                let allocation = try queue.allocate(byteCount: max(size, 1))
                outputs.append(allocation)
                if redirectableOutputs.contains(buffer), boundOutputs[buffer] == nil {
                    boundOutputs[buffer] = allocation.pointer
                } else if size > 0 {
                    copied.append((buffer, allocation))
                }
            }
            try enqueueStepsLocked()
            for (buffer, allocation) in copied {
                try queue.copy(from: try address(of: buffer), to: allocation.pointer, byteCount: executable.buffers[buffer].byteSize)
            }
        } catch {
            for allocation in outputs { try? queue.deallocate(allocation) }
            throw error
        }
        return outputs
    }

    /// Inputs bound for the call in progress (empty when they were staged).
    var boundInputPointers: [DevicePointer] { boundInputs ?? [] }
    /// Outputs redirected into the caller's allocations for the call in progress.
    var boundOutputPointers: [Int: DevicePointer] { boundOutputs }

    /// The queue's handle for `executable.kernels[index]`.
    func kernelHandle(_ index: Int) throws -> Int {
        guard kernelHandles.indices.contains(index) else { throw RuntimeError("kernel \(index) of \(kernelHandles.count)") }
        return kernelHandles[index]
    }

    /// The arena-placed outputs whose bytes no other buffer shares.
    static func outputsOwningTheirBytes(_ executable: Executable) -> Set<Int> {
        var ranges: [(index: Int, range: Range<Int>)] = []
        for (index, buffer) in executable.buffers.enumerated() {
            if case .arena(let offset) = buffer.placement, buffer.byteSize > 0 {
                ranges.append((index, offset..<(offset + buffer.byteSize)))
            }
        }
        // A loop's or branch's results stay in the arena (copied out after the run), so
        // graphs captured for them keep their addresses from call to call.
        var controlled = Set<Int>()
        for step in executable.allSteps {
            switch step {
            case .loop(let loop): controlled.formUnion(loop.carried)
            case .branch(let branch): controlled.formUnion(branch.results)
            default: continue
            }
        }
        var owning = Set<Int>()
        for output in Set(executable.outputs).subtracting(controlled) {
            guard let own = ranges.first(where: { $0.index == output })?.range else { continue }
            if !ranges.contains(where: { $0.index != output && $0.range.overlaps(own) }) { owning.insert(output) }
        }
        return owning
    }

    /// Copies `inputs` to the device once, for `enqueueSteps()` runs that reuse them.
    public func stage(inputs: [HostTensor]) throws {
        lock.lock()
        defer { lock.unlock() }
        try stageLocked(inputs)
    }

    /// Queues every step on the staged inputs, without copies in or out (host steps
    /// still wait for their inputs).
    public func enqueueSteps() throws {
        lock.lock()
        defer { lock.unlock() }
        try enqueueStepsLocked()
    }

    /// The current contents of the executable's outputs (after `enqueueSteps()`).
    public func downloadOutputs() throws -> [HostTensor] {
        lock.lock()
        defer { lock.unlock() }
        try queue.synchronize()
        return try executable.outputs.map { buffer in try downloadLocked(buffer) }
    }

    // MARK: - Steps

    private func stageLocked(_ inputs: [HostTensor]) throws {
        guard inputs.count == executable.inputs.count else {
            throw RuntimeError("@\(executable.entry) takes \(executable.inputs.count) input(s), got \(inputs.count)")
        }
        for (argument, (input, buffer)) in zip(inputs, executable.inputs).enumerated() {
            let slot = executable.buffers[buffer]
            guard input.type.shape == slot.shape, input.type.elementType.description == slot.elementTypeName,
                  input.bytes.count == slot.byteSize else {
                throw RuntimeError("@\(executable.entry) input #\(argument) must be \(slot.typeText), got \(input.type)")
            }
            try queue.upload(input.bytes, to: inputAllocations[argument].pointer)
        }
    }

    private func enqueueStepsLocked() throws {
        if let fault = injectedFault, let queue = queue as? CUDAQueue { try queue.injectFault(fault) }
        if try replayWholeExecutable() { return }
        try enqueueStepByStep()
        graphState.completedRuns += 1
    }

    /// Queues every step in order on the queue (or into the graph being captured).
    func enqueueStepByStep() throws {
        for (index, step) in executable.steps.enumerated() {
            do {
                try run(step)
            } catch {
                throw RuntimeError("step \(index) (\(step.summary)): \(error)")
            }
        }
    }

    func run(_ step: ExecutionStep) throws {
        switch step {
        case .launch(let launch):
            try queue.launch(kernel: kernelHandles[launch.kernel], configuration: launch.configuration,
                             arguments: try launchArguments(launch))
        case .matmul(let call):
            let operands = MatmulOperands(
                a: try address(of: call.a), b: try address(of: call.b), c: try address(of: call.c),
                bias: try call.bias.map { try address(of: $0) },
                biasType: call.bias.map { executable.buffers[$0].elementTypeName })
            try queue.matmul(call, operands: operands)
        case .host(let call):
            try runOnHost(call)
        case .copy(let from, let to):
            try queue.copy(from: try address(of: from), to: try address(of: to),
                           byteCount: executable.buffers[from].byteSize)
        case .collective(let call):
            try runCollective(call)
        case .convolution(let call):
            try queue.convolution(call, operands: ConvolutionOperands(
                input: try address(of: call.input), filter: try address(of: call.filter), output: try address(of: call.output),
                reluBias: try call.reluBias.map { try address(of: $0) }))
        case .fft(let call):
            try queue.fft(call, operands: FFTOperands(
                input: try address(of: call.input), output: try address(of: call.output),
                scratch: try call.scratch.map { try address(of: $0) }))
        case .attention(let call):
            try runAttention(call)
        case .loop, .branch:
            try runControl(step)
        }
    }

    /// Runs `steps` in order (a region of a loop or branch step).
    func run(_ steps: [ExecutionStep]) throws {
        for step in steps { try run(step) }
    }

    /// The kernel parameters of `launch`, buffers resolved to device addresses.
    func launchArguments(_ launch: KernelLaunch) throws -> [KernelArgument] {
        try launch.arguments.map { argument throws -> KernelArgument in
            switch argument {
            case .buffer(let buffer): return .pointer(try address(of: buffer))
            case .int64(let value): return .int64(value)
            case .int32(let value): return .int32(value)
            case .float32(let value): return .float32(value)
            }
        }
    }

    private func runOnHost(_ call: HostCall) throws {
        try queue.synchronize()
        let arguments = try call.inputs.map { buffer in try downloadLocked(buffer) }
        let results = try hostPrograms[call.program].invoke(function: call.function, inputs: arguments)
        guard results.count == call.outputs.count else {
            throw RuntimeError("host program \(call.program) @\(call.function) returned \(results.count) result(s), the step expects \(call.outputs.count)")
        }
        for (result, buffer) in zip(results, call.outputs) {
            let slot = executable.buffers[buffer]
            guard result.type.shape == slot.shape, result.type.elementType.description == slot.elementTypeName,
                  result.bytes.count == slot.byteSize else {
                throw RuntimeError("host program \(call.program) @\(call.function) returned \(result.type) for \(slot.name) (\(slot.typeText))")
            }
            try queue.upload(result.bytes, to: try address(of: buffer))
        }
    }

    /// Where buffer `index` lives on the device.
    func address(of index: Int) throws -> DevicePointer {
        guard executable.buffers.indices.contains(index) else {
            throw RuntimeError("buffer \(index) of \(executable.buffers.count)")
        }
        if let bound = boundOutputs[index] { return bound }
        switch executable.buffers[index].placement {
        case .arena(let offset):
            guard let arena else { throw RuntimeError("the executable's memory was released") }
            return arena.pointer.advanced(by: offset)
        case .input(let argument):
            if let boundInputs {
                guard boundInputs.indices.contains(argument) else { throw RuntimeError("input \(argument) is not bound") }
                return boundInputs[argument]
            }
            guard inputAllocations.indices.contains(argument) else { throw RuntimeError("input \(argument) is not allocated") }
            return inputAllocations[argument].pointer
        case .constant(let constant):
            guard constantAllocations.indices.contains(constant) else { throw RuntimeError("constant \(constant) is not loaded") }
            return constantAllocations[constant].pointer
        }
    }

    private func downloadLocked(_ buffer: Int) throws -> HostTensor {
        let slot = executable.buffers[buffer]
        guard let type = slot.tensorType else { throw RuntimeError("buffer \(slot.name) has type \(slot.elementTypeName)") }
        return HostTensor(type: type, bytes: try queue.download(from: try address(of: buffer), byteCount: slot.byteSize))
    }
}

extension KernelLaunch {
    /// The driver's launch shape: missing grid/block extents are 1.
    public var configuration: LaunchConfiguration {
        func extent(_ list: [Int], _ i: Int) -> Int { i < list.count ? list[i] : 1 }
        return LaunchConfiguration(grid: (extent(grid, 0), extent(grid, 1), extent(grid, 2)),
                                   block: (extent(block, 0), extent(block, 1), extent(block, 2)),
                                   sharedMemoryBytes: sharedMemoryBytes)
    }
}

extension BufferSlot {
    /// `tensor<2x3xf32>`.
    public var typeText: String {
        "tensor<" + (shape.map(String.init) + [elementTypeName]).joined(separator: "x") + ">"
    }
}

extension ExecutionStep {
    /// A one-line description for errors and listings.
    public var summary: String {
        switch self {
        case .launch(let launch): return "launch kernel \(launch.kernel) grid \(launch.grid) block \(launch.block)"
        case .matmul(let call):
            return "matmul \(call.batch > 1 ? "\(call.batch)x" : "")\(call.m)x\(call.n)x\(call.k) \(call.inputType)->\(call.outputType)"
                + (call.transposeA ? " Aᵀ" : "") + (call.transposeB ? " Bᵀ" : "") + (call.epilogue == .none ? "" : " +\(call.epilogue.rawValue)")
        case .host(let call): return "host program \(call.program) @\(call.function) (\(call.reason))"
        case .copy(let from, let to): return "copy buffer \(from) -> \(to)"
        case .collective(let call): return call.summary
        case .convolution(let call): return call.summary
        case .fft(let call): return call.summary
        case .attention(let call): return call.summary
        case .loop(let loop):
            return "while loop: condition \(loop.condition.count) step(s), body \(loop.body.count) step(s), \(loop.carried.count) carried buffer(s)"
        case .branch(let branch):
            return "\(branch.selectorKind == .predicate ? "if" : "case") of \(branch.branches.count) branches on buffer \(branch.selector)"
        }
    }
}
