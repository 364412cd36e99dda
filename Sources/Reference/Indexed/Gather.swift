import StableHLO

/// `stablehlo.gather` and `stablehlo.dynamic_gather`: slices of the operand at positions
/// read from `start_indices`, laid out along the result's batch and offset dimensions.
enum Gather {
    static func run(_ call: KernelCall) throws -> [RuntimeValue] {
        guard call.operands.count == 2 else { throw call.error("expects 2 operands, got \(call.operands.count)") }
        let sliceSizes = try call.ints("slice_sizes")
        return [.tensor(try gather(call, sliceSizes: sliceSizes))]
    }

    /// `dynamic_gather`: like `gather`, with `slice_sizes` as a third operand.
    static func runDynamic(_ call: KernelCall) throws -> [RuntimeValue] {
        guard call.operands.count == 3 else { throw call.error("expects 3 operands, got \(call.operands.count)") }
        let sizes = try IndexValues(try call.tensor(2), role: "slice_sizes", call: call)
        return [.tensor(try gather(call, sliceSizes: sizes.values))]
    }

    /// The spec's gather on operands 0 (operand) and 1 (start indices).
    static func gather(_ call: KernelCall, sliceSizes: [Int]) throws -> Tensor {
        let operand = try call.tensor(0)
        let indices = try IndexValues(try call.tensor(1), role: "start_indices", call: call)
        let dims = try DimensionChecks.decoding(call, GatherDimensionNumbers.init)
        let resultType = try call.resultType()
        let shape = operand.shape
        let rank = shape.count
        let indicesRank = indices.shape.count
        let ivd = dims.indexVectorDim

        // Validate the attributes against the operand and index shapes (C1-C23).
        guard sliceSizes.count == rank else {
            throw call.error("slice_sizes \(sliceSizes) must have one entry per operand dimension of \(operand.type)")
        }
        for d in 0..<rank where sliceSizes[d] < 0 || sliceSizes[d] > shape[d] {
            throw call.error("slice_sizes \(sliceSizes) do not fit operand \(operand.type)")
        }
        guard ivd >= 0, ivd <= indicesRank else {
            throw call.error("index_vector_dim \(ivd) is outside 0...\(indicesRank)")
        }
        let vectorSize = ivd < indicesRank ? indices.shape[ivd] : 1
        guard dims.startIndexMap.count == vectorSize else {
            throw call.error("start_index_map \(dims.startIndexMap) must have \(vectorSize) entries")
        }
        try DimensionChecks.requireUniqueAxes(dims.startIndexMap + dims.operandBatchingDims, rank: rank,
                                              "start_index_map + operand_batching_dims", call)
        try DimensionChecks.requireUniqueAxes(dims.collapsedSliceDims + dims.operandBatchingDims, rank: rank,
                                              "collapsed_slice_dims + operand_batching_dims", call)
        try DimensionChecks.requireSorted(dims.collapsedSliceDims, "collapsed_slice_dims", call)
        try DimensionChecks.requireSorted(dims.operandBatchingDims, "operand_batching_dims", call)
        try DimensionChecks.requireUniqueAxes(dims.startIndicesBatchingDims, rank: indicesRank,
                                              "start_indices_batching_dims", call)
        guard !dims.startIndicesBatchingDims.contains(ivd) else {
            throw call.error("start_indices_batching_dims \(dims.startIndicesBatchingDims) contains index_vector_dim")
        }
        guard dims.operandBatchingDims.count == dims.startIndicesBatchingDims.count else {
            throw call.error("operand_batching_dims and start_indices_batching_dims differ in length")
        }
        for (o, s) in zip(dims.operandBatchingDims, dims.startIndicesBatchingDims) where shape[o] != indices.shape[s] {
            throw call.error("operand batching dimension \(o) and start_indices dimension \(s) differ in size")
        }
        for d in dims.collapsedSliceDims + dims.operandBatchingDims where sliceSizes[d] > 1 {
            throw call.error("slice_sizes[\(d)] must be at most 1 for a collapsed or batching dimension")
        }
        let removed = Set(dims.collapsedSliceDims + dims.operandBatchingDims)
        let offsetOperandDims = (0..<rank).filter { !removed.contains($0) }
        guard offsetOperandDims.count == dims.offsetDims.count else {
            throw call.error("offset_dims \(dims.offsetDims) must have \(offsetOperandDims.count) entries")
        }
        let batchShape = Indexing.removing(ivd, from: indices.shape)
        let resultRank = batchShape.count + dims.offsetDims.count
        try DimensionChecks.requireUniqueAxes(dims.offsetDims, rank: resultRank, "offset_dims", call)
        try DimensionChecks.requireSorted(dims.offsetDims, "offset_dims", call)

        // The result shape and, per result axis, its stride in the batch or the offset space.
        let offsetShape = offsetOperandDims.map { sliceSizes[$0] }
        let batchStrides = Indexing.strides(batchShape)
        let offsetStrides = Indexing.strides(offsetShape)
        var resultShape: [Int] = []
        var resultBatchStrides: [Int] = []
        var resultOffsetStrides: [Int] = []
        var nextBatch = 0
        var nextOffset = 0
        for axis in 0..<resultRank {
            if nextOffset < dims.offsetDims.count && dims.offsetDims[nextOffset] == axis {
                resultShape.append(offsetShape[nextOffset])
                resultBatchStrides.append(0)
                resultOffsetStrides.append(offsetStrides[nextOffset])
                nextOffset += 1
            } else {
                resultShape.append(batchShape[nextBatch])
                resultBatchStrides.append(batchStrides[nextBatch])
                resultOffsetStrides.append(0)
                nextBatch += 1
            }
        }
        guard resultShape == resultType.shape, resultType.elementType == operand.elementType else {
            throw call.error("result type \(resultType) does not match the gathered shape \(resultShape) of \(operand.elementType)")
        }

        // Operand offset of each batch position: clamped start index plus batching index.
        let operandStrides = Indexing.strides(shape)
        let indexStrides = Indexing.strides(indices.shape)
        let vectorStride = ivd < indicesRank ? indexStrides[ivd] : 0
        let batchIndexStrides = Indexing.removing(ivd, from: indexStrides)
        let batchingTerms: [(operandStride: Int, batchAxis: Int)] = zip(dims.operandBatchingDims, dims.startIndicesBatchingDims).map {
            (operandStrides[$0.0], $0.1 < ivd ? $0.1 : $0.1 - 1)
        }
        let batchCount = batchShape.reduce(1, *)
        var bases = [Int](repeating: 0, count: batchCount)
        var batchIndex = [Int](repeating: 0, count: batchShape.count)
        for b in 0..<batchCount {
            var position = 0
            for (i, s) in batchIndexStrides.enumerated() { position += batchIndex[i] * s }
            var base = 0
            for (k, d) in dims.startIndexMap.enumerated() {
                let start = indices.values[position + k * vectorStride]
                base += min(max(start, 0), shape[d] - sliceSizes[d]) * operandStrides[d]
            }
            for term in batchingTerms { base += batchIndex[term.batchAxis] * term.operandStride }
            bases[b] = base
            var d = batchShape.count - 1
            while d >= 0 {
                batchIndex[d] += 1
                if batchIndex[d] < batchShape[d] { break }
                batchIndex[d] = 0
                d -= 1
            }
        }

        // Operand offset of each position within a slice.
        var offsets: [Int] = []
        offsets.reserveCapacity(offsetShape.reduce(1, *))
        let offsetOperandStrides = offsetOperandDims.map { operandStrides[$0] }
        Indexing.forEachOffsetPair(offsetShape, offsetOperandStrides, offsetOperandStrides) { o, _ in offsets.append(o) }

        var sources: [Int] = []
        sources.reserveCapacity(resultType.elementCount)
        Indexing.forEachOffsetPair(resultShape, resultBatchStrides, resultOffsetStrides) { b, o in
            sources.append(bases[b] + offsets[o])
        }
        return Tensor(type: resultType, storage: operand.storage.gathering(sources))
    }
}
