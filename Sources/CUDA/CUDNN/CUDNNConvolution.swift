import CCUDA

/// A 2-D forward convolution as cuDNN's legacy API takes it: input `x` (N, C, H, W),
/// filter `w` (K, C/groups, R, S), output `y` (N, K, P, Q), all densely packed in one
/// format (NHWC: x and y channels-last, the filter KRSC; NCHW: the filter KCRS).
public struct ConvolutionDescription: Sendable, Hashable, CustomStringConvertible {
    /// How x, w and y are stored.
    public enum Format: String, Sendable, Hashable {
        case nhwc, nchw

        /// `cudnnTensorFormat_t`: CUDNN_TENSOR_NCHW 0, CUDNN_TENSOR_NHWC 1.
        var raw: Int32 { self == .nchw ? 0 : 1 }
    }

    public var format: Format
    /// Element type of x, w and y (they accumulate and scale in f32).
    public var elementType: MatmulElementType
    public var n: Int, c: Int, h: Int, w: Int
    public var k: Int, r: Int, s: Int
    public var outputHeight: Int, outputWidth: Int
    public var padding: (height: Int, width: Int)
    public var strides: (height: Int, width: Int)
    public var dilation: (height: Int, width: Int)
    public var groups: Int
    /// true: cuDNN's CONVOLUTION mode (the window flipped in both dimensions); false:
    /// CROSS_CORRELATION (what StableHLO computes without window reversal).
    public var flipsWindow: Bool
    /// For f32: let the tensor cores round inputs to TF32.
    public var allowsTF32: Bool
    /// `y = relu(conv + bias)` with a per-output-channel bias of the element type.
    public var addsBiasAndReLU: Bool
    /// Which of x, w, y a run computes from the other two.
    public var direction: Direction = .forward

    /// Which of x, w, y a run computes: y (forward), x from y and w (backward data: the
    /// input gradient) or w from x and y (backward filter: the filter gradient).
    public enum Direction: Int, Sendable, Hashable {
        case forward, backwardData, backwardFilter
    }

    public init(format: Format, elementType: MatmulElementType, n: Int, c: Int, h: Int, w: Int, k: Int, r: Int, s: Int,
                outputHeight: Int, outputWidth: Int, padding: (Int, Int), strides: (Int, Int), dilation: (Int, Int),
                groups: Int, flipsWindow: Bool, allowsTF32: Bool, addsBiasAndReLU: Bool = false,
                direction: Direction = .forward) {
        self.addsBiasAndReLU = addsBiasAndReLU
        self.direction = direction
        self.format = format
        self.elementType = elementType
        self.n = n
        self.c = c
        self.h = h
        self.w = w
        self.k = k
        self.r = r
        self.s = s
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.padding = padding
        self.strides = strides
        self.dilation = dilation
        self.groups = groups
        self.flipsWindow = flipsWindow
        self.allowsTF32 = allowsTF32
    }

    private var key: [Int] {
        [format == .nhwc ? 1 : 0, MatmulElementType.allCases.firstIndex(of: elementType) ?? 0, n, c, h, w, k, r, s, outputHeight, outputWidth,
         padding.height, padding.width, strides.height, strides.width, dilation.height, dilation.width, groups,
         flipsWindow ? 1 : 0, allowsTF32 ? 1 : 0, addsBiasAndReLU ? 1 : 0, direction.rawValue]
    }

    public static func == (a: Self, b: Self) -> Bool { a.key == b.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    public var description: String {
        "\(format) \(elementType) x \(n)x\(c)x\(h)x\(w) w \(k)x\(c / max(groups, 1))x\(r)x\(s) -> \(outputHeight)x\(outputWidth)"
            + " pad \(padding.height),\(padding.width) stride \(strides.height),\(strides.width)"
            + " dilation \(dilation.height),\(dilation.width) groups \(groups)" + (flipsWindow ? " flipped" : "")
            + (addsBiasAndReLU ? " +bias+relu" : "")
            + (direction == .backwardData ? " backward-data" : direction == .backwardFilter ? " backward-filter" : "")
    }

    /// `cudnnDataType_t`: FLOAT 0, HALF 2, BFLOAT16 9.
    var cudnnDataType: Int32 {
        switch elementType {
        case .float32: return 0
        case .float16: return 2
        case .bfloat16: return 9
        }
    }

    /// `cudnnMathType_t`: TENSOR_OP_MATH 1 for 16-bit types; DEFAULT_MATH 0 (TF32 allowed)
    /// or FMA_MATH 3 for f32.
    var mathType: Int32 {
        elementType == .float32 ? (allowsTF32 ? 0 : 3) : 1
    }
}

/// A planned cuDNN forward convolution: descriptors made once, the algorithm chosen once
/// (by timing every algorithm on the first buffers it runs on, else by cuDNN's heuristic),
/// then run many times.
public final class CUDNNConvolution: @unchecked Sendable {
    /// The handle it runs on.
    public let handle: CUDNNHandle
    /// What it computes.
    public let plan: ConvolutionDescription
    /// The chosen `cudnnConvolutionFwdAlgo_t`, once chosen.
    public private(set) var algorithm: Int32?
    /// Workspace bytes the chosen algorithm needs.
    public private(set) var workspaceBytes: Int = 0
    /// For bias+ReLU plans: whether `cudnnConvolutionBiasActivationForward` runs them (nil
    /// until the first run; false once cuDNN rejected it and three calls run instead).
    public private(set) var fusesEpilogue: Bool?

