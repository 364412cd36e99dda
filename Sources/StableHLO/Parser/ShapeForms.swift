extension PrettyForms {
    /// Ops written `operands, keyword = value, ... attr-dict : signature`: the keyword
    /// clauses of each, in order. The printer writes these ops from the same table.
    static let keywordOps: [String: [Keyword]] = [
        "stablehlo.iota": [Keyword("dim", "iota_dimension", .i64)],
        "stablehlo.broadcast_in_dim": [Keyword("dims", "broadcast_dimensions", .i64Array)],
        "stablehlo.broadcast": [Keyword("sizes", "broadcast_sizes", .i64Array)],
        "stablehlo.dynamic_broadcast_in_dim": [
            Keyword("dims", "broadcast_dimensions", .i64Array),
            Keyword("known_expanding_dimensions", "known_expanding_dimensions", .i64Array, optional: true),
            Keyword("known_nonexpanding_dimensions", "known_nonexpanding_dimensions", .i64Array, optional: true),
        ],
        "stablehlo.transpose": [Keyword("dims", "permutation", .i64Array)],
        "stablehlo.reverse": [Keyword("dims", "dimensions", .i64Array)],
        "stablehlo.concatenate": [Keyword("dim", "dimension", .i64)],
        "stablehlo.dynamic_slice": [Keyword("sizes", "slice_sizes", .i64Array)],
        "stablehlo.pad": [
            Keyword("low", "edge_padding_low", .i64Array),
            Keyword("high", "edge_padding_high", .i64Array),
            Keyword("interior", "interior_padding", .i64Array),
        ],
        "stablehlo.get_dimension_size": [Keyword("dim", "dimension", .i64)],
        "stablehlo.set_dimension_size": [Keyword("dim", "dimension", .i64)],
        "stablehlo.dynamic_iota": [Keyword("dim", "iota_dimension", .i64)],
        "stablehlo.cholesky": [Keyword("lower", "lower", .bool, optional: true)],
        "stablehlo.einsum": [Keyword("config", "einsum_config", .string)],
        "stablehlo.unary_einsum": [Keyword("config", "einsum_config", .string)],
        "stablehlo.fft": [
            Keyword("type", "fft_type", .enumCase("fft_type")),
            Keyword("length", "fft_length", .i64Array),
        ],
        "stablehlo.rng": [Keyword("distribution", "rng_distribution", .enumCase("rng_distribution"))],
        "stablehlo.rng_bit_generator": [Keyword("algorithm", "rng_algorithm", .enumCase("rng_algorithm"))],
        "interpreter.probe": [Keyword("probe_id", "probe_id", .string)],
    ]

    /// Shape and data-movement ops: the keyword forms, `slice` and `get_tuple_element`.
    static let shapeForms: [String: PrettyForm] = {
        var forms: [String: PrettyForm] = [:]
        for (name, keywords) in keywordOps { forms[name] = TextParser.keywordForm(keywords) }
        forms["stablehlo.slice"] = { parser, state in try parser.parseSlice(&state) }
        forms["stablehlo.get_tuple_element"] = { parser, state in try parser.parseGetTupleElement(&state) }
        return forms
    }()
}

extension TextParser {
    /// `slice %x [0:2, 1:4:2] attr-dict : (A) -> B`.
    mutating func parseSlice(_ state: inout OperationState) throws {
        state.operands = [try parseOperand()]
        var starts: [Int64] = [], limits: [Int64] = [], strides: [Int64] = []
        try lexer.expect(0x5B, "'[' to open the slice ranges")
        if !lexer.consume(0x5D) {
            repeat {
                guard let start = try lexer.lexInteger() else { throw error("expected a slice start, found \(lexer.describeNext())") }
                try lexer.expect(0x3A, "':' between slice start and limit")
                guard let limit = try lexer.lexInteger() else { throw error("expected a slice limit, found \(lexer.describeNext())") }
                var stride: Int64 = 1
                if lexer.consume(0x3A) {
                    guard let s = try lexer.lexInteger() else { throw error("expected a slice stride, found \(lexer.describeNext())") }
                    stride = s
                }
                starts.append(start)
                limits.append(limit)
                strides.append(stride)
            } while lexer.consume(0x2C)
            try lexer.expect(0x5D, "']' to close the slice ranges")
        }
        state.setAttribute("start_indices", .denseInts(.si(64), starts))
        state.setAttribute("limit_indices", .denseInts(.si(64), limits))
        state.setAttribute("strides", .denseInts(.si(64), strides))
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }

    /// `get_tuple_element %t[1] attr-dict : (tuple<...>) -> T`.
    mutating func parseGetTupleElement(_ state: inout OperationState) throws {
        state.operands = [try parseOperand()]
        try lexer.expect(0x5B, "'[' and the tuple index")
        guard let index = try lexer.lexInteger() else { throw error("expected a tuple index, found \(lexer.describeNext())") }
        try lexer.expect(0x5D, "']' after the tuple index")
        state.setAttribute("index", .integer(index, type: .scalar(.si(32))))
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }
}
