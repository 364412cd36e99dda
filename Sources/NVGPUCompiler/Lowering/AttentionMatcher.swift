import Foundation
import StableHLO

/// Finds scaled-dot-product attention written as einsum + softmax (the form JAX exports)
/// in a block and replaces each with one `nvgpu.attention` op (its plan in attributes: see
/// `AttentionPlan+Operation`), which the `ExecutableBuilder` lowers to the fused
/// flash-attention kernel. The `nvgpu-attention-fusion` pass runs it on every block.
///
/// The pattern: `dot_general(Q, K)` batched over up to two dimensions and contracting the
/// feature dimension → optional scale by a splat literal (divide or multiply, in the score
/// type) → convert to f32 → optional scale in f32 → optional causal mask, boolean mask and
/// additive bias (see `scoreMasks(of:queryDim:keyDim:)`) → `reduce max` over the last axis →
/// optional `maximum(-inf, ·)` → broadcast, subtract, exponential → `reduce add` over the
/// last axis → broadcast, divide → convert to the operand type → `dot_general(P, V)`.
/// It is fused only when no intermediate has a user outside the pattern. Q, K and V are
/// read through the reshapes, transposes and slices that produced them where the
/// resulting strides allow (see `AttentionOperandLayout`).
enum AttentionMatcher {
    /// The name of the op that replaces a matched pattern.
    static let operationName = AttentionPlan.operationName
    /// Whether the kernel is generated for head dim `d`: any multiple of 16 up to 256 (the
    /// `mma` k-step; the shared-memory swizzle adapts to rows of fewer than 64 elements).
    static func supportsHeadDim(_ d: Int) -> Bool { d % 16 == 0 && (16...256).contains(d) }

    /// Whether fusion is on: `NVGPU_FUSED_ATTENTION=0` turns it off, for A/B timing.
    static var isEnabled: Bool {
        ProcessInfo.processInfo.environment["NVGPU_FUSED_ATTENTION"] != "0"
    }

    /// `block` with every matched attention replaced by its `nvgpu.attention` op.
    static func fusingAttention(into block: Block) -> Block {
        var remarks: [String] = []
        return fusingAttention(into: block, remarks: &remarks)
    }

    /// `block` with every matched attention replaced by its `nvgpu.attention` op; for each
    /// score product followed by a softmax that is not fused, why (`--report` lists them).
    static func fusingAttention(into block: Block, remarks: inout [String]) -> Block {
        let graph = ValueGraph(block)
        var replacements: [Int: StableHLO.Operation] = [:]
        var removed = Set<Int>()
        for (i, op) in block.operations.enumerated() where op.name == "stablehlo.dot_general" {
            guard !removed.contains(i) else { continue }
            let match: (AttentionPlan, Set<Int>)
            do {
                match = try graph.attention(scores: i)
            } catch {
                if graph.feedsSoftmax(i) { remarks.append("attention at \(op.location) not fused: \(error.reason)") }
                continue
            }
            let (plan, ops) = match
            guard removed.isDisjoint(with: ops), let last = ops.max() else { continue }
            replacements[last] = plan.operation(at: block.operations[last].location)
            removed.formUnion(ops)
            removed.remove(last)
        }
        guard !replacements.isEmpty else { return block }
        graph.removeDeadProducers(of: removed.union(replacements.keys), removed: &removed,
                                  replaced: Set(replacements.keys),
                                  keeping: Set(replacements.values.flatMap { (op: StableHLO.Operation) in op.operands.map(\.id) }))
        var result = block
        result.operations = block.operations.enumerated().compactMap { i, op in
            if let fused = replacements[i] { return fused }
            return removed.contains(i) ? nil : op
        }
        return result
    }
}

/// Why a score product is not fused into an attention kernel.
struct AttentionRejection: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

