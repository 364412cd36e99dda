extension PrettyForms {
    /// The `check` and `interpreter` dialects of the StableHLO test suite, and `chlo`.
    static let testDialectForms: [String: PrettyForm] = [
        "check.expect_eq": { parser, state in try parser.parseCheckCompare(&state, tolerance: false) },
        "check.expect_almost_eq": { parser, state in try parser.parseCheckCompare(&state, tolerance: true) },
        "check.expect_eq_const": { parser, state in try parser.parseCheckCompareConst(&state, tolerance: false) },
        "check.expect_almost_eq_const": { parser, state in try parser.parseCheckCompareConst(&state, tolerance: true) },
        "check.expect_close": { parser, state in try parser.parseCheckClose(&state) },
        "check.expect_serialized_eq": { parser, state in try parser.parseCheckSerialized(&state) },
        "interpreter.print": { parser, state in try parser.parseInterpreterPrint(&state) },
        "chlo.constant": { parser, state in try parser.parseConstant(&state) },
    ]

    /// The form for ops without a table entry: `chlo` ops share one syntax.
    static func fallback(for name: String) -> PrettyForm? {
        guard name.hasPrefix("chlo.") else { return nil }
        let form: PrettyForm = { parser, state in try parser.parseChlo(&state) }
        return form
    }
}

extension TextParser {
    /// `check.expect_serialized_eq %x, probe_id = "id"[, iter = N] attr-dict : T`.
    mutating func parseCheckSerialized(_ state: inout OperationState) throws {
        state.operands = [try parseOperand()]
        try parseKeywords([
            Keyword("probe_id", "probe_id", .string),
            Keyword("iter", "iteration", .i64, optional: true),
        ], into: &state)
        if case .integer(let v, _)? = state.attributes.first(where: { $0.name == "iteration" })?.value {
            state.setAttribute("iteration", .integer(v, type: .scalar(.ui(32))))
        }
        try parseOptionalAttributeDictionary(&state)
        _ = try parseTypeSignature()
    }

    /// `interpreter.print %x attr-dict : T`.
    mutating func parseInterpreterPrint(_ state: inout OperationState) throws {
        state.operands = [try parseOperand()]
        try parseOptionalAttributeDictionary(&state)
        _ = try parseTypeSignature()
    }

    /// `check.expect_eq %a, %b attr-dict : T` (and `, tolerance = x` for almost_eq).
    mutating func parseCheckCompare(_ state: inout OperationState, tolerance: Bool) throws {
        state.operands = [try parseOperand()]
        try lexer.expect(0x2C, "','")
        state.operands.append(try parseOperand())
        if tolerance { try parseTolerance(&state) }
        try parseOptionalAttributeDictionary(&state)
        _ = try parseTypeSignature()
    }

    /// `check.expect_eq_const %a, dense<...> : T` (and `, tolerance = x`) attr-dict.
    mutating func parseCheckCompareConst(_ state: inout OperationState, tolerance: Bool) throws {
        state.operands = [try parseOperand()]
        try lexer.expect(0x2C, "','")
        state.setAttribute("value", try parseAttribute())
        if tolerance { try parseTolerance(&state) }
        try parseOptionalAttributeDictionary(&state)
    }

    private mutating func parseTolerance(_ state: inout OperationState) throws {
        let saved = lexer.mark
        guard lexer.consume(0x2C), lexer.consumeKeyword("tolerance") else {
            lexer.reset(to: saved)
            return
        }
        try lexer.expect(0x3D, "'=' after 'tolerance'")
        let location = lexer.location
        guard let number = lexer.lexNumber(), let v = Double(lexer.text(number.range)) else {
            throw Diagnostic(.parse, at: location, "expected a number after 'tolerance ='")
        }
        state.setAttribute("tolerance", .float(v, type: .scalar(.float(.f64))))
    }

    /// `check.expect_close %a, %b, max_ulp_difference = N[, min_ulp_difference = M] : attr-dict A, B`.
    mutating func parseCheckClose(_ state: inout OperationState) throws {
        state.operands = [try parseOperand()]
        try lexer.expect(0x2C, "','")
        state.operands.append(try parseOperand())
        try parseKeywords([
            Keyword("max_ulp_difference", "max_ulp_difference", .i64),
            Keyword("min_ulp_difference", "min_ulp_difference", .i64, optional: true),
        ], into: &state)
        for name in ["max_ulp_difference", "min_ulp_difference"] {
            if case .integer(let v, _)? = state.attributes.first(where: { $0.name == name })?.value {
                state.setAttribute(name, .integer(v, type: .scalar(.ui(64))))
            }
        }
        try lexer.expect(0x3A, "':'")
        try parseOptionalAttributeDictionary(&state)
        _ = try parseType()
        try lexer.expect(0x2C, "','")
        _ = try parseType()
    }

    /// `chlo.op %a, %b attr-dict : (A, B) -> C`, `: A, B -> C`, `: A -> C`, and
    /// `chlo.top_k(%x, k = 2[, is_stable = true]) : A -> (B, C)`.
    mutating func parseChlo(_ state: inout OperationState) throws {
        if lexer.consume(0x28) {
            state.operands = try parseOperandList()
            try parseKeywords([
                Keyword("k", "k", .i64),
                Keyword("is_stable", "is_stable", .bool, optional: true),
            ], into: &state)
            try lexer.expect(0x29, "')'")
        } else {
            state.operands = try parseOperandList()
        }
        try parseOptionalAttributeDictionary(&state)
        try lexer.expect(0x3A, "':' and the operation's type")
        if lexer.peek() == 0x28 {
            let saved = lexer.mark
            if case .function(_, let results) = try parseFunctionType() {
                state.resultTypes = results
                return
            }
            lexer.reset(to: saved)
        }
        var types: [IRType] = []
        repeat { types.append(try parseType()) } while lexer.consume(0x2C)
        if lexer.consume("->") {
            state.resultTypes = try parseResultTypeList()
        } else {
            state.resultTypes = types.last.map { [$0] } ?? []
        }
    }
}
