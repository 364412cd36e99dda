import StableHLO

/// Pure data-movement ops: each result element is a copy of one operand element, so they
/// are index maps over `Tensor.Storage` and work for every element type.
enum DataMovement {
    // MARK: broadcast

    static func broadcastInDim(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let shape = try call.resultType().shape
        guard Indexing.checkedCount(shape) != nil else { throw call.error("result shape must be static") }
        return [try broadcast(operand, to: shape, dimensions: try call.ints("broadcast_dimensions"), call)]
    }

    /// Legacy `broadcast`: prepends `broadcast_sizes` to the operand's shape.
    static func broadcastLegacy(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let sizes = try call.ints("broadcast_sizes")
        guard Indexing.checkedCount(sizes + operand.shape) != nil else { throw call.error("invalid broadcast_sizes \(sizes)") }
        let dims = Array(sizes.count..<(sizes.count + operand.shape.count))
        return [try broadcast(operand, to: sizes + operand.shape, dimensions: dims, call)]
    }

    /// Broadcasts `operand` to `shape`, operand dimension `k` becoming result dimension
    /// `dimensions[k]` (its size must be 1 or match).
    static func broadcast(_ operand: Tensor, to shape: [Int], dimensions: [Int], _ call: KernelCall) throws -> RuntimeValue {
        guard dimensions.count == operand.shape.count else {
            throw call.error("broadcast_dimensions has \(dimensions.count) entries for an operand of rank \(operand.shape.count)")
        }
        try call.checkDimensions(dimensions, rank: shape.count, "broadcast dimension")
        let operandStrides = Indexing.strides(operand.shape)
        var strides = [Int](repeating: 0, count: shape.count)
        for (k, d) in dimensions.enumerated() {
            let size = operand.shape[k]
            guard size == 1 || size == shape[d] else {
                throw call.error("operand dimension \(k) of size \(size) cannot broadcast to size \(shape[d])")
            }
            if size != 1 { strides[d] = operandStrides[k] }
        }
        let indices = Indexing.affineIndices(shape: shape, strides: strides, base: 0)
        return try call.result(shape: shape, storage: operand.storage.gathering(indices))
    }

    // MARK: reshape, transpose, reverse

    static func reshape(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let shape = try call.resultType().shape
        return [try reshape(operand, to: shape, call)]
    }

    static func reshape(_ operand: Tensor, to shape: [Int], _ call: KernelCall) throws -> RuntimeValue {
        guard Indexing.checkedCount(shape) == operand.elementCount else {
            throw call.error("cannot reshape \(operand.type) to shape \(shape)")
        }
        return try call.result(shape: shape, storage: operand.storage)
    }

    static func transpose(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let permutation = try call.ints("permutation")
        guard permutation.count == operand.shape.count else {
            throw call.error("permutation has \(permutation.count) entries for rank \(operand.shape.count)")
        }
        try call.checkDimensions(permutation, rank: operand.shape.count, "permutation entry")
        let operandStrides = Indexing.strides(operand.shape)
        let shape = permutation.map { operand.shape[$0] }
        let strides = permutation.map { operandStrides[$0] }
        let indices = Indexing.affineIndices(shape: shape, strides: strides, base: 0)
        return [try call.result(shape: shape, storage: operand.storage.gathering(indices))]
    }

    static func reverse(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let dims = try call.ints("dimensions")
        try call.checkDimensions(dims, rank: operand.shape.count, "dimension")
        var strides = Indexing.strides(operand.shape)
        var base = 0
        for d in dims where operand.shape[d] > 0 {
            base += (operand.shape[d] - 1) * strides[d]
            strides[d] = -strides[d]
        }
        let indices = Indexing.affineIndices(shape: operand.shape, strides: strides, base: base)
        return [try call.result(shape: operand.shape, storage: operand.storage.gathering(indices))]
    }

    // MARK: slice, concatenate

    static func slice(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let start = try call.ints("start_indices")
        let limit = try call.ints("limit_indices")
        let strides = try call.ints("strides", default: [Int](repeating: 1, count: operand.shape.count))
        return [try slice(operand, start: start, limit: limit, strides: strides, call)]
    }

    /// Elements `start[d] ..< limit[d]` by `strides[d]` of every dimension.
    static func slice(_ operand: Tensor, start: [Int], limit: [Int], strides: [Int], _ call: KernelCall) throws -> RuntimeValue {
        let rank = operand.shape.count
        guard start.count == rank, limit.count == rank, strides.count == rank else {
            throw call.error("slice bounds must have \(rank) entries")
        }
        var shape = [Int](repeating: 0, count: rank)
        var base = 0
        let operandStrides = Indexing.strides(operand.shape)
        for d in 0..<rank {
            guard start[d] >= 0, start[d] <= limit[d], limit[d] <= operand.shape[d], strides[d] > 0 else {
                throw call.error("invalid slice [\(start[d]), \(limit[d])) step \(strides[d]) of dimension \(d) with size \(operand.shape[d])")
            }
            shape[d] = limit[d] == start[d] ? 0 : (limit[d] - start[d] - 1) / strides[d] + 1
            base += start[d] * operandStrides[d]
        }
        let steps = (0..<rank).map { strides[$0] * operandStrides[$0] }
        let indices = Indexing.affineIndices(shape: shape, strides: steps, base: base)
        return try call.result(shape: shape, storage: operand.storage.gathering(indices))
    }

