/// Decoders for the builtin dialect's bytecode encodings (`BuiltinDialectBytecode.td`):
/// attribute codes 0...22 and type codes 0...32 (21...32: tf32 and the f8/f6/f4 types, as
/// jaxlib 0.10.2's MLIR numbers them).
enum BuiltinEncoding {
    static func readAttribute(_ c: inout ByteCursor, _ table: AttributeTable) throws -> Attribute {
        let codeAt = c.position
        let code = try c.readVarInt()
        switch code {
        case 0:  // ArrayAttr
            return .array(try table.readAttributes(&c))
        case 1:  // DictionaryAttr
            let n = try c.readCount("dictionary entry", minimumBytesEach: 2)
            var entries: [NamedAttribute] = []
            entries.reserveCapacity(n)
            for _ in 0..<n {
                let name = try table.readStringAttribute(&c)
                entries.append(NamedAttribute(name, try table.readAttribute(&c)))
            }
            return .dictionary(entries)
        case 2:  // StringAttr
            return .string(try table.readString(&c))
        case 3:  // StringAttr with a type
            let s = try table.readString(&c)
            _ = try table.readType(&c)
            return .string(s)
        case 4:  // FlatSymbolRefAttr
            return .symbolRef(try table.readStringAttribute(&c))
        case 5:  // SymbolRefAttr
            var path = try table.readStringAttribute(&c)
            for nested in try table.readAttributes(&c) {
                guard case .symbolRef(let s) = nested else { throw c.error("expected a flat symbol reference in a nested reference") }
                path += "::" + s
            }
            return .symbolRef(path)
        case 6:  // TypeAttr
            return .type(try table.readType(&c))
        case 7:  // UnitAttr
            return .unit
        case 8:  // IntegerAttr
            let type = try table.readType(&c)
            guard case .scalar(let e) = type else { throw c.error("integer attribute of non-integer type \(type)") }
            let width = e == .index ? 64 : e.bitWidth
            let bits = try table.readAPInt(&c, width: width)
            if e == .i1 { return .bool(bits & 1 == 1) }
            return .integer(Self.extend(bits, e), type: type)
        case 9:  // FloatAttr
            let type = try table.readType(&c)
            guard case .scalar(.float(let f)) = type else { throw c.error("float attribute of non-float type \(type)") }
            let bits = try table.readAPInt(&c, width: f.bitWidth)
            return .float(f.decode(bits), type: type)
        case 10:  // CallSiteLoc
            let callee = try table.readAttribute(&c)
            let caller = try table.readAttribute(&c)
            return .dialect(name: "loc.callsite", parameters: [NamedAttribute("callee", callee), NamedAttribute("caller", caller)])
        case 11:  // FileLineColLoc: filename, line, column
            let fileName = try table.readStringAttribute(&c)
            let line = try c.readVarInt(), column = try c.readVarInt()
            return Self.fileLocation(fileName, Int64(bitPattern: line), Int64(bitPattern: column))
        case 12:  // FusedLoc
            return .dialect(name: "loc.fused", parameters: [NamedAttribute("locations", .array(try table.readAttributes(&c)))])
        case 13:  // FusedLoc with metadata
            let locations = try table.readAttributes(&c)
            let metadata = try table.readAttribute(&c)
            return .dialect(name: "loc.fused", parameters: [NamedAttribute("locations", .array(locations)), NamedAttribute("metadata", metadata)])
        case 14:  // NameLoc
            let name = try table.readStringAttribute(&c)
            let child = try table.readAttribute(&c)
            return .dialect(name: "loc.name", parameters: [NamedAttribute("name", .string(name)), NamedAttribute("child", child)])
        case 15:  // UnknownLoc
            return .dialect(name: "loc.unknown", parameters: [])
        case 16:  // DenseResourceElementsAttr
            let type = try table.readType(&c)
            let at = c.position
            let handle = try c.readVarInt()
            let resources = table.file.resources
            guard handle < UInt64(resources.count) else { throw c.error("invalid resource handle \(handle) (of \(resources.count))", at: at) }
            let resource = resources[Int(handle)]
            guard let blob = resource.blob else { return .opaque("dense_resource<\(resource.key)> : \(type)") }
            return try AttributeTable.denseAttribute(type: type, raw: table.file.bytes[blob], c)
        case 17:  // DenseArrayAttr
            let type = try table.readType(&c)
            let count = try c.readVarInt()
            let blob = try table.readBlob(&c)
            return try Self.denseArray(type, count: count, blob, c)
        case 18:  // DenseIntOrFPElementsAttr
            let type = try table.readType(&c)
            return try AttributeTable.denseAttribute(type: type, raw: try table.readBlob(&c), c)
        case 19:  // DenseStringElementsAttr
            let type = try table.readType(&c)
            let isSplat = try c.readVarInt() != 0
            let n: Int
            if isSplat { n = 1 } else if case .tensor(let t) = type { n = t.elementCount } else { n = 0 }
            guard n <= c.remaining else { throw c.error("\(n) strings do not fit in the remaining \(c.remaining) bytes") }
            var items: [String] = []
            for _ in 0..<n { items.append(try table.readString(&c)) }
            let body = items.map { "\"" + $0 + "\"" }.joined(separator: ", ")
            return .opaque("dense<" + (isSplat ? body : "[" + body + "]") + "> : \(type)")
        case 20:  // SparseElementsAttr
            let type = try table.readType(&c)
            _ = try table.readAttribute(&c)
            _ = try table.readAttribute(&c)
            return .opaque("sparse<...> : \(type)")
        case 21:  // DistinctAttr
            return .opaque("distinct[0]<\(try table.readAttribute(&c))>")
        case 22:  // FileLineColRange: filename, then 0...4 of start line, start column, end line/column
            let fileName = try table.readStringAttribute(&c)
            let at = c.position
            let n = try c.readVarInt()
            guard n <= 4 else { throw c.error("a file range has at most 4 numbers, found \(n)", at: at) }
            var values: [Int64] = []
            for _ in 0..<n { values.append(Int64(bitPattern: try c.readVarInt())) }
            return Self.fileLocation(fileName, values.first ?? 0, values.count > 1 ? values[1] : 0)
        default:
            throw c.error("unknown builtin attribute code \(code)", at: codeAt)
        }
    }

