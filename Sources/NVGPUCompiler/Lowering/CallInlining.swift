import StableHLO

/// Inlines every `func.call` of the entry function's top-level block (recursively), so
/// that fusion sees through helper functions such as JAX's `@relu` or a test's `@inputs`.
/// The standard `inline` pass does the same; this keeps the target correct without it.
enum CallInlining {
    /// Calls nested deeper than this are left alone (recursion).
    static let depthLimit = 32

    static func inlined(_ function: Function, in module: Module) -> Function {
        var function = function
        var nextID = function.nextValueID
        guard let entry = function.body.entry else { return function }
        var replacements: [Int: Value] = [:]
        var operations: [Operation] = []
        func append(_ op: Operation, depth: Int) {
            let op = remapped(op, replacements)
            guard op.name == "func.call", depth < depthLimit,
                  case .symbolRef(let callee)? = op[attribute: "callee"],
                  let target = module.function(named: callee), let body = target.body.entry,
                  body.arguments.count == op.operands.count,
                  let ret = body.operations.last, ret.name == "func.return",
                  ret.operands.count == op.results.count
            else {
                operations.append(op)
                return
            }
            var local: [Int: Value] = [:]
            for (a, v) in zip(body.arguments, op.operands) { local[a.id] = v }
            var renumbered: [Int: Value] = [:]
            func renumber(_ region: Region) {
                for block in region.blocks {
                    for a in block.arguments where renumbered[a.id] == nil && local[a.id] == nil {
                        renumbered[a.id] = Value(id: nextID, type: a.type); nextID += 1
                    }
                    for inner in block.operations {
                        for r in inner.results { renumbered[r.id] = Value(id: nextID, type: r.type); nextID += 1 }
                        inner.regions.forEach(renumber)
                    }
                }
            }
            renumber(Region(blocks: [Block(arguments: [], operations: Array(body.operations.dropLast()))]))
            let mapping = local.merging(renumbered) { a, _ in a }
            for inner in body.operations.dropLast() { append(remapped(inner, mapping), depth: depth + 1) }
            for (result, returned) in zip(op.results, ret.operands) {
                replacements[result.id] = mapping[returned.id] ?? returned
            }
        }
        for op in entry.operations { append(op, depth: 0) }
        function.body.blocks[0].operations = operations
        return function
    }

    /// `op` with every operand (also inside its regions) replaced per `map`.
    static func remapped(_ op: Operation, _ map: [Int: Value]) -> Operation {
        guard !map.isEmpty else { return op }
        var op = op
        op.operands = op.operands.map { map[$0.id] ?? $0 }
        op.results = op.results.map { map[$0.id] ?? $0 }
        op.regions = op.regions.map { region in
            var region = region
            region.blocks = region.blocks.map { block in
                var block = block
                block.arguments = block.arguments.map { map[$0.id] ?? $0 }
                block.operations = block.operations.map { remapped($0, map) }
                return block
            }
            return region
        }
        return op
    }
}
