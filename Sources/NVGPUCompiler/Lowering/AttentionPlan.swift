import StableHLO

/// One scaled-dot-product attention found in the entry block, as the fused kernel runs it:
/// `softmax(scale(Q·Kᵀ)) · V` over `batch × heads` independent problems.
struct AttentionPlan: Hashable, Sendable {
    /// The 16-bit float types the kernel's tensor-core path takes.
    enum ElementType: String, Hashable, Sendable {
        case bf16, f16
    }

    /// How the program scales the scores before the softmax.
    struct Scale: Hashable, Sendable {
        /// The factor the scores are multiplied by (1/c for a division by c).
        var factor: Double
        /// The type the scaled score is rounded to (nil: f32, after the convert).
        var roundedTo: ElementType?
    }

    /// Q, K, V and the probabilities' element type.
    var elementType: ElementType
    /// The result's element type: `bf16`, `f16` or `f32`.
    var outputType: String
    /// Sizes of the (at most two) batch dimensions, outermost first; missing ones are 1.
    var batch: Int
    var heads: Int
    var queryLength: Int
    var keyLength: Int
    var headDim: Int
    var query: AttentionOperandLayout
    var key: AttentionOperandLayout
    var value: AttentionOperandLayout
    /// The value the fused op defines: the second `dot_general`'s result, or the last of a
    /// transpose and reshapes of it that the kernel writes through.
    var result: Value
    /// Where element (batch, head, query, feature) of the product lands in `result`'s
    /// buffer (the feature stride is 1).
    var output: OutputStrides
    /// The type the first product is rounded to before scaling (nil: it is f32).
    var scoreRounding: ElementType?
    var scale: Scale?
    /// A causal mask: key `k` is seen by query `q` only when `k ≤ q + causalOffset` (0: the
    /// lower triangle, JAX's `tril`; `keyLength - queryLength`: aligned at the bottom right).
    /// Never negative, so no row is fully masked. nil: no mask.
    var causalOffset: Int? = nil
    /// A boolean mask read from a buffer (`jnp.where(mask, scores, fill)` with a mask that is
    /// an input or computed): the score is replaced by `fill` where the mask is false.
    var mask: MaskInput? = nil
    /// An additive bias read from a buffer (`scores + bias`, the bias f32 or converted to
    /// f32 from bf16/f16), through the same strides as a mask.
    var bias: BiasInput? = nil
    /// With both a mask and a bias: the bias is added first, so masked scores are the fill
    /// (else the fill plus the bias).
    var biasBeforeMask = false

    /// Where element (batch, head, query, key) of an additive bias lies in its buffer.
    struct BiasInput: Hashable, Sendable {
        var base: Value
        var offset: Int
        var batchStride: Int
        var headStride: Int
        var queryStride: Int
        var keyStride: Int
        /// The stored type: `f32`, `bf16` or `f16`.
        var elementType: String
    }

    /// Where element (batch, head, query, key) of a boolean mask lies in its buffer (strides
    /// in elements; 0 along broadcast dimensions), and the fill value.
    struct MaskInput: Hashable, Sendable {
        var base: Value
        var offset: Int
        var batchStride: Int
        var headStride: Int
        var queryStride: Int
        var keyStride: Int
        /// -inf, or a finite value of at most -1e30.
        var fill: Double
    }

    /// Batch, head and sequence strides of the product in the result's buffer.
    struct OutputStrides: Hashable, Sendable {
        var batch: Int
        var head: Int
        var sequence: Int
    }

    /// The kernel shape this plan needs.
    var kernelVariant: AttentionKernel.Variant {
        let mode: AttentionKernel.ScaleMode
        switch scale {
        case nil: mode = .none
        case let scale?: mode = scale.roundedTo.map { .rounded($0) } ?? .f32
        }
        return AttentionKernel.Variant(elementType: elementType, outputType: outputType, headDim: headDim,
                                       scoreRounding: scoreRounding, scale: mode, causal: causalOffset != nil,
                                       masked: mask != nil, biasType: bias?.elementType,
                                       biasFirst: biasBeforeMask && mask != nil && bias != nil, decode: decodePack != nil)
    }

    /// Query heads a CTA of the decode schedule computes (see `AttentionKernel.Geometry`),
    /// or nil for the 128-row schedule: at most 16 queries take it. Query heads reading one
    /// K/V head (grouped- or multi-query) share a CTA, and so each K/V tile, as many as fit
    /// their queries in its 16 rows, when no mask or bias is read.
    /// `NVGPU_ATTENTION_DECODE=0` turns it off.
    var decodePack: Int? {
        guard AttentionKernel.decodeEnabled, queryLength <= AttentionKernel.decodeRows else { return nil }
        guard mask == nil, bias == nil else { return 1 }
        // Heads sharing a K/V head: all of them for one K/V head (stride 0), else the group.
        let shared = key.headStride == 0 && value.headStride == 0 ? heads
            : key.headGroup == value.headGroup ? key.headGroup : 1
        let fitting = AttentionKernel.decodeRows / queryLength
        return (1...max(1, min(shared, fitting))).last { shared % $0 == 0 && heads % $0 == 0 } ?? 1
    }
}
