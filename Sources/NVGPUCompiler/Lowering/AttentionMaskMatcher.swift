import StableHLO

/// Masks between an attention's scores and its softmax, fused into the kernel instead of
/// materialising the scores: causal masks (the kernel skips the masked key tiles), and
/// boolean masks and additive biases read from a buffer.
///
/// Causal masks, two spellings on the f32 scores `x` (shape `batch… × query × key`):
/// - `select(p, x, fill)`: `jnp.where(mask, scores, -inf)`;
/// - `add(x, select(p, 0, fill))`: an additive mask built from the same predicate;
///
/// where `fill` is a splat of -inf or of at most -1e30 (JAX uses -0.7 × the f32 maximum), and
/// the predicate `p` (through `broadcast_in_dim`, `and` with an all-true literal, and
/// `select(c, true, false)`, JAX's `tril(ones)`) is one `compare` of the query and key
/// positions: `iota` along each, plus or minus integer literals. With a finite fill the
/// masked probabilities are `exp(fill - max)`, which is 0 in f32 whenever a visible score is
/// more than 104 above the fill, so the kernel masks with -inf.
///
/// Any other `x + bias` whose bias is an f32 buffer (or the f32 convert of a bf16/f16 one)
/// read through views is an additive bias the kernel adds per score.
///
/// Any other `select(p, x, fill)` whose predicate is an i1 buffer read through views
/// (broadcasts, reshapes, transposes, slices: a padding mask `[batch, key]` broadcast over
/// heads and queries, a full `[batch, head, query, key]` mask) is a boolean mask: the kernel
/// reads it per score and writes the fill itself, so fully masked rows give what the program
/// gives (NaN for -inf, the mean of V for a finite fill).
extension ValueGraph {
    /// A mask applied to the scores `x` by their sole user.
    struct ScoreMask {
        /// The ops it adds to the pattern.
        var ops: Set<Int>
        /// The masked scores.
        var masked: Value
        /// Key `k` visible from query `q` when `k ≤ q + causalOffset`.
        var causalOffset: Int?
        var input: AttentionPlan.MaskInput?
        var bias: AttentionPlan.BiasInput?
        /// The bias is added before the boolean mask is applied (`where(mask, s + bias, fill)`,
        /// `jax.nn.dot_product_attention`'s order), so masked scores are the fill itself.
        var biasBeforeMask = false
    }

    /// The masks applied to `x` one after another: at most one causal mask, one boolean mask
    /// and one additive bias, in any order the kernel reproduces. The kernel masks causally
    /// with -inf, which equals any fill wherever a row keeps a visible key (a causal mask
    /// never hides a whole row); with a boolean mask that can hide a whole row, the program's
    /// finite fill would differ there, so that pair is taken only with a -inf fill.
    func scoreMasks(of x: Value, queryDim: Int, keyDim: Int) throws(AttentionRejection) -> ScoreMask? {
        var combined: ScoreMask?
        var current = x
        for _ in 0..<3 {
            guard let next = try scoreMask(of: current, queryDim: queryDim, keyDim: keyDim) else { break }
            guard var merged = combined else {
                combined = next
                current = next.masked
                continue
            }
            if next.causalOffset != nil {
                guard merged.causalOffset == nil else { throw AttentionRejection("the scores are masked causally twice") }
                merged.causalOffset = next.causalOffset
            }
            if let input = next.input {
                guard merged.input == nil else { throw AttentionRejection("the scores are masked by two boolean masks") }
                merged.input = input
                merged.biasBeforeMask = merged.bias != nil
            }
            if let bias = next.bias {
                guard merged.bias == nil else { throw AttentionRejection("two biases are added to the scores") }
                merged.bias = bias
            }
            merged.ops.formUnion(next.ops)
            merged.masked = next.masked
            combined = merged
            current = next.masked
        }
        if let combined, combined.causalOffset != nil, let input = combined.input, input.fill != -.infinity {
            throw AttentionRejection("a causal mask and a boolean mask with a finite fill together (a row the boolean mask hides would differ)")
        }
        return combined
    }

