/// `batch_norm_inference`, `batch_norm_training`, `batch_norm_grad`: per-feature 1-D
/// tensors sized to the operand's `feature_index` dimension.
enum NormalizationRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.batch_norm_inference": inference,
        "stablehlo.batch_norm_training": training,
        "stablehlo.batch_norm_grad": gradient,
    ]

    /// The operand (operand #0) and the feature tensor type `tensor<F x E>`, after
    /// checking `feature_index`, the float element type and `epsilon`.
    static func operandAndFeatures(_ v: VerifiedOperation) throws -> (operand: TensorType, features: TensorType) {
        let x = try v.operand(0)
        try v.expectElementClass(x, .float, "operand")
        let featureIndex = try v.int("feature_index")
        guard featureIndex >= 0, featureIndex < x.rank else {
            throw v.error("feature_index \(featureIndex) is out of range for \(x)")
        }
        return (x, TensorType(shape: [x.shape[featureIndex]], elementType: x.elementType))
    }

    /// Throws unless operands `indices` all have the per-feature type.
    static func expectFeatureOperands(_ v: VerifiedOperation, _ indices: [Int], _ features: TensorType) throws {
        for i in indices {
            let t = try v.operand(i)
            guard t.isCompatible(with: features) else {
                throw v.error("operand #\(i) type \(t) differs from the per-feature type \(features)")
            }
        }
    }

    /// `(operand, scale, offset, mean, variance) -> operand type`.
    static func inference(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(5)
        try v.expectResultCount(1)
        let (x, features) = try operandAndFeatures(v)
        try expectFeatureOperands(v, [1, 2, 3, 4], features)
        try v.expectResult(0, x)
    }

    /// `(operand, scale, offset) -> (output, batch_mean, batch_var)`.
    static func training(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(3)
        try v.expectResultCount(3)
        let (x, features) = try operandAndFeatures(v)
        try expectFeatureOperands(v, [1, 2], features)
        try v.expectResult(0, x)
        try v.expectResult(1, features)
        try v.expectResult(2, features)
    }

    /// `(operand, scale, mean, variance, grad_output) -> (grad_operand, grad_scale, grad_offset)`.
    static func gradient(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(5)
        try v.expectResultCount(3)
        let (x, features) = try operandAndFeatures(v)
        try expectFeatureOperands(v, [1, 2, 3], features)
        let gradOutput = try v.operand(4)
        guard gradOutput.isCompatible(with: x) else {
            throw v.error("grad_output type \(gradOutput) differs from operand type \(x)")
        }
        try v.expectResult(0, x)
        try v.expectResult(1, features)
        try v.expectResult(2, features)
    }
}
