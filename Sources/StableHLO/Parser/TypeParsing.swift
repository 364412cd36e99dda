extension TextParser {
    /// Parses a type: `tensor<2x?xf32>`, `!stablehlo.token`, `tuple<...>`, a scalar builtin
    /// type, a function type `(A, B) -> C`, or any other `!dialect.type<...>` kept verbatim.
    mutating func parseType() throws -> IRType {
        try enterNested()
        defer { nesting -= 1 }
        guard let c = lexer.peek() else { throw error("expected a type, found end of file") }
        let location = lexer.location
        switch c {
        case 0x28:  // (
            return try parseFunctionType()
        case 0x21:  // !
            let start = lexer.mark
            lexer.advance(by: 1)
            guard let name = lexer.lexIdentifier() else { throw error("expected a type name after '!'") }
            if name == "stablehlo.token" { return .token }
            if let alias = typeAliases[name] { return alias }
            lexer.reset(to: start)
            return .opaque(try verbatimDialectText())
        default:
            break
        }
        guard let word = lexer.lexWord() else {
            throw error("expected a type, found \(lexer.describeNext())")
        }
        switch word {
        case "tensor":
            return try parseTensorBody(location: location)
        case "tuple":
            try lexer.expect(0x3C, "'<' after 'tuple'")
            var items: [IRType] = []
            if !lexer.consume(0x3E) {
                repeat { items.append(try parseType()) } while lexer.consume(0x2C)
                try lexer.expect(0x3E, "'>' to close the tuple type")
            }
            return .tuple(items)
        case "complex":
            return .scalar(try parseComplexElement(location: location))
        case "vector", "memref", "none":
            if lexer.peek() == 0x3C { return .opaque(word + (try lexer.skipBalanced())) }
            return .opaque(word)
        default:
            guard let element = ElementType(mlirName: word) else {
                throw Diagnostic(.parse, at: location, "unknown type '\(word)'")
            }
            return .scalar(element)
        }
    }

    /// Parses `(A, B) -> C` or `(A) -> (B, C)`.
    mutating func parseFunctionType() throws -> IRType {
        try lexer.expect(0x28, "'(' to open a function type")
        var inputs: [IRType] = []
        if !lexer.consume(0x29) {
            repeat { inputs.append(try parseType()) } while lexer.consume(0x2C)
            try lexer.expect(0x29, "')' to close the input types")
        }
        try lexer.expect("->")
        return .function(inputs: inputs, results: try parseResultTypeList())
    }

    /// Parses a result type list after `->`: one type, or `(A, B)`, or `()`.
    mutating func parseResultTypeList() throws -> [IRType] {
        guard lexer.peek() == 0x28 else { return [try parseType()] }
        // A parenthesised list, unless it is itself a function type `(A) -> B`.
        let saved = lexer.mark
        lexer.advance(by: 1)
        var results: [IRType] = []
        if !lexer.consume(0x29) {
            repeat { results.append(try parseType()) } while lexer.consume(0x2C)
            try lexer.expect(0x29, "')' to close the result types")
        }
        if lexer.peek() == 0x2D, lexer.byte(at: 1) == 0x3E {
            lexer.reset(to: saved)
            return [try parseFunctionType()]
        }
        return results
    }

    /// Parses the body of `tensor<...>` after the keyword.
    mutating func parseTensorBody(location: SourceLocation) throws -> IRType {
        let bodyStart = lexer.mark
        try lexer.expect(0x3C, "'<' after 'tensor'")
        var shape: [Int] = []
        if lexer.peek() == 0x2A {
            // An unranked tensor `tensor<*xf32>`: kept verbatim.
            lexer.reset(to: bodyStart)
            return .opaque("tensor" + (try lexer.skipBalanced()))
        }
        while true {
            guard let c = lexer.peek() else { throw error("the file ends inside a tensor type") }
            if c == 0x3F {  // ?
                lexer.advance(by: 1)
                shape.append(TensorType.dynamic)
            } else if Lexer.isDigit(c) {
                var value = 0
                while let d = lexer.byte(at: 0), Lexer.isDigit(d) {
                    value = value &* 10 &+ Int(d - 0x30)
                    guard value < 1 << 48 else { throw error("tensor dimension is too large") }
                    lexer.advance(by: 1)
                }
                shape.append(value)
            } else {
                break
            }
            guard lexer.byte(at: 0) == 0x78 else {  // x
                throw error("expected 'x' after a tensor dimension, found \(lexer.describeNext())")
            }
            lexer.advance(by: 1)
        }
        let elementLocation = lexer.location
        let element: ElementType
        let quantization: UniformQuantization?
        if lexer.peek() == 0x21 {
            lexer.advance(by: 1)
            guard lexer.lexIdentifier() == "quant.uniform" else {
                // Another dialect element type: keep the whole tensor type verbatim.
                lexer.reset(to: bodyStart)
                return .opaque("tensor" + (try lexer.skipBalanced()))
            }
            let parameters = try UniformQuantization(parsing: try lexer.skipBalanced(), at: elementLocation)
            quantization = parameters
            element = parameters.storageType
        } else {
            element = try parseScalarElement(location: elementLocation)
            quantization = nil
        }
        return try finishTensorBody(shape: shape, element: element, quantization: quantization, location: location)
    }

    /// The element type word of a tensor type (`f32`, `i8`, `complex<f64>`).
    private mutating func parseScalarElement(location elementLocation: SourceLocation) throws -> ElementType {
        let element: ElementType
        guard let word = lexer.lexWord() else {
            throw error("expected an element type, found \(lexer.describeNext())")
        }
        if word == "complex" {
            element = try parseComplexElement(location: elementLocation)
        } else if let e = ElementType(mlirName: word) {
            element = e
        } else {
            throw Diagnostic(.parse, at: elementLocation, "unknown element type '\(word)'")
        }
        return element
    }

    /// The optional encoding and the closing `>` of a tensor type.
    private mutating func finishTensorBody(shape: [Int], element: ElementType, quantization: UniformQuantization?,
                                           location: SourceLocation) throws -> IRType {
        var encoding: String?
        if lexer.consume(0x2C) {
            let start = lexer.position
            var depth = 0
            while let c = lexer.byte(at: 0) {
                if c == 0x3C || c == 0x28 || c == 0x5B || c == 0x7B { depth += 1 }
                if c == 0x29 || c == 0x5D || c == 0x7D { depth -= 1 }
                if c == 0x3E {
                    if depth == 0 { break }
                    depth -= 1
                }
                if c == 0x22 { _ = try lexer.lexString(); continue }
                lexer.advance(by: 1)
            }
            encoding = lexer.text(start..<lexer.position).trimmingSpaces()
        }
        try lexer.expect(0x3E, "'>' to close the tensor type")
        var elements = 1
        for d in shape where d != TensorType.dynamic {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 56 else {
                throw Diagnostic(.parse, at: location, "tensor type has too many elements")
            }
            elements = product
        }
        return .tensor(TensorType(shape: shape, elementType: element, encoding: encoding, quantization: quantization))
    }

    /// Parses `<f32>` after `complex`.
    mutating func parseComplexElement(location: SourceLocation) throws -> ElementType {
        try lexer.expect(0x3C, "'<' after 'complex'")
        guard let inner = lexer.lexWord(), let f = FloatFormat(rawValue: inner), f == .f32 || f == .f64 else {
            throw Diagnostic(.parse, at: location, "complex element type must be complex<f32> or complex<f64>")
        }
        try lexer.expect(0x3E, "'>' to close the complex type")
        return .complex(f)
    }

    /// The text of `!dialect.name<...>` or `#dialect.name<...>` from the sigil to the end of
    /// its balanced `<...>` (if any).
    mutating func verbatimDialectText() throws -> String {
        _ = lexer.peek()
        let start = lexer.position
        lexer.advance(by: 1)
        while let c = lexer.byte(at: 0), Lexer.isSuffixBody(c) { lexer.advance(by: 1) }
        var text = lexer.text(start..<lexer.position)
        if lexer.byte(at: 0) == 0x3C { text += try lexer.skipBalanced() }
        return text
    }
}

extension String {
    /// The string without leading and trailing spaces and newlines.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\n" || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\n" || l == "\t" { s.removeLast() }
        return String(s)
    }
}
