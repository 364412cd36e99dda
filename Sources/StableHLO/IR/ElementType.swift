/// The element type of a tensor: every type the StableHLO spec lists.
///
/// Integers are stored two's-complement in `storageBytes` little-endian bytes;
/// `i1` takes one byte (0 or 1); sub-byte floats (f4, f6) take one byte each.
public enum ElementType: Hashable, Sendable, CustomStringConvertible {
    /// `i1`, the boolean type.
    case i1
    /// Signless/signed integer of 2, 4, 8, 16, 32 or 64 bits (`i8`, `si8` in VHLO).
    case si(Int)
    /// Unsigned integer of 2, 4, 8, 16, 32 or 64 bits (`ui8`).
    case ui(Int)
    /// A floating-point type.
    case float(FloatFormat)
    /// `complex<f32>` or `complex<f64>`: the component format.
    case complex(FloatFormat)
    /// The MLIR `index` type (shape computations only); stored as 64-bit.
    case index

    /// Width in bits of one element as the spec defines it.
    public var bitWidth: Int {
        switch self {
        case .i1: return 1
        case .si(let b), .ui(let b): return b
        case .float(let f): return f.bitWidth
        case .complex(let f): return 2 * f.bitWidth
        case .index: return 64
        }
    }

    /// Bytes one element occupies in flat host storage.
    public var storageBytes: Int {
        switch self {
        case .complex(let f): return 2 * f.storageBytes
        case .float(let f): return f.storageBytes
        default: return max(1, (bitWidth + 7) / 8)
        }
    }

    public var isInteger: Bool {
        switch self { case .si, .ui, .index: return true; default: return false }
    }
    public var isUnsigned: Bool { if case .ui = self { return true }; return false }
    public var isSigned: Bool {
        switch self { case .si, .index: return true; default: return false }
    }
    public var isBool: Bool { self == .i1 }
    public var isFloat: Bool { if case .float = self { return true }; return false }
    public var isComplex: Bool { if case .complex = self { return true }; return false }

    /// The MLIR spelling: `i1`, `i32`, `ui8`, `bf16`, `f8E4M3FN`, `complex<f32>`.
    public var description: String {
        switch self {
        case .i1: return "i1"
        case .si(let b): return "i\(b)"
        case .ui(let b): return "ui\(b)"
        case .float(let f): return f.rawValue
        case .complex(let f): return "complex<\(f.rawValue)>"
        case .index: return "index"
        }
    }

    /// Parses the MLIR spelling of a scalar element type (`si32` is accepted as `i32`).
    public init?(mlirName s: String) {
        if s == "i1" { self = .i1; return }
        if s == "index" { self = .index; return }
        if let f = FloatFormat(rawValue: s) { self = .float(f); return }
        if s.hasPrefix("complex<"), s.hasSuffix(">") {
            let inner = String(s.dropFirst(8).dropLast())
            guard let f = FloatFormat(rawValue: inner), f == .f32 || f == .f64 else { return nil }
            self = .complex(f); return
        }
        let validWidths: Set<Int> = [2, 4, 8, 16, 32, 64]
        if s.hasPrefix("ui"), let b = Int(s.dropFirst(2)), validWidths.contains(b) { self = .ui(b); return }
        if s.hasPrefix("si"), let b = Int(s.dropFirst(2)), validWidths.contains(b) { self = .si(b); return }
        if s.hasPrefix("i"), let b = Int(s.dropFirst(1)), validWidths.contains(b) { self = .si(b); return }
        return nil
    }
}
