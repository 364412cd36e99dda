extension Module {
    /// Parses MLIR text (pretty or generic form) into a module.
    ///
    /// A file of top-level `func.func`s is an implicit module. `firstLine` is the line
    /// number of the text's first line in `file`, so that a `// -----` chunk of a larger
    /// file reports the file's own line numbers. Errors are `Diagnostic(.parse, ...)`
    /// with `file:line:column`.
    public static func parse(_ text: String, file: String, firstLine: Int = 1) throws -> Module {
        var parser = TextParser(bytes: Array(text.utf8), file: file, firstLine: firstLine)
        return try parser.parseModule()
    }

    /// Parses a fragment whose free values are defined on first use (syntax checks only).
    static func parseFragment(_ text: String, file: String, firstLine: Int = 1) throws -> Module {
        var parser = TextParser(bytes: Array(text.utf8), file: file, firstLine: firstLine)
        parser.definesUndefinedValues = true
        return try parser.parseModule()
    }

    /// Parses MLIR text given as UTF-8 bytes (avoids a copy for large files).
    public static func parse(utf8 bytes: [UInt8], file: String, firstLine: Int = 1) throws -> Module {
        var parser = TextParser(bytes: bytes, file: file, firstLine: firstLine)
        return try parser.parseModule()
    }
}

/// The recursive-descent parser for MLIR text: module and function structure, SSA value
/// scopes and alias definitions. Types, attributes, `dense` literals and operations
/// (generic and pretty forms) are parsed in extensions in sibling files.
struct TextParser {
    var lexer: Lexer
    /// `#name = attr` definitions seen so far.
    var attributeAliases: [String: Attribute] = [:]
    /// `!name = type` definitions seen so far.
    var typeAliases: [String: IRType] = [:]
    /// SSA name scopes, innermost last; a name maps to its result group.
    var scopes: [[String: [Value]]] = []
    /// The next value id in the current function.
    var nextValueID = 0
    /// How deeply nested the construct being parsed is (regions, types, attributes).
    var nesting = 0
    /// Inputs nested deeper than this are rejected instead of exhausting the stack.
    static let maxNesting = 256
    /// When set, a use of an undefined value defines it (with an opaque type) instead of
    /// failing: for checking the syntax of program fragments such as the spec's examples.
    var definesUndefinedValues = false

    init(bytes: [UInt8], file: String, firstLine: Int) {
        lexer = Lexer(bytes: bytes, file: file, firstLine: firstLine)
    }

    func error(_ message: String) -> Diagnostic { lexer.error(message) }

    /// Enters one nesting level; throws when the input nests too deeply.
    mutating func enterNested() throws {
        nesting += 1
        guard nesting <= Self.maxNesting else {
            throw error("the input nests more than \(Self.maxNesting) levels deep")
        }
    }

    // MARK: Module

    mutating func parseModule() throws -> Module {
        var module: Module?
        var implicitFunctions: [Function] = []
        let startLocation = lexer.location
        while lexer.peek() != nil {
            if try parseAliasDefinition() { continue }
            if try skipResourceSection() { continue }
            if lexer.peekKeyword("module") || lexer.peekKeyword("builtin.module") {
                guard module == nil, implicitFunctions.isEmpty else {
                    throw error("only one module per input is supported")
                }
                module = try parseModuleOp()
                continue
            }
            if lexer.peekKeyword("func.func") || lexer.peekKeyword("func") {
                guard module == nil else { throw error("unexpected function after the module") }
                implicitFunctions.append(try parseFunction())
                continue
            }
            throw error("expected 'module', 'func.func' or an alias definition, found \(lexer.describeNext())")
        }
        if let module { return module }
        return Module(functions: implicitFunctions, location: startLocation)
    }

    /// Parses `#name = attribute` or `!name = type` at the top level; false if neither.
    mutating func parseAliasDefinition() throws -> Bool {
        guard let c = lexer.peek(), c == 0x23 || c == 0x21 else { return false }
        guard let name = try lexer.lexSigilName(c) else { return false }
        try lexer.expect(0x3D, "'=' in alias definition")
        if c == 0x23 {
            attributeAliases[name] = try parseAttribute()
        } else {
            typeAliases[name] = try parseType()
        }
        return true
    }

