import Runtime
import StableHLO

/// The text form of one element, as `--input` values and printed results write it:
/// `true`/`false`, integers (decimal or `0x` hex), floats (`1.5`, `-2e-3`, `nan`, `inf`,
/// `-inf`) and complex numbers `(re,im)`.
public enum ScalarLiteral {
    /// Parses `text` as an element of `type`, or nil when it is not one.
    public static func parse(_ text: String, as type: ElementType) -> ScalarValue? {
        let t = text.lowercased()
        switch type {
        case .i1:
            switch t {
            case "true", "1": return .bool(true)
            case "false", "0": return .bool(false)
            default: return nil
            }
        case .si, .index:
            return integer(t).map { v in
                switch v {
                case .unsigned(let u) where u <= UInt64(Int64.max): return .signed(Int64(u))
                default: return v
                }
            }
        case .ui:
            return integer(t)
        case .float:
            if let v = integer(t), case .signed(let s) = v { return .float(Double(s)) }
            return real(t).map(ScalarValue.float)
        case .complex:
            guard t.hasPrefix("("), t.hasSuffix(")") else { return real(t).map(ScalarValue.float) }
            let parts = t.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2, let re = real(String(parts[0]).trimmed), let im = real(String(parts[1]).trimmed) else {
                return nil
            }
            return .complex(re: re, im: im)
        }
    }

    private static func integer(_ t: String) -> ScalarValue? {
        var body = Substring(t)
        var negative = false
        if body.first == "-" { negative = true; body = body.dropFirst() } else if body.first == "+" { body = body.dropFirst() }
        var radix = 10
        if body.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
        guard !body.isEmpty, let magnitude = UInt64(body, radix: radix) else { return nil }
        if !negative { return .unsigned(magnitude) }
        if magnitude <= UInt64(Int64.max) { return .signed(-Int64(magnitude)) }
        if magnitude == UInt64(Int64.max) + 1 { return .signed(Int64.min) }
        return nil
    }

    private static func real(_ t: String) -> Double? {
        switch t {
        case "nan", "+nan", "-nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default:
            guard let first = t.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
            return Double(t)
        }
    }
}

extension String {
    var trimmed: String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