    private let x: cudnnTensorDescriptor_t
    private let y: cudnnTensorDescriptor_t
    private let filter: cudnnFilterDescriptor_t
    private let convolution: cudnnConvolutionDescriptor_t
    /// Bias (1, K, 1, 1) and ReLU descriptors of bias+ReLU plans.
    private var bias: cudnnTensorDescriptor_t?
    private var activation: cudnnActivationDescriptor_t?

    /// Makes the descriptors for `plan`; throws when cuDNN rejects them (the caller then
    /// uses a generated kernel).
    public init(handle: CUDNNHandle, plan: ConvolutionDescription) throws(CUDNNError) {
        let api = handle.library
        let context = "planning convolution \(plan)"
        var x: cudnnTensorDescriptor_t?, y: cudnnTensorDescriptor_t?
        var filter: cudnnFilterDescriptor_t?, convolution: cudnnConvolutionDescriptor_t?
        func release() {
            if let x { _ = api.functions.cudnnDestroyTensorDescriptor?(x) }
            if let y { _ = api.functions.cudnnDestroyTensorDescriptor?(y) }
            if let filter { _ = api.functions.cudnnDestroyFilterDescriptor?(filter) }
            if let convolution { _ = api.functions.cudnnDestroyConvolutionDescriptor?(convolution) }
        }
        do throws(CUDNNError) {
            func narrow(_ v: Int) throws(CUDNNError) -> Int32 {
                guard let n = Int32(exactly: v) else {
                    throw CUDNNError(call: "cudnnSetTensor4dDescriptor", status: 2000, name: "CUDNN_STATUS_BAD_PARAM",
                                     context: context + ": \(v) does not fit an int")
                }
                return n
            }
            let type = plan.cudnnDataType, format = plan.format.raw
            try api.check("cudnnCreateTensorDescriptor", context: context) { $0.cudnnCreateTensorDescriptor?(&x) }
            try api.check("cudnnCreateTensorDescriptor", context: context) { $0.cudnnCreateTensorDescriptor?(&y) }
            try api.check("cudnnCreateFilterDescriptor", context: context) { $0.cudnnCreateFilterDescriptor?(&filter) }
            try api.check("cudnnCreateConvolutionDescriptor", context: context) { $0.cudnnCreateConvolutionDescriptor?(&convolution) }
            let (n, c, h, w) = (try narrow(plan.n), try narrow(plan.c), try narrow(plan.h), try narrow(plan.w))
            let (k, r, s) = (try narrow(plan.k), try narrow(plan.r), try narrow(plan.s))
            let (p, q) = (try narrow(plan.outputHeight), try narrow(plan.outputWidth))
            let perGroup = try narrow(plan.c / max(plan.groups, 1))
            try api.check("cudnnSetTensor4dDescriptor", context: context + " (x)") {
                $0.cudnnSetTensor4dDescriptor?(x, format, type, n, c, h, w)
            }
            try api.check("cudnnSetTensor4dDescriptor", context: context + " (y)") {
                $0.cudnnSetTensor4dDescriptor?(y, format, type, n, k, p, q)
            }
            try api.check("cudnnSetFilter4dDescriptor", context: context) {
                $0.cudnnSetFilter4dDescriptor?(filter, type, format, k, perGroup, r, s)
            }
            try api.check("cudnnSetConvolution2dDescriptor", context: context) {
                $0.cudnnSetConvolution2dDescriptor?(
                    convolution, Int32(clamping: plan.padding.height), Int32(clamping: plan.padding.width),
                    Int32(clamping: plan.strides.height), Int32(clamping: plan.strides.width),
                    Int32(clamping: plan.dilation.height), Int32(clamping: plan.dilation.width),
                    plan.flipsWindow ? 0 : 1, 0)  // CUDNN_CONVOLUTION : CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT
            }
            try api.check("cudnnSetConvolutionGroupCount", context: context) {
                $0.cudnnSetConvolutionGroupCount?(convolution, Int32(clamping: plan.groups))
            }
            try api.check("cudnnSetConvolutionMathType", context: context) {
                $0.cudnnSetConvolutionMathType?(convolution, plan.mathType)
            }
            var dims: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
            try api.check("cudnnGetConvolution2dForwardOutputDim", context: context) {
                $0.cudnnGetConvolution2dForwardOutputDim?(convolution, x, filter, &dims.0, &dims.1, &dims.2, &dims.3)
            }
            guard dims == (n, k, p, q) else {
                throw CUDNNError(call: "cudnnGetConvolution2dForwardOutputDim", status: 2000, name: "CUDNN_STATUS_BAD_PARAM",
                                 context: context + ": cuDNN computes output \(dims), the program wants \((n, k, p, q))")
            }
        } catch {
            release()
            throw error
        }
        guard let x, let y, let filter, let convolution else {
            release()
            throw CUDNNError(call: "cudnnCreateTensorDescriptor", status: 4000, name: "null descriptor", context: context)
        }
        self.handle = handle
        self.plan = plan
        self.x = x
        self.y = y
        self.filter = filter
        self.convolution = convolution
        // On failure deinit releases what was made.
        if plan.addsBiasAndReLU { try makeEpilogueDescriptors(context: context) }
    }

