import StableHLO

/// Everything a `stablehlo.convolution` computes, read off its attributes and checked
/// against its operand and result types: which dimension of each tensor is batch, feature
/// and spatial, and the window (strides, padding, dilations, reversal, groups).
///
/// Both the generated kernel and the cuDNN lowering read this one description.
public struct ConvolutionGeometry: Hashable, Sendable {
    public var inputBatch: Int, inputFeature: Int, inputSpatial: [Int]
    public var kernelInput: Int, kernelOutput: Int, kernelSpatial: [Int]
    public var outputBatch: Int, outputFeature: Int, outputSpatial: [Int]
    public var inputShape: [Int], kernelShape: [Int], outputShape: [Int]
    public var strides: [Int]
    /// (low, high) per spatial dimension; either may be negative.
    public var padding: [Padding]
    public var lhsDilation: [Int]
    public var rhsDilation: [Int]
    public var reversal: [Bool]
    public var featureGroups: Int
    public var batchGroups: Int

    /// Padding of one spatial dimension.
    public struct Padding: Hashable, Sendable {
        public var low: Int
        public var high: Int
    }

    /// Number of spatial dimensions.
    public var spatialRank: Int { inputSpatial.count }
    /// Input extents of the spatial dimensions, in spatial order.
    public var inputSizes: [Int] { inputSpatial.map { inputShape[$0] } }
    /// Window extents, in spatial order.
    public var windowSizes: [Int] { kernelSpatial.map { kernelShape[$0] } }
    /// Output extents of the spatial dimensions, in spatial order.
    public var outputSizes: [Int] { outputSpatial.map { outputShape[$0] } }
    public var batch: Int { inputShape[inputBatch] }
    public var inputFeatures: Int { inputShape[inputFeature] }
    /// Input features per output feature (`kernel_input_feature` extent).
    public var kernelInputFeatures: Int { kernelShape[kernelInput] }
    public var outputFeatures: Int { kernelShape[kernelOutput] }

