import Testing
@testable import StableHLO

@Suite struct GatherScatterDimensionNumbersTests {
    static let gatherArguments = "%a: tensor<5x4xf32>, %i: tensor<3x1xi32>"
    static let scatterArguments = "%a: tensor<5xf32>, %i: tensor<2x1xi32>, %u: tensor<2xf32>"

    /// Every field of `#stablehlo.gather<...>` is read; missing ones default.
    @Test func gatherFields() throws {
        let op = try #require(try parseFirstOp("""
            %0 = "stablehlo.gather"(%a, %i) {dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, slice_sizes = array<i64: 1, 4>} : (tensor<5x4xf32>, tensor<3x1xi32>) -> tensor<3x4xf32>
            """, arguments: Self.gatherArguments))
        let numbers = try GatherDimensionNumbers(op)
        #expect(numbers == GatherDimensionNumbers(
            offsetDims: [1], collapsedSliceDims: [0], operandBatchingDims: [],
            startIndicesBatchingDims: [], startIndexMap: [0], indexVectorDim: 1))
    }

    /// Every field of `#stablehlo.scatter<...>` is read; a missing `index_vector_dim` is 0.
    @Test func scatterFields() throws {
        let op = try #require(try parseFirstOp("""
            %0 = "stablehlo.scatter"(%a, %i, %u) ({
            ^bb0(%x: tensor<f32>, %y: tensor<f32>):
              "stablehlo.return"(%y) : (tensor<f32>) -> ()
            }) {scatter_dimension_numbers = #stablehlo.scatter<inserted_window_dims = [0], scatter_dims_to_operand_dims = [0]>} : (tensor<5xf32>, tensor<2x1xi32>, tensor<2xf32>) -> tensor<5xf32>
            """, arguments: Self.scatterArguments))
        let numbers = try ScatterDimensionNumbers(op)
        #expect(numbers == ScatterDimensionNumbers(
            updateWindowDims: [], insertedWindowDims: [0], inputBatchingDims: [],
            scatterIndicesBatchingDims: [], scatterDimsToOperandDims: [0], indexVectorDim: 0))
    }

    /// A missing attribute or a malformed field is a diagnostic at the op naming it.
    @Test(arguments: [
        ("{slice_sizes = array<i64: 1, 4>}", "stablehlo.gather: missing attribute 'dimension_numbers'"),
        ("{dimension_numbers = #stablehlo.gather<offset_dims = \"x\">, slice_sizes = array<i64: 1, 4>}",
         "stablehlo.gather: dimension numbers field 'offset_dims' is not an integer list"),
        ("{dimension_numbers = #stablehlo.gather<index_vector_dim = [1, 2]>, slice_sizes = array<i64: 1, 4>}",
         "stablehlo.gather: dimension numbers field 'index_vector_dim' is not an integer"),
    ])
    func gatherErrors(_ attributes: String, _ message: String) throws {
        let op = try #require(try parseFirstOp("""
            %0 = "stablehlo.gather"(%a, %i) \(attributes) : (tensor<5x4xf32>, tensor<3x1xi32>) -> tensor<3x4xf32>
            """, arguments: Self.gatherArguments))
        #expect(throws: Diagnostic(.verify, at: op.location, message)) { try GatherDimensionNumbers(op) }
    }
}
