import StableHLO

/// A `stablehlo.gather` checked against the spec's constraints, with what both of its
/// kernels need: for each operand dimension, where its coordinate comes from (a start
/// index, a batching dimension of the result, an offset dimension of the result).
struct GatherGeometry {
    let operand: TensorType
    let indices: TensorType
    let result: TensorType
    let operandType: KernelElementType
    let indexType: KernelElementType
    let sizes: [Int]
    let dims: GatherDimensionNumbers
    /// Result axes that are batch axes (not offset axes), in order.
    let batchAxes: [Int]
    /// Operand dimensions that are offset dimensions of the slice, in order.
    let offsetOperandDims: [Int]
    /// The op, for messages.
    let describe: String

    init(_ op: Operation) throws {
        guard op.name == "stablehlo.gather", op.operands.count == 2, op.results.count == 1 else {
            throw CodeGenError("stablehlo.gather expects an operand and start indices", at: op.location)
        }
        (operand, operandType) = try IndexedSource.dataType(op.operandTensorType(0), role: "operand", op: op)
        indexType = try IndexedSource.positionType(op.operandTensorType(1), role: "start_indices", op: op)
        (result, _) = try IndexedSource.dataType(op.resultTensorType(0), role: "result", op: op)
        guard let indices = op.operandTensorType(1) else { throw CodeGenError("stablehlo.gather without indices", at: op.location) }
        self.indices = indices
        describe = "stablehlo.gather \(operand), \(indices) -> \(result)"
        guard let sizes = op[attribute: "slice_sizes"]?.intArray.map({ $0.map { Int($0) } }) else {
            throw CodeGenError("\(describe): slice_sizes is not a static integer list", at: op.location)
        }
        self.sizes = sizes
        dims = try IndexedSource.decoding(op, GatherDimensionNumbers.init)
        let shape = operand.shape, rank = shape.count, indicesRank = indices.shape.count
        let ivd = dims.indexVectorDim
        guard sizes.count == rank, zip(sizes, shape).allSatisfy({ $0 >= 0 && $0 <= $1 }),
              ivd >= 0, ivd <= indicesRank, result.elementType == operand.elementType else {
            throw CodeGenError("\(describe): slice_sizes \(sizes) or index_vector_dim \(ivd) do not fit", at: op.location)
        }
        let vectorSize = ivd < indicesRank ? indices.shape[ivd] : 1
        guard dims.startIndexMap.count == vectorSize,
              dims.operandBatchingDims.count == dims.startIndicesBatchingDims.count,
              !dims.startIndicesBatchingDims.contains(ivd) else {
            throw CodeGenError("\(describe): gather dimension numbers do not match the indices", at: op.location)
        }
        try IndexedSource.requireAxes(dims.startIndexMap + dims.operandBatchingDims, rank: rank, "start_index_map + operand_batching_dims", op: op)
        try IndexedSource.requireAxes(dims.collapsedSliceDims + dims.operandBatchingDims, rank: rank, "collapsed_slice_dims + operand_batching_dims", op: op)
        try IndexedSource.requireAxes(dims.startIndicesBatchingDims, rank: indicesRank, "start_indices_batching_dims", op: op)
        let removed = Set(dims.collapsedSliceDims + dims.operandBatchingDims)
        offsetOperandDims = (0..<rank).filter { !removed.contains($0) }
        var batchShape = indices.shape
        if ivd < indicesRank { batchShape.remove(at: ivd) }
        let resultRank = batchShape.count + dims.offsetDims.count
        try IndexedSource.requireAxes(dims.offsetDims, rank: resultRank, "offset_dims", op: op)
        guard offsetOperandDims.count == dims.offsetDims.count, dims.offsetDims == dims.offsetDims.sorted(),
              removed.allSatisfy({ sizes[$0] <= 1 }) else {
            throw CodeGenError("\(describe): offset_dims \(dims.offsetDims) do not match the slice", at: op.location)
        }
        let offsetDims = dims.offsetDims
        batchAxes = (0..<resultRank).filter { !offsetDims.contains($0) }
        var expected = [Int](repeating: 0, count: resultRank)
        for (j, a) in batchAxes.enumerated() { expected[a] = batchShape[j] }
        for (m, a) in dims.offsetDims.enumerated() { expected[a] = sizes[offsetOperandDims[m]] }
        guard expected == result.shape else {
            throw CodeGenError("\(describe): the gathered shape is \(expected)", at: op.location)
        }
    }

    /// The index dimension holding the index vectors, or nil when it is implicit (one
    /// trailing size-1 vector).
    var vectorDimension: Int? { dims.indexVectorDim < indices.shape.count ? dims.indexVectorDim : nil }

    /// The result axis paired with indices dimension `axis` (not the vector dimension).
    func resultAxis(ofIndicesDimension axis: Int) -> Int {
        batchAxes[vectorDimension.map { axis < $0 ? axis : axis - 1 } ?? axis]
    }

    /// The indices position of start-index entry `k` for the result position `terms`
    /// (the batch axes' terms, with `k` on the vector dimension).
    func indicesTerms(entry k: Int, result terms: [IndexTerm]) -> [IndexTerm] {
        var out: [IndexTerm] = []
        var next = 0
        for d in indices.shape.indices {
            if d == vectorDimension {
                out.append(IndexTerm(code: "\(k)", tag: k == 0 ? .zero : .other, laneForm: .invariant))
            } else {
                out.append(terms[batchAxes[next]])
                next += 1
            }
        }
        return out
    }

    /// The largest start operand dimension `d` may have (the slice must fit).
    func highestStart(_ d: Int) -> Int { operand.shape[d] - sizes[d] }
}