extension ValueGraph {
    /// Whether the result of `dot_general` number `first` reaches, through at most six
    /// elementwise, convert, broadcast or reshape ops, a `reduce maximum` over the last axis:
    /// an attention's score product, fused or not.
    func feedsSoftmax(_ first: Int) -> Bool {
        var frontier = operations[first].results
        var seen: Set<Int> = []
        for _ in 0..<7 {
            var next: [Value] = []
            for v in frontier {
                for u in users[v.id] ?? [] where seen.insert(u).inserted {
                    let op = operations[u]
                    if op.name == "stablehlo.reduce", OperationClass.simpleCombiner(op) == .maximum,
                       let rank = op.operandTensorType(0)?.shape.count,
                       op[attribute: "dimensions"]?.intArray == [Int64(rank - 1)] {
                        return true
                    }
                    if op.regions.isEmpty, op.name != "stablehlo.dot_general", op.name != "stablehlo.reduce" {
                        next += op.results
                    }
                }
            }
            frontier = next
        }
        return false
    }

    /// The only op reading `v`, when there is exactly one.
    func soleUser(_ v: Value) -> (index: Int, op: StableHLO.Operation)? {
        guard let list = users[v.id], list.count == 1 else { return nil }
        return (list[0], operations[list[0]])
    }

    /// The value of a splat literal (possibly broadcast) `v`.
    func literalValue(_ v: Value) -> Double? {
        var v = v
        while let (_, op) = defining(v, "stablehlo.broadcast_in_dim") { v = op.operands[0] }
        guard let (_, op) = defining(v, "stablehlo.constant"), case .dense(let d)? = op[attribute: "value"],
              d.isSplat || d.type.elementCount == 1, case .float(let format) = d.type.elementType,
              !d.bytes.isEmpty else { return nil }
        return format.decode(d.rawBits(at: 0))
    }

    /// `x / c`, `x * c` or `c * x` for a splat literal `c`: the op, the factor and the result.
    func scaling(of x: Value) -> (index: Int, factor: Double, result: Value)? {
        guard let (u, op) = soleUser(x), op.operands.count == 2, op.results.count == 1 else { return nil }
        switch op.name {
        case "stablehlo.divide":
            guard op.operands[0] == x, op.operands[1] != x, let c = literalValue(op.operands[1]),
                  c != 0, c.isFinite else { return nil }
            return (u, 1 / c, op.results[0])
        case "stablehlo.multiply":
            guard let other = op.operands.first(where: { $0 != x }), let c = literalValue(other), c.isFinite else { return nil }
            return (u, c, op.results[0])
        default:
            return nil
        }
    }

    /// `v` when it is `x * c`, `c * x` or `x / c` for a finite splat literal `c` and its only
    /// reader is operation `reader`: the op's index, `x` and the factor.
    func producerScaling(_ v: Value, readOnlyBy reader: Int) -> (index: Int, scaled: (input: Value, factor: Double))? {
        guard users[v.id] == [reader], let p = producer[v.id] else { return nil }
        let op = operations[p]
        guard op.operands.count == 2, op.results.count == 1, op.operands[0] != op.operands[1] else { return nil }
        switch op.name {
        case "stablehlo.multiply":
            for (x, c) in [(op.operands[0], op.operands[1]), (op.operands[1], op.operands[0])] {
                if let factor = literalValue(c), factor.isFinite, factor != 0 { return (p, (x, factor)) }
            }
            return nil
        case "stablehlo.divide":
            guard let c = literalValue(op.operands[1]), c != 0, c.isFinite else { return nil }
            return (p, (op.operands[0], 1 / c))
        default:
            return nil
        }
    }

