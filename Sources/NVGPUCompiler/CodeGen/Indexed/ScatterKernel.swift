import StableHLO

/// A generated kernel for `stablehlo.scatter`: every dimension-number form (update window
/// dims, inserted window dims, scatter dims to operand dims, index vector dim, batching
/// dims), any number of inputs, and any update computation made of ops the fusion emitter
/// has expressions for.
///
/// One thread owns one element of the results (so no two threads ever write the same
/// element and no atomics are needed): it starts from the input value and walks every
/// scatter position in row-major order; where the update window of that position covers
/// the element, it applies the update computation to the running value and the update
/// element. Targets outside the inputs are never produced, which is the reference's
/// element-by-element skip. The cost is (result elements) × (scatter positions).
///
/// The reference applies updates in row-major order of the update index. The thread's
/// order (by scatter position) is the same whenever every update window dim that comes
/// before the last update scatter dim indexes an operand dim whose start is always 0 (the
/// element's offset in it is then the same for every position that reaches it); when it
/// is not, the order only matters for update computations that are not commutative and
/// associative (a replacing body, floating-point add), and those forms are refused.
enum ScatterKernel {
    /// (result elements) × (scatter positions) above which the kernel would take longer than
    /// a host pass over the updates plus the copies (H100: 2^30 steps in 0.31 ms when most
    /// positions miss, so 2^34 is 5 ms there and a few times that when every step applies the
    /// body); larger scatters stay on the host with the reason.
    static let maximumSteps = 1 << 34