    static func fileLocation(_ file: String, _ line: Int64, _ column: Int64) -> Attribute {
        .dialect(name: "loc.file", parameters: [
            NamedAttribute("file", .string(file)), NamedAttribute("line", .integer(line, type: nil)),
            NamedAttribute("column", .integer(column, type: nil)),
        ])
    }

    /// Sign- or zero-extends the low `bitWidth` bits of `bits` as `e` reads them.
    static func extend(_ bits: UInt64, _ e: ElementType) -> Int64 {
        let w = e == .index ? 64 : e.bitWidth
        guard w < 64 else { return Int64(bitPattern: bits) }
        let masked = bits & ((1 << UInt64(w)) - 1)
        if e.isUnsigned { return Int64(bitPattern: masked) }
        let shift = UInt64(64 - w)
        return Int64(bitPattern: masked << shift) >> Int64(shift)
    }

    /// `array<i64: 1, 2>` from its element type, count and raw little-endian storage.
    static func denseArray(_ type: IRType, count: UInt64, _ blob: ArraySlice<UInt8>, _ c: ByteCursor) throws -> Attribute {
        guard case .scalar(let e) = type else { throw c.error("dense array of non-scalar element type \(type)") }
        let size = e == .i1 ? 1 : e.storageBytes
        guard count <= UInt64(blob.count), UInt64(blob.count) == count * UInt64(size) else {
            throw c.error("dense array of \(count) \(e) elements has \(blob.count) bytes")
        }
        var ints: [Int64] = []
        var floats: [Double] = []
        var i = blob.startIndex
        for _ in 0..<Int(count) {
            var bits: UInt64 = 0
            for k in 0..<min(size, 8) { bits |= UInt64(blob[i + k]) << UInt64(8 * k) }
            i += size
            if case .float(let f) = e { floats.append(f.decode(bits)) } else { ints.append(e == .i1 ? Int64(bits & 1) : extend(bits, e)) }
        }
        if case .float = e { return .denseFloats(e, floats) }
        return .denseInts(e, ints)
    }