    /// A one-input `reduce` of `x` over its last axis with `combiner` and the init literal
    /// `initial`, among `x`'s users.
    func rowReduction(of x: Value, _ combiner: ReductionCombiner, initial: Double) -> (index: Int, result: Value)? {
        guard let rank = x.type.tensorType?.shape.count else { return nil }
        for u in users[x.id] ?? [] {
            let op = operations[u]
            guard op.name == "stablehlo.reduce", op.operands.count == 2, op.operands[0] == x,
                  OperationClass.simpleCombiner(op) == combiner,
                  op[attribute: "dimensions"]?.intArray == [Int64(rank - 1)],
                  let start = literalValue(op.operands[1]), start == initial else { continue }
            return (u, op.results[0])
        }
        return nil
    }

    /// The row statistic `v` (shape `lead`) that `full` repeats along its last axis, through
    /// broadcast_in_dim and reshapes that only add or drop trailing unit dimensions.
    func rowBroadcast(_ full: Value) -> (source: Value, ops: Set<Int>)? {
        guard let shape = full.type.tensorType?.shape, !shape.isEmpty else { return nil }
        let lead = Array(shape.dropLast())
        func fits(_ s: [Int]) -> Bool {
            s.count >= lead.count && Array(s.prefix(lead.count)) == lead && s.dropFirst(lead.count).allSatisfy { $0 == 1 }
        }
        var current = full
        var ops = Set<Int>()
        while current.type.tensorType?.shape != lead {
            guard let p = producer[current.id], operations[p].operands.count == 1, let input = operations[p].operandTensorType(0),
                  fits(input.shape) || input.shape == lead else { return nil }
            let op = operations[p]
            switch op.name {
            case "stablehlo.broadcast_in_dim":
                guard op[attribute: "broadcast_dimensions"]?.intArray == (0..<Int64(input.shape.count)).map({ $0 }) else { return nil }
            case "stablehlo.reshape":
                guard let out = op.resultTensorType(0)?.shape, fits(out) else { return nil }
            default:
                return nil
            }
            ops.insert(p)
            current = op.operands[0]
        }
        return ops.isEmpty ? nil : (current, ops)
    }

