/// The parameters of a quantized element type, `!quant.uniform<i8:f32, 0.1:-30>` or, per axis,
/// `!quant.uniform<i8<-127:127>:f32:1, {0.1:-30, 0.5}>`.
///
/// A quantized tensor stores integers of `storageType`; element `s` stands for the real value
/// `(s - zeroPoint) * scale` in `expressedType`. Per-axis quantization gives each index of
/// `quantizationDimension` its own scale and zero point. A `TensorType` carries this next to
/// its element type, which is the storage type, so every op that only moves elements works
/// on quantized tensors unchanged.
public struct UniformQuantization: Hashable, Sendable, CustomStringConvertible {
    /// The integer type elements are stored in (`.si(8)` for `i8`, `.ui(8)` for `u8`).
    public var storageType: ElementType
    /// The smallest and largest storage values quantization may produce.
    public var storageMin: Int64
    public var storageMax: Int64
    /// The float type the stored integers stand for.
    public var expressedType: FloatFormat
    /// The dimension whose indices each have their own scale; nil when per-tensor.
    public var quantizationDimension: Int?
    /// One scale per index of the quantization dimension (one when per-tensor).
    public var scales: [Double]
    /// One zero point per scale.
    public var zeroPoints: [Int64]

    public init(storageType: ElementType, storageMin: Int64? = nil, storageMax: Int64? = nil,
                expressedType: FloatFormat, quantizationDimension: Int? = nil,
                scales: [Double], zeroPoints: [Int64]) {
        self.storageType = storageType
        let range = Self.fullRange(of: storageType)
        self.storageMin = storageMin ?? range.lowerBound
        self.storageMax = storageMax ?? range.upperBound
        self.expressedType = expressedType
        self.quantizationDimension = quantizationDimension
        self.scales = scales
        self.zeroPoints = zeroPoints
    }

    public var isPerAxis: Bool { quantizationDimension != nil }

    /// The values the storage type can hold (`-128...127` for `i8`).
    public static func fullRange(of storage: ElementType) -> ClosedRange<Int64> {
        let width = min(storage.bitWidth, 64)
        if storage.isUnsigned { return 0...(width >= 63 ? Int64.max : (Int64(1) << Int64(width)) - 1) }
        if width >= 64 { return Int64.min...Int64.max }
        return -(Int64(1) << Int64(width - 1))...((Int64(1) << Int64(width - 1)) - 1)
    }

    /// The scale and zero point of the elements whose quantization-dimension index is `index`
    /// (any index when per-tensor).
    public func parameters(at index: Int) -> (scale: Double, zeroPoint: Int64) {
        let i = isPerAxis ? index : 0
        return (scales[i], zeroPoints[i])
    }

    /// The problem with these parameters for a tensor of `shape`, or nil: the spec's
    /// constraints on quantized element and tensor types.
    public func violation(shape: [Int]) -> String? {
        guard storageType.isInteger, storageType != .index else {
            return "storage type \(storageType) is not an integer type"
        }
        let full = Self.fullRange(of: storageType)
        guard full.contains(storageMin), full.contains(storageMax), storageMin < storageMax else {
            return "storage range \(storageMin):\(storageMax) is not an increasing range within \(storageType)"
        }
        guard !scales.isEmpty, scales.count == zeroPoints.count else {
            return "has \(scales.count) scales and \(zeroPoints.count) zero points"
        }
        for scale in scales where !(scale > 0 && scale.isFinite) {
            return "scale \(scale) is not a positive finite number"
        }
        for zeroPoint in zeroPoints where !(storageMin...storageMax).contains(zeroPoint) {
            return "zero point \(zeroPoint) is outside the storage range \(storageMin):\(storageMax)"
        }
        guard let axis = quantizationDimension else {
            return scales.count == 1 ? nil : "a per-tensor quantization has \(scales.count) scales"
        }
        guard axis >= 0, axis < shape.count else {
            return "quantization dimension \(axis) is outside a tensor of rank \(shape.count)"
        }
        if shape[axis] != TensorType.dynamic, shape[axis] != scales.count {
            return "quantization dimension \(axis) has size \(shape[axis]) but \(scales.count) scales"
        }
        return nil
    }

    /// The MLIR spelling; the storage range is written only when it is not the full range.
    public var description: String {
        var s = "!quant.uniform<" + (storageType.isUnsigned ? "u\(storageType.bitWidth)" : "i\(storageType.bitWidth)")
        if Self.fullRange(of: storageType) != storageMin...storageMax { s += "<\(storageMin):\(storageMax)>" }
        s += ":" + expressedType.rawValue
        func item(_ i: Int) -> String {
            let scale = "\(scales[i])"
            return zeroPoints[i] == 0 ? scale : scale + ":\(zeroPoints[i])"
        }
        if let axis = quantizationDimension {
            s += ":\(axis), {" + scales.indices.map(item).joined(separator: ",") + "}"
        } else if !scales.isEmpty {
            s += ", " + item(0)
        }
        return s + ">"
    }
}