    private func makeEpilogueDescriptors(context: String) throws(CUDNNError) {
        let api = handle.library
        var bias: cudnnTensorDescriptor_t?
        try api.check("cudnnCreateTensorDescriptor", context: context) { $0.cudnnCreateTensorDescriptor?(&bias) }
        self.bias = bias
        try api.check("cudnnSetTensor4dDescriptor", context: context + " (bias)") {
            $0.cudnnSetTensor4dDescriptor?(bias, plan.format.raw, plan.cudnnDataType, 1, Int32(clamping: plan.k), 1, 1)
        }
        var activation: cudnnActivationDescriptor_t?
        try api.check("cudnnCreateActivationDescriptor", context: context) { $0.cudnnCreateActivationDescriptor?(&activation) }
        self.activation = activation
        try api.check("cudnnSetActivationDescriptor", context: context) {
            $0.cudnnSetActivationDescriptor?(activation, 1, 1, 0)  // RELU, PROPAGATE_NAN
        }
    }

    deinit {
        let api = handle.library.functions
        _ = api.cudnnDestroyTensorDescriptor?(x)
        _ = api.cudnnDestroyTensorDescriptor?(y)
        _ = api.cudnnDestroyFilterDescriptor?(filter)
        _ = api.cudnnDestroyConvolutionDescriptor?(convolution)
        if let bias { _ = api.cudnnDestroyTensorDescriptor?(bias) }
        if let activation { _ = api.cudnnDestroyActivationDescriptor?(activation) }
    }

