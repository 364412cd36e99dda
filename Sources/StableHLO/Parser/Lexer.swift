/// A cursor over the UTF-8 bytes of MLIR text that lexes tokens on demand.
///
/// MLIR's grammar is context-sensitive (`2x3xf32` inside `tensor<...>`, hex blobs in
/// `dense<"0x...">`), so the parser asks for the token kind it expects next instead of
/// consuming a pre-built token stream. Every `consume`/`lex` call skips whitespace and
/// `//` comments first. Line numbers are tracked as newlines are crossed, so a location
/// costs nothing to compute.
struct Lexer {
    let bytes: [UInt8]
    let file: String
    private(set) var position: Int = 0
    private(set) var line: Int
    private var lineStart: Int = 0

    init(bytes: [UInt8], file: String, firstLine: Int) {
        self.bytes = bytes
        self.file = file
        self.line = firstLine
    }

    /// The location of the current position (after trivia has been skipped by the caller).
    var location: SourceLocation {
        SourceLocation(file: file, line: line, column: position - lineStart + 1)
    }

    /// An error at the current position.
    func error(_ message: String) -> Diagnostic {
        Diagnostic(.parse, at: location, message)
    }

    var isAtEnd: Bool { position >= bytes.count }

    // MARK: Trivia

    /// Skips spaces, newlines and `//` comments.
    mutating func skipTrivia() {
        let n = bytes.count
        while position < n {
            let c = bytes[position]
            if c == 0x20 || c == 0x09 || c == 0x0D {
                position += 1
            } else if c == 0x0A {
                position += 1
                line += 1
                lineStart = position
            } else if c == 0x2F, position + 1 < n, bytes[position + 1] == 0x2F {
                while position < n, bytes[position] != 0x0A { position += 1 }
            } else {
                return
            }
        }
    }

    /// The next significant byte, without consuming it.
    mutating func peek() -> UInt8? {
        skipTrivia()
        return position < bytes.count ? bytes[position] : nil
    }

    /// The byte `offset` positions after the current one (no trivia skipping).
    func byte(at offset: Int) -> UInt8? {
        let i = position + offset
        return i < bytes.count ? bytes[i] : nil
    }

    // MARK: Punctuation

    /// Consumes `c` if it is the next significant byte.
    mutating func consume(_ c: UInt8) -> Bool {
        guard peek() == c else { return false }
        position += 1
        return true
    }

    /// Consumes the punctuation sequence `s` (such as `->`) if it comes next.
    mutating func consume(_ s: StaticString) -> Bool {
        skipTrivia()
        let count = s.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let matches = s.withUTF8Buffer { buf -> Bool in
            for i in 0..<count where bytes[position + i] != buf[i] { return false }
            return true
        }
        if matches { position += count }
        return matches
    }

    /// Consumes `c` or throws "expected `what`".
    mutating func expect(_ c: UInt8, _ what: String) throws {
        guard consume(c) else { throw error("expected \(what), found \(describeNext())") }
    }

    /// Consumes the punctuation `s` or throws.
    mutating func expect(_ s: StaticString) throws {
        guard consume(s) else { throw error("expected '\(s)', found \(describeNext())") }
    }

    // MARK: Identifiers and keywords

