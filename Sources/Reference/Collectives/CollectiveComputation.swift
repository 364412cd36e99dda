import Runtime
import StableHLO

/// The tensor arithmetic of the collectives: folding the members' operands with a
/// reduction region, concatenating and splitting along a dimension.
enum CollectiveComputation {
    /// `computation(...computation(values[0], values[1])..., values[n-1])` element by element,
    /// in group order, with the values taken as `elementType` (the region's type, to which
    /// the operands are promotable).
    static func fold(_ values: [Tensor], region: Region, elementType: ElementType,
                     _ call: KernelCall) throws -> Tensor.Storage {
        guard let first = values.first else { throw call.error("no values to reduce") }
        for v in values where v.shape != first.shape || !v.storage.sameDomain(as: first.storage) {
            throw call.error("processes hold different operand types \(first.type) and \(v.type)")
        }
        if let reducer = BinaryReducer(body: region) {
            return try foldDirectly(values.map(\.storage), reducer, elementType, call)
        }
        let scalar = TensorType(shape: [], elementType: elementType)
        var parts: [Tensor.Storage] = []
        parts.reserveCapacity(first.elementCount)
        for j in 0..<first.elementCount {
            var acc = Tensor(type: scalar, storage: first.storage.gathering([j]))
            for v in values.dropFirst() {
                let next = Tensor(type: scalar, storage: v.storage.gathering([j]))
                let out = try call.evaluate(region, tensors: [acc, next])
                guard out.count == 1, out[0].elementCount == 1, out[0].storage.sameDomain(as: acc.storage) else {
                    throw call.error("computation must return one tensor<\(elementType)>")
                }
                acc = Tensor(type: scalar, storage: out[0].storage)
            }
            parts.append(acc.storage)
        }
        if parts.isEmpty { return Tensor.zeros(TensorType(shape: [0], elementType: elementType)).storage }
        guard let joined = Tensor.Storage.joined(parts) else { throw call.error("computation changed element types") }
        return joined
    }

    /// The fold for a region that is one binary op of its arguments.
    private static func foldDirectly(_ values: [Tensor.Storage], _ reducer: BinaryReducer, _ type: ElementType,
                                     _ call: KernelCall) throws -> Tensor.Storage {
        switch values[0] {
        case .ints(var acc):
            let op = try ScalarOps.intOp(reducer, type, call)
            for case .ints(let v) in values.dropFirst() {
                for j in 0..<acc.count { acc[j] = op(acc[j], v[j]) }
            }
            if type == .i1 { return .ints(acc.map { $0 & 1 }) }
            return .ints(acc.map { Tensor.normalize(UInt64(bitPattern: $0), type) })
        case .floats(var acc):
            let op = try ScalarOps.floatOp(reducer, type, call)
            for case .floats(let v) in values.dropFirst() {
                for j in 0..<acc.count { acc[j] = op(acc[j], v[j]) }
            }
            return .floats(acc)
        case .complexes(var acc):
            let op = try ScalarOps.complexOp(reducer, type, call)
            for case .complexes(let v) in values.dropFirst() {
                for j in 0..<(acc.count / 2) {
                    (acc[2 * j], acc[2 * j + 1]) = op(acc[2 * j], acc[2 * j + 1], v[2 * j], v[2 * j + 1])
                }
            }
            return .complexes(acc)
        }
    }

    /// `parts` joined along `dimension`; they must agree on every other dimension.
    static func concatenate(_ parts: [Tensor], dimension: Int, _ call: KernelCall) throws -> (shape: [Int], storage: Tensor.Storage) {
        guard let first = parts.first else { throw call.error("nothing to concatenate") }
        let rank = first.shape.count
        guard dimension >= 0, dimension < rank else {
            throw call.error("dimension \(dimension) is out of range for rank \(rank)")
        }
        var shape = first.shape
        shape[dimension] = 0
        for t in parts {
            guard t.shape.count == rank, (0..<rank).allSatisfy({ $0 == dimension || t.shape[$0] == first.shape[$0] }) else {
                throw call.error("processes hold shapes \(parts.map(\.shape)) that differ outside dimension \(dimension)")
            }
            shape[dimension] += t.shape[dimension]
        }
        guard let joined = Tensor.Storage.joined(parts.map(\.storage)) else {
            throw call.error("processes hold operands of different element types")
        }
        let outer = shape[..<dimension].reduce(1, *)
        let inner = shape[(dimension + 1)...].reduce(1, *)
        var bases: [Int] = []
        var offset = 0
        for t in parts { bases.append(offset); offset += t.elementCount }
        var indices: [Int] = []
        indices.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for (k, t) in parts.enumerated() {
                let slab = t.shape[dimension] * inner
                let start = bases[k] + o * slab
                indices.append(contentsOf: start..<(start + slab))
            }
        }
        return (shape, joined.gathering(indices))
    }

    /// Part `index` of `count` equal parts of `tensor` along `dimension`.
    static func part(_ index: Int, of count: Int, _ tensor: Tensor, dimension: Int, _ call: KernelCall) throws -> Tensor {
        let rank = tensor.shape.count
        guard dimension >= 0, dimension < rank else {
            throw call.error("dimension \(dimension) is out of range for rank \(rank)")
        }
        guard count > 0, tensor.shape[dimension] % count == 0 else {
            throw call.error("dimension \(dimension) of size \(tensor.shape[dimension]) does not split into \(count) parts")
        }
        let size = tensor.shape[dimension] / count
        var shape = tensor.shape
        shape[dimension] = size
        let outer = tensor.shape[..<dimension].reduce(1, *)
        let inner = tensor.shape[(dimension + 1)...].reduce(1, *)
        var indices: [Int] = []
        indices.reserveCapacity(outer * size * inner)
        for o in 0..<outer {
            let start = (o * tensor.shape[dimension] + index * size) * inner
            indices.append(contentsOf: start..<(start + size * inner))
        }
        return Tensor(type: TensorType(shape: shape, elementType: tensor.elementType), storage: tensor.storage.gathering(indices))
    }
}
