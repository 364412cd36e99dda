/// `gather` and `scatter`: their dimension-number constraints, the inferred gather
/// result shape and the scatter update shape.
enum GatherScatterRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.gather": gather,
        "stablehlo.scatter": scatter,
    ]

    /// `indices` shape without `indexVectorDim` (when it is a real dimension).
    static func batchSizes(_ indices: TensorType, indexVectorDim: Int) -> [Int] {
        indices.shape.enumerated().filter { $0.offset != indexVectorDim }.map(\.element)
    }

    /// Checks the index-side constraints shared by gather and scatter: `index_vector_dim`
    /// in range, the index map sized to the index vector, batching dims paired.
    static func expectIndexing(
        _ v: VerifiedOperation, operand: TensorType, indices: TensorType, indexVectorDim: Int,
        indexMap: (name: String, dims: [Int]), operandBatching: (name: String, dims: [Int]),
        indicesBatching: (name: String, dims: [Int])
    ) throws {
        guard indexVectorDim >= 0, indexVectorDim <= indices.rank else {
            throw v.error("index_vector_dim \(indexVectorDim) is out of range for \(indices)")
        }
        let vectorSize = indexVectorDim < indices.rank ? indices.shape[indexVectorDim] : 1
        if vectorSize != TensorType.dynamic, indexMap.dims.count != vectorSize {
            throw v.error("\(indexMap.name) \(indexMap.dims) has \(indexMap.dims.count) entries but the index vector of \(indices) has \(vectorSize)")
        }
        try v.expectUnique(indexMap.dims + operandBatching.dims, "\(indexMap.name) + \(operandBatching.name)")
        try v.expectInRange(indexMap.dims, rank: operand.rank, indexMap.name)
        try v.expectSorted(operandBatching.dims, operandBatching.name)
        try v.expectInRange(operandBatching.dims, rank: operand.rank, operandBatching.name)
        try v.expectUnique(indicesBatching.dims, indicesBatching.name)
        try v.expectInRange(indicesBatching.dims, rank: indices.rank, indicesBatching.name)
        if indicesBatching.dims.contains(indexVectorDim) {
            throw v.error("\(indicesBatching.name) \(indicesBatching.dims) contains index_vector_dim \(indexVectorDim)")
        }
        guard operandBatching.dims.count == indicesBatching.dims.count else {
            throw v.error("\(operandBatching.name) \(operandBatching.dims) and \(indicesBatching.name) \(indicesBatching.dims) differ in size")
        }
        for (o, i) in zip(operandBatching.dims, indicesBatching.dims)
        where !TensorType.compatibleDims(operand.shape[o], indices.shape[i]) {
            throw v.error("batching dimension \(o) of \(operand) and \(i) of \(indices) differ in size")
        }
        try v.expectElementClass(indices, .integer, "start indices")
    }

    static func gather(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let x = try v.operand(0), indices = try v.operand(1)
        guard let numbers = v.op[attribute: "dimension_numbers"] else { throw v.error("missing attribute 'dimension_numbers'") }
        let name = "dimension_numbers"
        let offsetDims = try v.parameterInts(numbers, "offset_dims", of: name)
        let collapsed = try v.parameterInts(numbers, "collapsed_slice_dims", of: name)
        let operandBatching = try v.parameterInts(numbers, "operand_batching_dims", of: name)
        let indicesBatching = try v.parameterInts(numbers, "start_indices_batching_dims", of: name)
        let indexMap = try v.parameterInts(numbers, "start_index_map", of: name)
        let indexVectorDim = try v.parameterInt(numbers, "index_vector_dim", of: name)
        let sizes = try v.ints("slice_sizes")

        guard x.rank == offsetDims.count + collapsed.count + operandBatching.count else {
            throw v.error("rank of \(x) must equal size(offset_dims) + size(collapsed_slice_dims) + size(operand_batching_dims) = \(offsetDims.count + collapsed.count + operandBatching.count)")
        }
        try expectIndexing(
            v, operand: x, indices: indices, indexVectorDim: indexVectorDim,
            indexMap: ("start_index_map", indexMap), operandBatching: ("operand_batching_dims", operandBatching),
            indicesBatching: ("start_indices_batching_dims", indicesBatching))
        try v.expectUnique(offsetDims, "offset_dims")
        try v.expectSorted(offsetDims, "offset_dims")
        try v.expectUnique(collapsed + operandBatching, "collapsed_slice_dims + operand_batching_dims")
        try v.expectSorted(collapsed, "collapsed_slice_dims")
        try v.expectInRange(collapsed, rank: x.rank, "collapsed_slice_dims")
        try v.expectSize(sizes, x.rank, "slice_sizes")
        for d in 0..<x.rank {
            guard sizes[d] >= 0, x.shape[d] == TensorType.dynamic || sizes[d] <= x.shape[d] else {
                throw v.error("slice_sizes \(sizes) do not fit \(x) in dimension \(d)")
            }
        }
        for d in collapsed + operandBatching where sizes[d] > 1 {
            throw v.error("slice_sizes[\(d)] = \(sizes[d]) must be at most 1 for a collapsed or batching dimension")
        }
        let batch = batchSizes(indices, indexVectorDim: indexVectorDim)
        let offsets = sizes.enumerated()
            .filter { !collapsed.contains($0.offset) && !operandBatching.contains($0.offset) }.map(\.element)
        let rank = batch.count + offsets.count
        try v.expectInRange(offsetDims, rank: rank, "offset_dims")
        var shape: [Int] = []
        var nextBatch = 0, nextOffset = 0
        for d in 0..<rank {
            if offsetDims.contains(d) {
                shape.append(offsets[nextOffset]); nextOffset += 1
            } else {
                shape.append(batch[nextBatch]); nextBatch += 1
            }
        }
        try v.expectResult(0, TensorType(shape: shape, elementType: x.elementType))
    }

    static func scatter(_ v: VerifiedOperation) throws {
        let count = v.op.operands.count
        guard count >= 3, count % 2 == 1 else {
            throw v.error("expects N inputs, scatter_indices and N updates, got \(count) operands")
        }
        let n = count / 2
        try v.expectResultCount(n)
        let inputs = try v.operands(0..<n), indices = try v.operand(n), updates = try v.operands(n + 1..<count)
        guard let numbers = v.op[attribute: "scatter_dimension_numbers"] else {
            throw v.error("missing attribute 'scatter_dimension_numbers'")
        }
        let name = "scatter_dimension_numbers"
        let windowDims = try v.parameterInts(numbers, "update_window_dims", of: name)
        let inserted = try v.parameterInts(numbers, "inserted_window_dims", of: name)
        let inputBatching = try v.parameterInts(numbers, "input_batching_dims", of: name)
        let indicesBatching = try v.parameterInts(numbers, "scatter_indices_batching_dims", of: name)
        let indexMap = try v.parameterInts(numbers, "scatter_dims_to_operand_dims", of: name)
        let indexVectorDim = try v.parameterInt(numbers, "index_vector_dim", of: name)
        let x = inputs[0]
        for (i, input) in inputs.enumerated() where !TensorType.compatibleShapes(input.shape, x.shape) {
            throw v.error("input #\(i) \(input) and input #0 \(x) differ in shape")
        }
        for (i, update) in updates.enumerated() {
            guard TensorType.compatibleShapes(update.shape, updates[0].shape) else {
                throw v.error("update #\(i) \(update) and update #0 \(updates[0]) differ in shape")
            }
            try v.expectSameElementType(update, inputs[i], "update #\(i)", "input #\(i)")
        }
        guard x.rank == windowDims.count + inserted.count + inputBatching.count else {
            throw v.error("rank of \(x) must equal size(update_window_dims) + size(inserted_window_dims) + size(input_batching_dims) = \(windowDims.count + inserted.count + inputBatching.count)")
        }
        try expectIndexing(
            v, operand: x, indices: indices, indexVectorDim: indexVectorDim,
            indexMap: ("scatter_dims_to_operand_dims", indexMap), operandBatching: ("input_batching_dims", inputBatching),
            indicesBatching: ("scatter_indices_batching_dims", indicesBatching))
        try v.expectUnique(windowDims, "update_window_dims")
        try v.expectSorted(windowDims, "update_window_dims")
        try v.expectUnique(inserted + inputBatching, "inserted_window_dims + input_batching_dims")
        try v.expectSorted(inserted, "inserted_window_dims")
        try v.expectInRange(inserted, rank: x.rank, "inserted_window_dims")

        let update = updates[0]
        try v.expectInRange(windowDims, rank: update.rank, "update_window_dims")
        let scatterSizes = batchSizes(indices, indexVectorDim: indexVectorDim)
        guard update.rank == scatterSizes.count + windowDims.count else {
            throw v.error("update \(update) must have rank \(scatterSizes.count + windowDims.count) (scatter dims of \(indices) plus update_window_dims)")
        }
        let windowBounds = x.shape.enumerated()
            .filter { !inserted.contains($0.offset) && !inputBatching.contains($0.offset) }.map(\.element)
        var nextScatter = 0, nextWindow = 0
        for d in 0..<update.rank {
            let size = update.shape[d]
            if windowDims.contains(d) {
                let bound = windowBounds[nextWindow]
                nextWindow += 1
                if size != TensorType.dynamic, bound != TensorType.dynamic, size > bound {
                    throw v.error("update \(update) dimension \(d) (size \(size)) exceeds the window bound \(bound) of \(x)")
                }
            } else {
                let expected = scatterSizes[nextScatter]
                nextScatter += 1
                guard TensorType.compatibleDims(size, expected) else {
                    throw v.error("update \(update) dimension \(d) (size \(size)) differs from scatter indices \(indices) (size \(expected))")
                }
            }
        }
        let body = try v.block(0, named: "update_computation")
        let elements = try ReductionRules.reductionBody(
            v, body, inputs: inputs.map(\.elementType), name: "update_computation")
        for i in 0..<n {
            try v.expectResult(i, TensorType(shape: x.shape, elementType: elements[i]))
        }
    }
}
