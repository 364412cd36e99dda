extension PrettyForms {
    /// `reduce` in its compact (`applies`) and region (`reducer`) forms.
    static let reductionForms: [String: PrettyForm] = [
        "stablehlo.reduce": { parser, state in try parser.parseReduce(&state) },
    ]
}

extension TextParser {
    /// `reduce(%x init: %c), ... applies stablehlo.add across dimensions = [1] : (...) -> ...`
    /// or `reduce(%x init: %c) across dimensions = [1] : (...) -> ... reducer(%a: T, %b: T) { ... }`.
    ///
    /// The compact form is normalized to a region whose block takes two scalar tensors of
    /// the input's element type and returns the op applied to them.
    mutating func parseReduce(_ state: inout OperationState) throws {
        var inputs: [Value] = []
        var inits: [Value] = []
        repeat {
            try lexer.expect(0x28, "'(' to open an '(input init: value)' pair")
            inputs.append(try parseOperand())
            try lexer.expectKeyword("init")
            try lexer.expect(0x3A, "':' after 'init'")
            inits.append(try parseOperand())
            try lexer.expect(0x29, "')' to close the pair")
        } while lexer.consume(0x2C)
        state.operands = inputs + inits

        var innerOp: String?
        let innerLocation = lexer.location
        if lexer.consumeKeyword("applies") {
            if let quoted = try lexer.lexString() {
                innerOp = quoted
            } else if let name = lexer.lexIdentifier() {
                innerOp = Self.qualifiedName(name)
            } else {
                throw error("expected the reduction op after 'applies', found \(lexer.describeNext())")
            }
        }
        try lexer.expectKeyword("across")
        try lexer.expectKeyword("dimensions")
        try lexer.expect(0x3D, "'=' after 'dimensions'")
        state.setAttribute("dimensions", .denseInts(.si(64), try parseIntegerList()))
        try parseOptionalAttributeDictionary(&state)
        let signatureLocation = lexer.location
        guard case .functional(_, let results) = try parseTypeSignature() else {
            throw Diagnostic(.parse, at: signatureLocation, "reduce needs a functional type (inputs) -> results")
        }
        state.resultTypes = results

        if let innerOp {
            guard inputs.count == 1, case .tensor(let t) = inputs[0].type else {
                throw Diagnostic(.parse, at: innerLocation, "the compact 'applies' form takes one tensor input")
            }
            let scalar = IRType.tensor(TensorType(shape: [], elementType: t.elementType))
            let lhs = makeValue(scalar), rhs = makeValue(scalar), result = makeValue(scalar)
            let apply = Operation(name: innerOp, operands: [lhs, rhs], results: [result], location: innerLocation)
            let ret = Operation(name: "stablehlo.return", operands: [result], location: innerLocation)
            state.regions = [Region(blocks: [Block(arguments: [lhs, rhs], operations: [apply, ret])])]
            return
        }
        try skipOptionalLocation()
        try lexer.expectKeyword("reducer")
        var first: [(String, IRType, SourceLocation)] = []
        var second: [(String, IRType, SourceLocation)] = []
        while lexer.consume(0x28) {
            first.append(try parseRegionArgument())
            try lexer.expect(0x2C, "',' between the reducer arguments")
            second.append(try parseRegionArgument())
            try lexer.expect(0x29, "')' to close the reducer arguments")
        }
        state.regions = [try parseRegion(entryArguments: first + second)]
    }

    /// `%name: type [loc(...)]` of a region argument declared outside its region.
    mutating func parseRegionArgument() throws -> (String, IRType, SourceLocation) {
        let location = lexer.location
        guard let name = try lexer.lexSigilName(0x25) else {
            throw error("expected a region argument (%name: type), found \(lexer.describeNext())")
        }
        try lexer.expect(0x3A, "':' after the argument name")
        let type = try parseType()
        try skipOptionalLocation()
        return (name, type, location)
    }
}
