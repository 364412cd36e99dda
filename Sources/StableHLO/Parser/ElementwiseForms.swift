extension PrettyForms {
    /// Ops printed as `operands attr-dict : T` (all types the same), `: P, T` (select),
    /// `: tuple<...>` / `: !stablehlo.token` (result type only) or a functional type.
    static let operandsAndSignatureOps: [String] = [
        "abs", "cbrt", "ceil", "convert", "count_leading_zeros", "cosine", "exponential",
        "exponential_minus_one", "floor", "imag", "is_finite", "log", "log_plus_one", "logistic",
        "not", "negate", "popcnt", "real", "round_nearest_afz", "round_nearest_even", "rsqrt",
        "sign", "sine", "sqrt", "tan", "tanh", "add", "atan2", "complex", "divide", "maximum",
        "minimum", "multiply", "power", "remainder", "shift_left", "shift_right_arithmetic",
        "shift_right_logical", "subtract", "and", "or", "xor", "select", "clamp",
        "bitcast_convert", "reshape", "dynamic_reshape", "dynamic_update_slice",
        "real_dynamic_slice", "dynamic_pad", "dynamic_gather", "dynamic_conv",
        "uniform_quantize", "uniform_dequantize", "tuple", "after_all", "replica_id",
        "partition_id", "create_token", "batch_norm_grad", "batch_norm_inference",
        "batch_norm_training", "torch_index_select",
    ]

    static let elementwiseForms: [String: PrettyForm] = {
        var forms: [String: PrettyForm] = [:]
        for op in operandsAndSignatureOps {
            forms["stablehlo." + op] = { parser, state in try parser.parseOperandsAndSignature(&state) }
        }
        forms["stablehlo.compare"] = { parser, state in try parser.parseCompare(&state) }
        forms["stablehlo.constant"] = { parser, state in try parser.parseConstant(&state) }
        forms["stablehlo.reduce_precision"] = { parser, state in try parser.parseReducePrecision(&state) }
        forms["stablehlo.optimization_barrier"] = { parser, state in try parser.parseOptimizationBarrier(&state) }
        let returnForm: PrettyForm = { parser, state in try parser.parseReturn(&state) }
        forms["stablehlo.return"] = returnForm
        forms["func.return"] = returnForm
        return forms
    }()
}

extension TextParser {
    /// `compare LT, %a, %b[, FLOAT] attr-dict : (A, B) -> C`.
    mutating func parseCompare(_ state: inout OperationState) throws {
        guard let direction = lexer.lexIdentifier() else {
            throw error("expected a comparison direction (EQ, NE, GE, GT, LE, LT), found \(lexer.describeNext())")
        }
        state.setAttribute("comparison_direction", .enumCase(dialect: "stablehlo", kind: "comparison_direction", value: direction))
        try lexer.expect(0x2C, "',' after the comparison direction")
        state.operands = try parseOperandList()
        if lexer.consume(0x2C) {
            guard let compareType = lexer.lexIdentifier() else {
                throw error("expected a comparison type (FLOAT, TOTALORDER, SIGNED, UNSIGNED), found \(lexer.describeNext())")
            }
            state.setAttribute("compare_type", .enumCase(dialect: "stablehlo", kind: "comparison_type", value: compareType))
        }
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }

    /// `constant [attr-dict] dense<...> : T`, or the generic-looking `constant() <{value = ...}> : () -> T`.
    mutating func parseConstant(_ state: inout OperationState) throws {
        if lexer.peek() == 0x28 {
            try parseGenericOperationBody(&state)
            return
        }
        try parseOptionalAttributeDictionary(&state)
        let location = lexer.location
        let value = try parseAttribute()
        state.setAttribute("value", value)
        switch value {
        case .dense(let d): state.resultTypes = [.tensor(d.type)]
        case .opaque(let text):
            // `dense<...> : tensor<2x!quant.uniform<...>>`: the type follows the last " : ".
            let utf8 = Array(text.utf8)
            var split = utf8.count - 3
            while split >= 0, !(utf8[split] == 0x20 && utf8[split + 1] == 0x3A && utf8[split + 2] == 0x20) { split -= 1 }
            guard split >= 0 else { throw Diagnostic(.parse, at: location, "expected a typed constant value") }
            var typeParser = TextParser(bytes: Array(utf8[(split + 3)...]), file: lexer.file, firstLine: location.line)
            state.resultTypes = [try typeParser.parseType()]
        default:
            throw Diagnostic(.parse, at: location, "expected a dense<...> : type constant value")
        }
    }

    /// `reduce_precision %x, format = e5m10 : T`.
    mutating func parseReducePrecision(_ state: inout OperationState) throws {
        state.operands = try parseOperandList()
        try lexer.expect(0x2C, "','")
        try lexer.expectKeyword("format")
        try lexer.expect(0x3D, "'=' after 'format'")
        let location = lexer.location
        guard let format = lexer.lexIdentifier(), format.first == "e",
              let m = format.firstIndex(of: "m"),
              let e = Int64(format[format.index(after: format.startIndex)..<m]),
              let mantissa = Int64(format[format.index(after: m)...]) else {
            throw Diagnostic(.parse, at: location, "expected a format such as e5m10")
        }
        state.setAttribute("exponent_bits", .integer(e, type: .scalar(.si(32))))
        state.setAttribute("mantissa_bits", .integer(mantissa, type: .scalar(.si(32))))
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }

    /// `optimization_barrier %a, %b : A, B` or `optimization_barrier()`.
    mutating func parseOptimizationBarrier(_ state: inout OperationState) throws {
        try parseOptionalAttributeDictionary(&state)
        if lexer.consume(0x28) {
            try lexer.expect(0x29, "')'")
            return
        }
        state.operands = try parseOperandList()
        switch try parseTypeSignature() {
        case .functional(_, let results): state.resultTypes = results
        case .list(let types): state.resultTypes = types
        }
    }

    /// `return %a, %b : A, B` (no types when there are no operands).
    mutating func parseReturn(_ state: inout OperationState) throws {
        state.operands = try parseOperandList()
        try parseOptionalAttributeDictionary(&state)
        if !state.operands.isEmpty {
            try lexer.expect(0x3A, "':' and the returned types")
            var count = 0
            repeat { _ = try parseType(); count += 1 } while lexer.consume(0x2C)
            guard count == state.operands.count else {
                throw error("return has \(state.operands.count) operand(s) but \(count) type(s)")
            }
        }
    }
}