    /// The attention pattern whose first `dot_general` is operation `first`: its plan and
    /// every op it replaces (the broadcasts of its row statistics included).
    func attention(scores first: Int) throws(AttentionRejection) -> (AttentionPlan, Set<Int>) {
        let dot1 = operations[first]
        guard dot1.operands.count == 2, dot1.results.count == 1,
              let qType = dot1.operandTensorType(0), let kType = dot1.operandTensorType(1),
              let sType = dot1.resultTensorType(0), qType.isStatic, kType.isStatic,
              qType.elementType == kType.elementType,
              let element = AttentionPlan.ElementType(rawValue: qType.elementType.description) else { throw AttentionRejection("the query and key are not static tensors of one element type the kernel takes (bf16 or f16)") }
        func ints(_ op: StableHLO.Operation, _ name: String) -> [Int] {
            (op[attribute: "dot_dimension_numbers"]?[parameter: name]?.intArray ?? []).map { Int($0) }
        }
        let qBatch = ints(dot1, "lhs_batching_dimensions"), kBatch = ints(dot1, "rhs_batching_dimensions")
        let qContract = ints(dot1, "lhs_contracting_dimensions"), kContract = ints(dot1, "rhs_contracting_dimensions")
        let nb = qBatch.count
        guard nb <= 2, kBatch.count == nb, qContract.count == 1, kContract.count == 1,
              qType.shape.count == nb + 2, kType.shape.count == nb + 2,
              let qSeq = qType.shape.indices.first(where: { !qBatch.contains($0) && $0 != qContract[0] }),
              let kSeq = kType.shape.indices.first(where: { !kBatch.contains($0) && $0 != kContract[0] }),
              sType.shape.count == nb + 2 else { throw AttentionRejection("the score product is not batched over at most two dimensions with one contracting and one sequence dimension per operand") }
        let headDim = qType.shape[qContract[0]]
        let queryLength = qType.shape[qSeq], keyLength = kType.shape[kSeq]
        let batchSizes = qBatch.map { qType.shape[$0] }
        // The grid's y extent (batch × heads) is at most 65535.
        guard AttentionMatcher.supportsHeadDim(headDim), queryLength > 0, keyLength > 0,
              batchSizes.allSatisfy({ $0 > 0 }), batchSizes.reduce(1, *) <= 65535,
              queryLength < Int(Int32.max), keyLength < Int(Int32.max) else {
            throw AttentionRejection("head dim \(headDim) is not one the kernel is generated for (a multiple of 16 up to 256), or batch × heads exceeds 65535")
        }

        var ops: Set<Int> = [first]
        var x = dot1.results[0]
        // Rounding and scaling before the softmax.
        var scoreRounding: AttentionPlan.ElementType?
        var scale: AttentionPlan.Scale?
        if sType.elementType.description != "f32" {
            guard let t = AttentionPlan.ElementType(rawValue: sType.elementType.description) else { throw AttentionRejection("the scores have an element type the kernel does not round to") }
            scoreRounding = t
            if let (u, factor, y) = scaling(of: x) {
                ops.insert(u)
                scale = AttentionPlan.Scale(factor: factor, roundedTo: t)
                x = y
            }
            guard let (u, op) = soleUser(x), op.name == "stablehlo.convert", op.resultTensorType(0)?.elementType.description == "f32"
            else { throw AttentionRejection("the scores are not converted to f32 before the softmax") }
            ops.insert(u)
            x = op.results[0]
        }
        if scale == nil, let (u, factor, y) = scaling(of: x) {
            ops.insert(u)
            scale = AttentionPlan.Scale(factor: factor, roundedTo: nil)
            x = y
        }
        guard x.type.tensorType?.elementType.description == "f32" else { throw AttentionRejection("the softmax is not computed in f32") }
        // Causal and boolean masks and an additive bias, each at most once, in either order
        // (see `scoreMasks`).
        let mask = try scoreMasks(of: x, queryDim: nb, keyDim: nb + 1)
        if let mask {
            ops.formUnion(mask.ops)
            x = mask.masked
        }

        // Softmax over the last axis.
        guard let xUsers = users[x.id], xUsers.count == 2,
              let (maxIndex, rowMax) = rowReduction(of: x, .maximum, initial: -.infinity),
              let subIndex = xUsers.first(where: { $0 != maxIndex }),
              operations[subIndex].name == "stablehlo.subtract", operations[subIndex].operands.count == 2,
              operations[subIndex].operands[0] == x,
              let (maxSource, maxBroadcasts) = rowBroadcast(operations[subIndex].operands[1]) else { throw AttentionRejection("the scores are not read only by a softmax over the last axis (an op other than a scale or a causal mask between the scores and the softmax is not fused yet)") }
        ops.formUnion([maxIndex, subIndex])
        ops.formUnion(maxBroadcasts)
        if maxSource != rowMax {
            guard let (p, op) = defining(maxSource, "stablehlo.maximum"), op.operands.contains(rowMax),
                  let other = op.operands.first(where: { $0 != rowMax }), literalValue(other) == -.infinity
            else { throw AttentionRejection("the row max is clamped by something other than -inf") }
            ops.insert(p)
        }
        guard let (expIndex, expOp) = soleUser(operations[subIndex].results[0]), expOp.name == "stablehlo.exponential"
        else { throw AttentionRejection("the shifted scores are not read only by an exponential") }
        ops.insert(expIndex)
        let e = expOp.results[0]
        guard let eUsers = users[e.id], eUsers.count == 2,
              let (sumIndex, rowSum) = rowReduction(of: e, .add, initial: 0),
              let divIndex = eUsers.first(where: { $0 != sumIndex }),
              operations[divIndex].name == "stablehlo.divide", operations[divIndex].operands.count == 2,
              operations[divIndex].operands[0] == e,
              let (sumSource, sumBroadcasts) = rowBroadcast(operations[divIndex].operands[1]), sumSource == rowSum
        else { throw AttentionRejection("the exponentials are not normalized by their own row sum (divide by a broadcast reduce add)") }
        ops.formUnion([sumIndex, divIndex])
        ops.formUnion(sumBroadcasts)

        // Back to the operand type, then P·V.
        var p = operations[divIndex].results[0]
        if let (u, op) = soleUser(p), op.name == "stablehlo.convert" {
            ops.insert(u)
            p = op.results[0]
        }
        // P·V or V·P (an einsum whose result keeps the heads before the sequence, such as
        // JAX's "bhqk,bkhd->bqhd", puts V first: the product is (batch…, head dim, query)).
        guard p.type.tensorType?.elementType == qType.elementType,
              let (secondIndex, dot2) = soleUser(p), dot2.name == "stablehlo.dot_general",
              dot2.operands.count == 2, dot2.operands[0] != dot2.operands[1], dot2.results.count == 1
        else { throw AttentionRejection("the probabilities are not read only by a second dot_general") }
        let valueFirst = dot2.operands[1] == p
        let (pSide, vSide) = valueFirst ? ("rhs", "lhs") : ("lhs", "rhs")
        guard let vType = dot2.operandTensorType(valueFirst ? 0 : 1), vType.isStatic, vType.elementType == qType.elementType,
              let oType = dot2.resultTensorType(0), ["bf16", "f16", "f32"].contains(oType.elementType.description),
              ints(dot2, "\(pSide)_batching_dimensions") == Array(0..<nb),
              ints(dot2, "\(pSide)_contracting_dimensions") == [nb + 1] else { throw AttentionRejection("the probabilities are not read by a second dot_general with the value in the operand type, contracting their last axis") }
        let vBatch = ints(dot2, "\(vSide)_batching_dimensions"), vContract = ints(dot2, "\(vSide)_contracting_dimensions")
        let (productSequence, productFeature) = valueFirst ? (nb + 1, nb) : (nb, nb + 1)
        guard vBatch.count == nb, vContract.count == 1, vType.shape.count == nb + 2,
              let vFeature = vType.shape.indices.first(where: { !vBatch.contains($0) && $0 != vContract[0] }),
              vType.shape[vFeature] == headDim, vType.shape[vContract[0]] == keyLength,
              oType.shape == batchSizes + (valueFirst ? [headDim, queryLength] : [queryLength, headDim])
        else { throw AttentionRejection("the value product does not have the layout the kernel writes (batch…, query, head dim)") }
        ops.insert(secondIndex)

        // Nothing computed inside may be read outside.
        for i in ops where i != secondIndex {
            for r in operations[i].results where !(users[r.id] ?? []).allSatisfy(ops.contains) { throw AttentionRejection("an intermediate value (scores, row max, row sum, probabilities) is read outside the pattern") }
        }
        // A query or key scaled by a literal (`q * c`, JAX's scale-first spelling) is read
        // unscaled; the factor joins the score scale.
        var inputs = [dot1.operands[0], dot1.operands[1]]
        for side in 0..<2 {
            guard let (u, op) = producerScaling(inputs[side], readOnlyBy: first) else { continue }
            ops.insert(u)
            inputs[side] = op.input
            scale = AttentionPlan.Scale(factor: (scale?.factor ?? 1) * op.factor, roundedTo: scale?.roundedTo)
        }
        guard let query = AttentionOperandLayout.reading(inputs[0], batchDims: qBatch, sequenceDim: qSeq,
                                                         featureDim: qContract[0], graph: self),
              let key = AttentionOperandLayout.reading(inputs[1], batchDims: kBatch, sequenceDim: kSeq,
                                                       featureDim: kContract[0], graph: self),
              let value = AttentionOperandLayout.reading(dot2.operands[valueFirst ? 0 : 1], batchDims: vBatch, sequenceDim: vContract[0],
                                                         featureDim: vFeature, graph: self) else { throw AttentionRejection("the query, key or value is not readable in place (feature stride 1, offsets and strides multiples of 8 elements)") }
        let heads = batchSizes.last ?? 1
        guard query.headGroup == 1, heads % key.headGroup == 0, heads % value.headGroup == 0 else {
            throw AttentionRejection("the query is repeated over heads, or K/V head groups do not divide the heads")
        }
        // Write the product in place of a transpose (and reshapes) that only reads it.
        var outputStrides = ElementIndex.strides(oType.shape)
        var result = dot2.results[0]
        if let (chain, final, strides) = outputView(of: result, featureDim: productFeature) {
            ops.formUnion(chain)
            result = final
            outputStrides = strides
        }
        guard outputStrides[productFeature] == 1 else {
            throw AttentionRejection("the value product is stored head dim major (V·P with no transpose after it), which the kernel does not write")
        }
        let output = AttentionPlan.OutputStrides(
            batch: nb == 2 ? outputStrides[0] : 0, head: nb >= 1 ? outputStrides[nb - 1] : 0,
            sequence: outputStrides[productSequence])
        let plan = AttentionPlan(
            elementType: element, outputType: oType.elementType.description,
            batch: nb == 2 ? batchSizes[0] : 1, heads: batchSizes.last ?? 1,
            queryLength: queryLength, keyLength: keyLength, headDim: headDim,
            query: query, key: key, value: value, result: result, output: output,
            scoreRounding: scoreRounding, scale: scale, causalOffset: mask?.causalOffset, mask: mask?.input,
            bias: mask?.bias, biasBeforeMask: mask?.biasBeforeMask ?? false)
        return (plan, ops)
    }

