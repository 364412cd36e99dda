import Compiler
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Causal masks on the scores (`jnp.where` on an iota comparison, or an additive mask made
/// from one) are fused into the attention kernel with their offset; masks that hide every
/// key from some query, or that are not causal, are left unfused with the reason.
@Suite struct AttentionCausalTests {
    typealias Mask = AttentionFusionTests.CausalMask

    static let forms: [(String, Mask)] = [
        ("select_ge_inf", Mask()),
        ("select_le_large_negative", Mask(fill: "-2.38197633E+38", keyFirst: true)),
        ("additive_inf", Mask(additive: true)),
        ("select_offset_64", Mask(offset: 64)),
        ("additive_offset_1_large", Mask(offset: 1, additive: true, fill: "-1.0e+30", keyFirst: true)),
    ]

    @Test(arguments: forms.map(\.0))
    func causalMasksAreFused(_ name: String) throws {
        let mask = try #require(Self.forms.first { $0.0 == name }?.1)
        let text = AttentionFusionTests.program("bf16", sq: 128, skv: 192, causal: mask)
        let plans = try AttentionFusionTests.plans(text)
        #expect(plans.count == 1 && plans.first?.causalOffset == mask.offset, "\(plans)")
        for vendor in [true, false] {
            let (executable, _) = try TestPrograms.lower(text, vendor: vendor)
            #expect(executable.steps.count == 1, "\(executable.inspection())")
            #expect(AttentionFusionTests.attentionLaunches(executable).count == 1)
            #expect(executable.kernels.first?.source.contains("#define FA_CAUSAL 1") == true)
            #expect(executable.remarks?.isEmpty ?? true, "\(executable.remarks ?? [])")
        }
    }

    /// The plan survives the round trip through the `nvgpu.attention` op's attributes.
    @Test func offsetIsAnAttribute() throws {
        let module = try Module.parse(AttentionFusionTests.program("f16", causal: Mask(offset: 3)), file: "a.mlir")
        let body = try #require(module.function(named: "main")?.body.entry)
        let op = try #require(AttentionMatcher.fusingAttention(into: body).operations.first { $0.name == AttentionPlan.operationName })
        #expect(op[attribute: "causal_offset"]?.intValue == 3)
        #expect(try AttentionPlan(op).causalOffset == 3)
    }

    @Test func unmaskedAttentionHasNoCausalKernel() throws {
        let (executable, _) = try TestPrograms.lower(AttentionFusionTests.program("bf16"))
        #expect(executable.kernels.first?.source.contains("#define FA_CAUSAL 0") == true)
    }

    /// A negative offset hides every key from the first queries; a fill of 0 is no mask.
    @Test(arguments: [("negative_offset", Mask(offset: -1), "fully masked"),
                      ("zero_fill", Mask(fill: "0.0"), "fill value")])
    func otherMasksAreExplained(_ name: String, _ mask: Mask, _ reason: String) throws {
        let text = AttentionFusionTests.program("bf16", sq: 128, skv: 192, causal: mask)
        #expect(try AttentionFusionTests.plans(text).isEmpty, "\(name)")
        let (executable, _) = try TestPrograms.lower(text)
        let remarks = executable.remarks ?? []
        #expect(remarks.count == 1 && remarks[0].contains(reason), "\(name): \(remarks)")
    }
}

/// Grouped-query attention: K and V repeated over the query heads (`jnp.repeat`, a
/// broadcast and a reshape) are read in place, each K/V head by its group of query heads.
@Suite struct AttentionGroupedQueryTests {
    @Test(arguments: [1, 2, 3])
    func repeatedHeadsAreReadInPlace(_ kvHeads: Int) throws {
        let text = AttentionFusionTests.program("bf16", h: 6, sq: 128, skv: 64, kvHeads: kvHeads)
        let plan = try #require(try AttentionFusionTests.plans(text).first)
        // One K/V head (multi-query) is a broadcast: head stride 0, no group needed.
        let group = kvHeads == 1 ? 1 : 6 / kvHeads
        #expect(plan.heads == 6 && plan.key.headGroup == group && plan.value.headGroup == group)
        #expect(plan.query.headGroup == 1)
        #expect(plan.key.headStride == (kvHeads == 1 ? 0 : 64 * 64) && plan.key.batchStride == kvHeads * 64 * 64)
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.steps.count == 1, "\(executable.inspection())")
        #expect(AttentionFusionTests.attentionLaunches(executable).count == 1)
        // The group survives the op's attributes.
        let module = try Module.parse(text, file: "gqa.mlir")
        let body = try #require(module.function(named: "main")?.body.entry)
        let op = try #require(AttentionMatcher.fusingAttention(into: body).operations.first { $0.name == AttentionPlan.operationName })
        #expect(try AttentionPlan(op).key.headGroup == group)
    }

    @Test func groupedReshapeNeedsABroadcastInside() {
        // [4 (stride 8), 3 (stride 0)] → [12]: divisor 3; a real dimension inside is no group.
        let grouped = StridedView.groupedReshape(shape: [4, 3, 8], strides: [8, 0, 1], divisors: [1, 1, 1], to: [12, 8])
        #expect(grouped?.0 == [8, 1] && grouped?.1 == [3, 1])
        #expect(StridedView.groupedReshape(shape: [4, 3, 8], strides: [24, 8, 1], divisors: [1, 1, 1], to: [12, 8])?.1 != [3, 1])
        #expect(StridedView.groupedReshape(shape: [4, 3], strides: [0, 1], divisors: [1, 1], to: [12]) == nil)
    }
}

