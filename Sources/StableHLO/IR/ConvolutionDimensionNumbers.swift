/// The dimension numbers of `stablehlo.convolution`: the fields of its `dimension_numbers`
/// attribute, `#stablehlo.conv<...>` (the parser normalizes the `[b, 0, 1, f]x[...]` form
/// into these fields).
///
/// Decoding only reads the fields; whether they fit the operand ranks is checked by the code
/// that uses them (the reference interpreter, the CUDA lowering).
public struct ConvolutionDimensionNumbers: Hashable, Sendable {
    /// Input dimensions: batch, feature, and the spatial ones in order.
    public var inputBatch: Int, inputFeature: Int, inputSpatial: [Int]
    /// Kernel dimensions: input feature, output feature, and the spatial ones in order.
    public var kernelInput: Int, kernelOutput: Int, kernelSpatial: [Int]
    /// Output dimensions: batch, feature, and the spatial ones in order.
    public var outputBatch: Int, outputFeature: Int, outputSpatial: [Int]

    /// Decodes the `dimension_numbers` attribute of a convolution. The batch and feature
    /// dimensions are required; a missing spatial list is empty. Throws a `Diagnostic` at the
    /// op when the attribute or a required field is missing or a field is malformed.
    public init(_ op: Operation) throws(Diagnostic) {
        let fields = try DimensionNumberFields(op, attribute: "dimension_numbers")
        inputBatch = try fields.int("input_batch_dimension")
        inputFeature = try fields.int("input_feature_dimension")
        inputSpatial = try fields.ints("input_spatial_dimensions")
        kernelInput = try fields.int("kernel_input_feature_dimension")
        kernelOutput = try fields.int("kernel_output_feature_dimension")
        kernelSpatial = try fields.ints("kernel_spatial_dimensions")
        outputBatch = try fields.int("output_batch_dimension")
        outputFeature = try fields.int("output_feature_dimension")
        outputSpatial = try fields.ints("output_spatial_dimensions")
    }
}
