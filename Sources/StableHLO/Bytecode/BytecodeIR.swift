/// Reads the IR section into generic operations (dialect names as written, e.g.
/// `vhlo.add_v1`), resolving value references and assigning value ids the way the text
/// parser does: per function from 0, block arguments first, an operation's regions
/// before its results.
struct IRReader {
    /// The values visible in one isolated-from-above scope (bytecode numbering).
    struct ValueScope {
        var values: [Value?] = []
        /// The next value slot of each region being read in this scope.
        var nextSlots: [Int] = []
    }

    let file: BytecodeFile
    let table: AttributeTable
    /// Decodes the native properties of a registered op into named attributes.
    let readProperties: (_ opName: String, _ payload: inout ByteCursor, _ table: AttributeTable) throws -> [NamedAttribute]
    var scopes: [ValueScope] = [ValueScope()]
    var nextValueID = 0
    var depth = 0
    static let maxDepth = 256

    /// The top-level operations (normally one `builtin.module`).
    mutating func readTopLevel() throws -> [Operation] {
        var c = file.cursor(.ir)
        scopes = [ValueScope(values: [], nextSlots: [0])]
        let (count, hasArgs) = try c.readVarIntWithFlag()
        if hasArgs { throw c.error("the top-level block must not have arguments") }
        var ops: [Operation] = []
        for _ in 0..<count {
            guard !c.isAtEnd else { throw c.error("the IR section ends before its \(count) top-level operations") }
            ops.append(try readOperation(&c))
        }
        return ops
    }

    private func location(_ a: Attribute) -> SourceLocation {
        sourceLocation(a) ?? SourceLocation(file: file.file, line: 0, column: 0)
    }