/// Boolean masks read from a buffer: a key padding mask given as an input, broadcast over
/// heads and queries, is read in place with zero head and query strides.
@Suite struct AttentionBooleanMaskTests {
    @Test(arguments: ["0xFF800000", "-2.38197633E+38"])
    func paddingMaskIsReadInPlace(_ fill: String) throws {
        let text = AttentionFusionTests.program("bf16", sq: 128, skv: 192, keyMaskFill: fill)
        let plan = try #require(try AttentionFusionTests.plans(text).first)
        let mask = try #require(plan.mask)
        #expect(mask.batchStride == 192 && mask.headStride == 0 && mask.queryStride == 0 && mask.keyStride == 1)
        #expect(plan.causalOffset == nil)
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.steps.count == 1, "\(executable.inspection())")
        #expect(AttentionFusionTests.attentionLaunches(executable).count == 1)
        #expect(executable.kernels.first?.source.contains("#define FA_MASK 1") == true)
        // The plan survives the op's attributes.
        let module = try Module.parse(text, file: "mask.mlir")
        let body = try #require(module.function(named: "main")?.body.entry)
        let op = try #require(AttentionMatcher.fusingAttention(into: body).operations.first { $0.name == AttentionPlan.operationName })
        #expect(op.operands.count == 4)
        #expect(try AttentionPlan(op).mask == mask)
    }
}

