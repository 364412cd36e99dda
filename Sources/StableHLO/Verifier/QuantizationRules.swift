/// Quantized tensors: the well-formedness of every quantized type an op uses, the rules of
/// `uniform_quantize` and `uniform_dequantize`, and the view other ops are judged in.
///
/// An op on quantized tensors is checked by its ordinary rule as its `QuantizedForm` sees
/// it: ops that move elements on their storage types (where every quantized type of a
/// data-movement op must agree), ops that compute on their expressed types.
enum QuantizationRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.uniform_quantize": uniformQuantize,
        "stablehlo.uniform_dequantize": uniformDequantize,
    ]

    /// Data-movement ops whose quantized operands and results share one quantization (the
    /// spec's `element_type(result) = element_type(operand)`; per-axis types may move their
    /// quantization dimension).
    static let sameQuantization: Set<String> = [
        "stablehlo.broadcast_in_dim", "stablehlo.concatenate", "stablehlo.dynamic_slice",
        "stablehlo.dynamic_update_slice", "stablehlo.gather", "stablehlo.pad", "stablehlo.reshape",
        "stablehlo.reverse", "stablehlo.slice", "stablehlo.transpose", "stablehlo.all_gather",
        "stablehlo.all_to_all", "stablehlo.collective_permute", "stablehlo.collective_broadcast",
        "stablehlo.dynamic_broadcast_in_dim", "stablehlo.dynamic_reshape", "stablehlo.real_dynamic_slice",
        "stablehlo.dynamic_pad", "stablehlo.dynamic_gather",
    ]

    /// The op as its ordinary rule should judge it, after the checks every op on quantized
    /// tensors gets; `op` itself when it has none.
    static func view(of v: VerifiedOperation) throws -> Operation {
        let op = v.op
        guard QuantizedForm.involvesQuantizedTensorsDeeply(op) else { return op }
        try checkTypes(of: op, v)
        if table[op.name] != nil { return op }
        switch QuantizedForm(op) {
        case .storage:
            if sameQuantization.contains(op.name) { try checkSameQuantization(op, v) }
            return op.replacingQuantizedTensors(\.storageType)
        case .dequantizeOpQuantize:
            return op.replacingQuantizedTensors(\.expressedType)
        }
    }

    /// Every quantized tensor type of the op's operands and results is well formed.
    static func checkTypes(of op: Operation, _ v: VerifiedOperation) throws {
        for (label, values) in [("operand", op.operands), ("result", op.results)] {
            for (i, value) in values.enumerated() {
                guard case .tensor(let t) = value.type, let q = t.quantization else { continue }
                guard t.elementType == q.storageType else {
                    throw v.error("\(label) #\(i) holds \(t.elementType) elements but its quantization stores \(q.storageType)")
                }
                if let problem = q.violation(shape: t.shape) { throw v.error("\(label) #\(i) type \(t): \(problem)") }
            }
        }
    }

    static func checkSameQuantization(_ op: Operation, _ v: VerifiedOperation) throws {
        guard let first = op.operands.first?.type.tensorType else { return }
        for (i, result) in op.results.enumerated() {
            guard let r = result.type.tensorType else { continue }
            if r.isQuantized != first.isQuantized {
                throw v.error("result #\(i) \(r) and operand \(first) must both be quantized or both not")
            }
        }
        let quantized = (op.operands + op.results).compactMap { $0.type.tensorType?.quantization }
        guard let reference = quantized.first else { return }
        for q in quantized.dropFirst() {
            let agrees = reference.isPerAxis || q.isPerAxis
                ? q.storageType == reference.storageType && q.expressedType == reference.expressedType
                    && q.storageMin == reference.storageMin && q.storageMax == reference.storageMax
                : q == reference
            if !agrees { throw v.error("moves elements between different quantized types \(reference) and \(q)") }
        }
    }

    /// The operand and result types of a one-operand, one-result op of one shape.
    static func unaryTypes(_ v: VerifiedOperation) throws -> (TensorType, TensorType) {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0), y = try v.result(0)
        guard TensorType.compatibleShapes(x.shape, y.shape) else {
            throw v.error("result shape of \(y) differs from operand shape of \(x)")
        }
        return (x, y)
    }

    /// (C1) same shape; (C2) the result's expressed type is the operand's float type (or its
    /// expressed type when the operand is quantized).
    static func uniformQuantize(_ v: VerifiedOperation) throws {
        let (x, y) = try unaryTypes(v)
        guard let q = y.quantization else { throw v.error("result \(y) must be a quantized tensor") }
        let operandFloat: FloatFormat
        if let p = x.quantization {
            operandFloat = p.expressedType
        } else if case .float(let f) = x.elementType {
            operandFloat = f
        } else {
            throw v.error("operand \(x) must be a floating-point or quantized tensor")
        }
        guard operandFloat == q.expressedType else {
            throw v.error("result's expressed type \(q.expressedType.rawValue) differs from the operand's \(operandFloat.rawValue)")
        }
    }

    /// (C1) same shape; (C2) the result's element type is the operand's expressed type.
    static func uniformDequantize(_ v: VerifiedOperation) throws {
        let (x, y) = try unaryTypes(v)
        guard let q = x.quantization else { throw v.error("operand \(x) must be a quantized tensor") }
        guard !y.isQuantized, y.elementType == .float(q.expressedType) else {
            throw v.error("result \(y) must have the operand's expressed type \(q.expressedType.rawValue)")
        }
    }
}