    /// Chooses the algorithm for the plan's direction: times every algorithm on these
    /// buffers (`cudnnFindConvolution*AlgorithmEx`, which writes the buffer the direction
    /// computes) within `workspaceLimit` bytes of `workspace`, falling back to cuDNN's
    /// heuristic. With `choices`, an algorithm stored for this plan under `choiceKey` by an
    /// earlier process is used without timing, and a timed choice is stored. Returns the
    /// workspace bytes needed.
    @discardableResult
    public func chooseAlgorithm(input: DevicePointer, filter weights: DevicePointer, output: DevicePointer,
                                workspace: DevicePointer?, workspaceLimit: Int,
                                choices: KernelCache? = nil, choiceKey: String = "") throws(CUDNNError) -> Int {
        let api = handle.library
        let f = api.functions
        let context = "choosing an algorithm for convolution \(plan)"
        let h = handle.handle, (xp, wp, yp) = (Self.raw(input), Self.raw(weights), Self.raw(output))
        let space = workspace.flatMap(Self.mutableRaw), spaceBytes = workspace == nil ? 0 : workspaceLimit
        typealias Perf = UnsafeMutablePointer<nvgpu_cudnn_fwd_algo_perf>
        let find: ((Int32, inout Int32, Perf?) -> cudnnStatus_t?)?
        let heuristic: (Int32, inout Int32, Perf?) -> cudnnStatus_t?
        let size: (Int32, inout Int) -> cudnnStatus_t?
        let (names, x, y, filter, convolution) = (Self.callNames[plan.direction.rawValue], self.x, self.y, self.filter, self.convolution)
        switch plan.direction {
        case .forward:
            find = f.cudnnFindConvolutionForwardAlgorithmEx.map { call in { call(h, x, xp, filter, wp, convolution, y, Self.mutableRaw(output), $0, &$1, $2, space, spaceBytes) } }
            heuristic = { f.cudnnGetConvolutionForwardAlgorithm_v7?(h, x, filter, convolution, y, $0, &$1, $2) }
            size = { f.cudnnGetConvolutionForwardWorkspaceSize?(h, x, filter, convolution, y, $0, &$1) }
        case .backwardData:
            find = f.cudnnFindConvolutionBackwardDataAlgorithmEx.map { call in { call(h, filter, wp, y, yp, convolution, x, Self.mutableRaw(input), $0, &$1, $2, space, spaceBytes) } }
            heuristic = { f.cudnnGetConvolutionBackwardDataAlgorithm_v7?(h, filter, y, convolution, x, $0, &$1, $2) }
            size = { f.cudnnGetConvolutionBackwardDataWorkspaceSize?(h, filter, y, convolution, x, $0, &$1) }
        case .backwardFilter:
            find = f.cudnnFindConvolutionBackwardFilterAlgorithmEx.map { call in { call(h, x, xp, y, yp, convolution, filter, Self.mutableRaw(weights), $0, &$1, $2, space, spaceBytes) } }
            heuristic = { f.cudnnGetConvolutionBackwardFilterAlgorithm_v7?(h, x, y, convolution, filter, $0, &$1, $2) }
            size = { f.cudnnGetConvolutionBackwardFilterWorkspaceSize?(h, x, y, convolution, filter, $0, &$1) }
        }
        let key = "convolution-v1|cuDNN \(api.version)|\(choiceKey)|\(plan)|tf32 \(plan.allowsTF32)"
        if let stored = choices?.choice(forKey: key), (0..<64).contains(stored) {
            var bytes = 0
            if size(Int32(stored), &bytes) == 0, bytes <= workspaceLimit {
                algorithm = Int32(stored)
                workspaceBytes = bytes
                return bytes
            }
        }
        var results = [nvgpu_cudnn_fwd_algo_perf](repeating: nvgpu_cudnn_fwd_algo_perf(), count: 8)
        var returned: Int32 = 0
        if let find {
            let status = results.withUnsafeMutableBufferPointer { find(Int32($0.count), &returned, $0.baseAddress) }
            if status == 0, let best = Self.best(results, returned, limit: workspaceLimit) {
                algorithm = best.algo
                workspaceBytes = best.memory
                try? choices?.storeChoice(Int(best.algo), forKey: key)
                return workspaceBytes
            }
        }
        returned = 0
        try api.check(names.heuristic, context: context) { _ in
            results.withUnsafeMutableBufferPointer { heuristic(Int32($0.count), &returned, $0.baseAddress) }
        }
        guard let best = Self.best(results, returned, limit: workspaceLimit) else {
            throw CUDNNError(call: names.heuristic, status: 3000,
                             name: "CUDNN_STATUS_NOT_SUPPORTED (no algorithm within \(workspaceLimit) workspace bytes)", context: context)
        }
        var bytes = 0
        try api.check(names.workspace, context: context) { _ in size(best.algo, &bytes) }
        algorithm = best.algo
        workspaceBytes = bytes
        return bytes
    }

    /// cuDNN's names of the heuristic, workspace-size and run calls, by direction.
    private static let callNames: [(heuristic: String, workspace: String, run: String)] = [
        ("cudnnGetConvolutionForwardAlgorithm_v7", "cudnnGetConvolutionForwardWorkspaceSize", "cudnnConvolutionForward"),
        ("cudnnGetConvolutionBackwardDataAlgorithm_v7", "cudnnGetConvolutionBackwardDataWorkspaceSize", "cudnnConvolutionBackwardData"),
        ("cudnnGetConvolutionBackwardFilterAlgorithm_v7", "cudnnGetConvolutionBackwardFilterWorkspaceSize", "cudnnConvolutionBackwardFilter"),
    ]

