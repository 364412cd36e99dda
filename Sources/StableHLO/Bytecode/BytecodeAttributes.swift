/// The attribute and type table of a bytecode file, decoded lazily.
///
/// Each entry is either a dialect's custom encoding (builtin and VHLO are understood;
/// see `BuiltinEncoding` and `VHLOEncoding`) or MLIR assembly text, which is parsed
/// with the text parser. Decoded entries are cached; nesting is bounded so a cyclic or
/// very deep table cannot exhaust the stack.
///
/// Locations decode to `.dialect(name: "loc.file" | "loc.name" | "loc.callsite" |
/// "loc.fused" | "loc.unknown", ...)` attributes, which `sourceLocation(_:)` turns
/// into a `SourceLocation`.
final class AttributeTable {
    struct Entry {
        var dialect: String
        var isCustom: Bool
        var range: Range<Int>
    }

    let file: BytecodeFile
    private(set) var attributeEntries: [Entry] = []
    private(set) var typeEntries: [Entry] = []
    private var attributes: [Attribute?]
    private var types: [IRType?]
    private var depth = 0
    static let maxDepth = 200

    init(file: BytecodeFile) throws {
        self.file = file
        var c = file.cursor(.attrTypeOffset)
        let attributeCount = try c.readCount("attribute")
        let typeCount = try c.readCount("type")
        let data = file.sections[.attrType] ?? 0..<0
        var offset = data.lowerBound
        func readEntries(_ n: Int) throws -> [Entry] {
            var out: [Entry] = []
            out.reserveCapacity(n)
            while out.count < n {
                let dialect = try file.dialectName(&c)
                let groupAt = c.position
                let k = try c.readVarInt()
                guard k <= UInt64(n - out.count) else { throw c.error("dialect group of \(k) entries overruns the table of \(n)", at: groupAt) }
                for _ in 0..<k {
                    let at = c.position
                    let (size, custom) = try c.readVarIntWithFlag()
                    guard size <= UInt64(data.upperBound - offset) else {
                        throw c.error("entry of \(size) bytes points past the end of the attribute/type section", at: at)
                    }
                    out.append(Entry(dialect: dialect, isCustom: custom, range: offset..<(offset + Int(size))))
                    offset += Int(size)
                }
            }
            return out
        }
        attributeEntries = try readEntries(attributeCount)
        typeEntries = try readEntries(typeCount)
        guard c.isAtEnd else { throw c.error("unexpected trailing bytes in the attribute/type offset section") }
        attributes = Array(repeating: nil, count: attributeCount)
        types = Array(repeating: nil, count: typeCount)
    }

