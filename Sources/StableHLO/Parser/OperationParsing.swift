/// An operation being parsed: what the generic or pretty form has read so far.
struct OperationState {
    var name: String
    var location: SourceLocation
    var operands: [Value] = []
    var resultTypes: [IRType] = []
    var attributes: [NamedAttribute] = []
    var regions: [Region] = []

    /// Sets (or replaces) attribute `name`.
    mutating func setAttribute(_ name: String, _ value: Attribute) {
        if let i = attributes.firstIndex(where: { $0.name == name }) {
            attributes[i].value = value
        } else {
            attributes.append(NamedAttribute(name, value))
        }
    }
}

extension TextParser {
    // MARK: Regions and blocks

    /// Parses `{ [^bb0(%a: t, ...):] ops... }`.
    ///
    /// `entryArguments` names the entry block's arguments when the syntax declares them
    /// outside the region (function arguments, `while` iteration arguments, `reducer`
    /// arguments). `isolated` starts a fresh name scope (function bodies); other regions
    /// see the names of enclosing regions.
    mutating func parseRegion(
        entryArguments: [(String, IRType, SourceLocation)]? = nil, isolated: Bool = false
    ) throws -> Region {
        try enterNested()
        defer { nesting -= 1 }
        let openLocation = lexer.location
        try lexer.expect(0x7B, "'{' to open a region")
        let savedScopes = scopes
        if isolated { scopes = [[:]] } else { scopes.append([:]) }
        defer { scopes = savedScopes }

        var blocks: [Block] = []
        var current = Block()
        var hasCurrent = false
        if let entryArguments {
            for (name, type, location) in entryArguments {
                let v = makeValue(type)
                try define(name, [v], at: location)
                current.arguments.append(v)
            }
            hasCurrent = true
        }
        while true {
            guard let c = lexer.peek() else {
                throw Diagnostic(.parse, at: openLocation, "the file ends inside this region (missing '}')")
            }
            if c == 0x7D {
                lexer.advance(by: 1)
                break
            }
            if c == 0x5E {  // ^bb
                if hasCurrent { blocks.append(current) }
                current = try parseBlockHeader()
                hasCurrent = true
                continue
            }
            current.operations.append(try parseOperation())
            hasCurrent = true
        }
        if hasCurrent { blocks.append(current) }
        return Region(blocks: blocks)
    }

    /// Parses `^bb0(%a: type, %b: type):` and defines the arguments.
    private mutating func parseBlockHeader() throws -> Block {
        _ = try lexer.lexSigilName(0x5E)
        var block = Block()
        if lexer.consume(0x28) {
            if !lexer.consume(0x29) {
                repeat {
                    let location = lexer.location
                    guard let name = try lexer.lexSigilName(0x25) else {
                        throw error("expected a block argument (%name: type), found \(lexer.describeNext())")
                    }
                    try lexer.expect(0x3A, "':' after the block argument name")
                    let v = makeValue(try parseType())
                    try skipOptionalLocation()
                    try define(name, [v], at: location)
                    block.arguments.append(v)
                } while lexer.consume(0x2C)
                try lexer.expect(0x29, "')' to close the block arguments")
            }
        }
        try lexer.expect(0x3A, "':' after the block header")
        return block
    }

    // MARK: Operations

