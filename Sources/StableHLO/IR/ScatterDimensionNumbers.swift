/// The dimension numbers of `stablehlo.scatter`: the fields of its
/// `scatter_dimension_numbers` attribute, `#stablehlo.scatter<...>`.
///
/// Decoding only reads the fields; whether they fit the input, index and update shapes is
/// checked by the code that uses them (the reference interpreter, the CUDA kernels).
public struct ScatterDimensionNumbers: Hashable, Sendable {
    /// Update dimensions that index within an update window (`update_window_dims`).
    public var updateWindowDims: [Int]
    /// Input dimensions of size 1 in the window, absent from the updates (`inserted_window_dims`).
    public var insertedWindowDims: [Int]
    /// Input dimensions indexed by a batch dimension of the indices (`input_batching_dims`).
    public var inputBatchingDims: [Int]
    /// The indices' dimensions paired with `inputBatchingDims` (`scatter_indices_batching_dims`).
    public var scatterIndicesBatchingDims: [Int]
    /// Input dimension each entry of an index vector starts (`scatter_dims_to_operand_dims`).
    public var scatterDimsToOperandDims: [Int]
    /// The indices' dimension that holds the index vectors (`index_vector_dim`, default 0).
    public var indexVectorDim: Int

    /// Dimension numbers from their fields.
    public init(
        updateWindowDims: [Int], insertedWindowDims: [Int], inputBatchingDims: [Int],
        scatterIndicesBatchingDims: [Int], scatterDimsToOperandDims: [Int], indexVectorDim: Int
    ) {
        self.updateWindowDims = updateWindowDims
        self.insertedWindowDims = insertedWindowDims
        self.inputBatchingDims = inputBatchingDims
        self.scatterIndicesBatchingDims = scatterIndicesBatchingDims
        self.scatterDimsToOperandDims = scatterDimsToOperandDims
        self.indexVectorDim = indexVectorDim
    }

    /// Decodes the `scatter_dimension_numbers` attribute of a scatter op. A missing field is
    /// empty (`index_vector_dim`: 0); throws a `Diagnostic` at the op when the attribute is
    /// missing or a field is not an integer (list).
    public init(_ op: Operation) throws(Diagnostic) {
        let fields = try DimensionNumberFields(op, attribute: "scatter_dimension_numbers")
        updateWindowDims = try fields.ints("update_window_dims")
        insertedWindowDims = try fields.ints("inserted_window_dims")
        inputBatchingDims = try fields.ints("input_batching_dims")
        scatterIndicesBatchingDims = try fields.ints("scatter_indices_batching_dims")
        scatterDimsToOperandDims = try fields.ints("scatter_dims_to_operand_dims")
        indexVectorDim = try fields.int("index_vector_dim", default: 0)
    }
}