/// Additive biases read from a buffer: a per-head `[head, query, key]` bias (f32, or bf16
/// converted to f32) broadcast over the batch is read in place with a zero batch stride.
@Suite struct AttentionBiasTests {
    @Test(arguments: ["f32", "bf16"])
    func headBiasIsReadInPlace(_ type: String) throws {
        let text = AttentionFusionTests.program("bf16", h: 3, sq: 128, skv: 64, headBias: type)
        let plan = try #require(try AttentionFusionTests.plans(text).first)
        let bias = try #require(plan.bias)
        #expect(bias.elementType == type && bias.batchStride == 0 && bias.headStride == 128 * 64)
        #expect(bias.queryStride == 64 && bias.keyStride == 1 && plan.mask == nil)
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.steps.count == 1, "\(executable.inspection())")
        #expect(executable.kernels.first?.source.contains("#define FA_BIAS 1") == true)
        let module = try Module.parse(text, file: "bias.mlir")
        let body = try #require(module.function(named: "main")?.body.entry)
        let op = try #require(AttentionMatcher.fusingAttention(into: body).operations.first { $0.name == AttentionPlan.operationName })
        #expect(try AttentionPlan(op).bias == bias)
    }

    /// A bias and a mask in one attention, in both orders, and a causal mask with a bias:
    /// one plan, the bias placed before the mask in the kernel exactly when the program adds
    /// it first (the round trip through the op keeps the order).
    @Test(arguments: [true, false])
    func biasWithAMaskKeepsTheProgramsOrder(biasFirst: Bool) throws {
        let text = AttentionFusionTests.program("bf16", h: 2, sq: 64, skv: 64, keyMaskFill: "-2.38197633E+38",
                                                headBias: "f32", biasFirst: biasFirst)
        let plan = try #require(try AttentionFusionTests.plans(text).first)
        #expect(plan.mask != nil && plan.bias != nil)
        #expect(plan.biasBeforeMask == biasFirst)
        let (executable, _) = try TestPrograms.lower(text)
        #expect(executable.steps.count == 1, "\(executable.inspection())")
        let source = try #require(executable.kernels.first?.source)
        let bias = try #require(source.range(of: "// The additive bias, in f32"))
        let mask = try #require(source.range(of: "// The boolean mask: false"))
        #expect((bias.lowerBound < mask.lowerBound) == biasFirst)

        let causal = AttentionFusionTests.program("bf16", h: 2, sq: 64, skv: 64, causal: .init(), headBias: "bf16",
                                                  biasFirst: biasFirst)
        let causalPlan = try #require(try AttentionFusionTests.plans(causal).first)
        #expect(causalPlan.causalOffset == 0 && causalPlan.bias != nil && !causalPlan.biasBeforeMask)
    }
}

/// The attention programs JAX itself exports (`tests/attention/export.py`: causal with
/// `tril`, decode aligned at the bottom right, `jnp.repeat` grouped-query heads, a padding
/// mask with JAX's finite fill, a bf16 bias converted before its broadcast, head dim 256)
/// each become one fused launch.
@Suite struct AttentionExportedProgramTests {
    static let expected: [(String, String)] = [
        ("causal_bf16_d64", "causal"), ("causal_decode_bf16_d128", "causal"), ("gqa_bf16_d128", "causal"),
        ("padding_mask_bf16_d64", "boolean mask"), ("head_bias_bf16_d64", "bf16 bias"), ("plain_bf16_d256", "head dim 256"),
        ("bshd_scale_first_bf16_d128", "attention"),
    ]

    @Test(arguments: expected.map(\.0))
    func exportedProgramIsOneLaunch(_ name: String) throws {
        let url = TestPrograms.packageRoot.appendingPathComponent("tests/attention/\(name).mlir")
        // As `nvgpu compile` runs it: the standard passes (inlining JAX's private functions),
        // then the CUDA target's.
        var module = try Module.parse(try String(contentsOf: url, encoding: .utf8), file: "\(name).mlir")
        try Pipeline.standard.run(on: &module)
        let options = CompileOptions(useVendorLibraries: true)
        let (executable, _) = try ExecutableBuilder(options: options).build(CUDATarget.rewritten(module, options: options))
        #expect(executable.steps.count == 1, "\(executable.inspection())")
        let launches = AttentionFusionTests.attentionLaunches(executable)
        #expect(launches.count == 1)
        let want = try #require(Self.expected.first { $0.0 == name }?.1)
        #expect(executable.kernels.first?.source.contains(want) == true, "\(name)")
        if name == "causal_decode_bf16_d128" {
            // 16 queries over 4096 keys, aligned at the bottom right: offset 4080.
            guard case .int32(let offset)? = launches.first?.arguments.dropFirst(25).first else {
                Issue.record("no causal offset argument")
                return
            }
            #expect(offset == 4080)
        }
    }
}