    /// A `transpose` that moves `product`'s feature dimension last and is the only reader
    /// of `product`, followed by reshapes each read only by the next: the ops, the last
    /// value, and the strides of `product`'s dimensions in that value's row-major buffer.
    func outputView(of product: Value, featureDim: Int) -> (ops: Set<Int>, result: Value, strides: [Int])? {
        guard let rank = product.type.tensorType?.shape.count, let (t, op) = soleUser(product),
              op.name == "stablehlo.transpose", op.results.count == 1,
              let permutation = op[attribute: "permutation"]?.intArray?.map({ Int($0) }),
              permutation.sorted() == Array(0..<rank), permutation.last == featureDim,
              let shape = op.resultTensorType(0)?.shape else { return nil }
        let transposed = ElementIndex.strides(shape)
        var strides = Array(repeating: 0, count: rank)
        for k in 0..<rank { strides[permutation[k]] = transposed[k] }
        var ops: Set<Int> = [t]
        var current = op.results[0]
        while let (r, next) = soleUser(current), next.name == "stablehlo.reshape", next.results.count == 1 {
            ops.insert(r)
            current = next.results[0]
        }
        return (ops, current, strides)
    }

    /// Adds to `removed` the producers of the ops in `roots` (transitively) that lose
    /// their last user and have no side effects (views, literals, elementwise ops), counting
    /// the original ops at `replaced` as gone; ops defining a value in `keeping` stay.
    func removeDeadProducers(of roots: Set<Int>, removed: inout Set<Int>, replaced: Set<Int>, keeping: Set<Int>) {
        var pending = Array(roots)
        while let i = pending.popLast() {
            for v in operations[i].operands {
                guard let p = producer[v.id], !removed.contains(p),
                      operations[p].regions.isEmpty, operations[p].name.hasPrefix("stablehlo."),
                      OperationClass(operations[p]).isFusible,
                      !operations[p].results.contains(where: { keeping.contains($0.id) }),
                      operations[p].results.allSatisfy({ (users[$0.id] ?? []).allSatisfy { removed.contains($0) || replaced.contains($0) } })
                else { continue }
                removed.insert(p)
                pending.append(p)
            }
        }
    }
}
