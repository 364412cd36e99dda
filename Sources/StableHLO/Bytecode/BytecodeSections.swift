/// The MLIR bytecode versions this reader knows (see `mlir/Bytecode/Encoding.h`).
enum BytecodeVersion {
    static let dialectVersioning: UInt64 = 1
    static let lazyLoading: UInt64 = 2
    static let useListOrdering: UInt64 = 3
    static let elideUnknownBlockArgLocation: UInt64 = 4
    static let nativePropertiesEncoding: UInt64 = 5
    static let newest: UInt64 = 6
}

/// Top-level section ids.
enum SectionID: UInt8, CaseIterable {
    case string = 0, dialect, attrType, attrTypeOffset, ir, resource, resourceOffset, dialectVersions, properties

    var name: String {
        switch self {
        case .string: return "string section"
        case .dialect: return "dialect section"
        case .attrType: return "attribute/type section"
        case .attrTypeOffset: return "attribute/type offset section"
        case .ir: return "IR section"
        case .resource: return "resource section"
        case .resourceOffset: return "resource offset section"
        case .dialectVersions: return "dialect version section"
        case .properties: return "properties section"
        }
    }
}

/// An operation name of the dialect section.
struct BytecodeOpName {
    var dialect: String
    var name: String
    /// Whether the op was registered when written (bytecode 5+); nil before.
    var wasRegistered: Bool?
    var fullName: String { name.isEmpty ? dialect : dialect + "." + name }
}

/// The parsed header and table sections of a bytecode file: the indexed sections,
/// strings, dialects, op names, the properties offset table and resource blobs. The
/// attribute/type table and the IR are decoded by `AttributeTable` and `IRReader`.
struct BytecodeFile {
    let bytes: [UInt8]
    let file: String
    var version: UInt64 = 0
    var producer = ""
    var sections: [SectionID: Range<Int>] = [:]
    var strings: [String] = []
    var dialects: [String] = []
    /// The version payload of each dialect that has one (indexed like `dialects`).
    var dialectVersions: [Range<Int>?] = []
    var opNames: [BytecodeOpName] = []
    /// Absolute ranges of each properties entry's payload.
    var properties: [Range<Int>] = []
    /// Dialect resource blobs in declaration order (`dense_resource` handles index these).
    var resources: [(key: String, blob: Range<Int>?)] = []

    init(bytes: [UInt8], file: String) throws {
        self.bytes = bytes
        self.file = file
        var c = ByteCursor(bytes: bytes, range: 0..<bytes.count, section: "header", file: file)
        guard Module.isBytecode(bytes) else {
            throw c.error("not MLIR bytecode (the file does not start with the magic 'ML\\xefR')", at: 0)
        }
        try c.skip(4)
        let versionAt = c.position
        version = try c.readVarInt()
        guard version <= BytecodeVersion.newest else {
            throw c.error("bytecode version \(version) is newer than the newest supported version \(BytecodeVersion.newest)", at: versionAt)
        }
        producer = try c.readNullTerminatedString()
        c = c.renamed("section table")
        while !c.isAtEnd {
            let at = c.position
            let (id, range) = try c.readSection()
            guard let sid = SectionID(rawValue: id) else { throw c.error("invalid section id \(id)", at: at) }
            guard sections[sid] == nil else { throw c.error("duplicate \(sid.name)", at: at) }
            sections[sid] = range
        }
        for sid in [SectionID.string, .dialect, .attrType, .attrTypeOffset, .ir] where sections[sid] == nil {
            throw c.error("missing \(sid.name)")
        }
        if version >= BytecodeVersion.nativePropertiesEncoding, sections[.properties] == nil {
            throw c.error("missing \(SectionID.properties.name)")
        }
        try readStrings()
        try readProperties()
        try readDialects()
        try readResources()
    }

    func cursor(_ id: SectionID) -> ByteCursor {
        ByteCursor(bytes: bytes, range: sections[id] ?? 0..<0, section: id.name, file: file)
    }

    /// Resolves a string index read at `at`.
    func string(_ index: UInt64, _ c: ByteCursor, at: Int) throws -> String {
        guard index < UInt64(strings.count) else { throw c.error("invalid string index \(index) (of \(strings.count))", at: at) }
        return strings[Int(index)]
    }

    mutating func readString(_ c: inout ByteCursor) throws -> String {
        let at = c.position
        return try string(try c.readVarInt(), c, at: at)
    }

