import StableHLO

/// `stablehlo.scatter`: results equal to the inputs, except that the elements addressed by
/// `scatter_indices` are combined with `updates` by the update computation, one update
/// element at a time in row-major order of the update index; updates that land outside
/// the inputs are skipped.
enum Scatter {
    static func run(_ call: KernelCall) throws -> [RuntimeValue] {
        let count = call.operands.count
        guard count >= 3, count % 2 == 1 else {
            throw call.error("expects N inputs, the scatter indices and N updates; got \(count) operands")
        }
        let n = (count - 1) / 2
        let inputs = try (0..<n).map { try call.tensor($0) }
        let indices = try IndexValues(try call.tensor(n), role: "scatter_indices", call: call)
        let updates = try (0..<n).map { try call.tensor(n + 1 + $0) }
        guard call.op.regions.count == 1, let region = call.op.regions.first else {
            throw call.error("expects one update_computation region")
        }
        for k in 0..<n {
            guard inputs[k].shape == inputs[0].shape, updates[k].shape == updates[0].shape,
                  updates[k].elementType == inputs[k].elementType
            else {
                throw call.error("inputs and updates must share shapes and element types, got input \(inputs[k].type) and update \(updates[k].type)")
            }
            let resultType = try call.resultType(k)
            guard resultType == inputs[k].type else {
                throw call.error("result #\(k) type \(resultType) differs from input type \(inputs[k].type)")
            }
        }
        let pairs = try targetPairs(call, inputShape: inputs[0].shape, indices: indices, updateShape: updates[0].shape)

        var results = inputs
        let types = inputs.map(\.elementType)
        if let combiners = ElementCombiner.recognize(region, elementTypes: types) {
            var applied = true
            for k in 0..<n where applied {
                applied = combiners[k].apply(into: &results[k].storage, from: updates[k].storage,
                                             pairs: pairs, elementType: types[k])
            }
            if applied { return results.map { .tensor($0) } }
            results = inputs
        }
        try UpdateRegion.applyEach(call, region, to: &results, updates: updates, pairs: pairs)
        return results.map { .tensor($0) }
    }

