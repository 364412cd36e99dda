import Compiler
import StableHLO

/// A target pass that rewrites blocks one at a time: the entry function's body and, inside
/// it, every region of `while`/`if`/`case` (the blocks `ExecutableBuilder` lowers), inner
/// regions before the block that holds them. Other functions and the regions of other ops
/// (reduction bodies, comparators) are left alone.
protocol BlockRewritePass: Pass {
    /// The function the target compiles (`CompileOptions.entry`).
    var entry: String { get }
    /// Whether the rewrite is on; an off pass still runs (and shows in `--dump-after`) but
    /// changes nothing.
    var isEnabled: Bool { get }
    /// `block` rewritten; new values are numbered from `nextID`, which it advances.
    func rewrite(_ block: Block, nextID: inout Int) -> Block
}

extension BlockRewritePass {
    func run(on module: inout Module) throws {
        guard isEnabled, let f = module.functions.firstIndex(where: { $0.name == entry }) else { return }
        var nextID = module.functions[f].nextValueID
        module.functions[f].body = rewriting(module.functions[f].body, nextID: &nextID)
    }

    /// `region` with every block rewritten, nested control-flow regions first.
    func rewriting(_ region: Region, nextID: inout Int) -> Region {
        var region = region
        for b in region.blocks.indices {
            var block = region.blocks[b]
            for o in block.operations.indices where ControlFlowLowering.operationNames.contains(block.operations[o].name) {
                for r in block.operations[o].regions.indices {
                    block.operations[o].regions[r] = rewriting(block.operations[o].regions[r], nextID: &nextID)
                }
            }
            region.blocks[b] = rewrite(block, nextID: &nextID)
        }
        return region
    }
}

/// `nvgpu-attention-fusion`: replaces each scaled-dot-product attention (einsum + softmax)
/// with an `nvgpu.attention` op (`AttentionMatcher`). Off when `NVGPU_FUSED_ATTENTION=0`.
/// Each score product followed by a softmax that is not fused leaves a remark (why) in the
/// module's `nvgpu.remarks`, which `--report` lists.
struct AttentionFusionPass: BlockRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-attention-fusion" }
    /// Remarks of the blocks rewritten so far in this run.
    private let log = RemarkLog()

    func rewrite(_ block: Block, nextID: inout Int) -> Block {
        var remarks: [String] = []
        var result = AttentionMatcher.fusingAttention(into: block, remarks: &remarks)
        // A score product left unfused may be attention written with unit dimensions
        // (`jax.nn.dot_product_attention`'s group axis): try the block without them.
        var squeezedID = nextID
        if !remarks.isEmpty, let squeezed = UnitDimensionSqueeze.squeezing(block, nextID: &squeezedID) {
            var squeezedRemarks: [String] = []
            let fused = AttentionMatcher.fusingAttention(into: squeezed, remarks: &squeezedRemarks)
            if Self.attentionCount(fused) > Self.attentionCount(result) {
                (result, remarks, nextID) = (fused, squeezedRemarks, squeezedID)
            }
        }
        log.lines += remarks
        return result
    }

    static func attentionCount(_ block: Block) -> Int {
        block.operations.count { $0.name == AttentionMatcher.operationName }
    }

    func run(on module: inout Module) throws {
        guard isEnabled, let f = module.functions.firstIndex(where: { $0.name == entry }) else { return }
        log.lines = []
        var nextID = module.functions[f].nextValueID
        module.functions[f].body = rewriting(module.functions[f].body, nextID: &nextID)
        CompileRemarks.append(log.lines, to: &module)
    }
}

/// Lines a pass collects while it rewrites blocks.
final class RemarkLog: @unchecked Sendable {
    var lines: [String] = []
}

/// Remarks of the target's passes for `--report` (an unfused attention and why), kept in
/// the module attribute `nvgpu.remarks` until `ExecutableBuilder` copies them into the
/// executable.
enum CompileRemarks {
    static let attribute = "nvgpu.remarks"

    static func append(_ lines: [String], to module: inout Module) {
        guard !lines.isEmpty else { return }
        let existing: [Attribute]
        if case .array(let items)? = module[attribute: attribute] { existing = items } else { existing = [] }
        module.attributes.removeAll { $0.name == attribute }
        module.attributes.append(NamedAttribute(attribute, .array(existing + lines.map { .string($0) })))
    }

    static func lines(of module: Module) -> [String] {
        guard case .array(let items)? = module[attribute: attribute] else { return [] }
        return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }
}

