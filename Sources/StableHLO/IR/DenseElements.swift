/// The contents of a `dense<...>` literal: a tensor type and its elements in flat,
/// little-endian storage (`ElementType.storageBytes` per element, row-major).
///
/// A splat keeps one element and `isSplat`; `bytes` then holds that one element.
public struct DenseElements: Hashable, Sendable {
    public var type: TensorType
    public var bytes: [UInt8]
    public var isSplat: Bool

    public init(type: TensorType, bytes: [UInt8], isSplat: Bool = false) {
        self.type = type
        self.bytes = bytes
        self.isSplat = isSplat
    }

    /// Elements of `type` from one little-endian bit pattern per element (each truncated to
    /// the element's storage bytes); one pattern and `isSplat` for a splat.
    public init(type: TensorType, littleEndianWords words: [UInt64], isSplat: Bool = false) {
        let size = type.elementType.storageBytes
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.count * size)
        for word in words {
            for k in 0..<size { bytes.append(k < 8 ? UInt8(truncatingIfNeeded: word >> UInt64(8 * k)) : 0) }
        }
        self.init(type: type, bytes: bytes, isSplat: isSplat)
    }

    /// All elements expanded (a splat repeated `elementCount` times).
    public var expandedBytes: [UInt8] {
        guard isSplat else { return bytes }
        let n = type.elementCount
        var out = [UInt8]()
        out.reserveCapacity(n * bytes.count)
        for _ in 0..<n { out.append(contentsOf: bytes) }
        return out
    }

    /// Raw bit pattern of element `i` (zero-extended), for elements up to 8 bytes.
    public func rawBits(at i: Int) -> UInt64 {
        let size = type.elementType.storageBytes
        let base = isSplat ? 0 : i * size
        var v: UInt64 = 0
        for k in 0..<min(size, 8) { v |= UInt64(bytes[base + k]) << UInt64(8 * k) }
        return v
    }

    /// The values of an integer or bool literal, sign- or zero-extended; nil for other types.
    public var int64Values: [Int64]? {
        guard type.elementType.isInteger || type.elementType.isBool else { return nil }
        let count = isSplat ? type.elementCount : bytes.count / max(1, type.elementType.storageBytes)
        return (0..<count).map { integer(at: $0) }
    }

    /// The splat's one value, sign- or zero-extended; nil for other types and non-splats
    /// (a test on a splat need not expand it: a broadcast mask may hold 10⁸ elements).
    public var splatInt64Value: Int64? {
        guard isSplat, type.elementType.isInteger || type.elementType.isBool, !bytes.isEmpty else { return nil }
        return integer(at: 0)
    }

    private func integer(at i: Int) -> Int64 {
        let bits = rawBits(at: i)
        if case .si(let w) = type.elementType, w < 64 {
            let shift = UInt64(64 - w)
            return Int64(bitPattern: bits << shift) >> Int64(shift)
        }
        return Int64(bitPattern: bits)
    }
}
