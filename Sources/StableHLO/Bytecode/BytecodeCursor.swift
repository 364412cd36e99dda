/// A bounds-checked reader over a slice of the bytecode file.
///
/// Every read checks the remaining length first and throws a `BytecodeError` naming the
/// absolute file offset and the section, so malformed input never traps.
struct ByteCursor {
    /// The whole file (shared, never copied).
    let bytes: [UInt8]
    /// The first byte of this slice in `bytes`.
    let start: Int
    /// One past the last byte of this slice.
    let end: Int
    /// The next byte to read.
    var position: Int
    /// The section name used in errors.
    let section: String
    /// The file name used in errors.
    let file: String

    init(bytes: [UInt8], range: Range<Int>, section: String, file: String) {
        self.bytes = bytes
        self.start = range.lowerBound
        self.end = range.upperBound
        self.position = range.lowerBound
        self.section = section
        self.file = file
    }

    var isAtEnd: Bool { position >= end }
    var remaining: Int { end - position }

    /// A cursor over the same file and range, reporting errors as `section`.
    func renamed(_ section: String) -> ByteCursor {
        var c = ByteCursor(bytes: bytes, range: start..<end, section: section, file: file)
        c.position = position
        return c
    }

    /// A cursor over `range` (absolute offsets) of the same file.
    func sub(_ range: Range<Int>, section: String? = nil) -> ByteCursor {
        ByteCursor(bytes: bytes, range: range, section: section ?? self.section, file: file)
    }

    func error(_ message: String, at offset: Int? = nil) -> BytecodeError {
        BytecodeError(file: file, offset: offset ?? position, section: section, message: message)
    }

    mutating func readByte() throws -> UInt8 {
        guard position < end else { throw error("unexpected end of data (expected 1 more byte)") }
        let b = bytes[position]
        position += 1
        return b
    }

    /// Reads `count` bytes as a range of absolute offsets into the file.
    mutating func readRange(_ count: UInt64) throws -> Range<Int> {
        guard count <= UInt64(remaining) else {
            throw error("\(count) bytes are needed but only \(remaining) remain")
        }
        let n = Int(count)
        defer { position += n }
        return position..<(position + n)
    }

    mutating func skip(_ count: UInt64) throws { _ = try readRange(count) }

    /// A PrefixVarInt: the number of trailing zero bits of the first byte is the number
    /// of additional bytes; the value follows the marker bit, little-endian.
    mutating func readVarInt() throws -> UInt64 {
        let first = try readByte()
        if first & 1 == 1 { return UInt64(first >> 1) }
        if first == 0 {
            let r = try readRange(8)
            var v: UInt64 = 0
            for (k, i) in r.enumerated() { v |= UInt64(bytes[i]) << UInt64(8 * k) }
            return v
        }
        let extra = first.trailingZeroBitCount
        let r = try readRange(UInt64(extra))
        var v = UInt64(first)
        for (k, i) in r.enumerated() { v |= UInt64(bytes[i]) << UInt64(8 * (k + 1)) }
        return v >> UInt64(extra + 1)
    }

    /// A zigzag-encoded signed varint.
    mutating func readSignedVarInt() throws -> Int64 {
        let v = try readVarInt()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    /// A varint whose low bit is a flag: `(value << 1) | flag`.
    mutating func readVarIntWithFlag() throws -> (value: UInt64, flag: Bool) {
        let v = try readVarInt()
        return (v >> 1, v & 1 == 1)
    }

    /// A count that prefixes `minimumBytesEach`-byte items; rejected when the remaining
    /// bytes cannot hold that many items (so no huge allocation is attempted).
    mutating func readCount(_ what: String, minimumBytesEach: Int = 1) throws -> Int {
        let at = position
        let n = try readVarInt()
        guard n <= UInt64(remaining / max(1, minimumBytesEach)) else {
            throw error("\(what) count \(n) exceeds the \(remaining) remaining bytes", at: at)
        }
        return Int(n)
    }

    /// A NUL-terminated UTF-8 string.
    mutating func readNullTerminatedString() throws -> String {
        var i = position
        while i < end, bytes[i] != 0 { i += 1 }
        guard i < end else { throw error("unterminated string (no NUL byte before the end)") }
        let s = String(decoding: bytes[position..<i], as: UTF8.self)
        position = i + 1
        return s
    }

    /// Skips 0xCB padding bytes until the absolute file offset is a multiple of `alignment`.
    mutating func align(to alignment: UInt64) throws {
        guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= 1 << 32 else {
            throw error("alignment \(alignment) is not a power of two")
        }
        let a = Int(alignment)
        while position % a != 0 {
            let at = position
            let b = try readByte()
            guard b == 0xCB else { throw error("expected alignment padding byte 0xCB, found 0x\(String(b, radix: 16))", at: at) }
        }
    }

    /// A section header: an id byte (high bit: aligned), a varint length, an optional
    /// alignment; returns the id and the absolute range of the contents.
    mutating func readSection() throws -> (id: UInt8, range: Range<Int>) {
        let idAndAligned = try readByte()
        let length = try readVarInt()
        let id = idAndAligned & 0x7F
        if idAndAligned & 0x80 != 0 {
            try align(to: try readVarInt())
        }
        return (id, try readRange(length))
    }
}
