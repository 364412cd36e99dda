import StableHLO

/// How one StableHLO element type is stored and computed in generated CUDA C++.
///
/// bf16 and f16 are stored as 16-bit patterns and computed in `float`, rounded back to
/// their own precision after every op (so a fused chain matches the op-by-op program);
/// `i1` is stored as one byte and computed as `bool`.
public struct KernelElementType: Hashable, Sendable {
    public var elementType: ElementType
    /// The C type of one stored element (`unsigned short` for bf16).
    public var storage: String
    /// The C type values are computed in (`float` for bf16).
    public var compute: String

    public init?(_ elementType: ElementType) {
        self.elementType = elementType
        switch elementType {
        case .i1: (storage, compute) = ("unsigned char", "bool")
        case .si(8): (storage, compute) = ("signed char", "signed char")
        case .si(16): (storage, compute) = ("short", "short")
        case .si(32): (storage, compute) = ("int", "int")
        case .si(64): (storage, compute) = ("long long", "long long")
        case .ui(8): (storage, compute) = ("unsigned char", "unsigned char")
        case .ui(16): (storage, compute) = ("unsigned short", "unsigned short")
        case .ui(32): (storage, compute) = ("unsigned int", "unsigned int")
        case .ui(64): (storage, compute) = ("unsigned long long", "unsigned long long")
        case .float(.bf16), .float(.f16): (storage, compute) = ("unsigned short", "float")
        case .float(.f32): (storage, compute) = ("float", "float")
        case .float(.f64): (storage, compute) = ("double", "double")
        default: return nil
        }
    }

    public var isFloat: Bool { elementType.isFloat }
    public var isBool: Bool { elementType.isBool }
    public var isInteger: Bool { elementType.isInteger }
    public var isUnsigned: Bool { elementType.isUnsigned }
    /// Bytes per stored element.
    public var byteWidth: Int { elementType.storageBytes }
    /// `f` for float math functions (`expf`), empty for double.
    var mathSuffix: String { compute == "float" ? "f" : "" }

    /// Converts a stored element (an lvalue expression) to the compute type.
    func load(_ stored: String) -> String {
        switch elementType {
        case .float(.bf16): return "nv_bf16_to_float(\(stored))"
        case .float(.f16): return "nv_f16_to_float(\(stored))"
        case .i1: return "(\(stored) != 0)"
        default: return stored
        }
    }

    /// Converts a compute value to the stored form.
    func store(_ value: String) -> String {
        switch elementType {
        case .float(.bf16): return "nv_float_to_bf16(\(value))"
        case .float(.f16): return "nv_float_to_f16(\(value))"
        case .i1: return "(unsigned char)(\(value) ? 1 : 0)"
        default: return value
        }
    }

    /// Rounds a freshly computed value to the element type's precision (bf16/f16 only).
    func rounded(_ value: String) -> String {
        switch elementType {
        case .float(.bf16): return "nv_round_bf16(\(value))"
        case .float(.f16): return "nv_round_f16(\(value))"
        default: return value
        }
    }

    /// A C literal of `value` in the compute type, from a constant's raw bits.
    func literal(bits: UInt64) -> String {
        switch elementType {
        case .i1: return bits & 1 == 1 ? "true" : "false"
        case .float(let format):
            let value = format.decode(bits)
            return Self.floatLiteral(value, compute: compute)
        case .si(let width):
            let shift = UInt64(64 - width)
            let v = Int64(bitPattern: bits << shift) >> Int64(shift)
            if v == Int64.min { return "((long long)(-9223372036854775807LL - 1))" }
            return "((\(compute))\(v)LL)"
        case .ui: return "((\(compute))\(bits)ULL)"
        default: return "0"
        }
    }

    /// A literal for a double in `float` or `double`, with inf/nan spelled as bit casts.
    static func floatLiteral(_ value: Double, compute: String) -> String {
        if value.isNaN { return compute == "float" ? "__int_as_float(0x7fc00000)" : "__longlong_as_double(0x7ff8000000000000LL)" }
        if value.isInfinite {
            if compute == "float" { return value > 0 ? "__int_as_float(0x7f800000)" : "__int_as_float(0xff800000)" }
            return value > 0 ? "__longlong_as_double(0x7ff0000000000000LL)" : "__longlong_as_double(0xfff0000000000000LL)"
        }
        // Swift prints the shortest text that reads back as the same value, as C does.
        if compute == "float" { return "\(Float(value))f" }
        return "\(value)"
    }
}