extension UniformQuantization {
    /// Parses `!quant.uniform<...>` (with or without the `!quant.uniform` prefix); `location`
    /// is where the text starts, for the error.
    public init(parsing text: String, at location: SourceLocation = .unknown) throws {
        var reader = QuantizationTextReader(bytes: Array(text.utf8), location: location)
        self = try reader.read()
    }
}

/// Reads the body of `!quant.uniform<...>`.
private struct QuantizationTextReader {
    let bytes: [UInt8]
    let location: SourceLocation
    var position = 0

    init(bytes: [UInt8], location: SourceLocation) {
        self.bytes = bytes
        self.location = location
    }

    func error(_ message: String) -> Diagnostic {
        Diagnostic(.parse, at: location, "!quant.uniform: \(message)")
    }

    mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A || bytes[position] == 0x09 {
            position += 1
        }
    }

    mutating func consume(_ c: UInt8) -> Bool {
        skipSpaces()
        guard position < bytes.count, bytes[position] == c else { return false }
        position += 1
        return true
    }

    mutating func expect(_ c: UInt8, _ what: String) throws {
        guard consume(c) else { throw error("expected \(what)") }
    }

    /// A run of letters, digits, `.`, `_`, `+`, `-` (a type name or a number).
    mutating func word() -> String {
        skipSpaces()
        let start = position
        while position < bytes.count {
            let c = bytes[position]
            let isWordByte = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x2E || c == 0x5F
                || ((c == 0x2B || c == 0x2D) && (position == start || bytes[position - 1] == 0x65 || bytes[position - 1] == 0x45))
            guard isWordByte else { break }
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    mutating func integer(_ what: String) throws -> Int64 {
        let text = word()
        guard let value = Int64(text) else { throw error("expected \(what), found '\(text)'") }
        return value
    }

    mutating func read() throws -> UniformQuantization {
        skipSpaces()
        let prefix = Array("!quant.uniform".utf8)
        if bytes.count - position >= prefix.count, Array(bytes[position..<position + prefix.count]) == prefix {
            position += prefix.count
        }
        try expect(0x3C, "'<'")
        let storageName = word()
        let storage: ElementType
        if storageName.hasPrefix("u"), let width = Int(storageName.dropFirst()), [2, 4, 8, 16, 32, 64].contains(width) {
            storage = .ui(width)
        } else if let e = ElementType(mlirName: storageName), e.isInteger, e != .index {
            storage = e
        } else {
            throw error("storage type '\(storageName)' is not an integer type (i2 to i64, u2 to u64)")
        }
        var storageMin: Int64?, storageMax: Int64?
        if consume(0x3C) {
            storageMin = try integer("the storage minimum")
            try expect(0x3A, "':' in the storage range")
            storageMax = try integer("the storage maximum")
            try expect(0x3E, "'>' to close the storage range")
        }
        try expect(0x3A, "':' after the storage type")
        let expressedName = word()
        guard let expressed = FloatFormat(rawValue: expressedName) else {
            throw error("expressed type '\(expressedName)' is not a floating-point type")
        }
        var axis: Int?
        if consume(0x3A) {
            skipSpaces()
            if position < bytes.count, bytes[position] == 0x7B {
                throw error("sub-channel (block-wise) quantization is not a StableHLO type")
            }
            let value = try integer("the quantization dimension")
            guard value >= 0, value < 1 << 20 else { throw error("quantization dimension \(value) is out of range") }
            axis = Int(value)
        }
        try expect(0x2C, "',' before the scales")
        var scales: [Double] = []
        var zeroPoints: [Int64] = []
        func parameter(_ reader: inout QuantizationTextReader) throws {
            let text = reader.word()
            guard let scale = Double(text) else { throw reader.error("expected a scale, found '\(text)'") }
            scales.append(scale)
            zeroPoints.append(reader.consume(0x3A) ? try reader.integer("a zero point") : 0)
        }
        if axis != nil {
            try expect(0x7B, "'{' before per-axis scales")
            repeat { try parameter(&self) } while consume(0x2C)
            try expect(0x7D, "'}' after the scales")
        } else {
            try parameter(&self)
        }
        try expect(0x3E, "'>' to close the type")
        skipSpaces()
        guard position == bytes.count else { throw error("unexpected text after the type") }
        return UniformQuantization(storageType: storage, storageMin: storageMin, storageMax: storageMax,
                                   expressedType: expressed, quantizationDimension: axis,
                                   scales: scales, zeroPoints: zeroPoints)
    }
}