    private mutating func readOperation(_ c: inout ByteCursor) throws -> Operation {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw c.error("operations nest more than \(Self.maxDepth) levels deep") }
        let nameAt = c.position
        let nameIndex = try c.readVarInt()
        guard nameIndex < UInt64(file.opNames.count) else {
            throw c.error("invalid operation name index \(nameIndex) (of \(file.opNames.count))", at: nameAt)
        }
        let opName = file.opNames[Int(nameIndex)]
        let name = opName.fullName
        let mask = try c.readByte()
        guard mask & 0x80 == 0 else { throw c.error("invalid operation encoding mask 0x\(String(mask, radix: 16))", at: c.position - 1) }
        var op = Operation(name: name, location: location(try table.readAttribute(&c)))
        var discardable: [NamedAttribute] = []
        if mask & 0x01 != 0 {
            let at = c.position
            let dict = try table.readAttribute(&c)
            guard case .dictionary(let entries) = dict else { throw c.error("expected the attribute dictionary of '\(name)'", at: at) }
            discardable = entries
        }
        if mask & 0x40 != 0 {
            let at = c.position
            switch opName.wasRegistered {
            case .some(true):
                let index = try c.readVarInt()
                guard index < UInt64(file.properties.count) else {
                    throw c.error("invalid properties index \(index) (of \(file.properties.count)) for '\(name)'", at: at)
                }
                var p = c.sub(file.properties[Int(index)], section: "properties of '\(name)'")
                op.attributes = try readProperties(name, &p, table)
                guard p.isAtEnd else { throw p.error("unexpected trailing bytes in the properties of '\(name)'") }
            case .some(false):
                let props = try table.readAttribute(&c)
                if case .dictionary(let entries) = props { op.attributes = entries }
            case .none:
                throw c.error("properties on '\(name)' in bytecode version \(file.version), which has none", at: at)
            }
        }
        op.attributes += discardable
        op.attributes.append(NamedAttribute(VHLOLegalizer.offsetAttribute, .integer(Int64(nameAt), type: nil)))
        var resultTypes: [IRType] = []
        if mask & 0x02 != 0 {
            let n = try c.readCount("result")
            resultTypes.reserveCapacity(n)
            for _ in 0..<n { resultTypes.append(try table.readType(&c)) }
        }
        if mask & 0x04 != 0 {
            let n = try c.readCount("operand")
            op.operands.reserveCapacity(n)
            for _ in 0..<n { op.operands.append(try readOperand(&c)) }
        }
        if mask & 0x08 != 0 {
            throw c.error("block successors ('\(name)') are not supported in StableHLO programs")
        }
        if file.version >= BytecodeVersion.useListOrdering, mask & 0x20 != 0 {
            try skipUseListOrders(&c, count: resultTypes.count)
        }
        var regionCount = 0
        var isolated = false
        if mask & 0x10 != 0 {
            let (n, flag) = try c.readVarIntWithFlag()
            guard n <= UInt64(c.remaining + 1), n < 1 << 16 else { throw c.error("implausible region count \(n)") }
            regionCount = Int(n)
            isolated = flag
        }
        // Reserve the result slots in the enclosing region (bytecode numbering).
        let firstSlot = try reserveSlots(resultTypes.count, c)
        if regionCount > 0 {
            let isFunction = name == "func.func" || name == "vhlo.func_v1"
            if isFunction { nextValueID = 0 }
            // Isolated regions come in their own IR sub-section from bytecode 2 on.
            let inSection = isolated && file.version >= BytecodeVersion.lazyLoading
            var r = c
            if inSection {
                let at = c.position
                let (id, range) = try c.readSection()
                guard id == SectionID.ir.rawValue else { throw c.error("expected an IR section for the regions of '\(name)', found section id \(id)", at: at) }
                r = c.sub(range)
            }
            if isolated { scopes.append(ValueScope()) }
            for _ in 0..<regionCount { op.regions.append(try readRegion(&r)) }
            if isolated { scopes.removeLast() }
            if inSection {
                guard r.isAtEnd else { throw r.error("unexpected trailing bytes after the regions of '\(name)'") }
            } else {
                c = r
            }
        }
        for (k, t) in resultTypes.enumerated() {
            let v = makeValue(t)
            op.results.append(v)
            scopes[scopes.count - 1].values[firstSlot + k] = v
        }
        return op
    }

    private mutating func makeValue(_ type: IRType) -> Value {
        defer { nextValueID += 1 }
        return Value(id: nextValueID, type: type)
    }

    /// Claims `count` value slots of the current region; returns the first.
    private mutating func reserveSlots(_ count: Int, _ c: ByteCursor) throws -> Int {
        let s = scopes.count - 1
        guard let first = scopes[s].nextSlots.last else {
            if count == 0 { return 0 }
            throw c.error("values defined outside a region")
        }
        guard first + count <= scopes[s].values.count else {
            throw c.error("value slots \(first)..<\(first + count) exceed the \(scopes[s].values.count) values the region declares")
        }
        scopes[s].nextSlots[scopes[s].nextSlots.count - 1] = first + count
        return first
    }

    private mutating func readOperand(_ c: inout ByteCursor) throws -> Value {
        let at = c.position
        let index = try c.readVarInt()
        let values = scopes[scopes.count - 1].values
        guard index < UInt64(values.count) else { throw c.error("invalid value index \(index) (of \(values.count))", at: at) }
        guard let v = values[Int(index)] else {
            throw c.error("use of value #\(index) before its definition (forward references are not supported)", at: at)
        }
        return v
    }

    private mutating func skipUseListOrders(_ c: inout ByteCursor, count: Int) throws {
        var entries: UInt64 = 1
        if count > 1 { entries = try c.readVarInt() }
        guard entries <= UInt64(c.remaining) else { throw c.error("use-list order count \(entries) exceeds the remaining bytes") }
        for _ in 0..<entries {
            if count > 1 { _ = try c.readVarInt() }
            let (n, _) = try c.readVarIntWithFlag()
            guard n <= UInt64(c.remaining) else { throw c.error("use-list of \(n) entries exceeds the remaining bytes") }
            for _ in 0..<n { _ = try c.readVarInt() }
        }
    }

    private mutating func readRegion(_ c: inout ByteCursor) throws -> Region {
        let blockCount = try c.readCount("block")
        guard blockCount > 0 else { return Region() }
        let valueCount = try c.readCount("value")
        let s = scopes.count - 1
        scopes[s].nextSlots.append(scopes[s].values.count)
        scopes[s].values += [Value?](repeating: nil, count: valueCount)
        defer {
            scopes[s].values.removeLast(valueCount)
            scopes[s].nextSlots.removeLast()
        }
        var region = Region()
        for _ in 0..<blockCount {
            let (opCount, hasArgs) = try c.readVarIntWithFlag()
            var block = Block()
            if hasArgs {
                let n = try c.readCount("block argument")
                let first = try reserveSlots(n, c)
                for k in 0..<n {
                    let type: IRType
                    if file.version >= BytecodeVersion.elideUnknownBlockArgLocation {
                        let at = c.position
                        let (index, hasLocation) = try c.readVarIntWithFlag()
                        type = try table.type(index, from: c, at: at)
                        if hasLocation { _ = try table.readAttribute(&c) }
                    } else {
                        type = try table.readType(&c)
                        _ = try table.readAttribute(&c)
                    }
                    let v = makeValue(type)
                    block.arguments.append(v)
                    scopes[s].values[first + k] = v
                }
                if file.version >= BytecodeVersion.useListOrdering, try c.readByte() != 0 {
                    try skipUseListOrders(&c, count: n)
                }
            }
            guard opCount <= UInt64(c.remaining) else { throw c.error("block of \(opCount) operations exceeds the remaining bytes") }
            for _ in 0..<opCount { block.operations.append(try readOperation(&c)) }
            region.blocks.append(block)
        }
        return region
    }
}
