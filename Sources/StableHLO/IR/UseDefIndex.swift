/// Where an operation sits inside a function: region/block/op indices from the body down.
public struct OperationPath: Hashable, Sendable {
    /// Alternating steps: for each nesting level, (region index, block index, op index).
    public var steps: [Int]
    public init(steps: [Int]) { self.steps = steps }
}

/// One use of a value: the op that reads it and which operand it is.
public struct Use: Hashable, Sendable {
    public var user: OperationPath
    public var operandIndex: Int
}

/// Use-def links for one function, built in one walk: the defining op of every result
/// and every use of every value. Passes (fusion, CSE, DCE) rebuild it after they edit.
public struct UseDefIndex: Sendable {
    /// Value id → the op that defines it (nil entries: block arguments).
    public private(set) var definitions: [Int: OperationPath] = [:]
    /// Value id → its uses in program order.
    public private(set) var uses: [Int: [Use]] = [:]

    public init(_ function: Function) {
        walk(function.body, prefix: [], regionIndex: 0)
    }

    private mutating func walk(_ region: Region, prefix: [Int], regionIndex: Int) {
        for (b, block) in region.blocks.enumerated() {
            for (o, op) in block.operations.enumerated() {
                let path = prefix + [regionIndex, b, o]
                for r in op.results { definitions[r.id] = OperationPath(steps: path) }
                for (i, v) in op.operands.enumerated() {
                    uses[v.id, default: []].append(Use(user: OperationPath(steps: path), operandIndex: i))
                }
                for (ri, sub) in op.regions.enumerated() { walk(sub, prefix: path, regionIndex: ri) }
            }
        }
    }

    /// True when nothing reads `value`.
    public func isUnused(_ value: Value) -> Bool { uses[value.id]?.isEmpty ?? true }
}

extension Function {
    /// The operation at `path`, if the path is valid.
    public func operation(at path: OperationPath) -> Operation? {
        var region = body
        var op: Operation?
        var s = path.steps[...]
        var first = true
        while s.count >= 3 {
            let r = s.removeFirst(), b = s.removeFirst(), o = s.removeFirst()
            if !first {
                guard let cur = op, r < cur.regions.count else { return nil }
                region = cur.regions[r]
            }
            first = false
            guard b < region.blocks.count, o < region.blocks[b].operations.count else { return nil }
            op = region.blocks[b].operations[o]
        }
        return op
    }
}
