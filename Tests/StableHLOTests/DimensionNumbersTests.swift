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

@Suite struct ConvolutionDimensionNumbersTests {
    static let arguments = "%x: tensor<2x8x8x3xf32>, %w: tensor<3x3x3x4xf32>"

    /// The pretty `[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]` form decodes to NHWC/HWIO/NHWC.
    @Test func prettyFormDecodes() throws {
        let op = try #require(try parseFirstOp("""
            %0 = stablehlo.convolution(%x, %w) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [1, 1], pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x8x8x3xf32>, tensor<3x3x3x4xf32>) -> tensor<2x8x8x4xf32>
            """, arguments: Self.arguments))
        let numbers = try ConvolutionDimensionNumbers(op)
        #expect([numbers.inputBatch, numbers.inputFeature] + numbers.inputSpatial == [0, 3, 1, 2])
        #expect([numbers.kernelInput, numbers.kernelOutput] + numbers.kernelSpatial == [2, 3, 0, 1])
        #expect([numbers.outputBatch, numbers.outputFeature] + numbers.outputSpatial == [0, 3, 1, 2])
    }

    /// A convolution without dimension numbers is a diagnostic naming the attribute.
    @Test func missingAttributeIsNamed() throws {
        let op = try #require(try parseFirstOp("""
            %0 = "stablehlo.convolution"(%x, %w) {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x8x8x3xf32>, tensor<3x3x3x4xf32>) -> tensor<2x8x8x4xf32>
            """, arguments: Self.arguments))
        #expect(throws: Diagnostic.self) { try ConvolutionDimensionNumbers(op) }
        do { _ = try ConvolutionDimensionNumbers(op) } catch {
            #expect(error.message == "stablehlo.convolution: missing attribute 'dimension_numbers'")
        }
    }
}
