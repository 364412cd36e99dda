/// Type conversions: `convert` (same shape, any element types) and `bitcast_convert`
/// (same bits: the shape gains or loses a trailing dimension when widths differ).
enum ConversionRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.convert": convert,
        "stablehlo.bitcast_convert": bitcastConvert,
    ]

    static func convert(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0), y = try v.result(0)
        guard TensorType.compatibleShapes(x.shape, y.shape) else {
            throw v.error("result shape of \(y) differs from operand shape of \(x)")
        }
    }

    static func bitcastConvert(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0), y = try v.result(0)
        if x.elementType.isComplex != y.elementType.isComplex {
            throw v.error("cannot bitcast between complex and non-complex types (\(x) to \(y))")
        }
        let fromBits = x.elementType.bitWidth, toBits = y.elementType.bitWidth
        var expectedShape = x.shape
        if fromBits > toBits {
            guard fromBits % toBits == 0 else {
                throw v.error("operand element width \(fromBits) is not a multiple of result width \(toBits)")
            }
            expectedShape.append(fromBits / toBits)
        } else if fromBits < toBits {
            guard toBits % fromBits == 0 else {
                throw v.error("result element width \(toBits) is not a multiple of operand width \(fromBits)")
            }
            let ratio = toBits / fromBits
            guard let last = x.shape.last, TensorType.compatibleDims(last, ratio) else {
                throw v.error("operand \(x) must end in a dimension of \(ratio) to bitcast to \(y.elementType)")
            }
            expectedShape.removeLast()
        }
        guard TensorType.compatibleShapes(y.shape, expectedShape) else {
            let inferred = TensorType(shape: expectedShape, elementType: y.elementType)
            throw v.error("result type \(y) differs from the inferred \(inferred)")
        }
    }
}