    /// Parses one operation with its result names, in generic or pretty form.
    mutating func parseOperation() throws -> Operation {
        let location = lexer.location
        // Result groups: `%a, %b:2 =`.
        var groups: [(name: String, count: Int, location: SourceLocation)] = []
        if lexer.peek() == 0x25 {
            repeat {
                let groupLocation = lexer.location
                guard let name = try lexer.lexSigilName(0x25) else { throw error("expected a result name") }
                var count = 1
                if lexer.byte(at: 0) == 0x3A, let d = lexer.byte(at: 1), Lexer.isDigit(d) {
                    lexer.advance(by: 1)
                    guard let n = try lexer.lexInteger(), n > 0, n < 1 << 20 else {
                        throw error("expected a result count after ':'")
                    }
                    count = Int(n)
                }
                groups.append((name, count, groupLocation))
            } while lexer.consume(0x2C)
            try lexer.expect(0x3D, "'=' after the result names")
        }
        _ = lexer.peek()
        let nameLocation = lexer.location
        var state: OperationState
        if lexer.peek() == 0x22 {
            let name = try lexer.lexString() ?? ""
            state = OperationState(name: name, location: location)
            try parseGenericOperationBody(&state)
        } else {
            guard let rawName = lexer.lexIdentifier() else {
                throw error("expected an operation, found \(lexer.describeNext())")
            }
            let name = Self.qualifiedName(rawName)
            state = OperationState(name: name, location: location)
            guard let form = PrettyForms.table[name] ?? PrettyForms.fallback(for: name) else {
                throw Diagnostic(.parse, at: nameLocation,
                    "unknown operation '\(rawName)' in pretty form (write it in the generic form \"\(name)\"(...))")
            }
            try form(&self, &state)
        }
        try skipOptionalLocation()

        let declared = groups.reduce(0) { $0 + $1.count }
        if groups.isEmpty, !state.resultTypes.isEmpty {
            // Results nobody names (and so nobody uses) still exist.
            return Operation(
                name: state.name, operands: state.operands, results: state.resultTypes.map { makeValue($0) },
                attributes: state.attributes, regions: state.regions, location: state.location)
        }
        guard declared == state.resultTypes.count else {
            throw Diagnostic(.parse, at: location,
                "'\(state.name)' produces \(state.resultTypes.count) result(s) but \(declared) name(s) are bound")
        }
        var results: [Value] = []
        results.reserveCapacity(declared)
        var next = 0
        for group in groups {
            var values: [Value] = []
            for _ in 0..<group.count {
                values.append(makeValue(state.resultTypes[next]))
                next += 1
            }
            try define(group.name, values, at: group.location)
            results += values
        }
        return Operation(
            name: state.name, operands: state.operands, results: results,
            attributes: state.attributes, regions: state.regions, location: state.location)
    }

    /// `return` → `func.return`, `call` → `func.call`; qualified names are kept.
    static func qualifiedName(_ name: String) -> String {
        if name.contains(".") { return name }
        switch name {
        case "return", "call", "constant", "call_indirect": return "func." + name
        default: return name
        }
    }

    /// Parses the generic form after the quoted name:
    /// `(%a, %b) <{props}> ({regions}) {attrs} : (types) -> types`.
    mutating func parseGenericOperationBody(_ state: inout OperationState) throws {
        state.operands = try parseParenthesizedOperands("operand list")
        if lexer.peek() == 0x5B {
            throw error("block successors are not supported in StableHLO programs")
        }
        if lexer.consume("<{") {
            try parsePropertiesAfterOpen(&state)
        }
        if lexer.peek() == 0x28 {
            lexer.advance(by: 1)
            repeat { state.regions.append(try parseRegion()) } while lexer.consume(0x2C)
            try lexer.expect(0x29, "')' to close the region list")
        }
        if lexer.peek() == 0x7B {
            state.attributes += try parseAttributeDictionary()
        }
        try lexer.expect(0x3A, "':' and the operation's type")
        let typeLocation = lexer.location
        guard case .function(let inputs, let results) = try parseFunctionType() else {
            throw Diagnostic(.parse, at: typeLocation, "expected a function type")
        }
        guard inputs.count == state.operands.count else {
            throw Diagnostic(.parse, at: typeLocation,
                "'\(state.name)' has \(state.operands.count) operand(s) but its type lists \(inputs.count)")
        }
        state.resultTypes = results
    }

    /// Parses the rest of `<{a = 1, b}>` after `<{` has been consumed.
    private mutating func parsePropertiesAfterOpen(_ state: inout OperationState) throws {
        if lexer.consume(0x7D) {
            try lexer.expect(0x3E, "'>' to close the properties")
            return
        }
        repeat {
            let name: String
            if let s = try lexer.lexString() {
                name = s
            } else if let id = lexer.lexIdentifier() {
                name = id
            } else {
                throw error("expected a property name, found \(lexer.describeNext())")
            }
            if lexer.consume(0x3D) {
                state.attributes.append(NamedAttribute(name, try parseAttribute()))
            } else {
                state.attributes.append(NamedAttribute(name, .unit))
            }
        } while lexer.consume(0x2C)
        try lexer.expect(0x7D, "'}' to close the properties")
        try lexer.expect(0x3E, "'>' to close the properties")
    }
}
