import Foundation
import Runtime
import StableHLO

/// Folds `max(convolution + broadcast(bias), 0)` after a convolution that cuDNN runs in
/// NHWC into the convolution's step (`ConvolutionCall.reluBias`: cuDNN's fused
/// convolution-bias-activation call), like the matmul epilogues (the
/// `nvgpu-convolution-epilogue-fusion` pass runs it on every block).
///
/// Each fused chain becomes one `nvgpu.convolution_epilogue` op, placed where the ReLU was,
/// whose result is the ReLU's value:
///
/// ```
/// %r = "nvgpu.convolution_epilogue"(%input, %filter, %bias) {epilogue = "bias_relu",
///        dimension_numbers = #stablehlo.conv<...>, ...} : (...) -> tensor<...>
/// ```
///
/// Its operands are the convolution's two and the bias vector (one per output feature);
/// its attributes are the convolution's plus `epilogue`. A chain is fused only when the
/// convolution's and the add's values have no other users. `NVGPU_CONV_EPILOGUE=0` in the
/// environment keeps the bias add and ReLU a generated kernel (to measure the difference).
enum ConvolutionEpilogueMatcher {
    /// The name of the fused op.
    static let operationName = "nvgpu.convolution_epilogue"
    /// The attribute that names the epilogue (`bias_relu`, the one cuDNN call we make).
    static let attributeName = "epilogue"

    /// Whether the rewrite is on (`NVGPU_CONV_EPILOGUE` is not `0`).
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_CONV_EPILOGUE"] != "0" }

    /// The bias of an `nvgpu.convolution_epilogue` op and its plain two-operand convolution
    /// (nil for any other op); throws a `CodeGenError` at the op when it is malformed.
    static func fusedEpilogue(of op: StableHLO.Operation) throws -> (bias: Value, convolution: StableHLO.Operation)? {
        guard op.name == operationName else { return nil }
        guard op[attribute: attributeName]?.stringValue == "bias_relu", op.operands.count == 3, op.results.count == 1,
              op.regions.isEmpty else {
            throw CodeGenError("\(operationName): expected epilogue = \"bias_relu\", three operands and one result",
                               at: op.location)
        }
        var plain = op
        plain.name = "stablehlo.convolution"
        plain.operands = Array(op.operands.prefix(2))
        plain[attribute: attributeName] = nil
        return (op.operands[2], plain)
    }

    /// `block` with every matched chain folded into an `nvgpu.convolution_epilogue` op.
    static func fusingEpilogues(into block: Block) -> Block {
        let graph = ValueGraph(block)
        var replacements: [Int: StableHLO.Operation] = [:]
        var removed = Set<Int>()
        for (i, op) in block.operations.enumerated() where op.name == "stablehlo.convolution" && op.operands.count == 2 {
            guard case .vendor(let call, _, _) = ConvolutionLowering.path(op, useVendorLibraries: true), call.layout == .nhwc,
                  call.direction == .forward,
                  let type = op.resultTensorType(0), op.results.count == 1 else { continue }
            let product = op.results[0]
            guard let only = graph.users[product.id], only.count == 1, graph.operations[only[0]].name == "stablehlo.add" else { continue }
            let add = graph.operations[only[0]]
            guard add.operands.count == 2, add.results.count == 1, let other = add.operands.first(where: { $0 != product }),
                  let bias = graph.lastDimVector(other), bias.type.tensorType?.elementType == type.elementType,
                  let (activation, ops, y) = graph.activation(of: add.results[0], avoiding: [only[0]]), activation == .relu,
                  let last = ops.max() else { continue }
            let chain = ops.union([only[0]])
            guard removed.isDisjoint(with: chain), !removed.contains(i) else { continue }
            var fused = op
            fused.name = operationName
            fused.results = [y]
            fused.operands.append(bias)
            fused.attributes.insert(NamedAttribute(attributeName, .string("bias_relu")), at: 0)
            // `last` stays in `removed` (its replacement is looked up first below), so the
            // literals and broadcasts only the chain read count as dead.
            removed.formUnion(chain)
            removed.insert(i)
            replacements[last] = fused
        }
        return graph.rewriting(block, replacing: replacements, removing: removed)
    }
}
