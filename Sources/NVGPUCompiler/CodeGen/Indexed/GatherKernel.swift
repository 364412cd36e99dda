import StableHLO

/// A generated kernel for `stablehlo.gather` in every dimension-number form (offset dims,
/// collapsed slice dims, start index map, index vector dim, batching dims): one thread per
/// result element reads its start index, clamps it so the slice fits (as the spec and the
/// reference do), adds the batching and offset terms and copies one operand element.
enum GatherKernel {
    static func build(_ op: Operation, name: String) throws -> GeneratedKernel {
        guard op.operands.count == 2, op.results.count == 1 else {
            throw CodeGenError("stablehlo.gather expects an operand and start indices", at: op.location)
        }
        let (operand, type) = try IndexedSource.dataType(op.operandTensorType(0), role: "operand", op: op)
        let indexType = try IndexedSource.positionType(op.operandTensorType(1), role: "start_indices", op: op)
        let (result, _) = try IndexedSource.dataType(op.resultTensorType(0), role: "result", op: op)
        guard let indices = op.operandTensorType(1) else { throw CodeGenError("stablehlo.gather without indices", at: op.location) }
        let describe = "stablehlo.gather \(operand), \(indices) -> \(result)"
        guard let sizes = op[attribute: "slice_sizes"]?.intArray.map({ $0.map { Int($0) } }) else {
            throw CodeGenError("\(describe): slice_sizes is not a static integer list", at: op.location)
        }
        let dims = try IndexedSource.decoding(op, GatherDimensionNumbers.init)
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
        let offsetOperandDims = (0..<rank).filter { !removed.contains($0) }
        var batchShape = indices.shape
        if ivd < indicesRank { batchShape.remove(at: ivd) }
        let resultRank = batchShape.count + dims.offsetDims.count
        try IndexedSource.requireAxes(dims.offsetDims, rank: resultRank, "offset_dims", op: op)
        guard offsetOperandDims.count == dims.offsetDims.count, dims.offsetDims == dims.offsetDims.sorted(),
              removed.allSatisfy({ sizes[$0] <= 1 }) else {
            throw CodeGenError("\(describe): offset_dims \(dims.offsetDims) do not match the slice", at: op.location)
        }
        let batchAxes = (0..<resultRank).filter { !dims.offsetDims.contains($0) }
        var expected = [Int](repeating: 0, count: resultRank)
        for (j, a) in batchAxes.enumerated() { expected[a] = batchShape[j] }
        for (m, a) in dims.offsetDims.enumerated() { expected[a] = sizes[offsetOperandDims[m]] }
        guard expected == result.shape else {
            throw CodeGenError("\(describe): the gathered shape is \(expected)", at: op.location)
        }

        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        w.indent = 2
        IndexedSource.decode("i", shape: result.shape, prefix: "o", into: w)
        let indexStrides = ElementIndex.strides(indices.shape)
        var batchIndexStrides = indexStrides
        if ivd < indicesRank { batchIndexStrides.remove(at: ivd) }
        let vectorStride = ivd < indicesRank ? indexStrides[ivd] : 0
        w.emit("const idx_t p = \(IndexedSource.dot(batchAxes.map { "o\($0)" }, batchIndexStrides));")
        var terms: [String] = []
        for d in 0..<rank {
            var parts: [String] = []
            if let k = dims.startIndexMap.firstIndex(of: d) {
                parts.append("nv_clamp_position(nv_position(idx[p + \(k * vectorStride)]), \(shape[d] - sizes[d]))")
            }
            if let b = dims.operandBatchingDims.firstIndex(of: d) {
                let axis = dims.startIndicesBatchingDims[b]
                parts.append("(long long)o\(batchAxes[axis < ivd ? axis : axis - 1])")
            }
            if let m = offsetOperandDims.firstIndex(of: d) { parts.append("(long long)o\(dims.offsetDims[m])") }
            w.emit("const idx_t x\(d) = (idx_t)(\(parts.isEmpty ? "0" : parts.joined(separator: " + ")));")
            terms.append("x\(d)")
        }
        w.emit("out[i] = operand[\(IndexedSource.dot(terms, ElementIndex.strides(shape)))];")

        return IndexedSource.kernel(
            name: name,
            parameters: ["const \(type.storage)* __restrict__ operand", "const \(indexType.storage)* __restrict__ idx",
                         "\(type.storage)* __restrict__ out"],
            bindings: [.value(op.operands[0]), .value(op.operands[1]), .value(op.results[0])],
            total: result.elementCount, counts: [operand.elementCount, indices.elementCount],
            comment: "\(name): \(describe), one thread per result element", op: op, body: w.lines)
    }
}
