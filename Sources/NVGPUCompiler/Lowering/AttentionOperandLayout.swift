import StableHLO

/// A tensor read in place from another value's buffer: element `i` of the view lives at
/// `offset + Σ (index[d] / divisors[d]) * strides[d]` of `base`'s row-major buffer. A divisor
/// above 1 comes from merging a dimension with a broadcast one inside it (`jnp.repeat` of
/// K/V heads for grouped-query attention: `divisors` consecutive heads read one).
///
/// The fused attention kernel reads Q, K and V through such views, so the transposes,
/// slices and reshapes that split one projection into heads need no kernel of their own.
struct StridedView: Hashable, Sendable {
    /// The value whose buffer is read.
    var base: Value
    /// Elements before the view's first element.
    var offset: Int
    var shape: [Int]
    /// Elements between neighbours along each dimension (0 for broadcast dimensions).
    var strides: [Int]
    /// How many consecutive indices along each dimension read the same elements (1: none).
    var divisors: [Int]

    /// `value` itself, row-major.
    init?(contiguous value: Value) {
        guard let type = value.type.tensorType, type.isStatic else { return nil }
        base = value
        offset = 0
        shape = type.shape
        strides = ElementIndex.strides(type.shape)
        divisors = Array(repeating: 1, count: type.shape.count)
    }

    /// The view after `op` (a reshape, transpose, slice or broadcast_in_dim whose operand
    /// is this view), or nil when the result is not a strided view of the same buffer.
    func applying(_ op: Operation) -> StridedView? {
        guard let result = op.resultTensorType(0), result.isStatic else { return nil }
        var next = self
        switch op.name {
        case "stablehlo.reshape":
            if divisors.allSatisfy({ $0 == 1 }), let strides = Self.reshapedStrides(shape: shape, strides: strides, to: result.shape) {
                next.strides = strides
                next.divisors = Array(repeating: 1, count: result.shape.count)
            } else if let (strides, divisors) = Self.groupedReshape(shape: shape, strides: strides, divisors: divisors, to: result.shape) {
                next.strides = strides
                next.divisors = divisors
            } else {
                return nil
            }
        case "stablehlo.transpose":
            guard let permutation = op[attribute: "permutation"]?.intArray?.map({ Int($0) }),
                  permutation.sorted() == Array(shape.indices) else { return nil }
            next.strides = permutation.map { strides[$0] }
            next.divisors = permutation.map { divisors[$0] }
        case "stablehlo.slice":
            let steps = op[attribute: "strides"]?.intArray?.map { Int($0) } ?? Array(repeating: 1, count: shape.count)
            guard let starts = op[attribute: "start_indices"]?.intArray?.map({ Int($0) }),
                  starts.count == shape.count, steps.count == shape.count,
                  starts.allSatisfy({ $0 >= 0 }), steps.allSatisfy({ $0 >= 1 }),
                  shape.indices.allSatisfy({ divisors[$0] == 1 || (starts[$0] == 0 && steps[$0] == 1) }) else { return nil }
            next.offset += zip(starts, strides).map { $0 * $1 }.reduce(0, +)
            next.strides = zip(strides, steps).map { $0 * $1 }
        case "stablehlo.broadcast_in_dim":
            guard let dims = op[attribute: "broadcast_dimensions"]?.intArray?.map({ Int($0) }),
                  dims.count == shape.count, dims.allSatisfy({ result.shape.indices.contains($0) }) else { return nil }
            var strides = Array(repeating: 0, count: result.shape.count)
            var divisors = Array(repeating: 1, count: result.shape.count)
            for (i, d) in dims.enumerated() {
                if shape[i] == result.shape[d] { strides[d] = self.strides[i]; divisors[d] = self.divisors[i] }
                else if shape[i] != 1 { return nil }
            }
            next.strides = strides
            next.divisors = divisors
        default:
            return nil
        }
        next.shape = result.shape
        return next
    }

    /// A reshape that merges a dimension with broadcast (stride 0) dimensions inside it into
    /// one dimension with a divisor (`[Hkv, G] → [Hkv·G]`, divisor G), and otherwise keeps
    /// every non-unit dimension (only unit dimensions come or go); nil for anything else.
    static func groupedReshape(shape: [Int], strides: [Int], divisors: [Int], to target: [Int]) -> ([Int], [Int])? {
        let old = shape.indices.filter { shape[$0] != 1 }
        let new = target.indices.filter { target[$0] != 1 }
        var resultStrides = Array(repeating: 0, count: target.count), resultDivisors = Array(repeating: 1, count: target.count)
        var o = 0
        for n in new {
            guard o < old.count else { return nil }
            var end = o + 1, product = shape[old[o]]
            while product < target[n], end < old.count { product *= shape[old[end]]; end += 1 }
            guard product == target[n] else { return nil }
            let group = Array(old[o..<end])
            if group.count == 1 {
                resultStrides[n] = strides[group[0]]
                resultDivisors[n] = divisors[group[0]]
            } else {
                // One strided dimension, then only broadcast ones, none already divided.
                guard group.allSatisfy({ divisors[$0] == 1 }), group.dropFirst().allSatisfy({ strides[$0] == 0 }) else { return nil }
                resultStrides[n] = strides[group[0]]
                resultDivisors[n] = group.dropFirst().map { shape[$0] }.reduce(1, *)
            }
            o = end
        }
        guard o == old.count else { return nil }
        return (resultStrides, resultDivisors)
    }

