import CUDA
import Foundation
import Runtime

/// A queue's choices for attention steps: per distinct problem, cuDNN's plan or the
/// compiler's kernel, decided on the first run by timing both on the step's own buffers
/// (median of a few runs each, after a warm-up; stored for later processes, see `Tuning`),
/// and why. `NVGPU_ATTENTION_ENGINE` selects: `kernel` (the default for now), `auto` (time
/// both) or `cudnn` (which still falls back when cuDNN cannot take the problem).
final class AttentionChoices: @unchecked Sendable {
    /// One problem's decision.
    enum Choice {
        case cudnn(CUDNNAttention)
        case kernel
    }

    /// What the first run decided, for reports: the problem, the engine and why.
    struct Decision: Sendable {
        var problem: String
        var engine: String
        var reason: String
    }

    private let lock = NSLock()
    private var handle: CUDNNHandle?
    private var choices: [CUDNNAttentionDescription: Choice] = [:]
    private var workspace: DeviceAllocation?
    private var retired: [DeviceAllocation] = []
    private(set) var decisions: [Decision] = []

    /// `NVGPU_ATTENTION_ENGINE`: `kernel` (the default until cuDNN's path has been checked on
    /// a GPU, see docs/attention.md), `auto` (time both on the first run) or `cudnn`.
    static var engineSetting: String {
        let value = ProcessInfo.processInfo.environment["NVGPU_ATTENTION_ENGINE"] ?? ""
        return ["auto", "cudnn", "kernel"].contains(value) ? value : "kernel"
    }

    func choice(for description: CUDNNAttentionDescription) -> Choice? {
        lock.lock()
        defer { lock.unlock() }
        return choices[description]
    }

    func record(_ choice: Choice, for description: CUDNNAttentionDescription, engine: String, reason: String) {
        lock.lock()
        defer { lock.unlock() }
        choices[description] = choice
        decisions.append(Decision(problem: "\(description)", engine: engine, reason: reason))
        if ProcessInfo.processInfo.environment["NVGPU_ATTENTION_VERBOSE"] != nil {
            FileHandle.standardError.write(Data("nvgpu: \(description): \(engine) (\(reason))\n".utf8))
        }
    }

    /// The version of the cuDNN the queue's handle uses (loading it and making the handle on
    /// first use).
    func libraryVersion(stream: CUDAStream) throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        let handle = try self.handle ?? CUDNNHandle(library: try CUDNN.load(), stream: stream)
        self.handle = handle
        return handle.library.version
    }

    /// cuDNN's plan for `description` with a workspace large enough for it.
    func plan(for description: CUDNNAttentionDescription, stream: CUDAStream,
              allocator: CachingAllocator) throws -> (CUDNNAttention, DevicePointer?) {
        lock.lock()
        defer { lock.unlock() }
        let handle = try self.handle ?? CUDNNHandle(library: try CUDNN.load(), stream: stream)
        self.handle = handle
        let plan = try CUDNNAttention(handle: handle, description: description)
        if plan.workspaceBytes > (workspace?.byteCount ?? 0) {
            // A smaller workspace stays allocated until the queue goes: a captured graph may
            // still name it.
            if let old = workspace { retired.append(old) }
            workspace = try allocator.allocate(byteCount: plan.workspaceBytes)
        }
        return (plan, workspace?.pointer)
    }

    var workspacePointer: DevicePointer? {
        lock.lock()
        defer { lock.unlock() }
        return workspace?.pointer
    }

    /// Returns the workspace to the allocator.
    func release(to allocator: CachingAllocator) {
        lock.lock()
        defer { lock.unlock() }
        for allocation in retired + (workspace.map { [$0] } ?? []) { try? allocator.deallocate(allocation) }
        workspace = nil
        retired = []
        choices = [:]
        handle = nil
    }
}

extension CUDAQueue {
    /// Runs an attention step through cuDNN or `kernel`, choosing on the first run of each
    /// distinct problem.
    public func attention(_ call: AttentionCall, operands: AttentionOperands, kernel: () throws -> Void) throws {
        guard let description = CUDNNAttentionDescription(call) else { return try kernel() }
        let choice: AttentionChoices.Choice
        if let made = attentionChoices.choice(for: description) {
            choice = made
        } else {
            choice = try chooseAttentionEngine(description, operands: operands, kernel: kernel)
        }
        switch choice {
        case .kernel:
            try kernel()
        case .cudnn(let plan):
            try plan.run(query: operands.query, key: operands.key, value: operands.value, output: operands.output,
                         bias: operands.bias, workspace: attentionChoices.workspacePointer)
        }
    }

