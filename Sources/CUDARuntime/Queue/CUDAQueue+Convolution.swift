import CUDA
import Foundation
import Runtime

/// A queue's cuDNN state: the handle (made on first use), one plan per distinct
/// convolution (its algorithm chosen on the first buffers it runs on), and one workspace
/// grown to the largest plan's need.
final class ConvolutionPlans: @unchecked Sendable {
    /// Workspace bytes an algorithm may use.
    static let workspaceLimit = 256 << 20

    private let lock = NSLock()
    private var handle: CUDNNHandle?
    private var plans: [ConvolutionDescription: CUDNNConvolution] = [:]
    private var workspace: DeviceAllocation?

    /// The plan for `description`, its algorithm chosen, and a workspace large enough for it.
    func plan(for description: ConvolutionDescription, operands: ConvolutionOperands, stream: CUDAStream,
              allocator: CachingAllocator, deviceName: String) throws -> (CUDNNConvolution, DevicePointer?) {
        lock.lock()
        defer { lock.unlock() }
        if let plan = plans[description] { return (plan, workspace?.pointer) }
        let handle: CUDNNHandle
        if let existing = self.handle {
            handle = existing
        } else {
            handle = try CUDNNHandle(library: try CUDNN.load(), stream: stream)
            self.handle = handle
        }
        let plan = try CUDNNConvolution(handle: handle, plan: description)
        // The search may use the whole limit; afterwards the workspace shrinks to what is kept.
        if (workspace?.byteCount ?? 0) < Self.workspaceLimit {
            if let old = workspace { try allocator.deallocate(old) }
            workspace = nil
            workspace = try allocator.allocate(byteCount: Self.workspaceLimit)
        }
        try plan.chooseAlgorithm(input: operands.input, filter: operands.filter, output: operands.output,
                                 workspace: workspace?.pointer, workspaceLimit: Self.workspaceLimit,
                                 choices: Tuning.isEnabled ? Tuning.cache : nil, choiceKey: deviceName)
        plans[description] = plan
        return (plan, workspace?.pointer)
    }

    /// Returns the workspace to the allocator.
    func release(to allocator: CachingAllocator) {
        lock.lock()
        defer { lock.unlock() }
        if let workspace { try? allocator.deallocate(workspace) }
        workspace = nil
        plans = [:]
        handle = nil
    }
}

extension CUDAQueue {
    /// Runs a `.convolution` step through cuDNN on this queue's stream.
    public func convolution(_ call: ConvolutionCall, operands: ConvolutionOperands) throws {
        let description = try ConvolutionDescription(call)
        let (plan, workspace) = try convolutionPlans.plan(for: description, operands: operands, stream: stream,
                                                          allocator: allocator, deviceName: deviceName)
        try plan.run(input: operands.input, filter: operands.filter, output: operands.output, bias: operands.reluBias,
                     workspace: workspace)
    }
}

extension ConvolutionDescription {
    /// The cuDNN plan for an executable's convolution step.
    init(_ call: ConvolutionCall) throws {
        let type: MatmulElementType
        switch call.elementType {
        case "bf16": type = .bfloat16
        case "f16": type = .float16
        case "f32": type = .float32
        default: throw RuntimeError("convolution step: element type \(call.elementType) is not supported by cuDNN (bf16, f16, f32)")
        }
        guard call.padding.count == 2, call.strides.count == 2, call.dilation.count == 2 else {
            throw RuntimeError("convolution step: padding, strides and dilation need 2 entries each (\(call.summary))")
        }
        self.init(format: call.layout == .nhwc ? .nhwc : .nchw, elementType: type, n: call.n, c: call.c, h: call.h, w: call.w,
                  k: call.k, r: call.r, s: call.s, outputHeight: call.outputHeight, outputWidth: call.outputWidth,
                  padding: (call.padding[0], call.padding[1]), strides: (call.strides[0], call.strides[1]),
                  dilation: (call.dilation[0], call.dilation[1]), groups: call.groups, flipsWindow: call.flipsWindow,
                  allowsTF32: call.allowsTF32, addsBiasAndReLU: call.reluBias != nil,
                  direction: Direction(call.direction))
    }
}

extension ConvolutionDescription.Direction {
    /// cuDNN's direction for an executable's convolution step.
    init(_ direction: ConvolutionCall.Direction) {
        switch direction {
        case .forward: self = .forward
        case .backwardData: self = .backwardData
        case .backwardFilter: self = .backwardFilter
        }
    }
}
