import StableHLO

/// Inlines every `func.call` of a private function (with a one-block body) into its caller,
/// including calls inside regions and calls the inlined bodies make, then drops private
/// functions nothing refers to any more. Recursive calls are left as calls, and so are calls
/// nested deeper than `maximumDepth` inlined bodies (a long chain of distinct functions), so
/// no program can make the pass recurse without bound.
///
/// `InlinePass(includingPublicCallees: true)` (named `inline-all`) also inlines calls of
/// public functions, keeping the callees: a target that compiles one entry function (the
/// CUDA target) sees through every helper, as JAX's `@relu` or a test's `@inputs`.
public struct InlinePass: Pass {
    /// Whether calls of public functions are inlined too.
    public var includesPublicCallees: Bool
    /// Calls inside more nested inlined bodies than this stay calls.
    public static let maximumDepth = 64

    public var name: String { includesPublicCallees ? "inline-all" : "inline" }

    public init(includingPublicCallees: Bool = false) {
        includesPublicCallees = includingPublicCallees
    }

    public func run(on module: inout Module) throws {
        var callees: [String: Function] = [:]
        for f in module.functions
        where (includesPublicCallees || f.visibility == "private") && Self.isInlinable(f) && callees[f.name] == nil {
            callees[f.name] = f
        }
        if !callees.isEmpty {
            for i in module.functions.indices where !module.functions[i].body.blocks.isEmpty {
                var inliner = Inliner(callees: callees, nextID: module.functions[i].nextValueID)
                inliner.visit(&module.functions[i].body, stack: [module.functions[i].name])
            }
        }
        Self.dropUnreferencedPrivateFunctions(&module)
    }

    /// One block ending in `func.return`.
    static func isInlinable(_ function: Function) -> Bool {
        guard function.body.blocks.count == 1, let last = function.body.blocks[0].operations.last else {
            return false
        }
        return last.name == "func.return" || last.name == "return"
    }

    /// Removes private functions that no public function reaches through symbol references.
    static func dropUnreferencedPrivateFunctions(_ module: inout Module) {
        var byName: [String: Function] = [:]
        for f in module.functions where byName[f.name] == nil { byName[f.name] = f }
        var reached: Set<String> = []
        var work = module.functions.filter { $0.visibility != "private" }.map(\.name)
        while let name = work.popLast() {
            guard reached.insert(name).inserted, let f = byName[name] else { continue }
            var symbols: Set<String> = []
            collectSymbols(in: f.body, into: &symbols)
            work.append(contentsOf: symbols.filter { !reached.contains($0) })
        }
        module.functions.removeAll { $0.visibility == "private" && !reached.contains($0.name) }
    }

    private static func collectSymbols(in region: Region, into symbols: inout Set<String>) {
        for block in region.blocks {
            for op in block.operations {
                for attribute in op.attributes { collectSymbols(in: attribute.value, into: &symbols) }
                for sub in op.regions { collectSymbols(in: sub, into: &symbols) }
            }
        }
    }

    private static func collectSymbols(in attribute: Attribute, into symbols: inout Set<String>) {
        switch attribute {
        case .symbolRef(let name):
            symbols.insert(name)
            if let head = name.split(separator: ":").first { symbols.insert(String(head)) }
        case .array(let items): items.forEach { collectSymbols(in: $0, into: &symbols) }
        case .dictionary(let items), .dialect(_, let items):
            items.forEach { collectSymbols(in: $0.value, into: &symbols) }
        case .string(let name):
            // `callee` and `called_computations` written as strings still name functions.
            symbols.insert(name)
        default: break
        }
    }
}

/// One caller's inlining walk: fresh value ids and the renaming of inlined calls' results.
private struct Inliner {
    let callees: [String: Function]
    var nextID: Int
    var renamed: [Int: Value] = [:]

    init(callees: [String: Function], nextID: Int) {
        self.callees = callees
        self.nextID = nextID
    }

    /// Inlines calls in `region`; `stack` holds the functions being expanded (no recursion).
    mutating func visit(_ region: inout Region, stack: [String]) {
        for b in region.blocks.indices {
            var output: [Operation] = []
            for op in region.blocks[b].operations { visit(op, into: &output, stack: stack) }
            region.blocks[b].operations = output
        }
    }

    private mutating func visit(_ original: Operation, into output: inout [Operation], stack: [String]) {
        var op = original
        for i in op.operands.indices { op.operands[i] = resolve(op.operands[i]) }
        for r in op.regions.indices { visit(&op.regions[r], stack: stack) }
        guard let name = OperationEffects.callee(of: op), !stack.contains(name),
              stack.count <= InlinePass.maximumDepth, let callee = callees[name],
              let body = callee.body.entry, body.arguments.count == op.operands.count,
              let terminator = body.operations.last, terminator.operands.count == op.results.count else {
            output.append(op)
            return
        }
        var map: [Int: Value] = [:]
        for (argument, operand) in zip(body.arguments, op.operands) { map[argument.id] = operand }
        for inner in body.operations.dropLast() {
            visit(clone(inner, map: &map), into: &output, stack: stack + [name])
        }
        for (result, returned) in zip(op.results, terminator.operands) {
            renamed[result.id] = resolve(map[returned.id] ?? returned)
        }
    }

    /// A copy of `op` reading `map`ped operands, with fresh ids for everything it defines.
    private mutating func clone(_ op: Operation, map: inout [Int: Value]) -> Operation {
        var copy = op
        copy.operands = op.operands.map { map[$0.id] ?? $0 }
        for r in copy.regions.indices {
            for b in copy.regions[r].blocks.indices {
                var block = copy.regions[r].blocks[b]
                block.arguments = block.arguments.map { fresh($0, map: &map) }
                block.operations = block.operations.map { clone($0, map: &map) }
                copy.regions[r].blocks[b] = block
            }
        }
        copy.results = op.results.map { fresh($0, map: &map) }
        return copy
    }

    private mutating func fresh(_ value: Value, map: inout [Int: Value]) -> Value {
        let new = Value(id: nextID, type: value.type)
        nextID += 1
        map[value.id] = new
        return new
    }

    private func resolve(_ value: Value) -> Value {
        var current = value
        while let next = renamed[current.id], next.id != current.id { current = next }
        return current
    }
}
