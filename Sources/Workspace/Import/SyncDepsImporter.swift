/// Reads the `sync_deps.py` that openxla-devtools' `openxla-workspace pin` generated and
/// turns its `PINNED_VERSIONS`, `ORIGINS` and `SUBMODULES` dictionaries into a pin file.
/// The Python is parsed as data (dictionary literals of strings and numbers), never run.
public enum SyncDepsImporter {
    /// Converts the text of a `sync_deps.py` (named `file` in errors) into pins.
    public static func importPins(from text: String, file: String) throws(WorkspaceError) -> PinFile {
        var scanner = PythonScanner(text: text, file: file)
        var dictionaries: [String: (entries: [(key: PythonToken, value: PythonToken)], position: SourcePosition)] = [:]
        var tokens: [PythonToken] = []
        while let token = try scanner.next() { tokens.append(token) }
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if case .name(let name) = token.kind, token.position.column == 1,
                ["PINNED_VERSIONS", "ORIGINS", "SUBMODULES"].contains(name), index + 2 < tokens.count,
                tokens[index + 1].kind == .punctuation("="), tokens[index + 2].kind == .punctuation("{")
            {
                if dictionaries[name] != nil { throw .invalidFile(token.position, "\(name) is assigned twice") }
                let (entries, end) = try parseDictionary(tokens, from: index + 2)
                dictionaries[name] = (entries, token.position)
                index = end
            } else {
                index += 1
            }
        }
        guard let pinned = dictionaries["PINNED_VERSIONS"] else {
            throw .invalidFile(SourcePosition(file: file, line: 1, column: 1), "no PINNED_VERSIONS dictionary found")
        }
        func strings(_ name: String) throws(WorkspaceError) -> [String: String] {
            var result: [String: String] = [:]
            for (key, value) in dictionaries[name]?.entries ?? [] {
                guard case .string(let k) = key.kind else { throw .invalidFile(key.position, "\(name) keys must be strings") }
                switch value.kind {
                case .string(let v): result[k] = v
                case .number(let v): result[k] = v
                case .name(let v) where v == "True" || v == "False": result[k] = v == "True" ? "1" : "0"
                default: throw .invalidFile(value.position, "\(name)[\(k)] must be a string or number")
                }
            }
            return result
        }
        let origins = try strings("ORIGINS")
        let submodules = try strings("SUBMODULES")
        var pins = PinFile()
        for (key, value) in pinned.entries {
            guard case .string(let name) = key.kind, case .string(let revision) = value.kind else {
                throw .invalidFile(key.position, "PINNED_VERSIONS must map repository names to revision strings")
            }
            if let problem = PinValidation.validateName(name) { throw .invalidFile(key.position, problem) }
            if let problem = PinValidation.validateRevision(revision) { throw .invalidFile(value.position, problem) }
            guard let url = origins[name] else {
                throw .invalidFile(key.position, "'\(name)' is pinned but has no entry in ORIGINS")
            }
            if let problem = PinValidation.validateURL(url) { throw .invalidFile(key.position, "\(name): \(problem)") }
            let wantsSubmodules = submodules[name].map { $0 != "0" && !$0.isEmpty } ?? false
            if pins.dependency(named: name) != nil { throw .invalidFile(key.position, "'\(name)' is pinned twice") }
            pins.dependencies.append(
                Dependency(name: name, url: url, revision: revision, submodules: wantsSubmodules, declaredAt: key.position))
        }
        return pins
    }

    private static func parseDictionary(
        _ tokens: [PythonToken], from start: Int
    ) throws(WorkspaceError) -> ([(key: PythonToken, value: PythonToken)], Int) {
        var entries: [(key: PythonToken, value: PythonToken)] = []
        var index = start + 1
        func token(_ at: Int) throws(WorkspaceError) -> PythonToken {
            guard at < tokens.count else { throw .invalidFile(tokens[start].position, "unterminated dictionary") }
            return tokens[at]
        }
        while true {
            let key = try token(index)
            if key.kind == .punctuation("}") { return (entries, index + 1) }
            guard case .string = key.kind else { throw .invalidFile(key.position, "expected a string key or '}'") }
            guard try token(index + 1).kind == .punctuation(":") else {
                throw .invalidFile(try token(index + 1).position, "expected ':'")
            }
            let value = try token(index + 2)
            switch value.kind {
            case .string, .number, .name: break
            default: throw .invalidFile(value.position, "expected a string or number value")
            }
            entries.append((key, value))
            let separator = try token(index + 3)
            if separator.kind == .punctuation(",") {
                index += 4
            } else if separator.kind == .punctuation("}") {
                return (entries, index + 4)
            } else {
                throw .invalidFile(separator.position, "expected ',' or '}'")
            }
        }
    }
}

