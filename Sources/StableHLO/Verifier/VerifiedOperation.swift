/// One operation under verification, with accessors that throw a located, op-named
/// `Diagnostic` when the op does not have the shape a rule expects.
struct VerifiedOperation {
    let op: Operation
    let module: Module
    let function: Function

    /// A diagnostic at the op's location whose message starts with the op's name.
    func error(_ message: String) -> Diagnostic {
        Diagnostic(.verify, at: op.location, "\(op.name): \(message)")
    }

    // MARK: Counts

    func expectOperandCount(_ count: Int) throws {
        guard op.operands.count == count else {
            throw error("expects \(count) operand\(count == 1 ? "" : "s"), got \(op.operands.count)")
        }
    }

    func expectOperandCount(atLeast count: Int) throws {
        guard op.operands.count >= count else {
            throw error("expects at least \(count) operand\(count == 1 ? "" : "s"), got \(op.operands.count)")
        }
    }

    func expectResultCount(_ count: Int) throws {
        guard op.results.count == count else {
            throw error("expects \(count) result\(count == 1 ? "" : "s"), got \(op.results.count)")
        }
    }

    func expectRegionCount(_ count: Int) throws {
        guard op.regions.count == count else {
            throw error("expects \(count) region\(count == 1 ? "" : "s"), got \(op.regions.count)")
        }
    }

    // MARK: Types

    /// The tensor type of operand `i`.
    func operand(_ i: Int) throws -> TensorType {
        guard i < op.operands.count else { throw error("missing operand #\(i)") }
        guard let t = op.operands[i].type.tensorType else {
            throw error("operand #\(i) must be a tensor, got \(op.operands[i].type)")
        }
        return t
    }

    /// The tensor type of result `i`.
    func result(_ i: Int) throws -> TensorType {
        guard i < op.results.count else { throw error("missing result #\(i)") }
        guard let t = op.results[i].type.tensorType else {
            throw error("result #\(i) must be a tensor, got \(op.results[i].type)")
        }
        return t
    }

    /// Tensor types of operands `range`.
    func operands(_ range: Range<Int>) throws -> [TensorType] { try range.map(operand) }

    /// Throws unless result `i` is compatible with `inferred` (what the spec's rule gives).
    func expectResult(_ i: Int, _ inferred: TensorType) throws {
        let declared = try result(i)
        guard declared.isCompatible(with: inferred) else {
            let which = op.results.count == 1 ? "result type" : "result #\(i) type"
            throw error("\(which) \(declared) differs from the inferred \(inferred)")
        }
    }

    // MARK: Attributes

    /// A required integer-list attribute (`array<i64: ...>`, `[1, 2]` or a 1-D `dense`).
    func ints(_ name: String) throws -> [Int] {
        guard let attribute = op[attribute: name] else { throw error("missing attribute '\(name)'") }
        guard let values = attribute.intArray else { throw error("attribute '\(name)' must be a list of integers") }
        return values.map { Int(truncatingIfNeeded: $0) }
    }

    /// An optional integer-list attribute; `defaultValue` when absent.
    func ints(_ name: String, default defaultValue: [Int]) throws -> [Int] {
        op[attribute: name] == nil ? defaultValue : try ints(name)
    }

    /// A required integer attribute.
    func int(_ name: String) throws -> Int {
        guard let attribute = op[attribute: name] else { throw error("missing attribute '\(name)'") }
        guard let value = attribute.intValue else { throw error("attribute '\(name)' must be an integer") }
        return Int(truncatingIfNeeded: value)
    }

    /// An optional integer attribute; `defaultValue` when absent.
    func int(_ name: String, default defaultValue: Int) throws -> Int {
        op[attribute: name] == nil ? defaultValue : try int(name)
    }

    /// A parameter list of a structured attribute (missing means empty).
    func parameterInts(_ attribute: Attribute, _ name: String, of attributeName: String) throws -> [Int] {
        guard let value = attribute[parameter: name] else { return [] }
        guard let values = value.intArray else {
            throw error("\(attributeName).\(name) must be a list of integers")
        }
        return values.map { Int(truncatingIfNeeded: $0) }
    }

    /// An integer parameter of a structured attribute (missing means 0).
    func parameterInt(_ attribute: Attribute, _ name: String, of attributeName: String) throws -> Int {
        guard let value = attribute[parameter: name] else { return 0 }
        guard let v = value.intValue else { throw error("\(attributeName).\(name) must be an integer") }
        return Int(truncatingIfNeeded: v)
    }