    /// The string section: a count, the sizes in reverse order, then the NUL-terminated
    /// string data, which ends the section.
    private mutating func readStrings() throws {
        var c = cursor(.string)
        let count = try c.readCount("string")
        var sizes = [UInt64](repeating: 0, count: count)
        for i in stride(from: count - 1, through: 0, by: -1) { sizes[i] = try c.readVarInt() }
        var dataEnd = c.end
        var result = [String](repeating: "", count: count)
        for i in stride(from: count - 1, through: 0, by: -1) {
            let size = sizes[i]
            guard size >= 1, size <= UInt64(dataEnd - c.position) else {
                throw c.error("string \(i) of size \(size) does not fit in the string data")
            }
            let begin = dataEnd - Int(size)
            result[i] = String(decoding: bytes[begin..<(dataEnd - 1)], as: UTF8.self)
            dataEnd = begin
        }
        guard dataEnd == c.position else {
            throw c.error("unexpected \(dataEnd - c.position) bytes between the string sizes and their data")
        }
        strings = result
    }

    /// The properties section: a count, then `count` entries of (size, payload).
    private mutating func readProperties() throws {
        guard let range = sections[.properties], !range.isEmpty else { return }
        var c = cursor(.properties)
        let count = try c.readCount("properties entry")
        properties.reserveCapacity(count)
        for _ in 0..<count {
            let size = try c.readVarInt()
            properties.append(try c.readRange(size))
        }
        guard c.isAtEnd else { throw c.error("unexpected trailing bytes after the properties entries") }
    }

    /// The dialect section: dialect names (with optional version sub-sections), then op
    /// names grouped by dialect.
    private mutating func readDialects() throws {
        var c = cursor(.dialect)
        let count = try c.readCount("dialect")
        for _ in 0..<count {
            if version < BytecodeVersion.dialectVersioning {
                dialects.append(try readString(&c))
                dialectVersions.append(nil)
                continue
            }
            let at = c.position
            let (index, hasVersion) = try c.readVarIntWithFlag()
            dialects.append(try string(index, c, at: at))
            if hasVersion {
                let sectionAt = c.position
                let (id, range) = try c.readSection()
                guard id == SectionID.dialectVersions.rawValue else {
                    throw c.error("expected a dialect version section, found section id \(id)", at: sectionAt)
                }
                dialectVersions.append(range)
            } else {
                dialectVersions.append(nil)
            }
        }
        if version >= BytecodeVersion.elideUnknownBlockArgLocation {
            _ = try c.readVarInt()  // number of op names (a reservation hint)
        }
        while !c.isAtEnd {
            let dialect = try dialectName(&c)
            let n = try c.readCount("op name")
            for _ in 0..<n {
                if version < BytecodeVersion.nativePropertiesEncoding {
                    opNames.append(BytecodeOpName(dialect: dialect, name: try readString(&c), wasRegistered: nil))
                } else {
                    let at = c.position
                    let (index, registered) = try c.readVarIntWithFlag()
                    opNames.append(BytecodeOpName(dialect: dialect, name: try string(index, c, at: at), wasRegistered: registered))
                }
            }
        }
    }

    func dialectName(_ c: inout ByteCursor) throws -> String {
        let at = c.position
        let index = try c.readVarInt()
        guard index < UInt64(dialects.count) else { throw c.error("invalid dialect index \(index) (of \(dialects.count))", at: at) }
        return dialects[Int(index)]
    }

    /// The resource sections: external resource groups (skipped), then dialect resource
    /// groups whose blobs back `dense_resource` attributes.
    private mutating func readResources() throws {
        let hasData = sections[.resource] != nil, hasOffsets = sections[.resourceOffset] != nil
        guard hasData || hasOffsets else { return }
        guard hasData && hasOffsets else {
            throw cursor(hasData ? .resource : .resourceOffset).error("the resource and resource offset sections must come together")
        }
        var offsets = cursor(.resourceOffset)
        var data = cursor(.resource)
        func readGroup(_ offsets: inout ByteCursor, _ data: inout ByteCursor, keep: Bool) throws {
            let n = try offsets.readCount("resource")
            for _ in 0..<n {
                let key = try readString(&offsets)
                let size = try offsets.readVarInt()
                let kindAt = offsets.position
                let kind = try offsets.readByte()
                let entry = try data.readRange(size)
                guard keep else { continue }
                if kind == 0, !entry.isEmpty {  // blob: alignment, size, aligned bytes
                    var e = data.sub(entry)
                    let alignment = try e.readVarInt()
                    let blobSize = try e.readVarInt()
                    try e.align(to: alignment)
                    resources.append((key, try e.readRange(blobSize)))
                } else if kind > 2 {
                    throw offsets.error("unknown resource kind \(kind)", at: kindAt)
                } else {
                    resources.append((key, nil))
                }
            }
        }
        let external = try offsets.readCount("external resource group")
        for _ in 0..<external {
            _ = try readString(&offsets)
            try readGroup(&offsets, &data, keep: false)
        }
        while !offsets.isAtEnd {
            _ = try dialectName(&offsets)
            try readGroup(&offsets, &data, keep: true)
        }
    }
}
