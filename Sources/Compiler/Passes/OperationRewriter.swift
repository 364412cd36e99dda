import StableHLO

/// What a rewrite rule does with one op.
public enum Rewrite: Sendable {
    /// Leaves the op as it is.
    case keep
    /// Drops the op; uses of its results read `values` instead (defined before the op).
    case replace(with: [Value])
    /// Puts `operations` in the op's place; uses of its results read `results` instead.
    case expand([Operation], results: [Value])
    /// Puts this edited version of the op (same result values) in its place.
    case update(Operation)
}

/// What a rule sees besides the op: the defining op of every visible value, and fresh ids.
public struct RewriteContext {
    /// Value id → the op that defines it (block arguments have none).
    private var definitions: [Int: Operation] = [:]
    private var nextID: Int
    /// The module being rewritten (for callee lookups).
    public let module: Module

    init(function: Function, module: Module) {
        nextID = function.nextValueID
        self.module = module
    }

    /// A new value of `type`, unique in the function.
    public mutating func makeValue(_ type: IRType) -> Value {
        defer { nextID += 1 }
        return Value(id: nextID, type: type)
    }

    /// The op that defines `value`, or nil for a block argument.
    public func definingOperation(of value: Value) -> Operation? { definitions[value.id] }

    /// The elements of `value` when a `stablehlo.constant` defines it.
    public func constantElements(of value: Value) -> DenseElements? {
        guard let op = definitions[value.id], op.name == "stablehlo.constant",
              case .dense(let elements)? = op[attribute: "value"] else { return nil }
        return elements
    }

    mutating func define(_ op: Operation) {
        for r in op.results { definitions[r.id] = op }
    }
}

/// Applies a rewrite rule to every op of a module, innermost regions first, in program
/// order, and renames the uses of replaced results as it goes (a single forward walk: every
/// use follows its definition). Ops produced by `.expand` are offered to the rule again.
public struct OperationRewriter {
    /// The rule: given an op whose operands are already renamed, what to do with it.
    public typealias Rule = (Operation, inout RewriteContext) throws -> Rewrite

    /// How many times a rule may expand ops produced by its own expansions.
    static let maximumExpansionDepth = 16

    private var renamed: [Int: Value] = [:]
    private var context: RewriteContext
    private let rule: Rule
    /// Whether any rule fired.
    private(set) var changed = false

    /// Rewrites every function of `module` with `rule`; returns whether anything changed.
    @discardableResult
    public static func rewrite(_ module: inout Module, rule: @escaping Rule) throws -> Bool {
        var changed = false
        for i in module.functions.indices where !module.functions[i].body.blocks.isEmpty {
            var rewriter = OperationRewriter(
                context: RewriteContext(function: module.functions[i], module: module), rule: rule)
            try rewriter.rewrite(&module.functions[i].body)
            changed = changed || rewriter.changed
        }
        return changed
    }

    private init(context: RewriteContext, rule: @escaping Rule) {
        self.context = context
        self.rule = rule
    }

    private mutating func rewrite(_ region: inout Region) throws {
        for b in region.blocks.indices {
            var output: [Operation] = []
            output.reserveCapacity(region.blocks[b].operations.count)
            for op in region.blocks[b].operations {
                try rewrite(op, into: &output, depth: 0)
            }
            region.blocks[b].operations = output
        }
    }

    private mutating func rewrite(_ original: Operation, into output: inout [Operation], depth: Int) throws {
        var op = original
        for i in op.operands.indices { op.operands[i] = resolve(op.operands[i]) }
        for r in op.regions.indices { try rewrite(&op.regions[r]) }
        let decision = depth > Self.maximumExpansionDepth ? .keep : try rule(op, &context)
        switch decision {
        case .keep:
            context.define(op)
            output.append(op)
        case .replace(let values):
            changed = true
            for (result, value) in zip(op.results, values) { renamed[result.id] = resolve(value) }
        case .update(let edited):
            changed = true
            try rewrite(edited, into: &output, depth: depth + 1)
        case .expand(let operations, let results):
            changed = true
            for (result, value) in zip(op.results, results) { renamed[result.id] = value }
            for new in operations { try rewrite(new, into: &output, depth: depth + 1) }
            for result in op.results {
                if let value = renamed[result.id] { renamed[result.id] = resolve(value) }
            }
        }
    }

    private func resolve(_ value: Value) -> Value {
        var current = value
        var steps = 0
        while let next = renamed[current.id], next.id != current.id, steps < 1_000_000 {
            current = next
            steps += 1
        }
        return current
    }
}
