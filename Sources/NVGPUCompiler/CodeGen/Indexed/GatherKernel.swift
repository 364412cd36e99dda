import StableHLO

/// A generated kernel for `stablehlo.gather` in every dimension-number form (offset dims,
/// collapsed slice dims, start index map, index vector dim, batching dims): one thread per
/// result element reads its start index, clamps it so the slice fits (as the spec and the
/// reference do), adds the batching and offset terms and copies one operand element.
enum GatherKernel {
    static func build(_ op: Operation, name: String) throws -> GeneratedKernel {
        let g = try GatherGeometry(op)
        let (operand, indices, result, dims) = (g.operand, g.indices, g.result, g.dims)
        let (type, indexType, sizes, describe) = (g.operandType, g.indexType, g.sizes, g.describe)
        let shape = operand.shape, rank = shape.count, indicesRank = indices.shape.count
        let ivd = dims.indexVectorDim
        let batchAxes = g.batchAxes, offsetOperandDims = g.offsetOperandDims

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