    static func concatenate(_ call: KernelCall) throws -> [RuntimeValue] {
        let inputs = try call.tensors()
        guard let first = inputs.first else { throw call.error("needs at least one operand") }
        let rank = first.shape.count
        let dim = try call.int("dimension")
        guard dim >= 0, dim < rank else { throw call.error("dimension \(dim) out of range for rank \(rank)") }
        var shape = first.shape
        shape[dim] = 0
        for t in inputs {
            guard t.shape.count == rank,
                  (0..<rank).allSatisfy({ $0 == dim || t.shape[$0] == first.shape[$0] })
            else { throw call.error("operand shapes \(inputs.map(\.shape)) do not agree outside dimension \(dim)") }
            shape[dim] += t.shape[dim]
        }
        guard let joined = Tensor.Storage.joined(inputs.map(\.storage)) else {
            throw call.error("operands have different element types")
        }
        let outer = shape[..<dim].reduce(1, *)
        let inner = shape[(dim + 1)...].reduce(1, *)
        var bases: [Int] = []
        var acc = 0
        for t in inputs { bases.append(acc); acc += t.elementCount }
        var indices: [Int] = []
        indices.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for (k, t) in inputs.enumerated() {
                let slab = t.shape[dim] * inner
                let start = bases[k] + o * slab
                indices.append(contentsOf: start..<(start + slab))
            }
        }
        return [try call.result(shape: shape, storage: joined.gathering(indices))]
    }

    // MARK: pad

    static func pad(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let value = try call.tensor(1)
        let rank = operand.shape.count
        let low = try call.ints("edge_padding_low")
        let high = try call.ints("edge_padding_high")
        let interior = try call.ints("interior_padding", default: [Int](repeating: 0, count: rank))
        return [try pad(operand, with: value, low: low, high: high, interior: interior, call)]
    }

    /// Pads with `value` before (`low`), after (`high`) and between (`interior`) elements;
    /// negative edge padding removes elements.
    static func pad(_ operand: Tensor, with value: Tensor, low: [Int], high: [Int], interior: [Int], _ call: KernelCall) throws -> RuntimeValue {
        let rank = operand.shape.count
        guard low.count == rank, high.count == rank, interior.count == rank else {
            throw call.error("padding must have \(rank) entries per side")
        }
        guard value.elementCount == 1 else { throw call.error("padding value must be a scalar") }
        let limit = 1 << 40
        guard interior.allSatisfy({ $0 >= 0 && $0 < limit }), (low + high).allSatisfy({ $0.magnitude < limit }) else {
            throw call.error("padding out of range")
        }
        var shape = [Int](repeating: 0, count: rank)
        for d in 0..<rank {
            let n = operand.shape[d]
            shape[d] = low[d] + high[d] + n + max(n - 1, 0) * interior[d]
            guard shape[d] >= 0 else { throw call.error("padding makes dimension \(d) negative (\(shape[d]))") }
        }
        guard Indexing.checkedCount(shape) != nil else { throw call.error("padded shape \(shape) is too large") }
        guard let joined = Tensor.Storage.joined([operand.storage, value.storage]) else {
            throw call.error("padding value type \(value.elementType) differs from \(operand.elementType)")
        }
        let padIndex = operand.elementCount
        let total = shape.reduce(1, *)
        var indices = [Int](repeating: padIndex, count: total)
        let outStrides = Indexing.strides(shape)
        if total > 0 && operand.elementCount > 0 {
            var linear = 0
            Indexing.forEachIndex(operand.shape) { i in
                var o = 0
                var inside = true
                for d in 0..<rank {
                    let p = low[d] + i[d] * (interior[d] + 1)
                    if p < 0 || p >= shape[d] { inside = false; break }
                    o += p * outStrides[d]
                }
                if inside { indices[o] = linear }
                linear += 1
            }
        }
        return try call.result(shape: shape, storage: joined.gathering(indices))
    }

    // MARK: shapes

    static func getDimensionSize(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let dim = try call.int("dimension")
        guard dim >= 0, dim < operand.shape.count else {
            throw call.error("dimension \(dim) out of range for rank \(operand.shape.count)")
        }
        return [try call.result(shape: [], storage: .ints([Int64(operand.shape[dim])]))]
    }
}
