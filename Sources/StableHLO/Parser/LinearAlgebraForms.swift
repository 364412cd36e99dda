extension PrettyForms {
    /// `dot`, `dot_general` and `convolution`.
    static let linearAlgebraForms: [String: PrettyForm] = [
        "stablehlo.dot": { parser, state in try parser.parseDot(&state, general: false) },
        "stablehlo.dot_general": { parser, state in try parser.parseDot(&state, general: true) },
        "stablehlo.convolution": { parser, state in try parser.parseConvolution(&state) },
    ]

    /// The parameter names of `#stablehlo.conv`, in the canonical order.
    static let convolutionParameterNames = [
        "input_batch_dimension", "input_feature_dimension", "input_spatial_dimensions",
        "kernel_input_feature_dimension", "kernel_output_feature_dimension", "kernel_spatial_dimensions",
        "output_batch_dimension", "output_feature_dimension", "output_spatial_dimensions",
    ]
}

extension TextParser {
    /// `dot_general %a, %b, [batching_dims = [0] x [0],] contracting_dims = [2] x [1]
    /// [, precision = [DEFAULT, DEFAULT]] [, algorithm = <...>] attr-dict : (A, B) -> C`,
    /// and `dot %a, %b [, precision = [...]] : ...`.
    mutating func parseDot(_ state: inout OperationState, general: Bool) throws {
        state.operands = try parseOperandList()
        if general {
            var parameters: [NamedAttribute] = []
            try lexer.expect(0x2C, "',' before the dot dimension numbers")
            if lexer.consumeKeyword("batching_dims") {
                let (l, r) = try parseDimensionPair()
                parameters.append(NamedAttribute("lhs_batching_dimensions", Self.integerArray(l)))
                parameters.append(NamedAttribute("rhs_batching_dimensions", Self.integerArray(r)))
                try lexer.expect(0x2C, "',' before 'contracting_dims'")
            }
            try lexer.expectKeyword("contracting_dims")
            let (l, r) = try parseDimensionPair()
            parameters.append(NamedAttribute("lhs_contracting_dimensions", Self.integerArray(l)))
            parameters.append(NamedAttribute("rhs_contracting_dimensions", Self.integerArray(r)))
            state.setAttribute("dot_dimension_numbers", .dialect(name: "stablehlo.dot", parameters: parameters))
        }
        let saved = lexer.mark
        if lexer.consume(0x2C), lexer.consumeKeyword("precision") {
            try lexer.expect(0x3D, "'=' after 'precision'")
            try lexer.expect(0x5B, "'[' to open the precision list")
            var items: [Attribute] = []
            if !lexer.consume(0x5D) {
                repeat {
                    guard let p = lexer.lexIdentifier() else { throw error("expected a precision (DEFAULT, HIGH, HIGHEST)") }
                    items.append(.enumCase(dialect: "stablehlo", kind: "precision", value: p))
                } while lexer.consume(0x2C)
                try lexer.expect(0x5D, "']' to close the precision list")
            }
            state.setAttribute("precision_config", .array(items))
        } else {
            lexer.reset(to: saved)
        }
        let beforeAlgorithm = lexer.mark
        if lexer.consume(0x2C), lexer.consumeKeyword("algorithm") {
            try lexer.expect(0x3D, "'=' after 'algorithm'")
            let start = lexer.mark
            try lexer.expect(0x3C, "'<' to open the dot algorithm")
            if let parameters = try? parseDialectParameters() {
                state.setAttribute("algorithm", .dialect(name: "stablehlo.dot_algorithm", parameters: parameters))
            } else {
                lexer.reset(to: start)
                state.setAttribute("algorithm", .opaque("#stablehlo.dot_algorithm" + (try lexer.skipBalanced())))
            }
        } else {
            lexer.reset(to: beforeAlgorithm)
        }
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }

    /// `[0, 1] x [2, 3]`.
    private mutating func parseDimensionPair() throws -> ([Int64], [Int64]) {
        try lexer.expect(0x3D, "'='")
        let lhs = try parseIntegerList()
        guard lexer.peek() == 0x78 else { throw error("expected 'x' between the dimension lists, found \(lexer.describeNext())") }
        lexer.advance(by: 1)
        return (lhs, try parseIntegerList())
    }

    static func integerArray(_ values: [Int64]) -> Attribute {
        .array(values.map { .integer($0, type: nil) })
    }

    /// `convolution(%a, %b) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f],
    /// window = {stride = [..], pad = [[..]], lhs_dilate = [..], rhs_dilate = [..], reverse = [..]}
    /// attr-dict : (A, B) -> C`.
    mutating func parseConvolution(_ state: inout OperationState) throws {
        state.operands = try parseParenthesizedOperands("convolution operands")
        try lexer.expectKeyword("dim_numbers")
        try lexer.expect(0x3D, "'=' after 'dim_numbers'")
        state.setAttribute("dimension_numbers", .dialect(name: "stablehlo.conv", parameters: try parseConvolutionLayout()))
        try lexer.expect(0x2C, "',' before 'window'")
        try lexer.expectKeyword("window")
        try lexer.expect(0x3D, "'=' after 'window'")
        try lexer.expect(0x7B, "'{' to open the window attributes")
        if !lexer.consume(0x7D) {
            repeat {
                let location = lexer.location
                guard let key = lexer.lexIdentifier() else { throw error("expected a window attribute name") }
                try lexer.expect(0x3D, "'=' after '\(key)'")
                switch key {
                case "stride": state.setAttribute("window_strides", .denseInts(.si(64), try parseIntegerList()))
                case "lhs_dilate": state.setAttribute("lhs_dilation", .denseInts(.si(64), try parseIntegerList()))
                case "rhs_dilate": state.setAttribute("rhs_dilation", .denseInts(.si(64), try parseIntegerList()))
                case "reverse": state.setAttribute("window_reversal", .denseInts(.i1, try parseBoolList()))
                case "pad":
                    try lexer.expect(0x5B, "'[' to open the padding list")
                    var values: [Int64] = []
                    var rows = 0
                    if !lexer.consume(0x5D) {
                        repeat {
                            let pair = try parseIntegerList()
                            guard pair.count == 2 else { throw Diagnostic(.parse, at: location, "each padding entry must be [low, high]") }
                            values += pair
                            rows += 1
                        } while lexer.consume(0x2C)
                        try lexer.expect(0x5D, "']' to close the padding list")
                    }
                    var bytes: [UInt8] = []
                    for v in values { Self.append(UInt64(bitPattern: v), count: 8, to: &bytes) }
                    let type = TensorType(shape: [rows, 2], elementType: .si(64))
                    state.setAttribute("padding", .dense(DenseElements(type: type, bytes: bytes)))
                default:
                    throw Diagnostic(.parse, at: location, "unknown window attribute '\(key)'")
                }
            } while lexer.consume(0x2C)
            try lexer.expect(0x7D, "'}' to close the window attributes")
        }
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }

