extension PrettyForms {
    /// `custom_call` and `composite`.
    static let miscellaneousForms: [String: PrettyForm] = [
        "stablehlo.custom_call": { parser, state in try parser.parseCustomCall(&state) },
        "stablehlo.composite": { parser, state in try parser.parseComposite(&state) },
    ]
}

extension TextParser {
    /// `custom_call @target(%a, %b) attr-dict : (A, B) -> C`.
    mutating func parseCustomCall(_ state: inout OperationState) throws {
        guard let target = try lexer.lexSigilName(0x40) else {
            throw error("expected '@target' after custom_call, found \(lexer.describeNext())")
        }
        state.setAttribute("call_target_name", .string(target))
        try lexer.expect(0x28, "'(' to open the custom_call operands")
        if !lexer.consume(0x29) {
            state.operands = try parseOperandList()
            try lexer.expect(0x29, "')' to close the custom_call operands")
        }
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
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
