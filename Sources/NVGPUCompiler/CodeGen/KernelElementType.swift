import StableHLO

/// How one StableHLO element type is stored and computed in generated CUDA C++.
///
/// bf16 and f16 are stored as 16-bit patterns and computed in `float`, rounded back to
/// their own precision after every op (so a fused chain matches the op-by-op program);
/// `i1` is stored as one byte and computed as `bool`; `complex<f32>` is stored as `nv_c64`
/// (two floats) and computed as `nv_c128` (two doubles), rounded back to float components
/// after every op, as the reference interpreter computes it; `complex<f64>` is `nv_c128`.
///
/// The narrow types (see `NarrowPrelude`): the 8/6/4-bit float formats are stored as one
/// byte holding the bit pattern and kept in `float` (f8E8M0FNU, whose range reaches 2^127,
/// in `double`), decoded on load; each op is evaluated in `double` and rounded once to the
/// format (`FloatFormat.round`), as the reference does; `i2`/`i4`/`ui2`/`ui4` are stored as
/// one two's-complement byte, computed in the 8-bit type and wrapped to their width after
/// every op.
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
        case .si(2), .si(4): (storage, compute) = ("signed char", "signed char")
        case .ui(2), .ui(4): (storage, compute) = ("unsigned char", "unsigned char")
        case .float(.f8E8M0FNU): (storage, compute) = ("unsigned char", "double")
        case .float(let format) where NarrowPrelude.isNarrow(format): (storage, compute) = ("unsigned char", "float")
        case .float(.bf16), .float(.f16): (storage, compute) = ("unsigned short", "float")
        case .float(.f32): (storage, compute) = ("float", "float")
        case .float(.f64): (storage, compute) = ("double", "double")
        case .complex(.f32): (storage, compute) = ("nv_c64", "nv_c128")
        case .complex(.f64): (storage, compute) = ("nv_c128", "nv_c128")
        default: return nil
        }
    }

    public var isFloat: Bool { elementType.isFloat }
    public var isBool: Bool { elementType.isBool }
    /// bf16 or f16: computed in f32 and rounded to 16 bits.
    var isHalfPrecisionFloat: Bool { elementType == .float(.bf16) || elementType == .float(.f16) }
    public var isInteger: Bool { elementType.isInteger }
    public var isUnsigned: Bool { elementType.isUnsigned }
    public var isComplex: Bool { elementType.isComplex }
    /// The element type whose storage is this type's compute type (`f32` for bf16,
    /// `complex<f64>` for `complex<f32>`): what partial results are kept in.
    var computeElementType: ElementType {
        switch elementType {
        case .float(.bf16), .float(.f16): return .float(.f32)
        case .float(.f8E8M0FNU): return .float(.f64)
        case .float(let format) where NarrowPrelude.isNarrow(format): return .float(.f32)
        case .si(2), .si(4): return .si(8)
        case .ui(2), .ui(4): return .ui(8)
        case .complex: return .complex(.f64)
        default: return elementType
        }
    }
    /// The real type of one component of a complex type (nil for other types).
    var componentType: KernelElementType? {
        guard case .complex(let format) = elementType else { return nil }
        return KernelElementType(.float(format))
    }
    /// Bytes per stored element.
    public var byteWidth: Int { elementType.storageBytes }
    /// The bit width of a 2- or 4-bit integer type (nil for the others).
    var subByteIntegerWidth: Int? {
        switch elementType {
        case .si(let w) where w < 8: return w
        case .ui(let w) where w < 8: return w
        default: return nil
        }
    }
    /// The format of an 8/6/4-bit float type (nil for the others).
    var narrowFloatFormat: FloatFormat? {
        guard case .float(let format) = elementType, NarrowPrelude.isNarrow(format) else { return nil }
        return format
    }
    /// `x` (any integer expression) wrapped to this 2- or 4-bit integer type's width.
    func wrapped(_ x: String, width: Int) -> String {
        isUnsigned ? "nv_wrap_u((unsigned int)(\(x)), \(width))" : "nv_wrap_s((int)(\(x)), \(width))"
    }
    /// `x` (a `float` or `double` expression) rounded once to this narrow float format, in
    /// the compute type (exact there).
    func roundedNarrow(_ x: String, format: FloatFormat) -> String {
        let rounded = "nv_fp_round_d((double)(\(x)), \(NarrowPrelude.arguments(format)))"
        return compute == "double" ? rounded : "((\(compute))\(rounded))"
    }

    /// `f` for float math functions (`expf`), empty for double.
    var mathSuffix: String { compute == "float" ? "f" : "" }

    /// Converts a stored element (an lvalue expression) to the compute type.
    func load(_ stored: String) -> String {
        switch elementType {
        case .float(.bf16): return "nv_bf16_to_float(\(stored))"
        case .float(.f16): return "nv_f16_to_float(\(stored))"
        case .complex(.f32): return "nv_c64_load(\(stored))"
        case .i1: return "(\(stored) != 0)"
        default:
            if let format = narrowFloatFormat {
                let decoded = "nv_fp_decode(\(stored), \(NarrowPrelude.arguments(format)))"
                return compute == "double" ? "((double)\(decoded))" : decoded
            }
            if let width = subByteIntegerWidth { return wrapped(stored, width: width) }
            return stored
        }
    }

    /// Converts a compute value to the stored form.
    func store(_ value: String) -> String {
        switch elementType {
        case .float(.bf16): return "nv_float_to_bf16(\(value))"
        case .float(.f16): return "nv_float_to_f16(\(value))"
        case .complex(.f32): return "nv_c64_store(\(value))"
        case .i1: return "(unsigned char)(\(value) ? 1 : 0)"
        default:
            if let format = narrowFloatFormat {
                return "(unsigned char)nv_fp_encode((double)(\(value)), \(NarrowPrelude.arguments(format)))"
            }
            if let width = subByteIntegerWidth { return wrapped(value, width: width) }
            return value
        }
    }

    /// A freshly computed value in the stored form, rounded once: bf16 and f16 stores round
    /// already (rounding first would repeat the conversion and its NaN check per element).
    func storeRounded(_ value: String) -> String {
        switch elementType {
        case .float(.bf16), .float(.f16): return store(value)
        default: return store(rounded(value))
        }
    }

    /// Rounds a freshly computed value to the element type's precision (bf16, f16,
    /// complex<f32> and the narrow types; 2/4-bit integers wrap to their width).
    func rounded(_ value: String) -> String {
        switch elementType {
        case .float(.bf16): return "nv_round_bf16(\(value))"
        case .float(.f16): return "nv_round_f16(\(value))"
        case .complex(.f32): return "nv_round_c64(\(value))"
        default:
            if let format = narrowFloatFormat { return roundedNarrow(value, format: format) }
            if let width = subByteIntegerWidth { return wrapped(value, width: width) }
            return value
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
        case .ui(let width):
            let masked = width >= 64 ? bits : bits & ((UInt64(1) << UInt64(width)) - 1)
            return "((\(compute))\(masked)ULL)"
        default: return "0"
        }
    }

    /// A C literal of element `i` of `d` in the compute type (complex elements take two
    /// components, more than `DenseElements.rawBits` holds).
    func literal(_ d: DenseElements, at i: Int) -> String {
        guard case .complex(let format) = elementType else { return literal(bits: d.rawBits(at: i)) }
        let (re, im) = Self.complexComponents(d, at: i, format: format)
        return "nv_c128(\(Self.floatLiteral(re, compute: "double")), \(Self.floatLiteral(im, compute: "double")))"
    }

    /// The (real, imaginary) bit patterns of complex element `i` of `d` (zeros where the
    /// literal's bytes end early).
    static func complexComponentBits(_ d: DenseElements, at i: Int, format: FloatFormat) -> (UInt64, UInt64) {
        let size = format.storageBytes
        let base = d.isSplat ? 0 : i * 2 * size
        func bits(_ offset: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<min(size, 8) where offset + k < d.bytes.count {
                v |= UInt64(d.bytes[offset + k]) << UInt64(8 * k)
            }
            return v
        }
        return (bits(base), bits(base + size))
    }

    /// The (real, imaginary) values of complex element `i` of `d`.
    static func complexComponents(_ d: DenseElements, at i: Int, format: FloatFormat) -> (Double, Double) {
        let (re, im) = complexComponentBits(d, at: i, format: format)
        return (format.decode(re), format.decode(im))
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