    static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
    }
    static func isIdentifierBody(_ c: UInt8) -> Bool {
        isIdentifierStart(c) || isDigit(c) || c == 0x24 || c == 0x2E
    }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isHexDigit(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)
    }
    /// Characters allowed in `%name`, `^name`, `@name`, `#name`, `!name` after the sigil.
    static func isSuffixBody(_ c: UInt8) -> Bool {
        isIdentifierStart(c) || isDigit(c) || c == 0x24 || c == 0x2E || c == 0x2D
    }

    /// Lexes a bare identifier (`stablehlo.add`, `dims`, `f32`), or nil.
    mutating func lexIdentifier() -> String? {
        skipTrivia()
        guard position < bytes.count, Self.isIdentifierStart(bytes[position]) else { return nil }
        let start = position
        position += 1
        while position < bytes.count, Self.isIdentifierBody(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// Lexes an identifier made of letters, digits and `_` only (no `.`), as element types are.
    mutating func lexWord() -> String? {
        skipTrivia()
        guard position < bytes.count, Self.isIdentifierStart(bytes[position]) else { return nil }
        let start = position
        position += 1
        while position < bytes.count,
              Self.isIdentifierStart(bytes[position]) || Self.isDigit(bytes[position]) {
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// True when the keyword `word` comes next (as a whole identifier).
    mutating func peekKeyword(_ word: StaticString) -> Bool {
        skipTrivia()
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { buf -> Bool in
            for i in 0..<count where bytes[position + i] != buf[i] { return false }
            return true
        }
        guard matches else { return false }
        if position + count < bytes.count, Self.isIdentifierBody(bytes[position + count]) { return false }
        return true
    }

    /// Consumes the keyword `word` if it comes next.
    mutating func consumeKeyword(_ word: StaticString) -> Bool {
        guard peekKeyword(word) else { return false }
        position += word.utf8CodeUnitCount
        return true
    }

    /// Consumes the keyword `word` or throws.
    mutating func expectKeyword(_ word: StaticString) throws {
        guard consumeKeyword(word) else { throw error("expected '\(word)', found \(describeNext())") }
    }

    /// Lexes the name after a sigil (`%`, `^`, `@`, `#`, `!`): `%arg0` → `arg0`.
    /// A quoted `@"name"` is accepted for symbols.
    mutating func lexSigilName(_ sigil: UInt8) throws -> String? {
        skipTrivia()
        guard position < bytes.count, bytes[position] == sigil else { return nil }
        if sigil == 0x40, position + 1 < bytes.count, bytes[position + 1] == 0x22 {
            position += 1
            return try lexString()
        }
        let start = position + 1
        var end = start
        while end < bytes.count, Self.isSuffixBody(bytes[end]) { end += 1 }
        guard end > start else { throw error("expected a name after '\(Character(Unicode.Scalar(sigil)))'") }
        position = end
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    // MARK: Literals

    /// Lexes a `"..."` string with MLIR escapes (`\n`, `\t`, `\"`, `\\`, `\XX`), or nil.
    mutating func lexString() throws -> String? {
        skipTrivia()
        guard position < bytes.count, bytes[position] == 0x22 else { return nil }
        let startLocation = location
        position += 1
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else {
                throw Diagnostic(.parse, at: startLocation, "unterminated string literal")
            }
            let c = bytes[position]
            if c == 0x22 { position += 1; break }
            if c == 0x0A { line += 1; lineStart = position + 1 }
            if c == 0x5C, position + 1 < bytes.count {
                let e = bytes[position + 1]
                switch e {
                case 0x6E: out.append(0x0A); position += 2
                case 0x74: out.append(0x09); position += 2
                case 0x22, 0x5C: out.append(e); position += 2
                default:
                    if position + 2 < bytes.count, Self.isHexDigit(e), Self.isHexDigit(bytes[position + 2]) {
                        out.append(Self.hexValue(e) << 4 | Self.hexValue(bytes[position + 2]))
                        position += 3
                    } else {
                        throw error("invalid escape in string literal")
                    }
                }
                continue
            }
            out.append(c)
            position += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a string literal's contents without unescaping (for hex blobs), or nil.
    mutating func lexRawString() throws -> ArraySlice<UInt8>? {
        skipTrivia()
        guard position < bytes.count, bytes[position] == 0x22 else { return nil }
        let start = position + 1
        var end = start
        while end < bytes.count, bytes[end] != 0x22 {
            if bytes[end] == 0x5C || bytes[end] == 0x0A {
                return nil  // has escapes or newlines: the caller falls back to `lexString`
            }
            end += 1
        }
        guard end < bytes.count else { throw error("unterminated string literal") }
        position = end + 1
        return bytes[start..<end]
    }

    static func hexValue(_ c: UInt8) -> UInt8 {
        if c <= 0x39 { return c &- 0x30 }
        if c >= 0x61 { return c &- 0x61 &+ 10 }
        return c &- 0x41 &+ 10
    }

    /// The byte range of a numeric literal: `-12`, `3.5e-2`, `0x7FC00000`, `inf`, `-nan`;
    /// nil when none comes next. `isFloat` is true for decimal literals with `.`/exponent
    /// and for `inf`/`nan`.
    mutating func lexNumber() -> (range: Range<Int>, isFloat: Bool, isHex: Bool)? {
        skipTrivia()
        let start = position
        var p = position
        let n = bytes.count
        if p < n, bytes[p] == 0x2D || bytes[p] == 0x2B { p += 1 }
        guard p < n else { return nil }
        // inf / nan spellings.
        if p + 3 <= n, bytes[p] == 0x69 || bytes[p] == 0x6E,
           (bytes[p] == 0x69 && bytes[p + 1] == 0x6E && bytes[p + 2] == 0x66)
            || (bytes[p] == 0x6E && bytes[p + 1] == 0x61 && bytes[p + 2] == 0x6E),
           p + 3 == n || !Self.isIdentifierBody(bytes[p + 3]) {
            position = p + 3
            return (start..<position, true, false)
        }
        guard Self.isDigit(bytes[p]) else { return nil }
        if bytes[p] == 0x30, p + 2 < n, bytes[p + 1] == 0x78, Self.isHexDigit(bytes[p + 2]) {
            p += 2
            while p < n, Self.isHexDigit(bytes[p]) { p += 1 }
            position = p
            return (start..<p, false, true)
        }
        while p < n, Self.isDigit(bytes[p]) { p += 1 }
        var isFloat = false
        if p < n, bytes[p] == 0x2E {
            isFloat = true
            p += 1
            while p < n, Self.isDigit(bytes[p]) { p += 1 }
        }
        if p < n, bytes[p] == 0x65 || bytes[p] == 0x45 {
            var q = p + 1
            if q < n, bytes[q] == 0x2D || bytes[q] == 0x2B { q += 1 }
            if q < n, Self.isDigit(bytes[q]) {
                isFloat = true
                p = q
                while p < n, Self.isDigit(bytes[p]) { p += 1 }
            }
        }
        position = p
        return (start..<p, isFloat, false)
    }

    /// The text of a byte range.
    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// Lexes an integer literal (decimal or hex, optionally negative) as a two's-complement
    /// 64-bit pattern, or nil. Values up to `UInt64.max` are accepted.
    mutating func lexInteger() throws -> Int64? {
        let save = position
        guard let number = lexNumber() else { return nil }
        if number.isFloat { position = save; return nil }
        guard let value = Self.integerValue(bytes[number.range], isHex: number.isHex) else {
            throw Diagnostic(.parse, at: location, "integer literal '\(text(number.range))' does not fit in 64 bits")
        }
        return value
    }

    /// Parses the integer in `digits` (with optional sign, decimal or `0x` hex) as a 64-bit
    /// two's-complement pattern; nil on overflow.
    static func integerValue(_ digits: ArraySlice<UInt8>, isHex: Bool) -> Int64? {
        var i = digits.startIndex
        var negative = false
        if i < digits.endIndex, digits[i] == 0x2D || digits[i] == 0x2B {
            negative = digits[i] == 0x2D
            i += 1
        }
        var magnitude: UInt64 = 0
        if isHex {
            i += 2
            while i < digits.endIndex {
                guard magnitude >> 60 == 0 else { return nil }
                magnitude = magnitude << 4 | UInt64(hexValue(digits[i]))
                i += 1
            }
        } else {
            while i < digits.endIndex {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(digits[i] - 0x30))
                guard !o1, !o2 else { return nil }
                magnitude = s
                i += 1
            }
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(bitPattern: 0 &- magnitude)
        }
        return Int64(bitPattern: magnitude)
    }

    /// Skips a balanced `(...)`, `<...>`, `[...]` or `{...}` group starting at the current
    /// byte and returns its text. Strings inside are skipped whole.
    mutating func skipBalanced() throws -> String {
        skipTrivia()
        let start = position
        let startLocation = location
        var depth = 0
        while position < bytes.count {
            let c = bytes[position]
            switch c {
            case 0x28, 0x3C, 0x5B, 0x7B: depth += 1
            case 0x29, 0x5D, 0x7D: depth -= 1
            case 0x3E:
                // `->` inside a group is an arrow, not a closing bracket.
                if position > start, bytes[position - 1] == 0x2D { break }
                depth -= 1
            case 0x22:
                _ = try lexString()
                continue
            case 0x0A:
                line += 1
                lineStart = position + 1
            default: break
            }
            position += 1
            if depth == 0 { return text(start..<position) }
        }
        throw Diagnostic(.parse, at: startLocation, "unbalanced brackets: the file ends inside this group")
    }

    /// A short description of what comes next, for error messages.
    mutating func describeNext() -> String {
        skipTrivia()
        guard position < bytes.count else { return "end of file" }
        var end = position
        if Self.isIdentifierBody(bytes[end]) || bytes[end] == 0x25 || bytes[end] == 0x40 {
            end += 1
            while end < bytes.count, end - position < 40, Self.isSuffixBody(bytes[end]) { end += 1 }
        } else {
            end += 1
        }
        return "'" + text(position..<end) + "'"
    }

    /// Moves back to an earlier position (for backtracking in small lookaheads).
    /// Positions saved with `mark` only; newlines crossed are recounted.
    mutating func reset(to mark: Mark) {
        position = mark.position
        line = mark.line
        lineStart = mark.lineStart
    }

    /// A saved position to `reset(to:)`.
    struct Mark {
        fileprivate let position: Int
        fileprivate let line: Int
        fileprivate let lineStart: Int
    }

    var mark: Mark { Mark(position: position, line: line, lineStart: lineStart) }

    /// Advances past `count` bytes that the caller has already examined.
    mutating func advance(by count: Int) { position += count }
}
