/// Parses the pretty (custom) syntax of one operation after its name.
typealias PrettyForm = @Sendable (inout TextParser, inout OperationState) throws -> Void

/// The pretty-form parsers, keyed by fully qualified op name. Each op family file
/// contributes a table; the union is looked up once per operation.
enum PrettyForms {
    static let table: [String: PrettyForm] = {
        var all: [String: PrettyForm] = [:]
        for family in [
            elementwiseForms, shapeForms, reductionForms, controlFlowForms,
            linearAlgebraForms, miscellaneousForms, testDialectForms,
        ] {
            all.merge(family) { first, _ in first }
        }
        return all
    }()
}

/// How a keyword's value is written in a pretty form and stored as an attribute.
enum KeywordValue: Sendable {
    /// `[1, 2]` → `array<i64: 1, 2>`.
    case i64Array
    /// `3` → `3 : i64`.
    case i64
    /// `3` → `3 : i32`.
    case i32
    /// `LT` → `#stablehlo<kind LT>`.
    case enumCase(String)
    /// `"text"` → a string attribute.
    case string
    /// `true` → a bool attribute.
    case bool
    /// An attribute in full syntax (`1.0e-3`, `3 : ui64`).
    case attribute
}

/// `keyword = value` in a pretty form, stored as attribute `attribute`.
struct Keyword: Sendable {
    var keyword: String
    var attribute: String
    var value: KeywordValue
    var isOptional = false

    init(_ keyword: String, _ attribute: String, _ value: KeywordValue, optional: Bool = false) {
        self.keyword = keyword
        self.attribute = attribute
        self.value = value
        self.isOptional = optional
    }
}

/// The type part after `:` of a pretty form.
enum TypeSignature {
    /// `(A, B) -> C`.
    case functional(inputs: [IRType], results: [IRType])
    /// `A` or `A, B` (meaning depends on the op).
    case list([IRType])
}

extension TextParser {
    // MARK: Building blocks shared by the op families

    /// Parses an optional `{...}` attribute dictionary into `state`.
    mutating func parseOptionalAttributeDictionary(_ state: inout OperationState) throws {
        if lexer.peek() == 0x7B { state.attributes += try parseAttributeDictionary() }
    }

    /// Parses `: (A, B) -> C` or `: A, B`.
    mutating func parseTypeSignature() throws -> TypeSignature {
        try lexer.expect(0x3A, "':' and the operation's type")
        if lexer.peek() == 0x28 {
            let location = lexer.location
            guard case .function(let inputs, let results) = try parseFunctionType() else {
                throw Diagnostic(.parse, at: location, "expected a function type")
            }
            return .functional(inputs: inputs, results: results)
        }
        var types: [IRType] = []
        repeat { types.append(try parseType()) } while lexer.consume(0x2C)
        return .list(types)
    }

    /// The result type for ops printed with `: T` (all types the same), `: P, T` (select)
    /// or a functional type: the last listed type, or the function type's results.
    mutating func parseResultOfSameTypeSignature(_ state: inout OperationState) throws {
        switch try parseTypeSignature() {
        case .functional(_, let results): state.resultTypes = results
        case .list(let types): state.resultTypes = types.last.map { [$0] } ?? []
        }
    }

    /// `operands attr-dict : signature`, the form of most elementwise and shape ops.
    mutating func parseOperandsAndSignature(_ state: inout OperationState) throws {
        state.operands = try parseOperandList()
        try parseOptionalAttributeDictionary(&state)
        try parseResultOfSameTypeSignature(&state)
    }

    /// Parses `, keyword = value` clauses in order (the comma is omitted before the first
    /// clause when no operand precedes it).
    mutating func parseKeywords(_ keywords: [Keyword], into state: inout OperationState) throws {
        for k in keywords {
            let saved = lexer.mark
            _ = lexer.consume(0x2C)
            guard lexer.peekWord(k.keyword) else {
                lexer.reset(to: saved)
                if k.isOptional { continue }
                throw error("expected '\(k.keyword) = ...' in '\(state.name)', found \(lexer.describeNext())")
            }
            _ = lexer.lexIdentifier()
            try lexer.expect(0x3D, "'=' after '\(k.keyword)'")
            state.setAttribute(k.attribute, try parseKeywordValue(k.value, keyword: k.keyword))
        }
    }

    /// Parses one keyword value as `kind` describes.
    mutating func parseKeywordValue(_ kind: KeywordValue, keyword: String) throws -> Attribute {
        let location = lexer.location
        switch kind {
        case .i64Array:
            return .denseInts(.si(64), try parseIntegerList())
        case .i64, .i32:
            guard let v = try lexer.lexInteger() else {
                throw Diagnostic(.parse, at: location, "expected an integer after '\(keyword) =', found \(lexer.describeNext())")
            }
            let width: Int
            if case .i64 = kind { width = 64 } else { width = 32 }
            return .integer(v, type: .scalar(.si(width)))
        case .enumCase(let enumKind):
            guard let value = lexer.lexIdentifier() else {
                throw Diagnostic(.parse, at: location, "expected a \(enumKind) value after '\(keyword) ='")
            }
            return .enumCase(dialect: "stablehlo", kind: enumKind, value: value)
        case .string:
            guard let s = try lexer.lexString() else {
                throw Diagnostic(.parse, at: location, "expected a string after '\(keyword) ='")
            }
            return .string(s)
        case .bool:
            if lexer.consumeKeyword("true") { return .bool(true) }
            if lexer.consumeKeyword("false") { return .bool(false) }
            throw Diagnostic(.parse, at: location, "expected true or false after '\(keyword) ='")
        case .attribute:
            return try parseAttribute(allowTypeSuffix: false)
        }
    }

    /// Parses `[1, -2, 3]`.
    mutating func parseIntegerList() throws -> [Int64] {
        try lexer.expect(0x5B, "'[' to open an integer list")
        var values: [Int64] = []
        if lexer.consume(0x5D) { return values }
        repeat {
            guard let v = try lexer.lexInteger() else {
                throw error("expected an integer, found \(lexer.describeNext())")
            }
            values.append(v)
        } while lexer.consume(0x2C)
        try lexer.expect(0x5D, "']' to close the integer list")
        return values
    }

    /// A form: operands, then keyword clauses, then attr-dict and the type signature.
    static func keywordForm(_ keywords: [Keyword]) -> PrettyForm {
        { parser, state in
            state.operands = try parser.parseOperandList()
            try parser.parseKeywords(keywords, into: &state)
            try parser.parseOptionalAttributeDictionary(&state)
            try parser.parseResultOfSameTypeSignature(&state)
        }
    }
}

extension Lexer {
    /// True when the identifier `word` (a runtime string) comes next.
    mutating func peekWord(_ word: String) -> Bool {
        skipTrivia()
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count else { return false }
        for i in 0..<w.count where bytes[position + i] != w[i] { return false }
        if position + w.count < bytes.count, Self.isIdentifierBody(bytes[position + w.count]) { return false }
        return true
    }
}