    /// The first answer that succeeded within `limit` workspace bytes.
    private static func best(_ results: [nvgpu_cudnn_fwd_algo_perf], _ count: Int32, limit: Int)
        -> (algo: Int32, memory: Int)? {
        for result in results.prefix(Int(max(0, count))) where result.status == 0 && result.memory <= limit {
            return (result.algo, result.memory)
        }
        return nil
    }

    /// Queues `output = convolution(input, filter)` on the handle's stream. `workspace` must
    /// hold `workspaceBytes` bytes; `chooseAlgorithm` must have run.
    public func run(input: DevicePointer, filter weights: DevicePointer, output: DevicePointer,
                    bias biasValues: DevicePointer? = nil, workspace: DevicePointer?) throws(CUDNNError) {
        guard let algorithm else {
            throw CUDNNError(call: "cudnnConvolutionForward", status: 2000, name: "CUDNN_STATUS_BAD_PARAM",
                             context: "convolution \(plan) has no algorithm chosen")
        }
        guard workspaceBytes == 0 || workspace != nil else {
            throw CUDNNError(call: "cudnnConvolutionForward", status: 2000, name: "CUDNN_STATUS_BAD_PARAM",
                             context: "convolution \(plan) needs \(workspaceBytes) workspace bytes")
        }
        var alpha: Float = 1, beta: Float = 0
        let (x, y, filter, convolution, h) = (self.x, self.y, self.filter, self.convolution, handle.handle)
        let space = workspace.flatMap(Self.mutableRaw)
        switch plan.direction {
        case .forward: break
        case .backwardData:
            try handle.library.check(Self.callNames[1].run, context: "convolution \(plan)") {
                $0.cudnnConvolutionBackwardData?(h, &alpha, filter, Self.raw(weights), y, Self.raw(output), convolution, algorithm,
                                                 space, workspaceBytes, &beta, x, Self.mutableRaw(input))
            }
            return
        case .backwardFilter:
            try handle.library.check(Self.callNames[2].run, context: "convolution \(plan)") {
                $0.cudnnConvolutionBackwardFilter?(h, &alpha, x, Self.raw(input), y, Self.raw(output), convolution, algorithm,
                                                   space, workspaceBytes, &beta, filter, Self.mutableRaw(weights))
            }
            return
        }
        if plan.addsBiasAndReLU {
            guard let biasValues, let bias, let activation else {
                throw CUDNNError(call: "cudnnConvolutionBiasActivationForward", status: 2000, name: "CUDNN_STATUS_BAD_PARAM",
                                 context: "convolution \(plan) needs a bias buffer")
            }
            if fusesEpilogue != false {
                var zero: Float = 0
                let api = handle.library.functions
                let status = api.cudnnConvolutionBiasActivationForward?(
                    handle.handle, &alpha, x, Self.raw(input), filter, Self.raw(weights), convolution, algorithm,
                    workspace.flatMap(Self.mutableRaw), workspaceBytes, &zero, y, Self.raw(output), bias, Self.raw(biasValues),
                    activation, y, Self.mutableRaw(output))
                if status == 0 {
                    fusesEpilogue = true
                    return
                }
                // Only the first call may fall back: a later failure is an error.
                if fusesEpilogue == true {
                    try handle.library.check("cudnnConvolutionBiasActivationForward", context: "convolution \(plan)") { _ in status }
                }
                fusesEpilogue = false
            }
        }
        try handle.library.check("cudnnConvolutionForward", context: "convolution \(plan)") {
            $0.cudnnConvolutionForward?(handle.handle, &alpha, x, Self.raw(input), filter, Self.raw(weights), convolution,
                                        algorithm, workspace.flatMap(Self.mutableRaw), workspaceBytes, &beta, y,
                                        Self.mutableRaw(output))
        }
        if plan.addsBiasAndReLU, let biasValues, let bias, let activation {
            var one: Float = 1, zero: Float = 0
            try handle.library.check("cudnnAddTensor", context: "bias of convolution \(plan)") {
                $0.cudnnAddTensor?(handle.handle, &one, bias, Self.raw(biasValues), &one, y, Self.mutableRaw(output))
            }
            try handle.library.check("cudnnActivationForward", context: "ReLU of convolution \(plan)") {
                $0.cudnnActivationForward?(handle.handle, activation, &one, y, Self.raw(output), &zero, y, Self.mutableRaw(output))
            }
        }
    }

    private static func raw(_ p: DevicePointer) -> UnsafeRawPointer? { UnsafeRawPointer(bitPattern: UInt(p.rawValue)) }
    private static func mutableRaw(_ p: DevicePointer) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(p.rawValue))
    }
}