    static func build(_ op: Operation, name: String) throws -> GeneratedKernel {
        let count = op.operands.count
        guard count >= 3, count % 2 == 1, op.results.count == (count - 1) / 2 else {
            throw CodeGenError("stablehlo.scatter expects N inputs, the scatter indices and N updates", at: op.location)
        }
        let n = (count - 1) / 2
        let inputs = try (0..<n).map { try IndexedSource.dataType(op.operandTensorType($0), role: "input #\($0)", op: op) }
        let updates = try (0..<n).map { try IndexedSource.dataType(op.operandTensorType(n + 1 + $0), role: "update #\($0)", op: op) }
        let indexType = try IndexedSource.positionType(op.operandTensorType(n), role: "scatter_indices", op: op)
        guard let indices = op.operandTensorType(n) else { throw CodeGenError("stablehlo.scatter without indices", at: op.location) }
        let shape = inputs[0].0.shape, updateShape = updates[0].0.shape
        let describe = "stablehlo.scatter \(inputs.map { "\($0.0)" }.joined(separator: ", ")), \(indices), \(updates.map { "\($0.0)" }.joined(separator: ", "))"
        for k in 0..<n {
            guard inputs[k].0.shape == shape, updates[k].0.shape == updateShape,
                  updates[k].0.elementType == inputs[k].0.elementType, op.resultTensorType(k) == inputs[k].0 else {
                throw CodeGenError("\(describe): inputs, updates and results must share shapes and element types", at: op.location)
            }
        }
        let dims = try IndexedSource.decoding(op, ScatterDimensionNumbers.init)
        let rank = shape.count, updateRank = updateShape.count, indicesRank = indices.shape.count
        let ivd = dims.indexVectorDim
        guard ivd >= 0, ivd <= indicesRank else {
            throw CodeGenError("\(describe): index_vector_dim \(ivd) is outside 0...\(indicesRank)", at: op.location)
        }
        let vectorSize = ivd < indicesRank ? indices.shape[ivd] : 1
        guard dims.scatterDimsToOperandDims.count == vectorSize,
              dims.inputBatchingDims.count == dims.scatterIndicesBatchingDims.count,
              !dims.scatterIndicesBatchingDims.contains(ivd) else {
            throw CodeGenError("\(describe): scatter dimension numbers do not match the indices", at: op.location)
        }
        try IndexedSource.requireAxes(dims.scatterDimsToOperandDims + dims.inputBatchingDims, rank: rank, "scatter_dims_to_operand_dims + input_batching_dims", op: op)
        try IndexedSource.requireAxes(dims.insertedWindowDims + dims.inputBatchingDims, rank: rank, "inserted_window_dims + input_batching_dims", op: op)
        try IndexedSource.requireAxes(dims.scatterIndicesBatchingDims, rank: indicesRank, "scatter_indices_batching_dims", op: op)
        try IndexedSource.requireAxes(dims.updateWindowDims, rank: updateRank, "update_window_dims", op: op)
        guard dims.updateWindowDims == dims.updateWindowDims.sorted() else {
            throw CodeGenError("\(describe): update_window_dims \(dims.updateWindowDims) must be sorted", at: op.location)
        }
        let removed = Set(dims.insertedWindowDims + dims.inputBatchingDims)
        let windowInputDims = (0..<rank).filter { !removed.contains($0) }
        let windowSet = Set(dims.updateWindowDims)
        let updateScatterDims = (0..<updateRank).filter { !windowSet.contains($0) }
        var scatterShape = indices.shape
        if ivd < indicesRank { scatterShape.remove(at: ivd) }
        guard windowInputDims.count == dims.updateWindowDims.count,
              updateScatterDims.map({ updateShape[$0] }) == scatterShape else {
            throw CodeGenError("\(describe): update shape does not match the indices and window dims", at: op.location)
        }
        // Per input dimension: the update axis of its window offset (-1: inserted or batching).
        var windowAxis = [Int](repeating: -1, count: rank)
        for (i, d) in windowInputDims.enumerated() {
            windowAxis[d] = dims.updateWindowDims[i]
            guard updateShape[dims.updateWindowDims[i]] <= shape[d] else {
                throw CodeGenError("\(describe): update window dim \(dims.updateWindowDims[i]) is larger than input dim \(d)", at: op.location)
            }
        }

        let update = try UpdateComputation(op, inputs: n, types: inputs.map(\.1), describe: describe)
        if !update.isOrderFree {
            let lastScatterAxis = updateScatterDims.max() ?? -1
            let indexed = Set(dims.scatterDimsToOperandDims)
            for (i, d) in windowInputDims.enumerated() where dims.updateWindowDims[i] < lastScatterAxis && indexed.contains(d) {
                throw CodeGenError("\(describe): update window dim \(dims.updateWindowDims[i]) comes before update scatter dim \(lastScatterAxis) and indexes input dim \(d), so an order-sensitive update computation (\(update.summary)) would be applied out of the reference's order", at: op.location)
            }
        }

        let total = shape.reduce(1, *)
        let scatterCount = scatterShape.reduce(1, *)
        let (steps, overflow) = total.multipliedReportingOverflow(by: scatterCount)
        guard !overflow, steps <= Self.maximumSteps else {
            throw CodeGenError("\(describe): \(total) result elements × \(scatterCount) scatter positions exceed the one-thread-per-result kernel's budget of \(Self.maximumSteps) steps", at: op.location)
        }
        let w = KernelBodyWriter(definitions: update.definitions, literals: [:], parameters: update.parameters, indexType: "idx_t")
        w.indent = 2
        IndexedSource.decode("i", shape: shape, prefix: "o", into: w)
        for k in 0..<n {
            w.emit("\(inputs[k].1.storage) cur\(k)[1];")
            w.emit("cur\(k)[0] = in\(k)[i];")
        }
        w.emit("for (idx_t s = 0; s < (idx_t)\(scatterCount); ++s) {")
        try w.nested {
            IndexedSource.decode("s", shape: scatterShape, prefix: "c", into: w)
            let indexStrides = ElementIndex.strides(indices.shape)
            var positionStrides = indexStrides
            if ivd < indicesRank { positionStrides.remove(at: ivd) }
            let vectorStride = ivd < indicesRank ? indexStrides[ivd] : 0
            let position = IndexedSource.dot(scatterShape.indices.map { "c\($0)" }, positionStrides)
            w.emit("const idx_t p = \(position);")
            for d in 0..<rank {
                var start = "0ll"
                if let k = dims.scatterDimsToOperandDims.firstIndex(of: d) {
                    start = "nv_position(idx[p + \(k * vectorStride)])"
                } else if let b = dims.inputBatchingDims.firstIndex(of: d) {
                    let axis = dims.scatterIndicesBatchingDims[b]
                    start = "(long long)c\(axis < ivd ? axis : axis - 1)"
                }
                w.emit("const long long t\(d) = (long long)o\(d) - \(start);")
                if windowAxis[d] < 0 {
                    w.emit("if (t\(d) != 0) continue;")
                } else {
                    w.emit("if (t\(d) < 0 || t\(d) >= \(updateShape[windowAxis[d]])) continue;")
                }
            }
            let updateStrides = ElementIndex.strides(updateShape)
            var terms: [String] = []
            for a in 0..<updateRank {
                if let d = windowAxis.firstIndex(of: a) { terms.append("(idx_t)t\(d)") }
                else if let j = updateScatterDims.firstIndex(of: a) { terms.append("c\(j)") }
            }
            w.emit("const idx_t u = \(IndexedSource.dot(terms, updateStrides));")
            for k in 0..<n {
                w.emit("\(inputs[k].1.storage) upd\(k)[1];")
                w.emit("upd\(k)[0] = up\(k)[u];")
            }
            let scalar = ElementIndex(shape: [], linear: "0")
            let values = try update.results.map { try w.value($0, at: scalar) }
            for k in 0..<n { w.emit("cur\(k)[0] = \(inputs[k].1.store(values[k]));") }
        }
        w.emit("}")
        for k in 0..<n { w.emit("out\(k)[i] = cur\(k)[0];") }

        let parameters = (0..<n).map { "const \(inputs[$0].1.storage)* __restrict__ in\($0)" }
            + ["const \(indexType.storage)* __restrict__ idx"]
            + (0..<n).map { "const \(inputs[$0].1.storage)* __restrict__ up\($0)" }
            + (0..<n).map { "\(inputs[$0].1.storage)* __restrict__ out\($0)" }
        let bindings = op.operands.map { GeneratedKernel.Binding.value($0) } + op.results.map { .value($0) }
        return IndexedSource.kernel(
            name: name, parameters: parameters, bindings: bindings, total: total,
            counts: [indices.elementCount, updateShape.reduce(1, *)],
            comment: "\(name): \(describe), update \(update.summary), one thread per result element over \(scatterCount) scatter positions",
            op: op, body: w.lines)
    }
}

