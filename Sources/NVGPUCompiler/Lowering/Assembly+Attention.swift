import Compiler
import Foundation
import Runtime
import StableHLO

extension Assembly {
    /// Adds the fused attention of `plan` named `name`: the compiler's kernel, as a launch or,
    /// with vendor libraries on and a problem cuDNN's fused attention can take, inside an
    /// attention step that runs the faster of cuDNN and the kernel.
    mutating func addAttention(_ plan: AttentionPlan, options: CompileOptions, name: String) throws {
        let q = try buffer(for: plan.query.base, definedBy: "attention")
        let k = try buffer(for: plan.key.base, definedBy: "attention")
        let v = try buffer(for: plan.value.base, definedBy: "attention")
        let mask = try plan.mask.map { try buffer(for: $0.base, definedBy: "attention") }
        let bias = try plan.bias.map { try buffer(for: $0.base, definedBy: "attention") }
        let out = try buffer(for: plan.result, definedBy: name)
        let source = AttentionKernel.source(plan.kernelVariant, name: name)
        let launch = AttentionKernel.launch(plan, kernel: kernels.count, q: q, k: k, v: v, mask: mask, bias: bias, out: out)
        if options.useVendorLibraries, let call = plan.vendorCall(q: q, k: k, v: v, bias: bias, out: out, kernel: launch) {
            steps.append(.attention(call))
        } else {
            steps.append(.launch(launch))
        }
        kernels.append(KernelImage(entryPoint: name, binary: Data(), source: source))
        stepBuffers.append([q, k, v] + (mask.map { [$0] } ?? []) + (bias.map { [$0] } ?? []) + [out])
    }
}

extension AttentionPlan {
    /// Why cuDNN's fused attention is not offered for this plan, or nil: it takes bf16/f16 in
    /// and out, an additive bias of the same type, no boolean mask.
    var vendorRefusal: String? {
        if mask != nil { return "a boolean mask input (cuDNN's fused attention takes causal masks and additive biases)" }
        if outputType != elementType.rawValue { return "an \(outputType) result from \(elementType.rawValue) inputs" }
        if let bias, bias.elementType != elementType.rawValue { return "an \(bias.elementType) bias with \(elementType.rawValue) inputs" }
        if headDim % 8 != 0 || headDim > 256 { return "head dim \(headDim)" }
        return nil
    }

    /// The attention step for this plan, with `kernel` as its other candidate; nil when cuDNN
    /// is not offered (`vendorRefusal`).
    func vendorCall(q: Int, k: Int, v: Int, bias biasBuffer: Int?, out: Int, kernel: KernelLaunch) -> AttentionCall? {
        guard vendorRefusal == nil else { return nil }
        func operand(_ layout: AttentionOperandLayout, buffer: Int, length: Int) -> AttentionCall.Operand? {
            // Heads reading one K/V head: all of them (a head stride of 0) or `headGroup`.
            let kvHeads = layout.headStride == 0 ? 1 : heads / max(1, layout.headGroup)
            guard kvHeads >= 1, heads % kvHeads == 0 else { return nil }
            return AttentionCall.Operand(
                buffer: buffer, offset: layout.offset, dims: [batch, kvHeads, length, headDim],
                strides: [layout.batchStride, layout.headStride, layout.sequenceStride, 1])
        }
        guard let query = operand(self.query, buffer: q, length: queryLength), query.dims[1] == heads,
              let key = operand(self.key, buffer: k, length: keyLength),
              let value = operand(self.value, buffer: v, length: keyLength) else { return nil }
        let output = AttentionCall.Operand(buffer: out, offset: 0, dims: [batch, heads, queryLength, headDim],
                                           strides: [self.output.batch, self.output.head, self.output.sequence, 1])
        var biasOperand: AttentionCall.Operand?
        if let bias, let biasBuffer {
            // A dimension the bias is broadcast along (stride 0) is given as extent 1.
            let strides = [bias.batchStride, bias.headStride, bias.queryStride, bias.keyStride]
            let extents = [batch, heads, queryLength, keyLength]
            biasOperand = AttentionCall.Operand(buffer: biasBuffer, offset: bias.offset,
                                                dims: zip(extents, strides).map { $1 == 0 ? 1 : $0 }, strides: strides)
        }
        return AttentionCall(elementType: elementType.rawValue, query: query, key: key, value: value, output: output,
                             bias: biasOperand, scale: Float(scale?.factor ?? 1), causalOffset: causalOffset, kernel: kernel)
    }
}
