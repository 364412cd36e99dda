extension TextParser {
    /// Parses an attribute value (see `Attribute` for the cases). Integer and float
    /// literals take an optional `: type` suffix.
    mutating func parseAttribute() throws -> Attribute {
        try parseAttribute(allowTypeSuffix: true)
    }

    mutating func parseAttribute(allowTypeSuffix: Bool) throws -> Attribute {
        try enterNested()
        defer { nesting -= 1 }
        guard let c = lexer.peek() else { throw error("expected an attribute, found end of file") }
        let location = lexer.location
        switch c {
        case 0x5B:  // [
            lexer.advance(by: 1)
            var items: [Attribute] = []
            if !lexer.consume(0x5D) {
                repeat { items.append(try parseAttribute()) } while lexer.consume(0x2C)
                try lexer.expect(0x5D, "']' to close the array attribute")
            }
            return .array(items)
        case 0x7B:  // {
            return .dictionary(try parseAttributeDictionary())
        case 0x22:  // "
            let s = try lexer.lexString() ?? ""
            if allowTypeSuffix, lexer.consume(0x3A) { _ = try parseType() }
            return .string(s)
        case 0x40:  // @
            var path = try lexer.lexSigilName(0x40) ?? ""
            while lexer.consume("::") {
                guard let next = try lexer.lexSigilName(0x40) else { throw error("expected '@name' after '::'") }
                path += "::" + next
            }
            return .symbolRef(path)
        case 0x23:  // #
            return try parseHashAttribute()
        case 0x28, 0x21:  // ( function type, ! dialect type
            return .type(try parseType())
        default:
            break
        }
        if let number = lexer.lexNumber() {
            return try numericAttribute(number, location: location, allowTypeSuffix: allowTypeSuffix)
        }
        let saved = lexer.mark
        guard let word = lexer.lexIdentifier() else {
            throw Diagnostic(.parse, at: location, "expected an attribute, found \(lexer.describeNext())")
        }
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "unit": return .unit
        case "dense": return try parseDenseAttribute(location: location)
        case "array": return try parseDenseArray(location: location)
        case "loc", "dense_resource", "sparse", "affine_map", "affine_set", "strided", "distinct":
            guard lexer.peek() == 0x28 || lexer.peek() == 0x3C || lexer.peek() == 0x5B else {
                throw Diagnostic(.parse, at: location, "expected '<' or '(' after '\(word)'")
            }
            var text = word + (try lexer.skipBalanced())
            if word == "dense_resource" || word == "sparse", allowTypeSuffix, lexer.consume(0x3A) {
                text += " : " + (try parseType()).description
            }
            return .opaque(text)
        default:
            lexer.reset(to: saved)
            return .type(try parseType())
        }
    }

    /// Turns a lexed number into an `.integer` or `.float` attribute, applying `: type`.
    private mutating func numericAttribute(
        _ number: (range: Range<Int>, isFloat: Bool, isHex: Bool), location: SourceLocation,
        allowTypeSuffix: Bool
    ) throws -> Attribute {
        var type: IRType?
        if allowTypeSuffix, lexer.peek() == 0x3A, lexer.byte(at: 1) != 0x3A {
            lexer.advance(by: 1)
            type = try parseType()
        }
        let floatFormat: FloatFormat? = {
            if case .scalar(.float(let f)) = type { return f }
            return nil
        }()
        if number.isFloat || floatFormat != nil {
            if number.isHex, let f = floatFormat {
                guard let bits = Lexer.integerValue(lexer.bytes[number.range], isHex: true) else {
                    throw Diagnostic(.parse, at: location, "hexadecimal float literal is too long")
                }
                return .float(f.decode(UInt64(bitPattern: bits)), type: type)
            }
            guard let v = Double(lexer.text(number.range)) else {
                throw Diagnostic(.parse, at: location, "invalid float literal '\(lexer.text(number.range))'")
            }
            return .float(floatFormat.map { $0.round(v) } ?? v, type: type)
        }
        guard let v = Lexer.integerValue(lexer.bytes[number.range], isHex: number.isHex) else {
            throw Diagnostic(.parse, at: location, "integer literal '\(lexer.text(number.range))' does not fit in 64 bits")
        }
        return .integer(v, type: type)
    }

    /// Parses `{name = value, flag, "quoted" = value}`.
    mutating func parseAttributeDictionary() throws -> [NamedAttribute] {
        try lexer.expect(0x7B, "'{' to open an attribute dictionary")
        var entries: [NamedAttribute] = []
        if lexer.consume(0x7D) { return entries }
        repeat {
            let name: String
            if let s = try lexer.lexString() {
                name = s
            } else if let id = lexer.lexIdentifier() {
                name = id
            } else {
                throw error("expected an attribute name, found \(lexer.describeNext())")
            }
            if lexer.consume(0x3D) {
                entries.append(NamedAttribute(name, try parseAttribute()))
            } else {
                entries.append(NamedAttribute(name, .unit))
            }
        } while lexer.consume(0x2C)
        try lexer.expect(0x7D, "'}' to close the attribute dictionary")
        return entries
    }

    /// Parses `array<i64: 1, 2>`, `array<i1: true>`, `array<f32: 1.0>` after `array`.
    mutating func parseDenseArray(location: SourceLocation) throws -> Attribute {
        try lexer.expect(0x3C, "'<' after 'array'")
        let typeLocation = lexer.location
        guard case .scalar(let element) = try parseType() else {
            throw Diagnostic(.parse, at: typeLocation, "dense array element type must be a scalar type")
        }
        var ints: [Int64] = []
        var floats: [Double] = []
        if lexer.consume(0x3A) {
            repeat {
                let itemLocation = lexer.location
                if element.isBool {
                    if lexer.consumeKeyword("true") { ints.append(1); continue }
                    if lexer.consumeKeyword("false") { ints.append(0); continue }
                }
                guard let number = lexer.lexNumber() else {
                    throw Diagnostic(.parse, at: itemLocation, "expected a number in the dense array, found \(lexer.describeNext())")
                }
                if case .float(let f) = element {
                    if number.isHex, let bits = Lexer.integerValue(lexer.bytes[number.range], isHex: true) {
                        floats.append(f.decode(UInt64(bitPattern: bits)))
                    } else if let v = Double(lexer.text(number.range)) {
                        floats.append(f.round(v))
                    } else {
                        throw Diagnostic(.parse, at: itemLocation, "invalid float literal '\(lexer.text(number.range))'")
                    }
                } else {
                    guard !number.isFloat, let v = Lexer.integerValue(lexer.bytes[number.range], isHex: number.isHex) else {
                        throw Diagnostic(.parse, at: itemLocation, "expected an integer in array<\(element)>, found '\(lexer.text(number.range))'")
                    }
                    ints.append(v)
                }
            } while lexer.consume(0x2C)
        }
        try lexer.expect(0x3E, "'>' to close the dense array")
        if case .float = element { return .denseFloats(element, floats) }
        return .denseInts(element, ints)
    }

    // MARK: `#` attributes

    /// Parses `#alias`, `#stablehlo<kind VALUE>`, `#stablehlo.name<...>` or any other `#...`
    /// (kept verbatim).
    mutating func parseHashAttribute() throws -> Attribute {
        let start = lexer.mark
        let location = lexer.location
        lexer.advance(by: 1)
        let nameStart = lexer.position
        while let c = lexer.byte(at: 0), Lexer.isSuffixBody(c) { lexer.advance(by: 1) }
        let name = lexer.text(nameStart..<lexer.position)
        guard !name.isEmpty else { throw Diagnostic(.parse, at: location, "expected a name after '#'") }
        guard lexer.byte(at: 0) == 0x3C else {
            if let alias = attributeAliases[name] { return alias }
            return .opaque("#" + name)
        }
        lexer.advance(by: 1)
        if name == "stablehlo" || name == "chlo" {
            // `#stablehlo<comparison_direction LT>`
            if let kind = lexer.lexIdentifier(), let value = lexer.lexIdentifier(), lexer.consume(0x3E) {
                return .enumCase(dialect: name, kind: kind, value: value)
            }
        } else if name == "stablehlo.conv" {
            if let conv = try? parseConvolutionDimensionNumbersBody() { return conv }
        } else if name.hasPrefix("stablehlo.") || name.hasPrefix("chlo.") {
            if let parameters = try? parseDialectParameters() {
                return .dialect(name: name, parameters: parameters)
            }
        }
        lexer.reset(to: start)
        return .opaque(try verbatimDialectText())
    }

    /// Parses `key = value, ...>` (the body of a structured dialect attribute up to and
    /// including its closing `>`).
    mutating func parseDialectParameters() throws -> [NamedAttribute] {
        var parameters: [NamedAttribute] = []
        if lexer.consume(0x3E) { return parameters }
        repeat {
            guard let key = lexer.lexIdentifier() else { throw error("expected a parameter name") }
            try lexer.expect(0x3D, "'=' after the parameter name")
            parameters.append(NamedAttribute(key, try parseAttribute()))
        } while lexer.consume(0x2C)
        try lexer.expect(0x3E, "'>' to close the attribute")
        return parameters
    }
}
