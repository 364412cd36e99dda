import StableHLO

/// Which elements each result element of a reduction folds: group `g` folds
/// `indices[g * groupSize ..< (g + 1) * groupSize]`, in order; an index of -1 stands for
/// the init value (the padding of `reduce_window`).
struct ReductionPlan {
    var groupCount: Int
    var groupSize: Int
    var indices: [Int]
}

/// A reduction body recognised as one binary op applied to its two arguments, which the
/// reduction evaluates directly instead of calling the region per element.
enum BinaryReducer: String {
    case add, multiply, maximum, minimum, and, or, xor

    /// Recognises `^bb0(%a, %b): %r = stablehlo.<op> %a, %b; stablehlo.return %r`.
    init?(body: Region) {
        guard body.blocks.count == 1, let block = body.entry, block.arguments.count == 2,
              block.operations.count == 2 else { return nil }
        let op = block.operations[0], ret = block.operations[1]
        guard op.name.hasPrefix("stablehlo."), let kind = BinaryReducer(rawValue: String(op.shortName)),
              op.operands.count == 2, op.results.count == 1, op.regions.isEmpty,
              !QuantizedForm.involvesQuantizedTensors(op),
              Set(op.operands.map(\.id)) == Set(block.arguments.map(\.id)),
              ret.operands.count == 1, ret.operands[0].id == op.results[0].id
        else { return nil }
        self = kind
    }
}

/// Runs reductions (`reduce`, `reduce_window`) given a plan: the fast path for a
/// `BinaryReducer` body, otherwise the region per element.
enum Reduction {
    /// Folds `inputs` (all of one shape) group by group, starting from `inits` (scalars).
    /// Returns one storage per input, `plan.groupCount` elements each.
    static func fold(_ inputs: [Tensor], inits: [Tensor], body: Region, plan: ReductionPlan,
                     _ call: KernelCall) throws -> [Tensor.Storage] {
        guard inputs.count == inits.count, !inputs.isEmpty else {
            throw call.error("needs as many init values as inputs")
        }
        for (t, i) in zip(inputs, inits) {
            guard i.elementCount == 1, t.storage.sameDomain(as: i.storage) else {
                throw call.error("init value \(i.type) does not match input \(t.type)")
            }
        }
        if inputs.count == 1, let reducer = BinaryReducer(body: body) {
            return [try fold(inputs[0].storage, init: inits[0].storage, reducer, elementType: inputs[0].elementType,
                             plan: plan, call)]
        }
        return try foldWithRegion(inputs, inits: inits, body: body, plan: plan, call)
    }

    /// The generic path: calls `body(acc..., element...)` for every element.
    static func foldWithRegion(_ inputs: [Tensor], inits: [Tensor], body: Region, plan: ReductionPlan,
                               _ call: KernelCall) throws -> [Tensor.Storage] {
        let n = inputs.count
        var results: [[Tensor.Storage]] = Array(repeating: [], count: n)
        for r in 0..<n { results[r].reserveCapacity(plan.groupCount) }
        for g in 0..<plan.groupCount {
            var acc = inits
            for k in 0..<plan.groupSize {
                let j = plan.indices[g * plan.groupSize + k]
                let elements = j < 0 ? inits : inputs.map { $0.scalar(at: j) }
                let out = try call.evaluate(body, tensors: acc + elements)
                guard out.count == n, zip(out, inits).allSatisfy({ $0.elementCount == 1 && $0.storage.sameDomain(as: $1.storage) })
                else { throw call.error("reduction body must return \(n) scalars of the init types") }
                acc = out
            }
            for r in 0..<n { results[r].append(acc[r].storage) }
        }
        return try results.enumerated().map { r, parts in
            if parts.isEmpty { return Tensor.zeros(TensorType(shape: [0], elementType: inits[r].elementType)).storage }
            guard let joined = Tensor.Storage.joined(parts) else { throw call.error("reduction body changed element types") }
            return joined
        }
    }

