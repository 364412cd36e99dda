import StableHLO

/// `convert` and `bitcast_convert`.
extension ElementwiseKernels {
    static let conversionTable: [String: Kernel] = [
        "stablehlo.convert": convert,
        "stablehlo.bitcast_convert": bitcastConvert,
    ]

    /// `convert`: bool ↔ anything (zero is false), integer → integer wraps to the
    /// target width, integer → float rounds to nearest even (exactly, also above 2^53),
    /// float → integer truncates toward zero and saturates (NaN gives 0), float → float
    /// rounds to nearest even, complex → real drops the imaginary part.
    static func convert(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let type = try resultType(call, shapeOf: operand)
        return [.tensor(try converted(operand, to: type, call))]
    }

    /// `operand` converted to `type` (same shape) with `convert`'s semantics.
    static func converted(_ operand: Tensor, to type: TensorType, _ call: KernelCall) throws -> Tensor {
        let target = type.elementType
        let source = operand.elementType
        let n = operand.elementCount
        let storage: Tensor.Storage
        switch operand.storage {
        case .ints(let v):
            switch target {
            case .float, .complex:
                let round = NumericConversion.integerToFloat(source: source, target: target)
                storage = floatsOrComplexes(v.map(round), target)
            default:
                storage = .ints(v.map { NumericConversion.integerToInteger($0, to: target) })
            }
        case .floats(let v):
            storage = try fromReals(v, target, call)
        case .complexes(let v):
            if case .complex = target {
                let round = rounding(target)
                storage = .complexes(v.map(round))
            } else {
                storage = try fromReals((0..<n).map { v[2 * $0] }, target, call)
            }
        }
        return Tensor(type: type, storage: storage)
    }

    /// `operand` in `target`'s element type, unchanged when it already is: the operands of
    /// `dot_general` and `convolution` are converted to the result's element type before
    /// they are multiplied, as the StableHLO interpreter does (i8 x f32 -> f32, f32 x f32
    /// -> f16 rounds the operands to f16 first, f32 x f32 -> i32 truncates them).
    static func converted(_ operand: Tensor, toElementType target: ElementType, _ call: KernelCall) throws -> Tensor {
        guard operand.elementType != target else { return operand }
        return try converted(operand, to: TensorType(shape: operand.shape, elementType: target), call)
    }

    /// Converts real values (floats, or the real parts of complexes) to `target`.
    private static func fromReals(_ v: [Double], _ target: ElementType, _ call: KernelCall) throws -> Tensor.Storage {
        switch target {
        case .float, .complex:
            return floatsOrComplexes(v.map(rounding(target)), target)
        case .i1:
            return .ints(v.map { $0 != 0 ? 1 : 0 })
        case .si, .ui, .index:
            return .ints(v.map { NumericConversion.floatToInteger($0, to: target) })
        }
    }

    /// Already-rounded real values as a float storage, or as complexes with zero
    /// imaginary parts.
    private static func floatsOrComplexes(_ v: [Double], _ target: ElementType) -> Tensor.Storage {
        guard case .complex = target else { return .floats(v) }
        var out = [Double](repeating: 0, count: 2 * v.count)
        for (i, x) in v.enumerated() { out[2 * i] = x }
        return .complexes(out)
    }

    /// `bitcast_convert`: reinterprets the bits of the operand (little-endian element
    /// order when the element width changes, so the rank changes by one).
    static func bitcastConvert(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let declared = try call.resultType()
        let source = operand.elementType, target = declared.elementType
        let sw = source.bitWidth, tw = target.bitWidth
        var shape = operand.shape
        if tw < sw {
            guard sw % tw == 0 else { throw call.error("cannot bitcast \(source) to \(target)") }
            shape.append(sw / tw)
        } else if tw > sw {
            guard tw % sw == 0, let last = shape.last, last * sw == tw else {
                throw call.error("cannot bitcast \(operand.type) to \(declared)")
            }
            shape.removeLast()
        }
        let type = TensorType(shape: shape, elementType: target)
        if declared.isStatic && declared.shape != shape {
            throw call.error("result type \(declared) does not match the bitcast shape \(type)")
        }
        var stream = BitStream(bitCount: operand.elementCount * sw)
        for i in 0..<operand.elementCount {
            let (lo, hi) = ElementBits.bits(of: operand, at: i)
            stream.write(lo, hi, width: sw, at: i * sw)
        }
        let patterns = (0..<type.elementCount).map { j in stream.read(width: tw, at: j * tw) }
        return [.tensor(ElementBits.tensor(patterns, type: type))]
    }
}

/// Element conversions between the interpreter's domains.
enum NumericConversion {
    /// An integer (signed or unsigned per `type`) or bool reinterpreted at another width.
    static func integerToInteger(_ v: Int64, to target: ElementType) -> Int64 {
        if target.isBool { return v != 0 ? 1 : 0 }
        return Tensor.normalize(UInt64(bitPattern: v), target)
    }

    /// Rounds integers of `source` to the float format of `target`, correctly (ties to
    /// even) even for magnitudes above 2^53, where converting through `Double` first
    /// could round twice.
    static func integerToFloat(source: ElementType, target: ElementType) -> @Sendable (Int64) -> Double {
        let unsigned = source.isUnsigned || source.isBool
        let round = ElementwiseKernels.rounding(target)
        switch target {
        case .float(.f64), .complex(.f64):
            return { unsigned ? Double(UInt64(bitPattern: $0)) : Double($0) }
        case .float(.f32), .complex(.f32):
            return { unsigned ? Double(Float(UInt64(bitPattern: $0))) : Double(Float($0)) }
        default:
            return { v in
                let magnitude = unsigned || v >= 0 ? UInt64(bitPattern: v) : UInt64(bitPattern: 0 &- v)
                let d = roundedToOdd(magnitude)
                return round(unsigned || v >= 0 ? d : -d)
            }
        }
    }