    /// Strides of `shape`/`strides` reshaped to `target` without moving data, or nil when
    /// the reshape merges dimensions that are not laid out one inside the other.
    static func reshapedStrides(shape: [Int], strides: [Int], to target: [Int]) -> [Int]? {
        guard shape.reduce(1, *) == target.reduce(1, *), !shape.contains(0) else { return nil }
        let old = zip(shape, strides).filter { $0.0 != 1 }
        var result = Array(repeating: 0, count: target.count)
        var o = 0, n = 0
        while o < old.count {
            // Leading size-1 target dimensions have no extent: any stride works.
            while n < target.count, target[n] == 1 { n += 1 }
            guard n < target.count else { return nil }
            var oldEnd = o + 1, newEnd = n + 1
            var oldProduct = old[o].0, newProduct = target[n]
            while oldProduct != newProduct {
                if newProduct < oldProduct {
                    guard newEnd < target.count else { return nil }
                    newProduct *= target[newEnd]
                    newEnd += 1
                } else {
                    guard oldEnd < old.count else { return nil }
                    oldProduct *= old[oldEnd].0
                    oldEnd += 1
                }
            }
            for i in o..<(oldEnd - 1) where old[i].1 != old[i + 1].1 * old[i + 1].0 { return nil }
            var running = old[oldEnd - 1].1
            for i in stride(from: newEnd - 1, through: n, by: -1) {
                result[i] = running
                running *= target[i]
            }
            o = oldEnd
            n = newEnd
        }
        return result
    }
}

/// Where the fused attention kernel reads one operand: batch, head, sequence and feature
/// strides into a base buffer (the feature stride is 1).
struct AttentionOperandLayout: Hashable, Sendable {
    var base: Value
    var offset: Int
    var batchStride: Int
    var headStride: Int
    var sequenceStride: Int
    /// Consecutive heads that read one head of this operand (grouped-query attention's K
    /// and V, repeated over the query heads); 1 otherwise.
    var headGroup = 1

    /// The deepest view of `value` (walking back through reshapes, transposes, slices and
    /// broadcasts) that the kernel can read: `dims` names the view's batch dimensions (at
    /// most two), sequence and feature dimensions; the feature stride must be 1 and every
    /// used stride and the offset a multiple of 8 elements (16-byte `cp.async`).
    static func reading(_ value: Value, batchDims: [Int], sequenceDim: Int, featureDim: Int,
                        graph: ValueGraph) -> AttentionOperandLayout? {
        for view in StridedView.views(of: value, graph: graph) {
            if let layout = layout(of: view, batchDims: batchDims, sequenceDim: sequenceDim, featureDim: featureDim) {
                return layout
            }
        }
        return nil
    }

    static func layout(of view: StridedView, batchDims: [Int], sequenceDim: Int, featureDim: Int) -> AttentionOperandLayout? {
        guard batchDims.count <= 2, view.strides[featureDim] == 1,
              view.divisors.indices.allSatisfy({ view.divisors[$0] == 1 || $0 == batchDims.last }) else { return nil }
        let batch = batchDims.map { view.shape[$0] == 1 ? 0 : view.strides[$0] }
        let outer = batch.count == 2 ? batch[0] : 0
        let inner = batch.last ?? 0
        let sequence = view.shape[sequenceDim] == 1 ? 0 : view.strides[sequenceDim]
        guard [view.offset, outer, inner, sequence].allSatisfy({ $0 % 8 == 0 && $0 >= 0 }) else { return nil }
        return AttentionOperandLayout(base: view.base, offset: view.offset, batchStride: outer,
                                      headStride: inner, sequenceStride: sequence,
                                      headGroup: batchDims.last.map { view.divisors[$0] } ?? 1)
    }
}

extension StridedView {
    /// The views `value` is of, deepest base first: walking back through reshapes,
    /// transposes, slices and broadcasts, each base buffer with the chain composed onto it
    /// (the last is `value` itself, row-major).
    static func views(of value: Value, graph: ValueGraph) -> [StridedView] {
        var chain: [Operation] = []
        var current = value
        let viewNames: Set<String> = ["stablehlo.reshape", "stablehlo.transpose", "stablehlo.slice",
                                      "stablehlo.broadcast_in_dim"]
        while let p = graph.producer[current.id], viewNames.contains(graph.operations[p].name),
              graph.operations[p].operands.count == 1, graph.operations[p].results.count == 1 {
            chain.append(graph.operations[p])
            current = graph.operations[p].operands[0]
        }
        var result: [StridedView] = []
        for depth in stride(from: chain.count, through: 0, by: -1) {
            let base = depth == 0 ? value : chain[depth - 1].operands[0]
            guard var view = StridedView(contiguous: base) else { continue }
            var ok = true
            for op in chain.prefix(depth).reversed() {
                guard let next = view.applying(op) else { ok = false; break }
                view = next
            }
            if ok, view.shape == value.type.tensorType?.shape { result.append(view) }
        }
        return result
    }
}