    /// The mask applied to `x` by its sole user (see the type's comment); nil when `x` is
    /// not masked. Throws when it is masked in a way the kernel does not take.
    func scoreMask(of x: Value, queryDim: Int, keyDim: Int) throws(AttentionRejection) -> ScoreMask? {
        guard let (u, op) = soleUser(x), op.results.count == 1 else { return nil }
        let offset: Int?
        switch op.name {
        case "stablehlo.select":
            guard op.operands.count == 3, op.operands[1] == x, op.operands[2] != x else {
                throw AttentionRejection("the scores are masked by a select that keeps other values than the scores")
            }
            guard let fill = literalValue(op.operands[2]), fill <= -1e30 else {
                throw AttentionRejection("the scores are masked with a fill value that is not -inf or below -1e30")
            }
            offset = causalOffset(of: op.operands[0], dims: Array(0...keyDim), queryDim: queryDim, keyDim: keyDim)
            if offset == nil, let input = maskInput(op.operands[0], fill: fill, queryDim: queryDim) {
                return ScoreMask(ops: [u], masked: op.results[0], input: input)
            }
        case "stablehlo.add":
            guard op.operands.count == 2, let bias = op.operands.first(where: { $0 != x }) else { return nil }
            offset = additiveCausalOffset(bias, queryDim: queryDim, keyDim: keyDim)
            if offset == nil, let input = biasInput(bias, queryDim: queryDim) {
                return ScoreMask(ops: [u], masked: op.results[0], bias: input)
            }
            guard offset != nil else {
                throw AttentionRejection("a bias added to the scores is neither a causal mask nor an f32, bf16 or f16 buffer read in place")
            }
        default:
            return nil
        }
        guard let offset else {
            throw AttentionRejection("the mask is neither causal (a compare of the query and key iotas) nor an i1 buffer read in place")
        }
        guard offset >= 0 else {
            throw AttentionRejection("the causal mask hides every key from the first \(-offset) queries (fully masked rows are not fused)")
        }
        return ScoreMask(ops: [u], masked: op.results[0], causalOffset: offset)
    }

    /// The additive bias as an f32 buffer read in place, or a bf16/f16 one when the bias is
    /// its `convert` to f32.
    private func biasInput(_ bias: Value, queryDim: Int) -> AttentionPlan.BiasInput? {
        guard queryDim <= 2 else { return nil }
        var source = bias
        if let (_, convert) = defining(bias, "stablehlo.convert"),
           let from = convert.operandTensorType(0)?.elementType.description, ["bf16", "f16"].contains(from) {
            source = convert.operands[0]
        }
        for found in StridedView.views(of: source, graph: self) where found.divisors.allSatisfy({ $0 == 1 }) {
            var view = found
            // A view of `convert(b)` from bf16/f16 reads `b` the same way (JAX converts a
            // bias before broadcasting it).
            if let (_, convert) = defining(view.base, "stablehlo.convert"),
               let from = convert.operandTensorType(0), ["bf16", "f16"].contains(from.elementType.description),
               from.isStatic, from.shape == view.base.type.tensorType?.shape {
                view.base = convert.operands[0]
            }
            guard let element = view.base.type.tensorType?.elementType.description,
                  ["f32", "bf16", "f16"].contains(element) else { continue }
            let s = view.scoreStrides(queryDim: queryDim)
            return AttentionPlan.BiasInput(base: view.base, offset: view.offset, batchStride: s.batch, headStride: s.head,
                                           queryStride: s.query, keyStride: s.key, elementType: element)
        }
        return nil
    }

    /// The boolean mask `p` as an i1 buffer read in place (batch dimensions before
    /// `queryDim`, at most two; then query and key).
    private func maskInput(_ p: Value, fill: Double, queryDim: Int) -> AttentionPlan.MaskInput? {
        guard queryDim <= 2 else { return nil }
        for view in StridedView.views(of: p, graph: self)
        where view.base.type.tensorType?.elementType == .i1 && view.divisors.allSatisfy({ $0 == 1 }) {
            let s = view.scoreStrides(queryDim: queryDim)
            return AttentionPlan.MaskInput(base: view.base, offset: view.offset, batchStride: s.batch, headStride: s.head,
                                           queryStride: s.query, keyStride: s.key, fill: fill)
        }
        return nil
    }

    /// `select(p, 0, fill)` (through broadcasts) for a causal predicate `p`: its offset.
    private func additiveCausalOffset(_ bias: Value, queryDim: Int, keyDim: Int) -> Int? {
        guard let rank = bias.type.tensorType?.shape.count else { return nil }
        var v = bias
        var dims = Array(0..<rank)
        while let (_, op) = defining(v, "stablehlo.broadcast_in_dim"),
              let map = op[attribute: "broadcast_dimensions"]?.intArray {
            dims = map.map { dims[Int($0)] }
            v = op.operands[0]
        }
        guard let (_, select) = defining(v, "stablehlo.select"), select.operands.count == 3,
              literalValue(select.operands[1]) == 0, let fill = literalValue(select.operands[2]), fill <= -1e30
        else { return nil }
        return causalOffset(of: select.operands[0], dims: dims, queryDim: queryDim, keyDim: keyDim)
    }