/// The update computation of a scatter as expressions for `KernelBodyWriter`: the block
/// arguments are read from one-element local arrays (`cur0`, ..., `upd0`, ...).
struct UpdateComputation {
    /// Value id → the region op defining it.
    var definitions: [Int: Operation] = [:]
    /// Block argument id → local array name.
    var parameters: [Int: String] = [:]
    /// The returned values.
    var results: [Value]
    /// Whether the computation is one commutative, associative op of the running value and
    /// the update (then the order updates are applied in does not change the result).
    var isOrderFree: Bool
    /// A short description for kernel comments and error messages.
    var summary: String

    /// Ops whose application to (running value, update) gives the same result in any order, by element kind.
    static let orderFreeIntegerOps: Set<String> = [
        "stablehlo.add", "stablehlo.multiply", "stablehlo.maximum", "stablehlo.minimum",
        "stablehlo.and", "stablehlo.or", "stablehlo.xor",
    ]
    static let orderFreeFloatOps: Set<String> = ["stablehlo.maximum", "stablehlo.minimum"]

    init(_ op: Operation, inputs n: Int, types: [KernelElementType], describe: String) throws {
        guard op.regions.count == 1, op.regions[0].blocks.count == 1, let block = op.regions[0].entry,
              block.arguments.count == 2 * n, let ret = block.operations.last, ret.name == "stablehlo.return",
              ret.operands.count == n else {
            throw CodeGenError("\(describe): the update computation must be one block of \(2 * n) arguments returning \(n) values", at: op.location)
        }
        for (k, a) in block.arguments.enumerated() {
            let type = types[k % n]
            guard let t = a.type.tensorType, t.shape.isEmpty, t.elementType == type.elementType else {
                throw CodeGenError("\(describe): update computation argument #\(k) is \(a.type), expected a scalar of \(type.elementType)", at: op.location)
            }
            parameters[a.id] = k < n ? "cur\(k)" : "upd\(k - n)"
        }
        for (k, v) in ret.operands.enumerated() {
            guard let t = v.type.tensorType, t.shape.isEmpty, t.elementType == types[k].elementType else {
                throw CodeGenError("\(describe): update computation result #\(k) is \(v.type), expected a scalar of \(types[k].elementType)", at: op.location)
            }
        }
        let body = block.operations.dropLast()
        for inner in body {
            guard inner.regions.isEmpty,
                  OperationClass.elementwiseNames.contains(inner.name) || inner.name == "stablehlo.constant" else {
                throw CodeGenError("\(describe): update computation op \(inner.name) has no CUDA expression", at: inner.location)
            }
            if inner.name == "stablehlo.compare", case .enumCase(_, _, "TOTALORDER")? = inner[attribute: "compare_type"] {
                throw CodeGenError("\(describe): update computation compare TOTALORDER has no CUDA expression", at: inner.location)
            }
            for r in inner.results { definitions[r.id] = inner }
        }
        results = ret.operands
        summary = body.isEmpty ? "replace" : body.map { $0.name.replacingOccurrences(of: "stablehlo.", with: "") }.joined(separator: "+")
        isOrderFree = false
        if n == 1, body.count == 1, let apply = body.first, apply.operands.count == 2, apply.results.count == 1,
           ret.operands[0] == apply.results[0],
           Set(apply.operands.map(\.id)) == Set(block.arguments.map(\.id)) {
            let free = types[0].isFloat || types[0].isComplex ? Self.orderFreeFloatOps : Self.orderFreeIntegerOps
            isOrderFree = free.contains(apply.name)
        }
    }
}
