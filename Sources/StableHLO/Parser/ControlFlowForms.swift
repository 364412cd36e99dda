extension PrettyForms {
    /// `while` (custom syntax) and calls; `if`, `case`, `sort` and `map` print generically.
    static let controlFlowForms: [String: PrettyForm] = [
        "stablehlo.while": { parser, state in try parser.parseWhile(&state) },
        "func.call": { parser, state in try parser.parseCall(&state) },
    ]
}

extension TextParser {
    /// `while(%iterArg = %x, ...) : T, ... [attributes {...}] cond { ... } do { ... }`.
    ///
    /// Both regions take the iteration arguments as block arguments.
    mutating func parseWhile(_ state: inout OperationState) throws {
        try lexer.expect(0x28, "'(' after 'while'")
        var names: [(String, SourceLocation)] = []
        if !lexer.consume(0x29) {
            repeat {
                let location = lexer.location
                guard let name = try lexer.lexSigilName(0x25) else {
                    throw error("expected '%iterArg = %value', found \(lexer.describeNext())")
                }
                try lexer.expect(0x3D, "'=' after the iteration argument")
                state.operands.append(try parseOperand())
                names.append((name, location))
            } while lexer.consume(0x2C)
            try lexer.expect(0x29, "')' to close the iteration arguments")
        }
        var types: [IRType] = []
        if lexer.consume(0x3A) {
            repeat { types.append(try parseType()) } while lexer.consume(0x2C)
        }
        guard types.count == state.operands.count else {
            throw error("while has \(state.operands.count) operand(s) but \(types.count) type(s)")
        }
        if lexer.consumeKeyword("attributes") { state.attributes += try parseAttributeDictionary() }
        state.resultTypes = types
        let arguments = zip(names, types).map { ($0.0.0, $0.1, $0.0.1) }
        try lexer.expectKeyword("cond")
        let cond = try parseRegion(entryArguments: arguments)
        try lexer.expectKeyword("do")
        let body = try parseRegion(entryArguments: arguments)
        state.regions = [cond, body]
    }

    /// `call @f(%a, %b) attr-dict : (A, B) -> C`.
    mutating func parseCall(_ state: inout OperationState) throws {
        guard let callee = try lexer.lexSigilName(0x40) else {
            throw error("expected '@callee', found \(lexer.describeNext())")
        }
        state.setAttribute("callee", .symbolRef(callee))
        state.operands = try parseParenthesizedOperands("call arguments")
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }
}
