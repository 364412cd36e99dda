import Foundation
import Runtime
import StableHLO

/// Folds `max(convolution + broadcast(bias), 0)` after a convolution that cuDNN runs in
/// NHWC into the convolution's step (`ConvolutionCall.reluBias`: cuDNN's fused
/// convolution-bias-activation call), like the matmul epilogues.
///
/// The rewritten block keeps one `stablehlo.convolution` per fused chain, placed where the
/// ReLU was, whose result is the ReLU's value, whose third operand is the bias vector and
/// which carries the `nvgpu.convolution_epilogue` attribute. A chain is fused only when the
/// convolution's and the add's values have no other users. `NVGPU_CONV_EPILOGUE=0` in the
/// environment keeps the bias add and ReLU a generated kernel (to measure the difference).
enum ConvolutionEpilogueMatcher {
    /// The attribute that marks a rewritten convolution.
    static let attributeName = "nvgpu.convolution_epilogue"

    /// Whether the rewrite is on (`NVGPU_CONV_EPILOGUE` is not `0`).
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_CONV_EPILOGUE"] != "0" }

    /// The bias of a rewritten convolution, and the plain two-operand convolution.
    static func fusedEpilogue(of op: StableHLO.Operation) -> (bias: Value, convolution: StableHLO.Operation)? {
        guard op.name == "stablehlo.convolution", op[attribute: attributeName] != nil, op.operands.count == 3 else { return nil }
        var plain = op
        plain.operands = Array(op.operands.prefix(2))
        plain[attribute: attributeName] = nil
        return (op.operands[2], plain)
    }

    /// `block` with every matched chain folded into its convolution.
    static func fusingEpilogues(into block: Block) -> Block {
        guard isEnabled else { return block }
        let graph = ValueGraph(block)
        var replacements: [Int: StableHLO.Operation] = [:]
        var removed = Set<Int>()
        for (i, op) in block.operations.enumerated() where op.name == "stablehlo.convolution" && op.operands.count == 2 {
            guard case .vendor(let call, _) = ConvolutionLowering.path(op, useVendorLibraries: true), call.layout == .nhwc,
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
            fused.results = [y]
            fused.operands.append(bias)
            fused[attribute: attributeName] = .string("bias_relu")
            // `last` stays in `removed` (its replacement is looked up first below), so the
            // literals and broadcasts only the chain read count as dead.
            removed.formUnion(chain)
            removed.insert(i)
            replacements[last] = fused
        }
        return graph.rewriting(block, replacing: replacements, removing: removed)
    }
}