    /// What the first runs of attention steps chose, one line each.
    public var attentionDecisions: [String] {
        attentionChoices.decisions.map { "\($0.problem): \($0.engine) (\($0.reason))" }
    }

    private func chooseAttentionEngine(_ description: CUDNNAttentionDescription, operands: AttentionOperands,
                                       kernel: () throws -> Void) throws -> AttentionChoices.Choice {
        let setting = AttentionChoices.engineSetting
        if setting == "kernel" {
            attentionChoices.record(.kernel, for: description, engine: "kernel",
                                    reason: "NVGPU_ATTENTION_ENGINE is not auto or cudnn")
            return .kernel
        }
        // A choice an earlier process timed: the kernel needs no cuDNN plan at all.
        let key = try? "attention-v1|\(deviceName)|cuDNN \(attentionChoices.libraryVersion(stream: stream))|\(description)|"
            + "scale \(description.scale)|\([description.query, description.key, description.value, description.output].map(\.strides))|"
            + "\(description.bias?.strides ?? [])"
        let stored = setting == "auto" && Tuning.isEnabled ? key.flatMap { Tuning.cache.choice(forKey: $0) } : nil
        if stored == 0 {
            attentionChoices.record(.kernel, for: description, engine: "kernel", reason: "timed by an earlier process (kernel cache)")
            return .kernel
        }
        let plan: CUDNNAttention
        let workspace: DevicePointer?
        do {
            (plan, workspace) = try attentionChoices.plan(for: description, stream: stream, allocator: allocator)
            // The first run also shows the plan executes.
            try plan.run(query: operands.query, key: operands.key, value: operands.value, output: operands.output,
                         bias: operands.bias, workspace: workspace)
            try stream.synchronize()
        } catch {
            if let error = error as? CUDAError, error.result.losesContext { throw error }
            attentionChoices.record(.kernel, for: description, engine: "kernel", reason: "cuDNN cannot run it: \(error)")
            return .kernel
        }
        if setting == "cudnn" {
            attentionChoices.record(.cudnn(plan), for: description, engine: "cuDNN", reason: "NVGPU_ATTENTION_ENGINE=cudnn")
            return .cudnn(plan)
        }
        if stored == 1 {
            attentionChoices.record(.cudnn(plan), for: description, engine: "cuDNN", reason: "timed by an earlier process (kernel cache)")
            return .cudnn(plan)
        }
        guard Tuning.isEnabled, canTime else {
            attentionChoices.record(.cudnn(plan), for: description, engine: "cuDNN", reason: "not timed (NVGPU_TUNING=0 or a graph capture)")
            return .cudnn(plan)
        }
        let kernelTime = try medianMilliseconds(kernel)
        let cudnnTime = try medianMilliseconds {
            try plan.run(query: operands.query, key: operands.key, value: operands.value, output: operands.output,
                         bias: operands.bias, workspace: workspace)
        }
        let times = String(format: "cuDNN %.4f ms, kernel %.4f ms, median of %d", cudnnTime, kernelTime, Tuning.timedRuns)
        let useCuDNN = cudnnTime < kernelTime
        if let key { try? Tuning.cache.storeChoice(useCuDNN ? 1 : 0, forKey: key) }
        attentionChoices.record(useCuDNN ? .cudnn(plan) : .kernel, for: description, engine: useCuDNN ? "cuDNN" : "kernel",
                                reason: times)
        return useCuDNN ? .cudnn(plan) : .kernel
    }
}

extension CUDNNAttentionDescription {
    /// cuDNN's description of an executable's attention step (nil for an element type it
    /// does not take).
    init?(_ call: AttentionCall) {
        let type: MatmulElementType
        switch call.elementType {
        case "bf16": type = .bfloat16
        case "f16": type = .float16
        default: return nil
        }
        func layout(_ operand: AttentionCall.Operand) -> Layout { Layout(dims: operand.dims, strides: operand.strides) }
        self.init(elementType: type, query: layout(call.query), key: layout(call.key), value: layout(call.value),
                  output: layout(call.output), bias: call.bias.map(layout), scale: call.scale,
                  causalOffset: call.causalOffset)
    }
}