    /// `[true, false]` or `[1, 0]`.
    private mutating func parseBoolList() throws -> [Int64] {
        try lexer.expect(0x5B, "'['")
        var values: [Int64] = []
        if lexer.consume(0x5D) { return values }
        repeat {
            if lexer.consumeKeyword("true") { values.append(1) } else if lexer.consumeKeyword("false") { values.append(0) } else if let v = try lexer.lexInteger() { values.append(v == 0 ? 0 : 1) } else {
                throw error("expected true or false, found \(lexer.describeNext())")
            }
        } while lexer.consume(0x2C)
        try lexer.expect(0x5D, "']'")
        return values
    }

    /// The body of `#stablehlo.conv<...>` after `<`, through the closing `>`: either
    /// `raw key = value, ...` or the `[b, 0, f]x[0, i, o]->[b, 0, f]` layout.
    mutating func parseConvolutionDimensionNumbersBody() throws -> Attribute {
        var parameters: [NamedAttribute]
        if lexer.consumeKeyword("raw") {
            let raw = try parseDialectParameters()
            parameters = []
            for name in PrettyForms.convolutionParameterNames {
                if let p = raw.first(where: { $0.name == name }) { parameters.append(p) }
            }
            guard parameters.count == raw.count else { throw error("unknown #stablehlo.conv parameter") }
        } else {
            parameters = try parseConvolutionLayout()
            try lexer.expect(0x3E, "'>' to close #stablehlo.conv")
        }
        return .dialect(name: "stablehlo.conv", parameters: parameters)
    }

    /// `[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]` as the normalized parameters.
    mutating func parseConvolutionLayout() throws -> [NamedAttribute] {
        let location = lexer.location
        func layout(_ parser: inout TextParser, _ letters: (UInt8, UInt8)) throws -> (Int64, Int64, [Int64]) {
            try parser.lexer.expect(0x5B, "'[' to open a convolution layout")
            var first: Int64?, second: Int64?
            var spatial: [Int64: Int64] = [:]
            var position: Int64 = 0
            repeat {
                if let d = try parser.lexer.lexInteger() {
                    guard d >= 0, spatial[d] == nil else { throw Diagnostic(.parse, at: location, "invalid spatial dimension \(d) in convolution layout") }
                    spatial[d] = position
                } else if let word = parser.lexer.lexIdentifier(), word.utf8.count == 1, let c = word.utf8.first {
                    if c == letters.0, first == nil { first = position } else if c == letters.1, second == nil { second = position } else {
                        throw Diagnostic(.parse, at: location, "unexpected '\(word)' in convolution layout")
                    }
                } else {
                    throw parser.error("expected a dimension in the convolution layout, found \(parser.lexer.describeNext())")
                }
                position += 1
            } while parser.lexer.consume(0x2C)
            try parser.lexer.expect(0x5D, "']' to close a convolution layout")
            guard let a = first, let b = second else {
                throw Diagnostic(.parse, at: location, "convolution layout is missing a non-spatial dimension")
            }
            var spatialOrder: [Int64] = []
            for i in 0..<Int64(spatial.count) {
                guard let p = spatial[i] else { throw Diagnostic(.parse, at: location, "convolution layout skips spatial dimension \(i)") }
                spatialOrder.append(p)
            }
            return (a, b, spatialOrder)
        }
        let input = try layout(&self, (0x62, 0x66))  // b, f
        guard lexer.peek() == 0x78 else { throw error("expected 'x' between convolution layouts") }
        lexer.advance(by: 1)
        let kernel = try layout(&self, (0x69, 0x6F))  // i, o
        try lexer.expect("->")
        let output = try layout(&self, (0x62, 0x66))
        let names = PrettyForms.convolutionParameterNames
        return [
            NamedAttribute(names[0], .integer(input.0, type: nil)),
            NamedAttribute(names[1], .integer(input.1, type: nil)),
            NamedAttribute(names[2], Self.integerArray(input.2)),
            NamedAttribute(names[3], .integer(kernel.0, type: nil)),
            NamedAttribute(names[4], .integer(kernel.1, type: nil)),
            NamedAttribute(names[5], Self.integerArray(kernel.2)),
            NamedAttribute(names[6], .integer(output.0, type: nil)),
            NamedAttribute(names[7], .integer(output.1, type: nil)),
            NamedAttribute(names[8], Self.integerArray(output.2)),
        ]
    }
}
