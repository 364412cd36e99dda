/// The dimension numbers of `stablehlo.gather` and `stablehlo.dynamic_gather`: the fields of
/// their `dimension_numbers` attribute, `#stablehlo.gather<...>`.
///
/// Decoding only reads the fields; whether they fit the operand and index shapes is checked
/// by the code that uses them (the reference interpreter, the CUDA kernels).
public struct GatherDimensionNumbers: Hashable, Sendable {
    /// Result dimensions that index within a slice (`offset_dims`).
    public var offsetDims: [Int]
    /// Operand dimensions of size-1 slices left out of the result (`collapsed_slice_dims`).
    public var collapsedSliceDims: [Int]
    /// Operand dimensions indexed by a batch dimension of the indices (`operand_batching_dims`).
    public var operandBatchingDims: [Int]
    /// The indices' dimensions paired with `operandBatchingDims` (`start_indices_batching_dims`).
    public var startIndicesBatchingDims: [Int]
    /// Operand dimension each entry of an index vector starts (`start_index_map`).
    public var startIndexMap: [Int]
    /// The indices' dimension that holds the index vectors (`index_vector_dim`, default 0).
    public var indexVectorDim: Int

    /// Dimension numbers from their fields.
    public init(
        offsetDims: [Int], collapsedSliceDims: [Int], operandBatchingDims: [Int],
        startIndicesBatchingDims: [Int], startIndexMap: [Int], indexVectorDim: Int
    ) {
        self.offsetDims = offsetDims
        self.collapsedSliceDims = collapsedSliceDims
        self.operandBatchingDims = operandBatchingDims
        self.startIndicesBatchingDims = startIndicesBatchingDims
        self.startIndexMap = startIndexMap
        self.indexVectorDim = indexVectorDim
    }

    /// Decodes the `dimension_numbers` attribute of a gather op. A missing field is empty
    /// (`index_vector_dim`: 0); throws a `Diagnostic` at the op when the attribute is missing
    /// or a field is not an integer (list).
    public init(_ op: Operation) throws(Diagnostic) {
        let fields = try DimensionNumberFields(op, attribute: "dimension_numbers")
        offsetDims = try fields.ints("offset_dims")
        collapsedSliceDims = try fields.ints("collapsed_slice_dims")
        operandBatchingDims = try fields.ints("operand_batching_dims")
        startIndicesBatchingDims = try fields.ints("start_indices_batching_dims")
        startIndexMap = try fields.ints("start_index_map")
        indexVectorDim = try fields.int("index_vector_dim", default: 0)
    }
}