    private func enter(_ c: ByteCursor) throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw c.error("attributes and types nest more than \(Self.maxDepth) levels deep") }
    }

    // MARK: References from a cursor

    /// Reads an attribute index and resolves it.
    func readAttribute(_ c: inout ByteCursor) throws -> Attribute {
        let at = c.position
        return try attribute(try c.readVarInt(), from: c, at: at)
    }

    /// Reads `(index << 1) | present`; nil when absent.
    func readOptionalAttribute(_ c: inout ByteCursor) throws -> Attribute? {
        let at = c.position
        let (index, present) = try c.readVarIntWithFlag()
        return present ? try attribute(index, from: c, at: at) : nil
    }

    func readType(_ c: inout ByteCursor) throws -> IRType {
        let at = c.position
        return try type(try c.readVarInt(), from: c, at: at)
    }

    func readTypes(_ c: inout ByteCursor) throws -> [IRType] {
        let n = try c.readCount("type")
        var out: [IRType] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readType(&c)) }
        return out
    }

    func readAttributes(_ c: inout ByteCursor) throws -> [Attribute] {
        let n = try c.readCount("attribute")
        var out: [Attribute] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readAttribute(&c)) }
        return out
    }

    /// Reads an attribute that must be a string (names of named attributes, symbols).
    func readStringAttribute(_ c: inout ByteCursor) throws -> String {
        let at = c.position
        let a = try readAttribute(&c)
        guard case .string(let s) = a else { throw c.error("expected a string attribute, found \(a)", at: at) }
        return s
    }

    func readSignedVarInts(_ c: inout ByteCursor) throws -> [Int64] {
        let n = try c.readCount("integer")
        var out: [Int64] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try c.readSignedVarInt()) }
        return out
    }

    /// An APInt of a known bit width: one byte up to 8 bits, a signed varint up to 64,
    /// else a list of signed-varint words (only the low word is kept).
    func readAPInt(_ c: inout ByteCursor, width: Int) throws -> UInt64 {
        if width <= 8 { return UInt64(try c.readByte()) }
        if width <= 64 { return UInt64(bitPattern: try c.readSignedVarInt()) }
        let words = try readSignedVarInts(&c)
        return UInt64(bitPattern: words.first ?? 0)
    }

    /// A string from the string section.
    func readString(_ c: inout ByteCursor) throws -> String {
        let at = c.position
        return try file.string(try c.readVarInt(), c, at: at)
    }

    /// A blob: varint size, then the bytes.
    func readBlob(_ c: inout ByteCursor) throws -> ArraySlice<UInt8> {
        let size = try c.readVarInt()
        return file.bytes[try c.readRange(size)]
    }

    // MARK: Resolution

    func attribute(_ index: UInt64, from c: ByteCursor, at: Int) throws -> Attribute {
        guard index < UInt64(attributes.count) else { throw c.error("invalid attribute index \(index) (of \(attributes.count))", at: at) }
        let i = Int(index)
        if let cached = attributes[i] { return cached }
        let entry = attributeEntries[i]
        var r = c.sub(entry.range, section: "attribute #\(i) (\(entry.dialect))")
        try enter(r)
        defer { depth -= 1 }
        let value: Attribute
        if entry.isCustom {
            switch entry.dialect {
            case "builtin": value = try BuiltinEncoding.readAttribute(&r, self)
            case "vhlo": value = try VHLOEncoding.readAttribute(&r, self)
            case "stablehlo": value = try StablehloEncoding.readAttribute(&r, self)
            default:
                // Another dialect's own encoding, e.g. Shardy sharding annotations
                // (`#sdy.sharding<...>` on arguments and results): placement metadata for
                // several devices, kept opaque and never interpreted.
                value = .opaque("#\(entry.dialect).<attribute \(i)>")
                r.position = r.end
            }
        } else {
            let text = try r.readNullTerminatedString()
            var parser = TextParser(bytes: Array(text.utf8), file: file.file, firstLine: 1)
            do {
                value = try parser.parseAttribute()
            } catch {
                value = .opaque(text)
            }
        }
        guard r.isAtEnd else { throw r.error("unexpected trailing bytes after the attribute") }
        attributes[i] = value
        return value
    }

    func type(_ index: UInt64, from c: ByteCursor, at: Int) throws -> IRType {
        guard index < UInt64(types.count) else { throw c.error("invalid type index \(index) (of \(types.count))", at: at) }
        let i = Int(index)
        if let cached = types[i] { return cached }
        let entry = typeEntries[i]
        var r = c.sub(entry.range, section: "type #\(i) (\(entry.dialect))")
        try enter(r)
        defer { depth -= 1 }
        let value: IRType
        if entry.isCustom {
            switch entry.dialect {
            case "builtin": value = try BuiltinEncoding.readType(&r, self)
            case "vhlo": value = try VHLOEncoding.readType(&r, self)
            case "stablehlo": value = try StablehloEncoding.readType(&r, self)
            default: throw r.error("no bytecode decoder for types of dialect '\(entry.dialect)'")
            }
        } else {
            let text = try r.readNullTerminatedString()
            var parser = TextParser(bytes: Array(text.utf8), file: file.file, firstLine: 1)
            value = (try? parser.parseType()) ?? .opaque(text)
        }
        guard r.isAtEnd else { throw r.error("unexpected trailing bytes after the type") }
        types[i] = value
        return value
    }

    // MARK: Shared helpers

    /// A `tensor` type from a shape (`Int64.min` is dynamic) and an element type; tensors
    /// of dialect element types (quantized) are kept verbatim.
    static func tensorType(shape: [Int64], element: IRType, encoding: String?, _ c: ByteCursor) throws -> IRType {
        var dims: [Int] = []
        dims.reserveCapacity(shape.count)
        var elements = 1
        for d in shape {
            if d == Int64.min || d < 0 { dims.append(TensorType.dynamic); continue }
            guard d < 1 << 48 else { throw c.error("tensor dimension \(d) is too large") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: Int(d))
            guard !overflow, product <= 1 << 56 else { throw c.error("tensor type has too many elements") }
            elements = product
            dims.append(Int(d))
        }
        if case .opaque(let text) = element, text.hasPrefix("!quant.uniform<") {
            let quantization: UniformQuantization
            do {
                quantization = try UniformQuantization(parsing: text)
            } catch let diagnostic as Diagnostic {
                throw c.error(diagnostic.message)
            }
            return .tensor(TensorType(shape: dims, quantization: quantization, encoding: encoding))
        }
        guard case .scalar(let e) = element else {
            let body = (dims.map { $0 == TensorType.dynamic ? "?" : String($0) } + [element.description]).joined(separator: "x")
            return .opaque("tensor<" + body + (encoding.map { ", " + $0 } ?? "") + ">")
        }
        return .tensor(TensorType(shape: dims, elementType: e, encoding: encoding))
    }

    /// The text of an attribute used as a tensor encoding.
    static func encodingText(_ a: Attribute) -> String {
        if case .dialect("stablehlo.bounds", let ps) = a, let bounds = ps.first?.value.intArray {
            return "#stablehlo.bounds<" + bounds.map { $0 == Int64.min ? "?" : String($0) }.joined(separator: ", ") + ">"
        }
        if case .opaque(let s) = a { return s }
        return "\(a)"
    }

    /// Builds a `dense` attribute from raw MLIR storage (`i1` may be bit-packed).
    static func denseAttribute(type: IRType, raw: ArraySlice<UInt8>, _ c: ByteCursor) throws -> Attribute {
        guard case .tensor(let t) = type else {
            return .opaque("dense<\"0x" + raw.map { String($0, radix: 16).leftPadded(2) }.joined().uppercased() + "\"> : \(type)")
        }
        let size = t.elementType.storageBytes
        let count = t.isStatic ? t.elementCount : 0
        var bytes = Array(raw)
        if t.elementType == .i1 {
            if bytes.count == 1, bytes[0] == 0xFF || bytes[0] == 0 {
                bytes = [bytes[0] == 0 ? 0 : 1]  // a splat (MLIR reads one all-0/all-1 byte so)
            } else if bytes.count == (count + 7) / 8, bytes.count != count {
                var unpacked = [UInt8](repeating: 0, count: count)
                for i in 0..<count { unpacked[i] = (bytes[i / 8] >> UInt8(i % 8)) & 1 }
                bytes = unpacked
            }
        }
        if bytes.count == size * count, count != 1 {
            return .dense(DenseElements(type: t, bytes: bytes, isSplat: t.rank == 0))
        }
        if bytes.count == size {
            return .dense(DenseElements(type: t, bytes: bytes, isSplat: true))
        }
        throw c.error("dense data of \(bytes.count) bytes does not match \(t) (\(size * count) bytes, or \(size) for a splat)")
    }
}

extension String {
    /// The string padded on the left with zeros to `width` characters.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Where in an attribute tree the first file location is: `loc.file` directly, or
/// inside a name, call-site (callee first) or fused location.
func sourceLocation(_ a: Attribute, depth: Int = 0) -> SourceLocation? {
    guard depth < 64, case .dialect(let name, let ps) = a else { return nil }
    switch name {
    case "loc.file":
        guard ps.count == 3, let file = ps[0].value.stringValue, let line = ps[1].value.intValue,
              let column = ps[2].value.intValue else { return nil }
        return SourceLocation(file: file, line: Int(line), column: Int(column))
    case "loc.name", "loc.callsite", "loc.fused":
        for p in ps {
            if case .array(let items) = p.value {
                for item in items { if let l = sourceLocation(item, depth: depth + 1) { return l } }
            } else if let l = sourceLocation(p.value, depth: depth + 1) {
                return l
            }
        }
        return nil
    default:
        return nil
    }
}