    /// The offset of a predicate `p` that is true exactly where `key ≤ query + offset`;
    /// `dims[i]` is the score dimension `p`'s dimension `i` stands for.
    func causalOffset(of p: Value, dims: [Int], queryDim: Int, keyDim: Int) -> Int? {
        guard let producerIndex = producer[p.id] else { return nil }
        let op = operations[producerIndex]
        switch op.name {
        case "stablehlo.broadcast_in_dim":
            guard let map = op[attribute: "broadcast_dimensions"]?.intArray, map.allSatisfy({ Int($0) < dims.count }) else { return nil }
            return causalOffset(of: op.operands[0], dims: map.map { dims[Int($0)] }, queryDim: queryDim, keyDim: keyDim)
        case "stablehlo.and":
            guard op.operands.count == 2 else { return nil }
            if booleanLiteral(op.operands[0]) == true { return causalOffset(of: op.operands[1], dims: dims, queryDim: queryDim, keyDim: keyDim) }
            if booleanLiteral(op.operands[1]) == true { return causalOffset(of: op.operands[0], dims: dims, queryDim: queryDim, keyDim: keyDim) }
            return nil
        case "stablehlo.select":
            guard op.operands.count == 3, booleanLiteral(op.operands[1]) == true, booleanLiteral(op.operands[2]) == false else { return nil }
            return causalOffset(of: op.operands[0], dims: dims, queryDim: queryDim, keyDim: keyDim)
        case "stablehlo.compare":
            guard op.operands.count == 2, case .enumCase(_, _, let direction)? = op[attribute: "comparison_direction"],
                  let a = position(op.operands[0], dims: dims), let b = position(op.operands[1], dims: dims) else { return nil }
            // q + ca DIR k + cb, or k + ca DIR q + cb.
            if a.dim == queryDim, b.dim == keyDim {
                switch direction {
                case "GE": return a.offset - b.offset
                case "GT": return a.offset - b.offset - 1
                default: return nil
                }
            }
            if a.dim == keyDim, b.dim == queryDim {
                switch direction {
                case "LE": return b.offset - a.offset
                case "LT": return b.offset - a.offset - 1
                default: return nil
                }
            }
            return nil
        default:
            return nil
        }
    }

    /// `v` as `iota along score dimension dim, plus offset` (through broadcasts, converts and
    /// additions or subtractions of integer literals).
    private func position(_ v: Value, dims: [Int]) -> (dim: Int, offset: Int)? {
        guard let p = producer[v.id], v.type.tensorType?.elementType.isInteger == true else { return nil }
        let op = operations[p]
        switch op.name {
        case "stablehlo.iota":
            guard let d = op[attribute: "iota_dimension"]?.intValue, Int(d) < dims.count else { return nil }
            return (dims[Int(d)], 0)
        case "stablehlo.broadcast_in_dim":
            guard let map = op[attribute: "broadcast_dimensions"]?.intArray, map.allSatisfy({ Int($0) < dims.count }) else { return nil }
            return position(op.operands[0], dims: map.map { dims[Int($0)] })
        case "stablehlo.convert":
            return position(op.operands[0], dims: dims)
        case "stablehlo.add", "stablehlo.subtract":
            guard op.operands.count == 2 else { return nil }
            let sign = op.name == "stablehlo.add" ? 1 : -1
            if let c = integerLiteral(op.operands[1]), let base = position(op.operands[0], dims: dims) {
                return (base.dim, base.offset + sign * c)
            }
            if sign == 1, let c = integerLiteral(op.operands[0]), let base = position(op.operands[1], dims: dims) {
                return (base.dim, base.offset + c)
            }
            return nil
        default:
            return nil
        }
    }

    /// The value of an integer splat literal (possibly broadcast).
    func integerLiteral(_ v: Value) -> Int? {
        var v = v
        while let (_, op) = defining(v, "stablehlo.broadcast_in_dim") { v = op.operands[0] }
        guard let (_, op) = defining(v, "stablehlo.constant"), case .dense(let d)? = op[attribute: "value"],
              d.isSplat || d.type.elementCount == 1, d.type.elementType.isInteger, !d.bytes.isEmpty else { return nil }
        let bits = d.rawBits(at: 0)
        guard case .si(let width) = d.type.elementType, width < 64 else { return Int(truncatingIfNeeded: bits) }
        let shift = UInt64(64 - width)
        return Int(Int64(bitPattern: bits << shift) >> Int64(shift))
    }

    /// The value of a boolean splat literal (possibly broadcast).
    func booleanLiteral(_ v: Value) -> Bool? {
        var v = v
        while let (_, op) = defining(v, "stablehlo.broadcast_in_dim") { v = op.operands[0] }
        guard let (_, op) = defining(v, "stablehlo.constant"), case .dense(let d)? = op[attribute: "value"],
              d.isSplat || d.type.elementCount == 1, d.type.elementType == .i1, !d.bytes.isEmpty else { return nil }
        return d.rawBits(at: 0) & 1 == 1
    }
}

extension StridedView {
    /// Strides of a view shaped like the scores (batch dimensions before `queryDim`, at most
    /// two; then query and key): 0 along missing and unit dimensions.
    func scoreStrides(queryDim: Int) -> (batch: Int, head: Int, query: Int, key: Int) {
        let stride = { (d: Int) in shape[d] == 1 ? 0 : strides[d] }
        return (queryDim == 2 ? stride(0) : 0, queryDim >= 1 ? stride(queryDim - 1) : 0, stride(queryDim), stride(queryDim + 1))
    }
}