    /// For every update element in row-major order whose target lies inside the inputs:
    /// (linear index of the target in the inputs, linear index of the update element).
    static func targetPairs(
        _ call: KernelCall, inputShape: [Int], indices: IndexValues, updateShape: [Int]
    ) throws -> [(Int, Int)] {
        let dims = try DimensionChecks.decoding(call, ScatterDimensionNumbers.init)
        let rank = inputShape.count
        let updateRank = updateShape.count
        let indicesRank = indices.shape.count
        let ivd = dims.indexVectorDim

        // Validate the attributes (C2-C22).
        guard ivd >= 0, ivd <= indicesRank else {
            throw call.error("index_vector_dim \(ivd) is outside 0...\(indicesRank)")
        }
        let vectorSize = ivd < indicesRank ? indices.shape[ivd] : 1
        guard dims.scatterDimsToOperandDims.count == vectorSize else {
            throw call.error("scatter_dims_to_operand_dims \(dims.scatterDimsToOperandDims) must have \(vectorSize) entries")
        }
        try DimensionChecks.requireUniqueAxes(dims.scatterDimsToOperandDims + dims.inputBatchingDims, rank: rank,
                                              "scatter_dims_to_operand_dims + input_batching_dims", call)
        try DimensionChecks.requireUniqueAxes(dims.insertedWindowDims + dims.inputBatchingDims, rank: rank,
                                              "inserted_window_dims + input_batching_dims", call)
        try DimensionChecks.requireUniqueAxes(dims.scatterIndicesBatchingDims, rank: indicesRank,
                                              "scatter_indices_batching_dims", call)
        guard !dims.scatterIndicesBatchingDims.contains(ivd) else {
            throw call.error("scatter_indices_batching_dims \(dims.scatterIndicesBatchingDims) contains index_vector_dim")
        }
        guard dims.inputBatchingDims.count == dims.scatterIndicesBatchingDims.count else {
            throw call.error("input_batching_dims and scatter_indices_batching_dims differ in length")
        }
        try DimensionChecks.requireUniqueAxes(dims.updateWindowDims, rank: updateRank, "update_window_dims", call)
        try DimensionChecks.requireSorted(dims.updateWindowDims, "update_window_dims", call)
        let removed = Set(dims.insertedWindowDims + dims.inputBatchingDims)
        let windowInputDims = (0..<rank).filter { !removed.contains($0) }
        guard windowInputDims.count == dims.updateWindowDims.count else {
            throw call.error("update_window_dims \(dims.updateWindowDims) must have \(windowInputDims.count) entries for input rank \(rank)")
        }
        let windowSet = Set(dims.updateWindowDims)
        let updateScatterDims = (0..<updateRank).filter { !windowSet.contains($0) }
        let scatterShape = Indexing.removing(ivd, from: indices.shape)
        guard updateScatterDims.map({ updateShape[$0] }) == scatterShape else {
            throw call.error("updates shape \(updateShape) does not match scatter_indices shape \(indices.shape) without index_vector_dim")
        }

        // Start of each scatter position in the inputs: start index plus batching index,
        // not clamped (targets outside the inputs are skipped element by element).
        let indexStrides = Indexing.strides(indices.shape)
        let vectorStride = ivd < indicesRank ? indexStrides[ivd] : 0
        let positionStrides = Indexing.removing(ivd, from: indexStrides)
        let batchingTerms: [(inputDim: Int, scatterAxis: Int)] = zip(dims.inputBatchingDims, dims.scatterIndicesBatchingDims).map {
            ($0.0, $0.1 < ivd ? $0.1 : $0.1 - 1)
        }
        let scatterCount = scatterShape.reduce(1, *)
        var starts = [Int](repeating: 0, count: scatterCount * rank)
        var scatterIndex = [Int](repeating: 0, count: scatterShape.count)
        for s in 0..<scatterCount {
            var position = 0
            for (i, stride) in positionStrides.enumerated() { position += scatterIndex[i] * stride }
            for (k, d) in dims.scatterDimsToOperandDims.enumerated() {
                starts[s * rank + d] = indices.values[position + k * vectorStride]
            }
            for term in batchingTerms { starts[s * rank + term.inputDim] = scatterIndex[term.scatterAxis] }
            var d = scatterShape.count - 1
            while d >= 0 {
                scatterIndex[d] += 1
                if scatterIndex[d] < scatterShape[d] { break }
                scatterIndex[d] = 0
                d -= 1
            }
        }

        // Per input dimension, which update axis supplies its window index (-1: none).
        var windowAxis = [Int](repeating: -1, count: rank)
        for (i, d) in windowInputDims.enumerated() { windowAxis[d] = dims.updateWindowDims[i] }
        // Per update axis, its stride in the scatter-position space (0 for window axes).
        let scatterStrides = Indexing.strides(scatterShape)
        var updateScatterStride = [Int](repeating: 0, count: updateRank)
        for (i, axis) in updateScatterDims.enumerated() { updateScatterStride[axis] = scatterStrides[i] }

        let inputStrides = Indexing.strides(inputShape)
        let updateCount = updateShape.reduce(1, *)
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(updateCount)
        guard updateCount > 0 else { return pairs }
        var updateIndex = [Int](repeating: 0, count: updateRank)
        var s = 0
        for u in 0..<updateCount {
            var target = 0
            var inside = true
            let base = s * rank
            for d in 0..<rank {
                var i = starts[base + d]
                let axis = windowAxis[d]
                if axis >= 0 { i += updateIndex[axis] }
                if i < 0 || i >= inputShape[d] {
                    inside = false
                    break
                }
                target += i * inputStrides[d]
            }
            if inside { pairs.append((target, u)) }
            var d = updateRank - 1
            while d >= 0 {
                updateIndex[d] += 1
                s += updateScatterStride[d]
                if updateIndex[d] < updateShape[d] { break }
                s -= updateScatterStride[d] * updateShape[d]
                updateIndex[d] = 0
                d -= 1
            }
        }
        return pairs
    }
}

/// General evaluation of an update region, one element at a time, for regions that are not
/// a single recognized elementwise op.
enum UpdateRegion {
    /// For every `(target, update)` pair in order: `results...[target] =
    /// region(results...[target], updates...[update])`.
    static func applyEach(
        _ call: KernelCall, _ region: Region, to results: inout [Tensor], updates: [Tensor], pairs: [(Int, Int)]
    ) throws {
        let n = results.count
        for (target, update) in pairs {
            var arguments: [Tensor] = []
            arguments.reserveCapacity(2 * n)
            for k in 0..<n { arguments.append(results[k].scalar(at: target)) }
            for k in 0..<n { arguments.append(updates[k].scalar(at: update)) }
            let out = try call.evaluate(region, tensors: arguments)
            guard out.count == n else {
                throw call.error("update computation returned \(out.count) values, expected \(n)")
            }
            for k in 0..<n {
                guard out[k].elementCount == 1, out[k].elementType == results[k].elementType,
                      results[k].storage.copyElements(from: out[k].storage, pairs: [(target, 0)])
                else {
                    throw call.error("update computation result #\(k) has type \(out[k].type), expected a scalar of \(results[k].elementType)")
                }
            }
        }
    }
}
