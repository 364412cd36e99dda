import StableHLO

/// One element of a host tensor, decoded to a value a person can read or write.
public enum ScalarValue: Hashable, Sendable {
    case bool(Bool)
    case signed(Int64)
    case unsigned(UInt64)
    case float(Double)
    case complex(re: Double, im: Double)
}

extension HostTensor {
    /// Raw bits of `width` bytes starting at byte `offset` (little-endian, zero-extended).
    func bits(at offset: Int, width: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<min(width, 8) { v |= UInt64(bytes[offset + k]) << UInt64(8 * k) }
        return v
    }

    /// Element `index` (row-major) decoded according to the element type.
    public func element(at index: Int) -> ScalarValue {
        let et = type.elementType
        let size = et.storageBytes
        let raw = bits(at: index * size, width: size)
        switch et {
        case .i1: return .bool(raw & 1 != 0)
        case .ui: return .unsigned(raw)
        case .si(let w):
            if w >= 64 { return .signed(Int64(bitPattern: raw)) }
            let shift = UInt64(64 - w)
            return .signed(Int64(bitPattern: raw << shift) >> Int64(shift))
        case .index: return .signed(Int64(bitPattern: raw))
        case .float(let f): return .float(f.decode(raw))
        case .complex(let f):
            let half = size / 2
            return .complex(re: f.decode(bits(at: index * size, width: half)),
                            im: f.decode(bits(at: index * size + half, width: half)))
        }
    }

    /// All elements, decoded.
    public var elements: [ScalarValue] { (0..<elementCount).map(element(at:)) }
}

extension ElementType {
    /// The storage bytes of `value` in this element type: floats rounded to nearest even,
    /// integers truncated to the type's width. Nil when the value's kind does not fit
    /// the type (a complex value for an integer type, a fraction for an integer type).
    public func encode(_ value: ScalarValue) -> [UInt8]? {
        let size = storageBytes
        func little(_ v: UInt64, _ width: Int) -> [UInt8] {
            (0..<width).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * $0)) }
        }
        switch (self, value) {
        case (.i1, .bool(let b)): return [b ? 1 : 0]
        case (.i1, .signed(let v)) where v == 0 || v == 1: return [UInt8(v)]
        case (.i1, .unsigned(let v)) where v <= 1: return [UInt8(v)]
        case (.si, .signed(let v)), (.index, .signed(let v)):
            guard fitsSigned(v) else { return nil }
            return little(UInt64(bitPattern: v), size)
        case (.si, .unsigned(let v)), (.index, .unsigned(let v)):
            guard v <= UInt64(Int64.max), fitsSigned(Int64(v)) else { return nil }
            return little(v, size)
        case (.ui, .unsigned(let v)):
            guard fitsUnsigned(v) else { return nil }
            return little(v, size)
        case (.ui, .signed(let v)):
            guard v >= 0, fitsUnsigned(UInt64(v)) else { return nil }
            return little(UInt64(v), size)
        case (.si, .bool(let b)), (.ui, .bool(let b)), (.index, .bool(let b)):
            return little(b ? 1 : 0, size)
        case (.float(let f), .float(let v)): return little(f.encode(v), size)
        case (.float(let f), .signed(let v)): return little(f.encode(Double(v)), size)
        case (.float(let f), .unsigned(let v)): return little(f.encode(Double(v)), size)
        case (.complex(let f), _):
            let half = size / 2
            let parts: (Double, Double)
            switch value {
            case .complex(let re, let im): parts = (re, im)
            case .float(let v): parts = (v, 0)
            case .signed(let v): parts = (Double(v), 0)
            case .unsigned(let v): parts = (Double(v), 0)
            case .bool: return nil
            }
            return little(f.encode(parts.0), half) + little(f.encode(parts.1), half)
        default: return nil
        }
    }

    private func fitsSigned(_ v: Int64) -> Bool {
        let w = bitWidth
        if w >= 64 { return true }
        let limit = Int64(1) << Int64(w - 1)
        return v >= -limit && v < limit
    }

    private func fitsUnsigned(_ v: UInt64) -> Bool {
        let w = bitWidth
        return w >= 64 || v < (UInt64(1) << UInt64(w))
    }
}
