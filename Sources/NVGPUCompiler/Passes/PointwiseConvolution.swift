import Compiler
import Foundation
import StableHLO

/// `nvgpu-pointwise-convolution`: a convolution whose window is 1 in every spatial dimension
/// (stride 1, no padding or dilation, no groups) over channels-last input and output is a
/// matrix product — positions × input features times input features × output features — and
/// becomes `dot_general(x, reshape(w))`: cuBLASLt then runs it with its per-shape algorithm
/// timing and its bias/activation epilogues (`nvgpu-matmul-epilogue-fusion` runs after this
/// pass), instead of cuDNN's convolution engines.
///
/// The filter is reshaped to 2-D (its non-unit dimensions keep their order: [i, o] or
/// [o, i]) and contracted on its input feature; the result's dimensions are the input's
/// batch and spatial ones, then the output feature, which is the convolution's own result
/// when that is channels-last in the input's spatial order. Precision config carries over.
/// Only with vendor libraries; off with `NVGPU_CONV_AS_MATMUL=0`.
struct PointwiseConvolutionPass: ConvolutionRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-pointwise-convolution" }

    static var isEnabledByEnvironment: Bool { ProcessInfo.processInfo.environment["NVGPU_CONV_AS_MATMUL"] != "0" }


    /// The reshape and dot_general replacing `op`, or nil to keep it.
    static func rewrite(_ op: StableHLO.Operation, nextID: inout Int) -> [StableHLO.Operation]? {
        guard op.operands.count == 2, op.results.count == 1, let g = try? ConvolutionGeometry(op),
              let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let out = op.resultTensorType(0),
              lhs.elementType == rhs.elementType, lhs.elementCount > 0, out.elementCount > 0,
              g.windowSizes.allSatisfy({ $0 == 1 }), g.strides.allSatisfy({ $0 == 1 }),
              g.lhsDilation.allSatisfy({ $0 == 1 }), g.padding.allSatisfy({ $0.low == 0 && $0.high == 0 }),
              g.featureGroups == 1, g.batchGroups == 1, g.reversal.allSatisfy({ !$0 }) || g.reversal.allSatisfy({ $0 }) else {
            return nil
        }
        let s = g.spatialRank
        // Input [b, spatial..., f] and output [b, the same spatial order..., f].
        guard [g.inputBatch] + g.inputSpatial + [g.inputFeature] == Array(0..<(s + 2)),
              [g.outputBatch] + g.outputSpatial + [g.outputFeature] == Array(0..<(s + 2)) else { return nil }
        let inputFirst = g.kernelInput < g.kernelOutput
        let filterType = TensorType(shape: inputFirst ? [g.inputFeatures, g.outputFeatures] : [g.outputFeatures, g.inputFeatures],
                                    elementType: rhs.elementType)
        let filter = Value(id: nextID, type: .tensor(filterType))
        nextID += 1
        let reshape = StableHLO.Operation(name: "stablehlo.reshape", operands: [op.operands[1]], results: [filter],
                                          location: op.location)
        let numbers: [NamedAttribute] = [
            NamedAttribute("lhs_contracting_dimensions", .array([.integer(Int64(s + 1), type: nil)])),
            NamedAttribute("rhs_contracting_dimensions", .array([.integer(inputFirst ? 0 : 1, type: nil)])),
        ]
        var attributes = [NamedAttribute("dot_dimension_numbers", .dialect(name: "stablehlo.dot", parameters: numbers))]
        if let precision = op[attribute: "precision_config"] { attributes.append(NamedAttribute("precision_config", precision)) }
        let dot = StableHLO.Operation(name: "stablehlo.dot_general", operands: [op.operands[0], filter], results: op.results,
                                      attributes: attributes, location: op.location)
        return [reshape, dot]
    }
}