    /// Reads `op`; throws a `CodeGenError` naming the op and its types when the attributes
    /// do not describe a valid convolution of its operands.
    public init(_ op: Operation) throws {
        // A convolution with a folded bias+ReLU (`ConvolutionEpilogueMatcher`) has the bias as a third operand.
        let operandCount = op[attribute: ConvolutionEpilogueMatcher.attributeName] == nil ? 2 : 3
        guard op.name == "stablehlo.convolution", op.operands.count == operandCount,
              let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let result = op.resultTensorType(0)
        else { throw CodeGenError("\(op.name) is not a convolution of two tensors", at: op.location) }
        func fail(_ what: String) -> CodeGenError {
            CodeGenError("stablehlo.convolution \(lhs) x \(rhs) -> \(result): \(what)", at: op.location)
        }
        let numbers: ConvolutionDimensionNumbers
        do { numbers = try ConvolutionDimensionNumbers(op) } catch { throw fail(error.message) }
        inputBatch = numbers.inputBatch
        inputFeature = numbers.inputFeature
        inputSpatial = numbers.inputSpatial
        kernelInput = numbers.kernelInput
        kernelOutput = numbers.kernelOutput
        kernelSpatial = numbers.kernelSpatial
        outputBatch = numbers.outputBatch
        outputFeature = numbers.outputFeature
        outputSpatial = numbers.outputSpatial
        inputShape = lhs.shape
        kernelShape = rhs.shape
        outputShape = result.shape
        let s = inputSpatial.count
        guard kernelSpatial.count == s, outputSpatial.count == s,
              lhs.shape.count == s + 2, rhs.shape.count == s + 2, result.shape.count == s + 2 else {
            throw fail("dimension numbers do not fit the operand ranks")
        }
        for dims in [[inputBatch, inputFeature] + inputSpatial, [kernelInput, kernelOutput] + kernelSpatial,
                     [outputBatch, outputFeature] + outputSpatial] {
            guard Set(dims) == Set(0..<(s + 2)) else { throw fail("dimension numbers \(dims) are not a permutation") }
        }
        func ints(_ name: String) throws -> [Int] {
            guard let a = op[attribute: name] else { return Array(repeating: 1, count: s) }
            guard let v = a.intArray else { throw fail("\(name) is not an integer list") }
            return v.map { Int($0) }
        }
        strides = try ints("window_strides")
        lhsDilation = try ints("lhs_dilation")
        rhsDilation = try ints("rhs_dilation")
        if let a = op[attribute: "window_reversal"] {
            guard let v = a.intArray else { throw fail("window_reversal is not a boolean list") }
            reversal = v.map { $0 != 0 }
        } else {
            reversal = Array(repeating: false, count: s)
        }
        padding = try Self.padding(op[attribute: "padding"], rank: s) ?? { throw fail("padding is not a \(s)x2 integer list") }()
        featureGroups = 1
        batchGroups = 1
        if let a = op[attribute: "feature_group_count"] {
            guard let v = a.intValue else { throw fail("feature_group_count is not an integer") }
            featureGroups = Int(v)
        }
        if let a = op[attribute: "batch_group_count"] {
            guard let v = a.intValue else { throw fail("batch_group_count is not an integer") }
            batchGroups = Int(v)
        }
        let limit = 1 << 31
        guard strides.count == s, lhsDilation.count == s, rhsDilation.count == s, reversal.count == s,
              (strides + lhsDilation + rhsDilation).allSatisfy({ $0 > 0 && $0 < limit }),
              padding.allSatisfy({ abs($0.low) < limit && abs($0.high) < limit }) else {
            throw fail("window attributes must have \(s) entries, strides and dilations positive")
        }
        let features = lhs.shape[inputFeature], batch = lhs.shape[inputBatch]
        let kernelIn = rhs.shape[kernelInput], outFeatures = rhs.shape[kernelOutput]
        guard featureGroups > 0, batchGroups > 0, features % featureGroups == 0, kernelIn * featureGroups == features,
              outFeatures % featureGroups == 0, batch % batchGroups == 0, outFeatures % batchGroups == 0,
              featureGroups == 1 || batchGroups == 1 else {
            throw fail("feature_group_count \(featureGroups) / batch_group_count \(batchGroups) do not fit the operands")
        }
        guard result.shape[outputBatch] == batch / batchGroups, result.shape[outputFeature] == outFeatures else {
            throw fail("result batch/feature extents do not match the operands")
        }
        for d in 0..<s {
            guard result.shape[outputSpatial[d]] == Self.outputExtent(
                input: lhs.shape[inputSpatial[d]], window: rhs.shape[kernelSpatial[d]], stride: strides[d],
                padding: padding[d], lhsDilation: lhsDilation[d], rhsDilation: rhsDilation[d]) else {
                throw fail("result spatial extent \(result.shape[outputSpatial[d]]) of dimension \(d) does not match the window")
            }
        }
    }

    /// The output extent of one spatial dimension (the spec's formula; 0 when the window
    /// does not fit).
    public static func outputExtent(input: Int, window: Int, stride: Int, padding: Padding,
                                    lhsDilation: Int, rhsDilation: Int) -> Int {
        let dilated = input == 0 ? 0 : (input - 1) * lhsDilation + 1
        let padded = dilated + padding.low + padding.high
        let span = window == 0 ? 0 : (window - 1) * rhsDilation + 1
        return padded < span ? 0 : (padded - span) / stride + 1
    }

    /// The `padding` attribute as pairs: a dense `Nx2` tensor, a list of pairs, or absent (zeros).
    static func padding(_ attribute: Attribute?, rank: Int) -> [Padding]? {
        guard let attribute else { return Array(repeating: Padding(low: 0, high: 0), count: rank) }
        var flat: [Int64]
        switch attribute {
        case .dense(let d):
            guard let values = d.int64Values else { return nil }
            flat = d.isSplat ? Array(repeating: values.first ?? 0, count: 2 * rank) : values
        case .array(let rows):
            flat = []
            for row in rows {
                guard let v = row.intArray ?? row.intValue.map({ [$0] }) else { return nil }
                flat += v
            }
        default:
            guard let values = attribute.intArray else { return nil }
            flat = values
        }
        guard flat.count == 2 * rank else { return nil }
        return (0..<rank).map { Padding(low: Int(flat[2 * $0]), high: Int(flat[2 * $0 + 1])) }
    }
}
