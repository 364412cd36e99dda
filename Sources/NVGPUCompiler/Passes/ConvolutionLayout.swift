import Compiler
import Foundation
import StableHLO

/// `nvgpu-convolution-layout`: puts convolutions cuDNN could run into the form it takes.
///
/// - A convolution whose input or output is neither channels-last (NHWC) nor channels-first
///   (NCHW) for both, or an f16/bf16 one that is channels-first (cuDNN's tensor-core kernels
///   are channels-last), gets transposes to channels-last around it and its filter to
///   cuDNN's order (tiled transpose kernels, fused with their neighbours).
/// - A channels-last f16/bf16 convolution without groups whose input feature count is odd
///   (an RGB stem: 3 channels; cuDNN answers CUDNN_STATUS_BAD_PARAM for it on an H100) gets
///   zero padding on the input and the filter (the padded terms are zero; the result is the
///   same): up to 16 features when fewer (the 7×7 stride-2 stem ran 0.49 ms on an H100
///   padded to 8 features, 0.23 ms padded to 16 and 0.24 ms at 4), else up to the next
///   multiple of 8. Even feature counts are left as they are.
///
/// Only convolutions the vendor path can otherwise take are rewritten (same f32/f16/bf16
/// types, 1 or 2 spatial dims, no lhs dilation or batch groups); filter gradients cuDNN
/// takes as they are (its backward-filter direction) and grouped convolutions the
/// depthwise kernel takes are kept; off with
/// `--no-vendor-libs` or `NVGPU_CONV_LAYOUT=0`.
struct ConvolutionLayoutPass: ConvolutionRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-convolution-layout" }

    static var isEnabledByEnvironment: Bool { ProcessInfo.processInfo.environment["NVGPU_CONV_LAYOUT"] != "0" }

    /// The feature-count multiple odd input features are padded to (cuDNN's f16/bf16
    /// tensor-core kernels take multiples of 8).
    static let featureMultiple = 8
    /// Odd input feature counts below this are padded up to it.
    static let minimumFeatures = 16

    /// The input feature count a 16-bit convolution runs with on cuDNN.
    static func paddedFeatures(_ features: Int) -> Int {
        if features % 2 == 0 { return features }
        return features < minimumFeatures ? minimumFeatures : (features + featureMultiple - 1) / featureMultiple * featureMultiple
    }


    /// The ops replacing `op`, or nil to keep it.
    static func rewrite(_ op: StableHLO.Operation, nextID: inout Int) -> [StableHLO.Operation]? {
        guard op.operands.count == 2, op.results.count == 1, let g = try? ConvolutionGeometry(op),
              let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let out = op.resultTensorType(0),
              lhs.elementType == rhs.elementType, lhs.elementType == out.elementType,
              ConvolutionLowering.vendorTypes.contains(lhs.elementType.description),
              g.spatialRank == 1 || g.spatialRank == 2, g.batchGroups == 1, g.lhsDilation.allSatisfy({ $0 == 1 }),
              lhs.elementCount > 0, rhs.elementCount > 0, out.elementCount > 0 else { return nil }
        // cuDNN's filter gradient and the depthwise kernel take their layouts as they are.
        if case .vendor(let call, _, _) = ConvolutionLowering.path(op, useVendorLibraries: true), call.direction != .forward { return nil }
        if DepthwiseConvolutionKernel.preference(g) != nil { return nil }
        let s = g.spatialRank
        let identity = Array(0..<(s + 2))
        let inputLast = [g.inputBatch] + g.inputSpatial + [g.inputFeature]
        let inputFirst = [g.inputBatch, g.inputFeature] + g.inputSpatial
        let outputLast = [g.outputBatch] + g.outputSpatial + [g.outputFeature]
        let outputFirst = [g.outputBatch, g.outputFeature] + g.outputSpatial
        let half = lhs.elementType == .float(.f16) || lhs.elementType == .float(.bf16)
        // cuDNN's f16/bf16 tensor-core kernels are channels-last: a channels-first one runs
        // them behind its own layout conversion or not at all (3.6x XLA, which converts).
        let channelsFirst = inputFirst == identity && outputFirst == identity
        let standard = (inputLast == identity && outputLast == identity) || (channelsFirst && !half)
        // The implicit-GEMM kernel packs taps and features into K: it takes few features as they are.
        let narrow = ImplicitGemmConvolutionKernel.prefersShape(g, lhs: lhs.elementType, rhs: rhs.elementType,
                                                                result: out.elementType)
        let padInput = half && g.featureGroups == 1 && paddedFeatures(g.inputFeatures) != g.inputFeatures && !narrow
        let channelsLast = inputLast == identity && outputLast == identity
        guard !standard || (channelsLast && padInput) else { return nil }

        var ops: [StableHLO.Operation] = []
        func fresh(_ type: TensorType) -> Value {
            defer { nextID += 1 }
            return Value(id: nextID, type: .tensor(type))
        }
        func zero(_ element: ElementType) -> Value {
            let v = fresh(TensorType(shape: [], elementType: element))
            let bytes = [UInt8](repeating: 0, count: element.storageBytes)
            let elements = DenseElements(type: TensorType(shape: [], elementType: element), bytes: bytes, isSplat: true)
            ops.append(StableHLO.Operation(name: "stablehlo.constant", results: [v],
                                           attributes: [NamedAttribute("value", .dense(elements))], location: op.location))
            return v
        }
        func padded(_ value: Value, _ type: TensorType, dimension: Int, by amount: Int) -> (Value, TensorType) {
            var shape = type.shape
            shape[dimension] += amount
            let t = TensorType(shape: shape, elementType: type.elementType)
            let r = fresh(t)
            var high = [Int64](repeating: 0, count: shape.count)
            high[dimension] = Int64(amount)
            let zeros = [Int64](repeating: 0, count: shape.count)
            ops.append(StableHLO.Operation(
                name: "stablehlo.pad", operands: [value, zero(type.elementType)], results: [r],
                attributes: [NamedAttribute("edge_padding_low", .denseInts(.si(64), zeros)),
                             NamedAttribute("edge_padding_high", .denseInts(.si(64), high)),
                             NamedAttribute("interior_padding", .denseInts(.si(64), zeros))],
                location: op.location))
            return (r, t)
        }

        // The input, channels-last (then padded).
        var input = op.operands[0]
        var inputType = lhs
        if inputLast != identity {
            inputType = TensorType(shape: inputLast.map { lhs.shape[$0] }, elementType: lhs.elementType)
            let r = fresh(inputType)
            ops.append(transpose(input, inputLast, result: r, location: op.location))
            input = r
        }
        // The filter: in a rewritten layout, also transposed to cuDNN's order (KRSC) here, so
        // the transpose is a tiled kernel fused with its producers.
        var kernel = op.operands[1]
        var kernelType = rhs
        var kernelInput = g.kernelInput, kernelOutput = g.kernelOutput, kernelSpatial = g.kernelSpatial
        let kernelLast = [g.kernelOutput] + g.kernelSpatial + [g.kernelInput]
        if !standard, kernelLast != identity {
            kernelType = TensorType(shape: kernelLast.map { rhs.shape[$0] }, elementType: rhs.elementType)
            let r = fresh(kernelType)
            ops.append(transpose(kernel, kernelLast, result: r, location: op.location))
            kernel = r
            (kernelInput, kernelOutput, kernelSpatial) = (s + 1, 0, Array(1...s))
        }
        if padInput {
            let amount = Self.paddedFeatures(g.inputFeatures) - g.inputFeatures
            (input, inputType) = padded(input, inputType, dimension: s + 1, by: amount)
            (kernel, kernelType) = padded(kernel, kernelType, dimension: kernelInput, by: amount)
        }
        let features = g.outputFeatures

        // The convolution, channels-last on both sides.
        let convType = TensorType(shape: [g.batch] + g.outputSizes + [features], elementType: out.elementType)
        // Result dimension d reads channels-last dimension `order[d]`.
        var order = [Int](repeating: 0, count: s + 2)
        order[g.outputBatch] = 0
        order[g.outputFeature] = s + 1
        for (j, d) in g.outputSpatial.enumerated() { order[d] = 1 + j }
        // Already channels-last: the convolution defines the result itself (no copy after it).
        let convResult = order == identity ? op.results[0] : fresh(convType)
        var conv = op
        conv.operands = [input, kernel]
        conv.results = [convResult]
        conv[attribute: "dimension_numbers"] = .dialect(name: "stablehlo.conv", parameters: [
            NamedAttribute("input_batch_dimension", .integer(0, type: nil)),
            NamedAttribute("input_feature_dimension", .integer(Int64(s + 1), type: nil)),
            NamedAttribute("input_spatial_dimensions", .array((1...s).map { .integer(Int64($0), type: nil) })),
            NamedAttribute("kernel_input_feature_dimension", .integer(Int64(kernelInput), type: nil)),
            NamedAttribute("kernel_output_feature_dimension", .integer(Int64(kernelOutput), type: nil)),
            NamedAttribute("kernel_spatial_dimensions", .array(kernelSpatial.map { .integer(Int64($0), type: nil) })),
            NamedAttribute("output_batch_dimension", .integer(0, type: nil)),
            NamedAttribute("output_feature_dimension", .integer(Int64(s + 1), type: nil)),
            NamedAttribute("output_spatial_dimensions", .array((1...s).map { .integer(Int64($0), type: nil) })),
        ])
        ops.append(conv)

        // Back to the original output layout.
        if order != identity { ops.append(transpose(convResult, order, result: op.results[0], location: op.location)) }
        return ops
    }

    static func transpose(_ value: Value, _ permutation: [Int], result: Value, location: SourceLocation) -> StableHLO.Operation {
        StableHLO.Operation(name: "stablehlo.transpose", operands: [value], results: [result],
                            attributes: [NamedAttribute("permutation", .denseInts(.si(64), permutation.map { Int64($0) }))],
                            location: location)
    }
}

/// A pass that replaces single `stablehlo.convolution` ops by the ops `rewrite(_:nextID:)`
/// returns (nil keeps the op).
protocol ConvolutionRewritePass: BlockRewritePass {
    static func rewrite(_ op: StableHLO.Operation, nextID: inout Int) -> [StableHLO.Operation]?
}

extension ConvolutionRewritePass {
    func rewrite(_ block: Block, nextID: inout Int) -> Block {
        var result = block
        result.operations = []
        for op in block.operations {
            guard op.name == "stablehlo.convolution", let rewritten = Self.rewrite(op, nextID: &nextID) else {
                result.operations.append(op)
                continue
            }
            result.operations += rewritten
        }
        return result
    }
}