    /// A `Nx2` padding attribute as (low, high) pairs; `defaultCount` zero pairs if absent.
    func padding(_ name: String, defaultCount: Int) throws -> [(low: Int, high: Int)] {
        guard let attribute = op[attribute: name] else {
            return Array(repeating: (0, 0), count: defaultCount)
        }
        if case .array(let rows) = attribute, rows.contains(where: { $0.intValue == nil }) {
            // `[[low, high], ...]` written as nested lists.
            return try rows.map { row in
                guard let pair = row.intArray, pair.count == 2 else {
                    throw error("attribute '\(name)' must hold (low, high) pairs")
                }
                return (Int(truncatingIfNeeded: pair[0]), Int(truncatingIfNeeded: pair[1]))
            }
        }
        guard let flat = attribute.intArray else { throw error("attribute '\(name)' must be integers") }
        if case .dense(let d) = attribute, !(d.type.rank == 2 && d.type.shape[1] == 2)
            && !(d.type.rank == 1 && flat.isEmpty) {
            throw error("attribute '\(name)' has shape \(d.type.shape), expected [N, 2]")
        }
        guard flat.count % 2 == 0 else { throw error("attribute '\(name)' must hold (low, high) pairs") }
        return stride(from: 0, to: flat.count, by: 2).map {
            (Int(truncatingIfNeeded: flat[$0]), Int(truncatingIfNeeded: flat[$0 + 1]))
        }
    }

    /// The enum case of a `#stablehlo<kind VALUE>` attribute.
    func enumValue(_ name: String) -> String? {
        switch op[attribute: name] {
        case .enumCase(_, _, let value)?: return value
        case .string(let value)?: return value
        case .opaque(let text)?:
            // `#stablehlo<comparison_direction LT>` kept verbatim.
            return text.split(whereSeparator: { " <>".contains($0) }).last.map(String.init)
        default: return nil
        }
    }

    // MARK: Regions

    /// The entry block of region `i`.
    func block(_ i: Int, named regionName: String) throws -> Block {
        guard i < op.regions.count else { throw error("missing \(regionName) region") }
        guard let block = op.regions[i].entry else { throw error("\(regionName) region is empty") }
        return block
    }

    /// The operand types of the block's terminator (empty when it has none: the walker
    /// reports a missing terminator separately).
    func yieldedTypes(_ block: Block) -> [IRType] {
        guard let last = block.operations.last, ModuleWalker.isTerminator(last.name) else { return [] }
        return last.operands.map(\.type)
    }

    /// Throws unless `block` takes `arguments` and yields `yields` (exactly, up to `?`).
    func expectSignature(
        _ block: Block, named regionName: String, arguments: [IRType], yields: [IRType]
    ) throws {
        let have = block.arguments.map(\.type)
        guard have.elementsEqual(arguments, by: IRType.isCompatible) else {
            throw error("\(regionName) takes (\(ModuleWalker.list(have))), expected (\(ModuleWalker.list(arguments)))")
        }
        let yielded = yieldedTypes(block)
        guard yielded.elementsEqual(yields, by: IRType.isCompatible) else {
            throw error("\(regionName) returns (\(ModuleWalker.list(yielded))), expected (\(ModuleWalker.list(yields)))")
        }
    }
}

// MARK: Shared checks on dimension lists

extension VerifiedOperation {
    /// Throws unless every entry of `dims` lies in `0..<rank`.
    func expectInRange(_ dims: [Int], rank: Int, _ what: String) throws {
        if let bad = dims.first(where: { $0 < 0 || $0 >= rank }) {
            throw error("\(what) \(dims) has \(bad) out of range [0, \(rank))")
        }
    }

    /// Throws if `dims` repeats an entry.
    func expectUnique(_ dims: [Int], _ what: String) throws {
        if Set(dims).count != dims.count { throw error("\(what) \(dims) has duplicates") }
    }

    /// Throws unless `dims` is sorted ascending.
    func expectSorted(_ dims: [Int], _ what: String) throws {
        if dims != dims.sorted() { throw error("\(what) \(dims) is not sorted") }
    }

    /// Throws unless `values.count == count`.
    func expectSize(_ values: [Int], _ count: Int, _ what: String) throws {
        if values.count != count { throw error("\(what) has \(values.count) entries, expected \(count)") }
    }

    /// Throws unless two element types are equal.
    func expectSameElementType(_ a: TensorType, _ b: TensorType, _ aName: String, _ bName: String) throws {
        if a.elementType != b.elementType {
            throw error("\(aName) element type \(a.elementType) differs from \(bName) element type \(b.elementType)")
        }
    }
}

extension Array where Element == Int {
    /// Whether `self` is a permutation of `0..<count`.
    var isPermutation: Bool { sorted() == Array(0..<count) }
}

// MARK: Overflow-checked size arithmetic (attribute values are untrusted)

extension VerifiedOperation {
    /// `a + b`, or an error naming `what` when it overflows.
    func add(_ a: Int, _ b: Int, _ what: String) throws -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        if overflow { throw error("\(what) overflows") }
        return value
    }

    /// `a * b`, or an error naming `what` when it overflows.
    func multiply(_ a: Int, _ b: Int, _ what: String) throws -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw error("\(what) overflows") }
        return value
    }

    /// The number of elements of a static `type`, or an error when it overflows.
    func elementCount(_ type: TensorType) throws -> Int {
        try type.shape.reduce(1) { try multiply($0, $1, "element count of \(type)") }
    }
}