    /// The fast path for one input and a `BinaryReducer` body.
    static func fold(_ input: Tensor.Storage, init initial: Tensor.Storage, _ reducer: BinaryReducer,
                     elementType: ElementType, plan: ReductionPlan, _ call: KernelCall) throws -> Tensor.Storage {
        switch (input, initial) {
        case (.ints(let v), .ints(let i0)):
            let op = try ScalarOps.intOp(reducer, elementType, call)
            let out = foldGroups(v, i0[0], plan, op)
            if elementType == .i1 { return .ints(out.map { $0 & 1 }) }
            return .ints(out.map { Tensor.normalize(UInt64(bitPattern: $0), elementType) })
        case (.floats(let v), .floats(let i0)):
            let op = try ScalarOps.floatOp(reducer, elementType, call)
            return .floats(foldGroups(v, i0[0], plan, op))
        case (.complexes(let v), .complexes(let i0)):
            let op = try ScalarOps.complexOp(reducer, elementType, call)
            var out = [Double](repeating: 0, count: 2 * plan.groupCount)
            for g in 0..<plan.groupCount {
                var re = i0[0], im = i0[1]
                for k in 0..<plan.groupSize {
                    let j = plan.indices[g * plan.groupSize + k]
                    (re, im) = j < 0 ? op(re, im, i0[0], i0[1]) : op(re, im, v[2 * j], v[2 * j + 1])
                }
                out[2 * g] = re
                out[2 * g + 1] = im
            }
            return .complexes(out)
        default:
            throw call.error("init value domain differs from the input's")
        }
    }

    @inline(__always)
    private static func foldGroups<T>(_ v: [T], _ initial: T, _ plan: ReductionPlan, _ op: (T, T) -> T) -> [T] {
        var out = [T](repeating: initial, count: plan.groupCount)
        let size = plan.groupSize
        plan.indices.withUnsafeBufferPointer { idx in
            v.withUnsafeBufferPointer { src in
                for g in 0..<plan.groupCount {
                    var acc = initial
                    let base = g * size
                    for k in 0..<size {
                        let j = idx[base + k]
                        acc = op(acc, j < 0 ? initial : src[j])
                    }
                    out[g] = acc
                }
            }
        }
        return out
    }

    // MARK: reduce

    static func reduce(_ call: KernelCall) throws -> [RuntimeValue] {
        let all = try call.tensors()
        guard all.count % 2 == 0, !all.isEmpty else { throw call.error("needs inputs followed by as many init values") }
        let n = all.count / 2
        let inputs = Array(all[..<n]), inits = Array(all[n...])
        guard let body = call.op.regions.first else { throw call.error("missing body region") }
        let shape = inputs[0].shape
        guard inputs.allSatisfy({ $0.shape == shape }) else { throw call.error("inputs have different shapes") }
        let dims = try call.ints("dimensions")
        try call.checkDimensions(dims, rank: shape.count, "dimension")
        let strides = Indexing.strides(shape)
        let kept = (0..<shape.count).filter { !dims.contains($0) }
        let reduced = dims.sorted()
        let bases = Indexing.affineIndices(shape: kept.map { shape[$0] }, strides: kept.map { strides[$0] }, base: 0)
        let offsets = Indexing.affineIndices(shape: reduced.map { shape[$0] }, strides: reduced.map { strides[$0] }, base: 0)
        var indices = [Int](repeating: 0, count: bases.count * offsets.count)
        var o = 0
        for b in bases { for r in offsets { indices[o] = b + r; o += 1 } }
        let groupCount = kept.map { shape[$0] }.reduce(1, *)
        let plan = ReductionPlan(groupCount: groupCount, groupSize: offsets.count, indices: indices)
        let storages = try fold(inputs, inits: inits, body: body, plan: plan, call)
        let resultShape = kept.map { shape[$0] }
        return try storages.enumerated().map { i, s in try call.result(i, shape: resultShape, storage: s) }
    }
}
