/// A fused scaled-dot-product attention run by cuDNN's flash-attention engines, with the
/// compiler's own kernel as the other candidate: the first run on a device times both and
/// keeps the faster (and the kernel alone runs where cuDNN cannot take the problem or is
/// absent). Each tensor is 4-D in elements, the feature stride 1.
public struct AttentionCall: Codable, Sendable, Hashable {
    /// Where one tensor lies in its buffer.
    public struct Operand: Codable, Sendable, Hashable {
        public var buffer: Int
        /// Elements from the buffer's start to element (0, 0, 0, 0).
        public var offset: Int
        public var dims: [Int]
        public var strides: [Int]

        public init(buffer: Int, offset: Int, dims: [Int], strides: [Int]) {
            self.buffer = buffer
            self.offset = offset
            self.dims = dims
            self.strides = strides
        }

        /// Elements the view reaches past its offset (the largest index + 1).
        public var extent: Int {
            zip(dims, strides).reduce(1) { $0 + ($1.0 - 1) * $1.1 }
        }
    }

    /// `bf16` or `f16`: Q, K, V, O (and the bias).
    public var elementType: String
    /// `[batch, heads, queries, headDim]`.
    public var query: Operand
    /// `[batch, kvHeads, keys, headDim]`.
    public var key: Operand
    /// `[batch, kvHeads, keys, valueDim]`.
    public var value: Operand
    /// `[batch, heads, queries, valueDim]`.
    public var output: Operand
    /// An additive bias `[batch or 1, heads or 1, queries, keys]`.
    public var bias: Operand?
    public var scale: Float
    /// Key `k` is seen by query `q` only when `k ≤ q + causalOffset`; nil: no mask.
    public var causalOffset: Int?
    /// The compiler's kernel for the same attention.
    public var kernel: KernelLaunch

    public init(elementType: String, query: Operand, key: Operand, value: Operand, output: Operand, bias: Operand?,
                scale: Float, causalOffset: Int?, kernel: KernelLaunch) {
        self.elementType = elementType
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.bias = bias
        self.scale = scale
        self.causalOffset = causalOffset
        self.kernel = kernel
    }

    /// Every buffer it reads or writes.
    public var buffers: [Int] {
        [query.buffer, key.buffer, value.buffer, output.buffer] + (bias.map { [$0.buffer] } ?? [])
    }

    /// `attention bf16 b2 h16/4 s2048x2048 d128 causal(0) bias`.
    public var summary: String {
        let q = query.dims, k = key.dims
        guard q.count == 4, k.count == 4 else { return "attention \(elementType)" }
        return "attention \(elementType) b\(q[0]) h\(q[1])/\(k[1]) s\(q[2])x\(k[2]) d\(q[3])"
            + (causalOffset.map { " causal(\($0))" } ?? "") + (bias == nil ? "" : " bias")
    }
}

extension ExecutionStep {
    /// The kernel launch this step queues: a launch's own, or an attention step's kernel
    /// (which runs when cuDNN does not); nil for other steps.
    public var kernelLaunch: KernelLaunch? {
        switch self {
        case .launch(let launch): return launch
        case .attention(let call): return call.kernel
        default: return nil
        }
    }
}
