import Foundation
import Runtime
import StableHLO

extension Assembly {
    /// Adds the fused attention kernel of `plan` as one launch named `name`.
    mutating func addAttention(_ plan: AttentionPlan, name: String) throws {
        let q = try buffer(for: plan.query.base, definedBy: "attention")
        let k = try buffer(for: plan.key.base, definedBy: "attention")
        let v = try buffer(for: plan.value.base, definedBy: "attention")
        let mask = try plan.mask.map { try buffer(for: $0.base, definedBy: "attention") }
        let bias = try plan.bias.map { try buffer(for: $0.base, definedBy: "attention") }
        let out = try buffer(for: plan.result, definedBy: name)
        let source = AttentionKernel.source(plan.kernelVariant, name: name)
        steps.append(.launch(AttentionKernel.launch(plan, kernel: kernels.count, q: q, k: k, v: v, mask: mask, bias: bias,
                                                    out: out)))
        kernels.append(KernelImage(entryPoint: name, binary: Data(), source: source))
        stepBuffers.append([q, k, v] + (mask.map { [$0] } ?? []) + (bias.map { [$0] } ?? []) + [out])
    }
}
