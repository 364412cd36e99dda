/// Writes attributes and `dense` literals in MLIR syntax that `Module.parse` reads back.
public enum AttributePrinter {
    /// Literals with more elements than this print as a hex blob.
    public static let hexThreshold = 64

    /// The MLIR text of `attribute`.
    public static func text(_ attribute: Attribute) -> String {
        var out = ""
        write(attribute, to: &out)
        return out
    }

    /// Appends the MLIR text of `attribute`.
    public static func write(_ attribute: Attribute, to out: inout String) {
        switch attribute {
        case .unit: out += "unit"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let v, let type):
            if let type, case .scalar(let e) = type, e.isUnsigned {
                out += String(UInt64(bitPattern: v))
            } else {
                out += String(v)
            }
            if let type { out += " : " + type.description }
        case .float(let v, let type):
            if v.isFinite {
                out += floatText(v)
                if let type { out += " : " + type.description }
            } else {
                var format = FloatFormat.f64
                if case .scalar(.float(let f))? = type { format = f }
                out += hexBits(format.encode(v), digits: 2 * format.storageBytes)
                out += " : " + (type ?? .scalar(.float(.f64))).description
            }
        case .string(let s):
            out += "\""
            writeEscaped(s, to: &out)
            out += "\""
        case .type(let t): out += t.description
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                write(item, to: &out)
            }
            out += "]"
        case .denseInts(let e, let values):
            out += "array<\(e)"
            if !values.isEmpty {
                out += ": "
                out += values.map { e.isBool ? ($0 != 0 ? "true" : "false") : (e.isUnsigned ? String(UInt64(bitPattern: $0)) : String($0)) }
                    .joined(separator: ", ")
            }
            out += ">"
        case .denseFloats(let e, let values):
            out += "array<\(e)"
            if !values.isEmpty {
                out += ": "
                var format = FloatFormat.f64
                if case .float(let f) = e { format = f }
                out += values.map { $0.isFinite ? floatText($0) : hexBits(format.encode($0), digits: 2 * format.storageBytes) }
                    .joined(separator: ", ")
            }
            out += ">"
        case .dense(let d): writeDense(d, to: &out)
        case .dictionary(let entries): writeDictionary(entries, to: &out)
        case .symbolRef(let path):
            out += path.split(separator: "::", omittingEmptySubsequences: false)
                .map { "@" + symbolName(String($0)) }.joined(separator: "::")
        case .enumCase(let dialect, let kind, let value):
            out += "#\(dialect)<\(kind) \(value)>"
        case .dialect(let name, let parameters):
            out += "#" + name + "<"
            if name == "stablehlo.conv" { out += "raw " }
            for (i, p) in parameters.enumerated() {
                if i > 0 { out += ", " }
                out += p.name + " = "
                write(p.value, to: &out)
            }
            out += ">"
        case .opaque(let s): out += s
        }
    }

    /// Appends `{name = value, flag}`.
    public static func writeDictionary(_ entries: [NamedAttribute], to out: inout String) {
        out += "{"
        for (i, entry) in entries.enumerated() {
            if i > 0 { out += ", " }
            if isBareIdentifier(entry.name) {
                out += entry.name
            } else {
                out += "\""
                writeEscaped(entry.name, to: &out)
                out += "\""
            }
            if case .unit = entry.value { continue }
            out += " = "
            write(entry.value, to: &out)
        }
        out += "}"
    }

    /// A symbol name, quoted when it is not a bare identifier.
    static func symbolName(_ name: String) -> String {
        if isBareIdentifier(name) { return name }
        var out = "\""
        writeEscaped(name, to: &out)
        return out + "\""
    }

    static func isBareIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, Lexer.isIdentifierStart(first) else { return false }
        return s.utf8.allSatisfy { Lexer.isIdentifierBody($0) }
    }

    /// Appends `s` with `"`, `\` and control characters escaped.
    static func writeEscaped(_ s: String, to out: inout String) {
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\" + hexByte(UInt8(u.value))
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
    }

    /// A float literal MLIR accepts: always with a `.` (`1.0`, `1.5e-05`).
    static func floatText<F: BinaryFloatingPoint & CustomStringConvertible>(_ v: F) -> String {
        var s = v.description
        if !s.contains(".") {
            if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                s.insert(contentsOf: ".0", at: e)
            } else {
                s += ".0"
            }
        }
        return s
    }

    static func hexBits(_ bits: UInt64, digits: Int) -> String {
        var s = ""
        for i in stride(from: digits - 1, through: 0, by: -1) {
            s.append(hexDigits[Int((bits >> UInt64(4 * i)) & 0xF)])
        }
        return "0x" + s
    }

    private static let hexDigits: [Character] = Array("0123456789ABCDEF")

    private static func hexByte(_ b: UInt8) -> String {
        String(hexDigits[Int(b >> 4)]) + String(hexDigits[Int(b & 0xF)])
    }
}