    /// `m` rounded to 53 bits by round-to-odd: exact below 2^53; above, the dropped bits
    /// are folded into the last kept bit so that a later rounding to fewer bits is exact.
    static func roundedToOdd(_ m: UInt64) -> Double {
        let significant = 64 - m.leadingZeroBitCount
        guard significant > 53 else { return Double(m) }
        let drop = UInt64(significant - 53)
        let kept = m >> drop
        let sticky: UInt64 = m & ((UInt64(1) << drop) - 1) != 0 ? 1 : 0
        return Double(kept | sticky) * Double(sign: .plus, exponent: Int(drop), significand: 1)
    }

    /// Truncates toward zero and saturates to the target's range; NaN gives 0.
    static func floatToInteger(_ x: Double, to target: ElementType) -> Int64 {
        if x.isNaN { return 0 }
        let t = x.rounded(.towardZero)
        let w = target.bitWidth
        if target.isUnsigned {
            if t <= 0 { return 0 }
            let limit = Double(sign: .plus, exponent: w, significand: 1)  // 2^w
            if t >= limit { return w >= 64 ? -1 : Int64((UInt64(1) << UInt64(w)) - 1) }
            return Int64(bitPattern: UInt64(t))
        }
        let limit = Double(sign: .plus, exponent: w - 1, significand: 1)  // 2^(w-1)
        if t >= limit { return w >= 64 ? .max : (Int64(1) << Int64(w - 1)) - 1 }
        if t < -limit { return w >= 64 ? .min : -(Int64(1) << Int64(w - 1)) }
        return Int64(t)
    }
}

/// Bit patterns of elements in the working form, for `bitcast_convert`.
enum ElementBits {
    /// The element's bits as (low 64, high 64); only complex<f64> uses the high word.
    static func bits(of t: Tensor, at i: Int) -> (UInt64, UInt64) {
        switch (t.storage, t.elementType) {
        case (.ints(let v), let et):
            return (IntegerArithmetic.bits(v[i], et), 0)
        case (.floats(let v), .float(let f)):
            return (f.encode(v[i]), 0)
        case (.complexes(let v), .complex(let f)):
            let re = f.encode(v[2 * i]), im = f.encode(v[2 * i + 1])
            if f.bitWidth >= 64 { return (re, im) }
            return (re | (im << UInt64(f.bitWidth)), 0)
        default:
            return (0, 0)
        }
    }

    /// A tensor of `type` whose element `j` has the bits `patterns[j]` (low, high).
    static func tensor(_ patterns: [(UInt64, UInt64)], type: TensorType) -> Tensor {
        switch type.elementType {
        case .float(let f):
            return Tensor(type: type, storage: .floats(patterns.map { f.decode($0.0) }))
        case .complex(let f):
            let w = f.bitWidth
            var v = [Double](repeating: 0, count: 2 * patterns.count)
            for (j, (lo, hi)) in patterns.enumerated() {
                if w >= 64 {
                    v[2 * j] = f.decode(lo)
                    v[2 * j + 1] = f.decode(hi)
                } else {
                    let mask = (UInt64(1) << UInt64(w)) - 1
                    v[2 * j] = f.decode(lo & mask)
                    v[2 * j + 1] = f.decode((lo >> UInt64(w)) & mask)
                }
            }
            return Tensor(type: type, storage: .complexes(v))
        case let et:
            return Tensor(type: type, storage: .ints(patterns.map { Tensor.normalize($0.0, et) }))
        }
    }
}

/// A little-endian bit buffer: bit `k` is bit `k % 64` of word `k / 64`.
struct BitStream {
    private var words: [UInt64]

    init(bitCount: Int) { words = [UInt64](repeating: 0, count: (bitCount + 63) / 64 + 2) }

    /// Writes `width` bits (up to 128: `lo` then `hi`) starting at bit `offset`.
    mutating func write(_ lo: UInt64, _ hi: UInt64, width: Int, at offset: Int) {
        if width > 64 {
            writeWord(lo, width: 64, at: offset)
            writeWord(hi, width: width - 64, at: offset + 64)
        } else {
            writeWord(lo, width: width, at: offset)
        }
    }

    /// Reads `width` bits (up to 128) starting at bit `offset` as (low, high).
    func read(width: Int, at offset: Int) -> (UInt64, UInt64) {
        if width > 64 { return (readWord(width: 64, at: offset), readWord(width: width - 64, at: offset + 64)) }
        return (readWord(width: width, at: offset), 0)
    }

    private mutating func writeWord(_ value: UInt64, width: Int, at offset: Int) {
        let mask: UInt64 = width >= 64 ? ~0 : (UInt64(1) << UInt64(width)) - 1
        let v = value & mask
        let w = offset / 64, b = UInt64(offset % 64)
        words[w] |= v << b
        if b > 0 && Int(b) + width > 64 { words[w + 1] |= v >> (64 - b) }
    }

    private func readWord(width: Int, at offset: Int) -> UInt64 {
        let mask: UInt64 = width >= 64 ? ~0 : (UInt64(1) << UInt64(width)) - 1
        let w = offset / 64, b = UInt64(offset % 64)
        var v = words[w] >> b
        if b > 0 && Int(b) + width > 64 { v |= words[w + 1] << (64 - b) }
        return v & mask
    }
}
