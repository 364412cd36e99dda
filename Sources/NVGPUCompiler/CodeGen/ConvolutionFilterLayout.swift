import StableHLO

/// A generated kernel that stores a convolution filter in the dimension order cuDNN takes
/// (KRSC for NHWC, KCRS for NCHW), or a filter gradient cuDNN wrote in that order in the
/// program's order: output dimension j is source dimension `permutation[j]`. Filters are program arguments, so this runs on every call; it moves
/// the filter's bytes once each way (2.4 MB for a 3×3×256×256 bf16 filter).
enum ConvolutionFilterLayout {
    static let block = 256

    static func build(source type: TensorType, permutation: [Int], name: String, location: SourceLocation) throws -> GeneratedKernel {
        guard let et = KernelElementType(type.elementType) else {
            throw CodeGenError("filter layout of \(type): no CUDA element type", at: location)
        }
        guard permutation.sorted() == Array(type.shape.indices) else {
            throw CodeGenError("filter layout of \(type): \(permutation) is not a permutation", at: location)
        }
        let shape = type.shape
        let outShape = permutation.map { shape[$0] }
        let sourceStrides = ElementIndex.strides(shape)
        let total = type.elementCount
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        w.emit("for (idx_t i = (idx_t)blockIdx.x * \(block) + threadIdx.x; i < (idx_t)\(total); i += (idx_t)gridDim.x * \(block)) {")
        w.emit("  idx_t r = i, from = 0;")
        for j in outShape.indices.reversed() {
            w.emit("  from += (r % \(outShape[j])) * \(sourceStrides[permutation[j]]); r /= \(outShape[j]);")
        }
        w.emit("  out[i] = in[from];")
        w.emit("}")
        let blocks = max(1, min((total + block - 1) / block, LaunchLimits.maxLoopBlocks))
        let header = KernelSource.header(
            name: name, parameters: ["const \(et.storage)* __restrict__ in", "\(et.storage)* __restrict__ out"],
            block: block, indexType: KernelSource.indexType(for: [total + block * blocks]),
            comment: "\(name): filter layout \(type) -> \(outShape) (dimensions \(permutation)) for or from cuDNN")
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: [], function: header + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0, bindings: [], operationNames: [])
    }
}
