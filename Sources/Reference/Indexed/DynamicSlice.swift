import StableHLO

/// `stablehlo.dynamic_slice`: a `slice_sizes` block of the operand starting at the scalar
/// start-index operands, each clamped so the block fits.
enum DynamicSlice {
    static func run(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let shape = operand.shape
        let sizes = try call.ints("slice_sizes")
        guard call.operands.count == 1 + shape.count, sizes.count == shape.count else {
            throw call.error("expects one start index and one slice size per dimension of \(operand.type)")
        }
        for d in 0..<shape.count where sizes[d] < 0 || sizes[d] > shape[d] {
            throw call.error("slice_sizes \(sizes) do not fit operand \(operand.type)")
        }
        let resultType = try call.resultType()
        guard resultType == TensorType(shape: sizes, elementType: operand.elementType) else {
            throw call.error("result type \(resultType) must be the slice \(sizes) of \(operand.elementType)")
        }
        let starts = try clampedStarts(call, first: 1, shape: shape, sizes: sizes)
        let strides = Indexing.strides(shape)
        var base = 0
        for d in 0..<shape.count { base += starts[d] * strides[d] }
        var sources: [Int] = []
        sources.reserveCapacity(resultType.elementCount)
        Indexing.forEachOffsetPair(sizes, strides, strides) { o, _ in sources.append(base + o) }
        return [.tensor(Tensor(type: resultType, storage: operand.storage.gathering(sources)))]
    }

    /// The start-index operands from `first` on, each clamped to `0...shape - sizes`.
    static func clampedStarts(_ call: KernelCall, first: Int, shape: [Int], sizes: [Int]) throws -> [Int] {
        var types: Set<ElementType> = []
        let starts = try (0..<shape.count).map { d -> Int in
            let t = try call.tensor(first + d)
            types.insert(t.elementType)
            let v = try IndexValues.scalar(t, role: "start index #\(d)", call: call)
            return min(max(v, 0), shape[d] - sizes[d])
        }
        guard types.count <= 1 else { throw call.error("start indices must share one element type, got \(types)") }
        return starts
    }
}

/// `stablehlo.dynamic_update_slice`: the operand with the `update` block written at the
/// scalar start-index operands, each clamped so the block fits.
enum DynamicUpdateSlice {
    static func run(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        guard call.operands.count >= 2 else { throw call.error("expects an operand, an update and start indices") }
        let update = try call.tensor(1)
        let shape = operand.shape
        guard call.operands.count == 2 + shape.count, update.shape.count == shape.count,
              update.elementType == operand.elementType
        else {
            throw call.error("update \(update.type) must match the rank and element type of \(operand.type), with one start index per dimension")
        }
        for d in 0..<shape.count where update.shape[d] > shape[d] {
            throw call.error("update \(update.type) does not fit operand \(operand.type)")
        }
        let resultType = try call.resultType()
        guard resultType == operand.type else {
            throw call.error("result type \(resultType) differs from operand type \(operand.type)")
        }
        let starts = try DynamicSlice.clampedStarts(call, first: 2, shape: shape, sizes: update.shape)
        let strides = Indexing.strides(shape)
        var base = 0
        for d in 0..<shape.count { base += starts[d] * strides[d] }
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(update.elementCount)
        var u = 0
        Indexing.forEachOffsetPair(update.shape, strides, strides) { o, _ in
            pairs.append((base + o, u))
            u += 1
        }
        var result = operand
        guard result.storage.copyElements(from: update.storage, pairs: pairs) else {
            throw call.error("update storage does not match element type \(operand.elementType)")
        }
        return [.tensor(result)]
    }
}
