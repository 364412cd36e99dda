import StableHLO

/// `sort` (several operands sorted together along one dimension by a comparator region)
/// and `chlo.top_k`.
///
/// Sorting is a stable merge sort, so `is_stable` always holds. A comparator that is a
/// single `compare LT|GT` of the first operand's two elements is evaluated directly.
enum Sort {
    static func sort(_ call: KernelCall) throws -> [RuntimeValue] {
        let inputs = try call.tensors()
        guard let first = inputs.first else { throw call.error("needs at least one operand") }
        guard inputs.allSatisfy({ $0.shape == first.shape }) else { throw call.error("operands have different shapes") }
        guard let comparator = call.op.regions.first else { throw call.error("missing comparator region") }
        let rank = first.shape.count
        var dim = try call.int("dimension", default: -1)
        if dim < 0 { dim += rank }
        guard rank == 0 || (dim >= 0 && dim < rank) else { throw call.error("dimension out of range for rank \(rank)") }
        if rank == 0 { return inputs.map { .tensor($0) } }
        let less = try ordering(comparator, inputs, call)
        let shape = first.shape
        let strides = Indexing.strides(shape)
        let length = shape[dim], step = strides[dim]
        var lineShape = shape
        lineShape[dim] = 1
        var permutation = [Int](repeating: 0, count: first.elementCount)
        for start in Indexing.affineIndices(shape: lineShape, strides: strides, base: 0) {
            let line = (0..<length).map { start + $0 * step }
            let sorted = try mergeSort(line, by: less)
            for (i, src) in sorted.enumerated() { permutation[start + i * step] = src }
        }
        return try inputs.enumerated().map { i, t in try call.result(i, shape: shape, storage: t.storage.gathering(permutation)) }
    }

    /// The strict order the comparator defines on element positions.
    static func ordering(_ comparator: Region, _ inputs: [Tensor], _ call: KernelCall) throws -> (Int, Int) throws -> Bool {
        if let fast = directOrdering(comparator, inputs) { return fast }
        return { a, b in
            var args: [Tensor] = []
            for t in inputs { args.append(t.scalar(at: a)); args.append(t.scalar(at: b)) }
            let out = try call.evaluate(comparator, tensors: args)
            guard out.count == 1, let v = out[0].ints, v.count == 1 else {
                throw call.error("comparator must return one i1 scalar")
            }
            return v[0] != 0
        }
    }

    /// Recognises `compare LT|GT` of one operand's element pair (`%arg2k, %arg2k+1`, either
    /// order) on a real type.
    private static func directOrdering(_ comparator: Region, _ inputs: [Tensor]) -> ((Int, Int) throws -> Bool)? {
        guard let block = comparator.entry, block.operations.count == 2 else { return nil }
        let cmp = block.operations[0], ret = block.operations[1]
        guard cmp.name == "stablehlo.compare", cmp.operands.count == 2, cmp.results.count == 1,
              !QuantizedForm.involvesQuantizedTensors(cmp),
              block.arguments.count == 2 * inputs.count, ret.operands.count == 1,
              ret.operands[0].id == cmp.results[0].id,
              case .enumCase(_, _, let direction)? = cmp[attribute: "comparison_direction"],
              let position = block.arguments.firstIndex(where: { $0.id == cmp.operands[0].id }),
              let other = block.arguments.firstIndex(where: { $0.id == cmp.operands[1].id }),
              position / 2 == other / 2, position != other
        else { return nil }
        let keys = inputs[position / 2]
        let swapped = position % 2 == 1
        var descending: Bool
        switch direction {
        case "LT": descending = false
        case "GT": descending = true
        default: return nil
        }
        if swapped { descending.toggle() }
        var totalOrder = false
        if case .enumCase(_, _, let t)? = cmp[attribute: "compare_type"] { totalOrder = t == "TOTALORDER" }
        switch keys.storage {
        case .ints(let v):
            if keys.elementType.isUnsigned {
                let u = v.map { UInt64(bitPattern: $0) }
                return descending ? { u[$0] > u[$1] } : { u[$0] < u[$1] }
            }
            return descending ? { v[$0] > v[$1] } : { v[$0] < v[$1] }
        case .floats(let v):
            if totalOrder {
                let k = v.map(totalOrderKey)
                return descending ? { k[$0] > k[$1] } : { k[$0] < k[$1] }
            }
            return descending ? { v[$0] > v[$1] } : { v[$0] < v[$1] }
        case .complexes:
            return nil
        }
    }

    /// An integer whose order is IEEE totalOrder of `x` (-NaN < -inf < -0 < +0 < inf < NaN).
    static func totalOrderKey(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits < 0 ? bits ^ Int64.max : bits
    }

    /// A stable merge sort with a throwing strict-weak-order predicate.
    static func mergeSort(_ items: [Int], by less: (Int, Int) throws -> Bool) throws -> [Int] {
        var a = items
        var buffer = items
        var width = 1
        let n = a.count
        while width < n {
            var lo = 0
            while lo < n {
                let mid = min(lo + width, n), hi = min(lo + 2 * width, n)
                var i = lo, j = mid, o = lo
                while i < mid && j < hi {
                    if try less(a[j], a[i]) { buffer[o] = a[j]; j += 1 } else { buffer[o] = a[i]; i += 1 }
                    o += 1
                }
                while i < mid { buffer[o] = a[i]; i += 1; o += 1 }
                while j < hi { buffer[o] = a[j]; j += 1; o += 1 }
                lo = hi
            }
            swap(&a, &buffer)
            width *= 2
        }
        return a
    }

    // MARK: top_k

    /// `chlo.top_k`: the `k` largest elements along the last dimension, largest first,
    /// ties in index order, and their `i32` indices.
    static func topK(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let k = try call.int("k")
        guard let n = operand.shape.last else { throw call.error("operand must have rank >= 1") }
        guard k >= 0, k <= n else { throw call.error("k = \(k) out of range for last dimension \(n)") }
        let greater: (Int, Int) -> Bool
        switch operand.storage {
        case .ints(let v):
            if operand.elementType.isUnsigned {
                let u = v.map { UInt64(bitPattern: $0) }
                greater = { u[$0] > u[$1] }
            } else {
                greater = { v[$0] > v[$1] }
            }
        case .floats(let v):
            let keys = v.map(totalOrderKey)
            greater = { keys[$0] > keys[$1] }
        case .complexes:
            throw call.error("complex operands are not ordered")
        }
        let rows = n == 0 ? 0 : operand.elementCount / n
        var picks: [Int] = []
        var positions: [Int64] = []
        picks.reserveCapacity(rows * k)
        for r in 0..<rows {
            let sorted = try mergeSort(Array((r * n)..<((r + 1) * n)), by: greater)
            for src in sorted.prefix(k) {
                picks.append(src)
                positions.append(Int64(src - r * n))
            }
        }
        var shape = operand.shape
        shape[shape.count - 1] = k
        return [try call.result(0, shape: shape, storage: operand.storage.gathering(picks)),
                try call.result(1, shape: shape, storage: .ints(positions))]
    }
}