/// A lexical token of Python source, as far as dictionary literals need.
struct PythonToken {
    enum Kind: Equatable {
        case name(String)
        case string(String)
        case number(String)
        case punctuation(String)
    }

    var kind: Kind
    var position: SourcePosition
}

/// Splits Python source into names, string literals, numbers and punctuation, skipping
/// comments; enough to find module-level dictionary literals in arbitrary Python.
struct PythonScanner {
    private let bytes: [UInt8]
    private let file: String
    private var index = 0
    private var line = 1
    private var lineStart = 0

    init(text: String, file: String) {
        bytes = Array(text.utf8)
        self.file = file
    }

    private var here: SourcePosition { SourcePosition(file: file, line: line, column: index - lineStart + 1) }

    private mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        index += 1
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte >= 0x80
    }

    mutating func next() throws(WorkspaceError) -> PythonToken? {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "#") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\\")
            {
                advance()
            } else {
                break
            }
        }
        guard index < bytes.count else { return nil }
        let start = here
        let byte = bytes[index]
        if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
            return PythonToken(kind: .string(try scanString(raw: false)), position: start)
        }
        if Self.isNameByte(byte) && !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            let begin = index
            while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
            let name = String(decoding: bytes[begin..<index], as: UTF8.self)
            if index < bytes.count, bytes[index] == UInt8(ascii: "'") || bytes[index] == UInt8(ascii: "\""),
                ["r", "b", "f", "u", "rb", "br", "fr", "rf"].contains(name.lowercased())
            {
                let text = try scanString(raw: name.lowercased().contains("r"))
                return PythonToken(kind: .string(text), position: start)
            }
            return PythonToken(kind: .name(name), position: start)
        }
        if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            let begin = index
            while index < bytes.count, Self.isNameByte(bytes[index]) || bytes[index] == UInt8(ascii: ".") { index += 1 }
            return PythonToken(kind: .number(String(decoding: bytes[begin..<index], as: UTF8.self)), position: start)
        }
        advance()
        return PythonToken(kind: .punctuation(String(Unicode.Scalar(byte))), position: start)
    }

    private mutating func scanString(raw: Bool) throws(WorkspaceError) -> String {
        let start = here
        let quote = bytes[index]
        let triple = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
        for _ in 0..<(triple ? 3 : 1) { advance() }
        var content: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                if !triple {
                    advance()
                    return String(decoding: content, as: UTF8.self)
                }
                if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote {
                    for _ in 0..<3 { advance() }
                    return String(decoding: content, as: UTF8.self)
                }
            }
            if byte == UInt8(ascii: "\n") && !triple { break }
            if byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                if raw { content.append(byte) }
                advance()
                let escaped = bytes[index]
                if raw {
                    content.append(escaped)
                } else {
                    switch escaped {
                    case UInt8(ascii: "n"): content.append(UInt8(ascii: "\n"))
                    case UInt8(ascii: "t"): content.append(UInt8(ascii: "\t"))
                    case UInt8(ascii: "\n"): break
                    default: content.append(escaped)
                    }
                }
                advance()
                continue
            }
            content.append(byte)
            advance()
        }
        throw .invalidFile(start, "unterminated string literal")
    }
}
