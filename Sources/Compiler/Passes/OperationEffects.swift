import StableHLO

/// Which ops may be removed, merged or evaluated at compile time.
///
/// An op is *pure* when running it twice gives the same results and nothing but its
/// results is observable: no `check.*` assertion, no `interpreter.*` probe, no custom call,
/// no I/O or collective communication, no random numbers, and no region or callee that
/// holds such an op. Ops of dialects the compiler does not know are impure.
public struct OperationEffects: Sendable {
    /// Functions whose bodies (and callees, transitively) are pure.
    private let pureFunctions: Set<String>

    /// Ops with effects beyond their results, or whose results depend on where they run.
    public static let effectfulOperations: Set<String> = [
        "stablehlo.custom_call", "stablehlo.rng", "stablehlo.infeed", "stablehlo.outfeed",
        "stablehlo.send", "stablehlo.recv", "stablehlo.all_reduce", "stablehlo.all_gather",
        "stablehlo.all_to_all", "stablehlo.reduce_scatter", "stablehlo.collective_permute",
        "stablehlo.collective_broadcast", "stablehlo.optimization_barrier", "stablehlo.after_all",
        "stablehlo.replica_id", "stablehlo.partition_id", "stablehlo.create_token",
        "stablehlo.trace", "stablehlo.print",
    ]

    /// Dialects whose ops are pure unless listed in `effectfulOperations`.
    public static let pureDialects: Set<String> = ["stablehlo", "chlo"]

    /// Analyses `module`'s functions: a function is pure when every op in it is.
    public init(module: Module) {
        var byName: [String: Function] = [:]
        for f in module.functions where byName[f.name] == nil { byName[f.name] = f }
        var verdicts: [String: Bool] = [:]
        var visiting: Set<String> = []
        func isPureFunction(_ name: String) -> Bool {
            if let known = verdicts[name] { return known }
            // Recursion and declarations without a body are treated as impure.
            guard let f = byName[name], !f.body.blocks.isEmpty, visiting.insert(name).inserted else {
                return false
            }
            let verdict = Self.regionIsPure(f.body, calleeIsPure: isPureFunction)
            visiting.remove(name)
            verdicts[name] = verdict
            return verdict
        }
        pureFunctions = Set(byName.keys.filter(isPureFunction))
    }

    /// Whether `op` (with its regions and callee) is pure.
    public func isPure(_ op: Operation) -> Bool {
        Self.isPure(op) { pureFunctions.contains($0) }
    }

    /// Whether `op` is a block terminator (`func.return`, `stablehlo.return`).
    public static func isTerminator(_ op: Operation) -> Bool {
        op.name == "func.return" || op.name == "stablehlo.return" || op.name == "return"
    }

    /// The callee of a `func.call`, if `op` is one.
    public static func callee(of op: Operation) -> String? {
        guard op.name == "func.call" || op.name == "call" else { return nil }
        switch op[attribute: "callee"] {
        case .symbolRef(let name)?, .string(let name)?: return name
        default: return nil
        }
    }

    private static func isPure(_ op: Operation, calleeIsPure: (String) -> Bool) -> Bool {
        if isTerminator(op) { return false }
        if let callee = callee(of: op) { return calleeIsPure(callee) }
        guard let dot = op.name.firstIndex(of: ".") else { return false }
        guard pureDialects.contains(String(op.name[..<dot])), !effectfulOperations.contains(op.name) else {
            return false
        }
        return op.regions.allSatisfy { regionIsPure($0, calleeIsPure: calleeIsPure) }
    }

    private static func regionIsPure(_ region: Region, calleeIsPure: (String) -> Bool) -> Bool {
        region.blocks.allSatisfy { block in
            block.operations.allSatisfy { op in
                isTerminator(op) || isPure(op, calleeIsPure: calleeIsPure)
            }
        }
    }
}
