/// A 2-D convolution by cuDNN (a 1-D one has height 1) whose input, filter and output are
/// densely packed in one format — NHWC with a KRSC filter, or NCHW with a KCRS filter.
/// `input`, `filter` and `output` always name the forward convolution's x, w and y;
/// `direction` says which of them the step computes from the other two:
/// `output = conv(input, filter)`, the input gradient `input = conv^T(output, filter)`, or
/// the filter gradient `filter = corr(input, output)`. The compiler plans transposes (and
/// lowers what cuDNN cannot take to a generated kernel) before emitting this step.
public struct ConvolutionCall: Codable, Sendable, Hashable {
    /// Which of x, w, y the step writes.
    public enum Direction: String, Codable, Sendable, Hashable {
        /// y = conv(x, w) (`cudnnConvolutionForward`).
        case forward
        /// x = conv^T(y, w), the gradient of the input (`cudnnConvolutionBackwardData`).
        case backwardData
        /// w = corr(x, y), the gradient of the filter (`cudnnConvolutionBackwardFilter`).
        case backwardFilter
    }

    /// How input, filter and output are stored.
    public enum Layout: String, Codable, Sendable, Hashable {
        /// Input/output (N, H, W, C); filter (K, R, S, C/groups).
        case nhwc
        /// Input/output (N, C, H, W); filter (K, C/groups, R, S).
        case nchw
    }

    public var input: Int
    public var filter: Int
    public var output: Int
    public var layout: Layout
    /// Input extents: batch, channels, height, width.
    public var n: Int, c: Int, h: Int, w: Int
    /// Output channels and window height, width.
    public var k: Int, r: Int, s: Int
    public var outputHeight: Int, outputWidth: Int
    /// Padding on both sides, window strides and window dilation: (height, width) each.
    public var padding: [Int]
    public var strides: [Int]
    public var dilation: [Int]
    /// `feature_group_count`: the filter holds c / groups input channels.
    public var groups: Int
    /// The window is reversed in both dimensions (cuDNN's CONVOLUTION mode).
    public var flipsWindow: Bool
    /// `bf16`, `f16` or `f32` (input, filter and output alike).
    public var elementType: String
    /// For f32: whether the tensor cores may round inputs to TF32 (precision DEFAULT).
    public var allowsTF32: Bool
    /// When set, the step computes `max(convolution + bias, 0)` with this buffer as the
    /// per-output-channel bias (length k, the element type): the bias add and ReLU that
    /// followed the convolution in the program, folded into cuDNN's fused call.
    public var reluBias: Int?
    /// Which buffer the step writes (`forward` for files written before directions existed).
    public var direction: Direction = .forward

    public init(input: Int, filter: Int, output: Int, layout: Layout, n: Int, c: Int, h: Int, w: Int,
                k: Int, r: Int, s: Int, outputHeight: Int, outputWidth: Int, padding: [Int], strides: [Int],
                dilation: [Int], groups: Int, flipsWindow: Bool, elementType: String, allowsTF32: Bool) {
        self.input = input
        self.filter = filter
        self.output = output
        self.layout = layout
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
        self.elementType = elementType
        self.allowsTF32 = allowsTF32
    }

    /// The buffer the step writes.
    public var written: Int {
        switch direction {
        case .forward: return output
        case .backwardData: return input
        case .backwardFilter: return filter
        }
    }

    /// Element counts of input, filter and output.
    public var elementCounts: (input: Int, filter: Int, output: Int) {
        (n * c * h * w, k * (c / max(groups, 1)) * r * s, n * k * outputHeight * outputWidth)
    }

    /// One line for listings: `cuDNN nhwc bf16 32x256x56x56 * 256x256x3x3 -> 56x56 pad 1,1 ...`.
    public var summary: String {
        let name = direction == .forward ? "convolution" : direction == .backwardData ? "backward-data convolution" : "backward-filter convolution"
        return "cuDNN \(name) \(layout) \(elementType) x \(n)x\(c)x\(h)x\(w) w \(k)x\(c / max(groups, 1))x\(r)x\(s)"
            + " -> \(outputHeight)x\(outputWidth) pad \(padding.map(String.init).joined(separator: ","))"
            + " stride \(strides.map(String.init).joined(separator: ","))"
            + " dilation \(dilation.map(String.init).joined(separator: ","))"
            + (groups > 1 ? " groups \(groups)" : "") + (flipsWindow ? " flipped" : "")
            + (elementType == "f32" && allowsTF32 ? " tf32" : "") + (reluBias == nil ? "" : " +bias+relu")
    }

    private enum CodingKeys: String, CodingKey {
        case input, filter, output, layout, n, c, h, w, k, r, s, outputHeight, outputWidth, padding, strides, dilation
        case groups, flipsWindow, elementType, allowsTF32, reluBias, direction
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decode(Int.self, forKey: .input)
        filter = try c.decode(Int.self, forKey: .filter)
        output = try c.decode(Int.self, forKey: .output)
        layout = try c.decode(Layout.self, forKey: .layout)
        n = try c.decode(Int.self, forKey: .n)
        self.c = try c.decode(Int.self, forKey: .c)
        h = try c.decode(Int.self, forKey: .h)
        w = try c.decode(Int.self, forKey: .w)
        k = try c.decode(Int.self, forKey: .k)
        r = try c.decode(Int.self, forKey: .r)
        s = try c.decode(Int.self, forKey: .s)
        outputHeight = try c.decode(Int.self, forKey: .outputHeight)
        outputWidth = try c.decode(Int.self, forKey: .outputWidth)
        padding = try c.decode([Int].self, forKey: .padding)
        strides = try c.decode([Int].self, forKey: .strides)
        dilation = try c.decode([Int].self, forKey: .dilation)
        groups = try c.decode(Int.self, forKey: .groups)
        flipsWindow = try c.decode(Bool.self, forKey: .flipsWindow)
        elementType = try c.decode(String.self, forKey: .elementType)
        allowsTF32 = try c.decode(Bool.self, forKey: .allowsTF32)
        reluBias = try c.decodeIfPresent(Int.self, forKey: .reluBias)
        direction = try c.decodeIfPresent(Direction.self, forKey: .direction) ?? .forward
    }
}