/// `nvgpu-matmul-epilogue-fusion`: folds a bias add and ReLU/GELU after a cuBLASLt-eligible
/// `dot_general` into an `nvgpu.matmul_epilogue` op (`MatmulEpilogueMatcher`). Off with
/// `--no-vendor-libs`.
struct MatmulEpilogueFusionPass: BlockRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-matmul-epilogue-fusion" }

    func rewrite(_ block: Block, nextID: inout Int) -> Block { MatmulEpilogueMatcher.fusingEpilogues(into: block) }
}

/// `nvgpu-convolution-epilogue-fusion`: folds `max(convolution + bias, 0)` into an
/// `nvgpu.convolution_epilogue` op for cuDNN (`ConvolutionEpilogueMatcher`). Off with
/// `--no-vendor-libs` or `NVGPU_CONV_EPILOGUE=0`.
struct ConvolutionEpilogueFusionPass: BlockRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-convolution-epilogue-fusion" }

    func rewrite(_ block: Block, nextID: inout Int) -> Block { ConvolutionEpilogueMatcher.fusingEpilogues(into: block) }
}

/// `nvgpu-collective-layout`: puts collectives in the leading-dimension, one-operand form
/// NCCL moves (`CollectiveLayout`).
struct CollectiveLayoutPass: BlockRewritePass {
    var entry: String
    var isEnabled: Bool { true }
    var name: String { "nvgpu-collective-layout" }

    func rewrite(_ block: Block, nextID: inout Int) -> Block {
        CollectiveLayout.leadingDimensionForm(of: block, nextID: &nextID)
    }
}

extension CUDATarget {
    /// The target's passes for `options`, in order (what `passes(options:)` returns):
    /// `composite-to-call`, `inline-all`, `nvgpu-process-grid`, `dynamic-to-static`, `map-to-elementwise`,
    /// `forward-tuples`, `drop-unused-tokens` (platform passes that leave ops with CUDA
    /// kernels in place of ops that would run on the host), `nvgpu-attention-fusion`,
    /// `nvgpu-pointwise-convolution`, `nvgpu-matmul-epilogue-fusion`, `nvgpu-convolution-layout`, `nvgpu-convolution-epilogue-fusion`,
    /// `nvgpu-collective-layout`, `nvgpu-one-pass-variance`, `nvgpu-online-softmax`, `nvgpu-dce`,
    /// `nvgpu-merge-sibling-reduces`, `nvgpu-duplicate-cheap-producers`. The fusions that need
    /// vendor libraries or are turned off by the environment are listed but change nothing.
    static func rewritePasses(options: CompileOptions) -> [any Pass] {
        [
            CompositeToCallPass(),
            InlinePass(includingPublicCallees: true),
            ProcessGridPass(),
            DynamicToStaticPass(),
            ElementwiseMapPass(),
            ForwardTuplesPass(),
            DropUnusedTokensPass(),
            AttentionFusionPass(entry: options.entry, isEnabled: AttentionMatcher.isEnabled),
            PointwiseConvolutionPass(
                entry: options.entry, isEnabled: options.useVendorLibraries && PointwiseConvolutionPass.isEnabledByEnvironment),
            MatmulEpilogueFusionPass(entry: options.entry, isEnabled: options.useVendorLibraries),
            ConvolutionLayoutPass(
                entry: options.entry, isEnabled: options.useVendorLibraries && ConvolutionLayoutPass.isEnabledByEnvironment),
            ConvolutionEpilogueFusionPass(
                entry: options.entry, isEnabled: options.useVendorLibraries && ConvolutionEpilogueMatcher.isEnabled),
            CollectiveLayoutPass(entry: options.entry),
            OnePassVariancePass(entry: options.entry, isEnabled: OnePassVariancePass.isEnabledByEnvironment),
            OnlineSoftmaxPass(entry: options.entry, isEnabled: OnlineSoftmaxPass.isEnabledByEnvironment),
            DeadReductionInputsPass(),
            SiblingReduceMergePass(entry: options.entry, isEnabled: !FusionGroup.siblingMergeDisabled),
            DuplicateCheapProducersPass(entry: options.entry, isEnabled: DuplicateCheapProducersPass.isEnabledByEnvironment),
        ]
    }

    /// `module` after the target's passes: what `ExecutableBuilder.build` expects (the
    /// compiler session runs them itself; tests that build directly call this first).
    public static func rewritten(_ module: Module, options: CompileOptions) throws -> Module {
        var module = module
        try Pipeline(rewritePasses(options: options)).run(on: &module)
        return module
    }
}

/// `nvgpu-dce`: drops what the one-pass reduction rewrites left unread (the deviations and
/// exponentials that only fed a replaced sum), so no kernel computes them; the standard
/// pipeline's dead-code elimination under a name of its own (`--dump-after` names one pass).
struct DeadReductionInputsPass: Pass {
    var name: String { "nvgpu-dce" }

    func run(on module: inout Module) throws {
        try DCEPass().run(on: &module)
    }
}
