/// One scalar of a `dense<...>` literal before its element type is known: the byte range
/// of its text in the input.
struct DenseScalar {
    enum Kind { case number(isFloat: Bool, isHex: Bool), bool(Bool), complex }
    var kind: Kind
    var range: Range<Int>
    /// For `.complex`: the ranges and kinds of the real and imaginary parts.
    var parts: [(range: Range<Int>, isFloat: Bool, isHex: Bool)] = []
}

extension TextParser {
    /// Parses the rest of `dense<...> : type` after the keyword `dense`.
    ///
    /// The result is `.dense` for tensors of builtin element types and `.opaque` (the text
    /// verbatim) for other types, such as quantized tensors.
    mutating func parseDenseAttribute(location: SourceLocation) throws -> Attribute {
        let literalStart = lexer.position
        try lexer.expect(0x3C, "'<' after 'dense'")
        var hexBlob: ArraySlice<UInt8>?
        var scalars: [DenseScalar] = []
        var nestedShape: [Int] = []
        var isBareScalar = false
        let bodyLocation = lexer.location
        if lexer.peek() == 0x22 {
            guard let blob = try lexer.lexRawString() else {
                _ = try lexer.lexString()  // reports an unterminated string
                throw Diagnostic(.parse, at: bodyLocation, "a dense string literal must be a hex blob \"0x...\"")
            }
            hexBlob = blob
        } else if lexer.peek() != 0x3E {
            if lexer.peek() == 0x5B {
                nestedShape = try parseDenseList(into: &scalars)
            } else {
                scalars.append(try parseDenseScalar())
                isBareScalar = true
            }
        }
        try lexer.expect(0x3E, "'>' to close the dense literal")
        let literalEnd = lexer.position
        try lexer.expect(0x3A, "':' and the type of the dense literal")
        let type = try parseType()
        guard case .tensor(let tensorType) = type else {
            return .opaque("dense" + lexer.text(literalStart..<literalEnd) + " : " + type.description)
        }
        let element = tensorType.elementType
        let size = element.storageBytes
        let count = tensorType.elementCount
        if let blob = hexBlob {
            let bytes = try decodeHex(blob, location: bodyLocation)
            if bytes.count == size * count {
                return .dense(DenseElements(type: tensorType, bytes: bytes, isSplat: tensorType.rank == 0))
            }
            if bytes.count == size {
                return .dense(DenseElements(type: tensorType, bytes: bytes, isSplat: true))
            }
            throw Diagnostic(.parse, at: bodyLocation,
                "hex dense literal has \(bytes.count) bytes; \(tensorType) needs \(size * count) (or \(size) for a splat)")
        }
        if isBareScalar {
            var bytes: [UInt8] = []
            try appendScalar(scalars[0], as: element, to: &bytes)
            return .dense(DenseElements(type: tensorType, bytes: bytes, isSplat: true))
        }
        if scalars.isEmpty, nestedShape.isEmpty {
            guard count == 0 else {
                throw Diagnostic(.parse, at: bodyLocation, "empty dense literal for \(tensorType), which has \(count) elements")
            }
            return .dense(DenseElements(type: tensorType, bytes: []))
        }
        guard nestedShape == tensorType.shape || (count == 0 && scalars.isEmpty) else {
            let shapeText = nestedShape.map(String.init).joined(separator: "x")
            throw Diagnostic(.parse, at: bodyLocation,
                "dense literal of shape [\(shapeText)] does not match \(tensorType)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size * scalars.count)
        for s in scalars { try appendScalar(s, as: element, to: &bytes) }
        return .dense(DenseElements(type: tensorType, bytes: bytes, isSplat: tensorType.rank == 0))
    }

    /// Parses `[a, b, ...]` (nested) into `scalars`; returns the shape of this level and below.
    private mutating func parseDenseList(into scalars: inout [DenseScalar]) throws -> [Int] {
        try enterNested()
        defer { nesting -= 1 }
        let location = lexer.location
        try lexer.expect(0x5B, "'['")
        var count = 0
        var inner: [Int]?
        if !lexer.consume(0x5D) {
            repeat {
                if lexer.peek() == 0x5B {
                    let subShape = try parseDenseList(into: &scalars)
                    if let inner, inner != subShape {
                        throw Diagnostic(.parse, at: location, "dense literal has rows of different lengths")
                    }
                    inner = subShape
                } else {
                    if inner != nil && inner != [] {
                        throw Diagnostic(.parse, at: location, "dense literal mixes scalars and lists at one level")
                    }
                    inner = []
                    scalars.append(try parseDenseScalar())
                }
                count += 1
            } while lexer.consume(0x2C)
            try lexer.expect(0x5D, "']' to close the dense list")
        }
        return [count] + (inner ?? [])
    }

    /// Parses one scalar: a number, `true`/`false`, or a complex pair `(re, im)`.
    private mutating func parseDenseScalar() throws -> DenseScalar {
        let location = lexer.location
        if lexer.consumeKeyword("true") { return DenseScalar(kind: .bool(true), range: 0..<0) }
        if lexer.consumeKeyword("false") { return DenseScalar(kind: .bool(false), range: 0..<0) }
        if lexer.consume(0x28) {
            guard let re = lexer.lexNumber() else {
                throw error("expected the real part of a complex literal, found \(lexer.describeNext())")
            }
            try lexer.expect(0x2C, "',' between the parts of a complex literal")
            guard let im = lexer.lexNumber() else {
                throw error("expected the imaginary part of a complex literal, found \(lexer.describeNext())")
            }
            try lexer.expect(0x29, "')' to close the complex literal")
            return DenseScalar(kind: .complex, range: re.range.lowerBound..<im.range.upperBound, parts: [re, im])
        }
        guard let number = lexer.lexNumber() else {
            throw Diagnostic(.parse, at: location, "expected a dense literal element, found \(lexer.describeNext())")
        }
        return DenseScalar(kind: .number(isFloat: number.isFloat, isHex: number.isHex), range: number.range)
    }

    /// Decodes `0x...` hex digits into bytes.
    private func decodeHex(_ blob: ArraySlice<UInt8>, location: SourceLocation) throws -> [UInt8] {
        guard blob.count >= 2, blob[blob.startIndex] == 0x30,
              blob[blob.startIndex + 1] == 0x78 || blob[blob.startIndex + 1] == 0x58 else {
            throw Diagnostic(.parse, at: location, "a dense string literal must start with \"0x\"")
        }
        let digits = blob.dropFirst(2)
        guard digits.count % 2 == 0 else {
            throw Diagnostic(.parse, at: location, "hex dense literal has an odd number of digits")
        }
        var out = [UInt8](repeating: 0, count: digits.count / 2)
        var i = digits.startIndex
        var k = 0
        while i < digits.endIndex {
            let hi = digits[i], lo = digits[i + 1]
            guard Lexer.isHexDigit(hi), Lexer.isHexDigit(lo) else {
                throw Diagnostic(.parse, at: location, "invalid hex digit in dense literal")
            }
            out[k] = Lexer.hexValue(hi) << 4 | Lexer.hexValue(lo)
            i += 2
            k += 1
        }
        return out
    }

    /// Encodes one scalar as `element` and appends its little-endian storage bytes.
    private func appendScalar(_ s: DenseScalar, as element: ElementType, to bytes: inout [UInt8]) throws {
        let location = lexer.location
        switch element {
        case .complex(let f):
            var re: UInt64 = 0, im: UInt64 = 0
            if case .complex = s.kind {
                re = try floatBits(s.parts[0], format: f)
                im = try floatBits(s.parts[1], format: f)
            } else if case .number(let isFloat, let isHex) = s.kind {
                re = try floatBits((s.range, isFloat, isHex), format: f)
                im = f.encode(0)
            } else {
                throw Diagnostic(.parse, at: location, "expected a complex literal (re, im) for \(element)")
            }
            Self.append(re, count: f.storageBytes, to: &bytes)
            Self.append(im, count: f.storageBytes, to: &bytes)
        case .float(let f):
            switch s.kind {
            case .number(let isFloat, let isHex):
                Self.append(try floatBits((s.range, isFloat, isHex), format: f), count: f.storageBytes, to: &bytes)
            case .bool(let b):
                Self.append(f.encode(b ? 1 : 0), count: f.storageBytes, to: &bytes)
            case .complex:
                throw Diagnostic(.parse, at: location, "complex literal for element type \(element)")
            }
        case .i1, .si, .ui, .index:
            let value: Int64
            switch s.kind {
            case .bool(let b): value = b ? 1 : 0
            case .number(let isFloat, let isHex):
                guard !isFloat, let v = Lexer.integerValue(lexer.bytes[s.range], isHex: isHex) else {
                    throw Diagnostic(.parse, at: location, "invalid integer '\(lexer.text(s.range))' for element type \(element)")
                }
                value = v
            case .complex:
                throw Diagnostic(.parse, at: location, "complex literal for element type \(element)")
            }
            if element == .i1 {
                guard value == 0 || value == 1 else {
                    throw Diagnostic(.parse, at: location, "i1 literal must be true, false, 0 or 1")
                }
            } else if element.bitWidth < 64 {
                // Signless integers take either reading of their bits; unsigned ones only theirs.
                let w = Int64(element.bitWidth)
                let low: Int64 = element.isUnsigned ? 0 : -(Int64(1) << (w - 1))
                let high: Int64 = (Int64(1) << w) - 1
                guard value >= low, value <= high else {
                    throw Diagnostic(.parse, at: location, "integer literal \(value) does not fit element type \(element)")
                }
            }
            Self.append(UInt64(bitPattern: value), count: element.storageBytes, to: &bytes)
        }
    }

    /// The bit pattern of a float literal (decimal, `inf`/`nan`, or hex bits) in `format`.
    private func floatBits(_ part: (range: Range<Int>, isFloat: Bool, isHex: Bool), format: FloatFormat) throws -> UInt64 {
        if part.isHex {
            guard let v = Lexer.integerValue(lexer.bytes[part.range], isHex: true) else {
                throw error("hex float literal '\(lexer.text(part.range))' is too long")
            }
            let bits = UInt64(bitPattern: v)
            guard format.bitWidth >= 64 || bits >> UInt64(format.bitWidth) == 0 else {
                throw error("hex float literal '\(lexer.text(part.range))' is wider than \(format.rawValue)")
            }
            return bits
        }
        let text = lexer.text(part.range)
        if format == .f32 {
            guard let v = Float(text) else { throw error("invalid float literal '\(text)'") }
            return UInt64(v.bitPattern)
        }
        guard let v = Double(text) else { throw error("invalid float literal '\(text)'") }
        return format.encode(v)
    }

    static func append(_ bits: UInt64, count: Int, to bytes: inout [UInt8]) {
        var b = bits
        for _ in 0..<count {
            bytes.append(UInt8(truncatingIfNeeded: b))
            b >>= 8
        }
    }
}
