import Compiler
@testable import NVGPUCompiler
import StableHLO
import Testing

/// The `nvgpu-attention-fusion` pass: einsum + softmax attention becomes one
/// `nvgpu.attention` op whose attributes hold the whole plan, in the entry block and in
/// control-flow regions; its printed form parses back; malformed ops are errors.
@Suite struct AttentionFusionPassTests {
    static let name = "nvgpu-attention-fusion"

    /// The numbers of a plan (its values' ids change when a module is printed and parsed).
    static func numbers(_ plan: AttentionPlan) -> String {
        let layouts = [plan.query, plan.key, plan.value].map { "\($0.offset) \($0.batchStride) \($0.headStride) \($0.sequenceStride)" }
        return "\(plan.kernelVariant) \(plan.batch)x\(plan.heads) \(plan.queryLength)x\(plan.keyLength)x\(plan.headDim) "
            + "\(layouts) \(plan.output) \(plan.result.type)"
    }

    @Test(arguments: ["bf16", "f16"], AttentionFusionTests.ScaleForm.allCases)
    func rewritesAttentionIntoOneOp(_ t: String, _ scale: AttentionFusionTests.ScaleForm) throws {
        let text = AttentionFusionTests.program(t, scale: scale, mergeHeads: true)
        let module = try TargetPassSupport.run(Self.name, on: text)
        let names = TargetPassSupport.names(in: module)
        #expect(names.filter { $0 == AttentionPlan.operationName }.count == 1)
        for gone in ["stablehlo.dot_general", "stablehlo.reduce", "stablehlo.exponential", "stablehlo.transpose"] {
            #expect(!names.contains(gone), "\(gone) left: \(names)")
        }
        // The op alone gives the plan the matcher found.
        let op = try #require(TargetPassSupport.operations(in: module).first { $0.name == AttentionPlan.operationName })
        let matched = try #require(AttentionFusionTests.plans(text).first)
        #expect(try AttentionPlan(op) == matched)
        #expect(op[attribute: "scale"] != nil || scale == .none)
    }

    @Test func printedModuleParsesBackWithTheSamePlan() throws {
        let module = try TargetPassSupport.run(Self.name, on: AttentionFusionTests.program("bf16", mergeHeads: true))
        let reparsed = try TargetPassSupport.roundTrip(module)
        let before = try #require(TargetPassSupport.operations(in: module).first { $0.name == AttentionPlan.operationName })
        let after = try #require(TargetPassSupport.operations(in: reparsed).first { $0.name == AttentionPlan.operationName })
        #expect(Self.numbers(try AttentionPlan(after)) == Self.numbers(try AttentionPlan(before)))
        #expect(module.text.contains("\"nvgpu.attention\""))
    }

    @Test func leavesNearMissesAndIsOffWhenDisabled() throws {
        let nearMiss = AttentionFusionTests.program("bf16", extraResult: ("%12", "tensor<2x3x256x192xf32>"))
        let original = try Module.parse(nearMiss, file: "near.mlir")
        var rewritten = try TargetPassSupport.run(Self.name, on: nearMiss)
        // The module notes why (the probabilities are returned, so no second product reads
        // them alone), and keeps every op.
        let remarks = CompileRemarks.lines(of: rewritten)
        #expect(remarks.count == 1 && remarks[0].contains("not fused: the probabilities"), "\(remarks)")
        rewritten.attributes.removeAll { $0.name == CompileRemarks.attribute }
        #expect(rewritten.text == original.text)

        var module = try Module.parse(AttentionFusionTests.program("bf16"), file: "off.mlir")
        let before = module.text
        try AttentionFusionPass(entry: "main", isEnabled: false).run(on: &module)
        #expect(module.text == before)
    }

    @Test func fusesInsideControlFlowRegions() throws {
        let text = try TargetPassSupport.insideCase(AttentionFusionTests.program("bf16"))
        let module = try TargetPassSupport.run(Self.name, on: text)
        let main = try #require(module.function(named: "main")?.body.entry)
        let selection = try #require(main.operations.first { $0.name == "stablehlo.case" })
        let branch = try #require(selection.regions.first?.entry)
        #expect(branch.operations.contains { $0.name == AttentionPlan.operationName })
        try TargetPassSupport.roundTrip(module)
        // The builder lowers the fused op inside the branch to the attention kernel.
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.kernels.contains { $0.entryPoint.contains("attention_") })
    }

    @Test func malformedOpsAreCodeGenErrors() throws {
        let module = try TargetPassSupport.run(Self.name, on: AttentionFusionTests.program("bf16"))
        let op = try #require(TargetPassSupport.operations(in: module).first { $0.name == AttentionPlan.operationName })
        var edits: [(String, StableHLO.Operation)] = []
        var missing = op
        missing[attribute: "head_dim"] = nil
        edits.append(("missing head_dim", missing))
        var outside = op
        outside[attribute: "key_layout"] = .denseInts(.si(64), [0, 8, 0, 1 << 40, 64])
        edits.append(("layout past the operand", outside))
        var operand = op
        operand[attribute: "value_layout"] = .denseInts(.si(64), [7, 0, 0, 0, 64])
        edits.append(("no such operand", operand))
        var rounding = op
        rounding[attribute: "score_rounding"] = .string("f64")
        edits.append(("bad rounding", rounding))
        var strides = op
        strides[attribute: "output_strides"] = .denseInts(.si(64), [0, 0, 64])
        edits.append(("output past the result", strides))
        for (what, bad) in edits {
            #expect(throws: CodeGenError.self, "\(what)") { try AttentionPlan(bad) }
        }
    }
}