    /// Skips a `{-# dialect_resources: {...} #-}` section; false if none comes next.
    mutating func skipResourceSection() throws -> Bool {
        guard lexer.consume("{-#") else { return false }
        let location = lexer.location
        while !lexer.consume("#-}") {
            guard !lexer.isAtEnd else { throw Diagnostic(.parse, at: location, "unterminated {-# ... #-} section") }
            if lexer.peek() == 0x22 { _ = try lexer.lexString(); continue }
            lexer.advance(by: 1)
        }
        return true
    }

    /// `module @name attributes {...} { ... }`.
    mutating func parseModuleOp() throws -> Module {
        let location = lexer.location
        if !lexer.consumeKeyword("module") { try lexer.expectKeyword("builtin.module") }
        var module = Module(location: location)
        module.name = try lexer.lexSigilName(0x40)
        if lexer.consumeKeyword("attributes") {
            module.attributes = try parseAttributeDictionary()
        }
        try lexer.expect(0x7B, "'{' to open the module body")
        while !lexer.consume(0x7D) {
            guard lexer.peek() != nil else { throw error("the file ends inside the module body (missing '}')") }
            if try parseAliasDefinition() { continue }
            if lexer.peekKeyword("func.func") || lexer.peekKeyword("func") {
                module.functions.append(try parseFunction())
                continue
            }
            throw error("expected 'func.func' in the module body, found \(lexer.describeNext())")
        }
        try skipOptionalLocation()
        return module
    }

    // MARK: Functions

    /// `func.func [public|private|nested] @name(%arg: type {attrs}, ...) -> (types) attributes {...} { body }`.
    mutating func parseFunction() throws -> Function {
        let location = lexer.location
        if !lexer.consumeKeyword("func.func") { try lexer.expectKeyword("func") }
        var visibility: String?
        for v: StaticString in ["public", "private", "nested"] where lexer.consumeKeyword(v) {
            visibility = v.description
        }
        guard let name = try lexer.lexSigilName(0x40) else {
            throw error("expected '@name' of the function, found \(lexer.describeNext())")
        }
        nextValueID = 0
        scopes = [[:]]
        defer { scopes = [] }

        try lexer.expect(0x28, "'(' to open the argument list")
        var inputTypes: [IRType] = []
        var argumentAttributes: [[NamedAttribute]] = []
        var argumentNames: [(String, SourceLocation)] = []
        var hasNames = false
        if !lexer.consume(0x29) {
            repeat {
                let argLocation = lexer.location
                if let argName = try lexer.lexSigilName(0x25) {
                    hasNames = true
                    argumentNames.append((argName, argLocation))
                    try lexer.expect(0x3A, "':' after the argument name")
                }
                inputTypes.append(try parseType())
                argumentAttributes.append(lexer.peek() == 0x7B ? try parseAttributeDictionary() : [])
                try skipOptionalLocation()
            } while lexer.consume(0x2C)
            try lexer.expect(0x29, "')' to close the argument list")
        }
        var resultTypes: [IRType] = []
        var resultAttributes: [[NamedAttribute]] = []
        if lexer.consume("->") {
            if lexer.consume(0x28) {
                if !lexer.consume(0x29) {
                    repeat {
                        resultTypes.append(try parseType())
                        resultAttributes.append(lexer.peek() == 0x7B ? try parseAttributeDictionary() : [])
                    } while lexer.consume(0x2C)
                    try lexer.expect(0x29, "')' to close the result list")
                }
            } else {
                resultTypes.append(try parseType())
                resultAttributes.append([])
            }
        }
        var attributes: [NamedAttribute] = []
        if lexer.consumeKeyword("attributes") { attributes = try parseAttributeDictionary() }

        var body = Region()
        if lexer.peek() == 0x7B {
            guard hasNames || inputTypes.isEmpty else {
                throw error("a function with a body must name its arguments (%arg0: type)")
            }
            let entryArguments = zip(argumentNames, inputTypes).map { ($0.0.0, $0.1, $0.0.1) }
            body = try parseRegion(entryArguments: entryArguments, isolated: true)
        }
        try skipOptionalLocation()
        if argumentAttributes.allSatisfy(\.isEmpty) { argumentAttributes = [] }
        if resultAttributes.allSatisfy(\.isEmpty) { resultAttributes = [] }
        return Function(
            name: name, visibility: visibility, inputTypes: inputTypes, resultTypes: resultTypes,
            argumentAttributes: argumentAttributes, resultAttributes: resultAttributes,
            attributes: attributes, body: body, location: location)
    }

