extension PrettyForms {
    /// `custom_call`, `composite`, and the few builtin-dialect ops StableHLO tests use
    /// (`arith.constant`, `tensor.cast`).
    static let miscellaneousForms: [String: PrettyForm] = [
        "stablehlo.custom_call": { parser, state in try parser.parseCustomCall(&state) },
        "stablehlo.composite": { parser, state in try parser.parseComposite(&state) },
        "arith.constant": { parser, state in try parser.parseConstant(&state) },
        "tensor.cast": { parser, state in try parser.parseCast(&state) },
    ]
}

extension TextParser {
    /// `custom_call @target(%a, %b) attr-dict : (A, B) -> C`.
    mutating func parseCustomCall(_ state: inout OperationState) throws {
        guard let target = try lexer.lexSigilName(0x40) else {
            throw error("expected '@target' after custom_call, found \(lexer.describeNext())")
        }
        state.setAttribute("call_target_name", .string(target))
        state.operands = try parseParenthesizedOperands("custom_call operands")
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }

    /// `tensor.cast %x attr-dict : A to B`.
    mutating func parseCast(_ state: inout OperationState) throws {
        state.operands = [try parseOperand()]
        try parseOptionalAttributeDictionary(&state)
        try lexer.expect(0x3A, "':' and the source type")
        _ = try parseType()
        try lexer.expectKeyword("to")
        state.resultTypes = [try parseType()]
    }

    /// `composite "name" %a, %b [(regions)] attr-dict : (A, B) -> C`.
    mutating func parseComposite(_ state: inout OperationState) throws {
        guard let name = try lexer.lexString() else {
            throw error("expected the composite's name as a string, found \(lexer.describeNext())")
        }
        state.setAttribute("name", .string(name))
        state.operands = try parseOperandList()
        if lexer.consume(0x28) {
            repeat { state.regions.append(try parseRegion()) } while lexer.consume(0x2C)
            try lexer.expect(0x29, "')' to close the composite regions")
        }
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }
}