    static func readType(_ c: inout ByteCursor, _ table: AttributeTable) throws -> IRType {
        let codeAt = c.position
        let code = try c.readVarInt()
        switch code {
        case 0:  // IntegerType: width << 2 | signedness
            let v = try c.readVarInt()
            let width = Int(truncatingIfNeeded: v >> 2)
            let signedness = v & 3
            if width == 1 { return .scalar(.i1) }
            guard [2, 4, 8, 16, 32, 64].contains(width) else { return .opaque((signedness == 2 ? "ui" : signedness == 1 ? "si" : "i") + String(v >> 2)) }
            return .scalar(signedness == 2 ? .ui(width) : .si(width))
        case 1: return .scalar(.index)
        case 2:  // FunctionType
            let inputs = try table.readTypes(&c)
            return .function(inputs: inputs, results: try table.readTypes(&c))
        case 3: return .scalar(.float(.bf16))
        case 4: return .scalar(.float(.f16))
        case 5: return .scalar(.float(.f32))
        case 6: return .scalar(.float(.f64))
        case 7: return .opaque("f80")
        case 8: return .opaque("f128")
        case 9:  // ComplexType
            let element = try table.readType(&c)
            guard case .scalar(.float(let f)) = element else { return .opaque("complex<\(element)>") }
            return .scalar(.complex(f))
        case 10, 11:  // MemRefType (with memory space)
            if code == 11 { _ = try table.readAttribute(&c) }
            let shape = try table.readSignedVarInts(&c)
            let element = try table.readType(&c)
            _ = try table.readAttribute(&c)
            return .opaque("memref<" + (shape.map { $0 < 0 ? "?" : String($0) } + [element.description]).joined(separator: "x") + ">")
        case 12: return .opaque("none")
        case 13, 14:  // RankedTensorType (with encoding)
            var encoding: String?
            if code == 14 { encoding = AttributeTable.encodingText(try table.readAttribute(&c)) }
            let shape = try table.readSignedVarInts(&c)
            return try AttributeTable.tensorType(shape: shape, element: try table.readType(&c), encoding: encoding, c)
        case 15: return .tuple(try table.readTypes(&c))
        case 16, 17:  // UnrankedMemRefType
            if code == 17 { _ = try table.readAttribute(&c) }
            return .opaque("memref<*x\(try table.readType(&c))>")
        case 18: return .opaque("tensor<*x\(try table.readType(&c))>")
        case 19, 20:  // VectorType
            if code == 20 { _ = try table.readSignedVarInts(&c) }
            let shape = try table.readSignedVarInts(&c)
            let element = try table.readType(&c)
            return .opaque("vector<" + (shape.map(String.init) + [element.description]).joined(separator: "x") + ">")
        case 21: return .opaque("tf32")
        case 22: return .scalar(.float(.f8E5M2))
        case 23: return .scalar(.float(.f8E4M3))
        case 24: return .scalar(.float(.f8E4M3FN))
        case 25: return .scalar(.float(.f8E5M2FNUZ))
        case 26: return .scalar(.float(.f8E4M3FNUZ))
        case 27: return .scalar(.float(.f8E4M3B11FNUZ))
        case 28: return .scalar(.float(.f8E3M4))
        case 29: return .scalar(.float(.f4E2M1FN))
        case 30: return .scalar(.float(.f6E2M3FN))
        case 31: return .scalar(.float(.f6E3M2FN))
        case 32: return .scalar(.float(.f8E8M0FNU))
        default:
            throw c.error("unknown builtin type code \(code)", at: codeAt)
        }
    }
}