    // MARK: Locations

    /// Skips a trailing `loc(...)`, if present.
    mutating func skipOptionalLocation() throws {
        guard lexer.peekKeyword("loc") else { return }
        lexer.advance(by: 3)
        guard lexer.peek() == 0x28 else { throw error("expected '(' after 'loc'") }
        _ = try lexer.skipBalanced()
    }

    // MARK: SSA values

    /// Defines `name` as a group of values in the innermost scope.
    mutating func define(_ name: String, _ values: [Value], at location: SourceLocation) throws {
        guard !scopes.isEmpty else { throw Diagnostic(.parse, at: location, "value %\(name) defined outside a function") }
        if scopes[scopes.count - 1][name] != nil {
            throw Diagnostic(.parse, at: location, "redefinition of value %\(name)")
        }
        scopes[scopes.count - 1][name] = values
    }

    /// A fresh value of `type`.
    mutating func makeValue(_ type: IRType) -> Value {
        defer { nextValueID += 1 }
        return Value(id: nextValueID, type: type)
    }

    /// Parses a use of a value: `%name` or `%name#index`.
    mutating func parseOperand() throws -> Value {
        let location = lexer.location
        guard let name = try lexer.lexSigilName(0x25) else {
            throw error("expected an SSA value (%name), found \(lexer.describeNext())")
        }
        var index = 0
        if lexer.byte(at: 0) == 0x23 {
            lexer.advance(by: 1)
            guard let i = try lexer.lexInteger(), i >= 0 else { throw error("expected a result number after '#'") }
            index = Int(i)
        }
        for scope in scopes.reversed() {
            if let group = scope[name] {
                guard index < group.count else {
                    throw Diagnostic(.parse, at: location, "%\(name) has \(group.count) results; #\(index) is out of range")
                }
                return group[index]
            }
        }
        if definesUndefinedValues, !scopes.isEmpty {
            let v = makeValue(.opaque("?"))
            scopes[0][name] = Array(repeating: v, count: index + 1)
            return v
        }
        throw Diagnostic(.parse, at: location, "use of undefined value %\(name)")
    }

    /// Parses a possibly empty comma-separated list of operands (stops when no `%` follows).
    mutating func parseOperandList() throws -> [Value] {
        var values: [Value] = []
        guard lexer.peek() == 0x25 else { return values }
        repeat { values.append(try parseOperand()) } while consumeComma(before: 0x25)
        return values
    }

    /// Parses `(%a, %b)` (possibly empty), where every item must be a value.
    mutating func parseParenthesizedOperands(_ what: String) throws -> [Value] {
        try lexer.expect(0x28, "'(' to open the \(what)")
        var values: [Value] = []
        if lexer.consume(0x29) { return values }
        repeat { values.append(try parseOperand()) } while lexer.consume(0x2C)
        try lexer.expect(0x29, "')' to close the \(what)")
        return values
    }

    /// Consumes a `,` only when `next` follows it (lists that end in `, keyword = ...`).
    mutating func consumeComma(before next: UInt8) -> Bool {
        let saved = lexer.mark
        guard lexer.consume(0x2C) else { return false }
        if lexer.peek() == next { return true }
        lexer.reset(to: saved)
        return false
    }
}
