import Runtime
import StableHLO

/// What the reference backend can run, decided before a program runs: a front end that
/// compiles (the PJRT plugin) reports an op with no kernel as a compile error naming the
/// op and where it is, instead of failing later, mid-run.
public enum ReferenceSupport {
    /// The custom-call targets the reference backend implements.
    static let customCallTargets: Set<String> = [
        "check.expect_eq", "check.expect_almost_eq", "check.expect_close", "check.eq",
    ]

    /// The first op of `module` (in program order, regions included) the reference backend
    /// has no kernel for, as a diagnostic at that op; nil when every op can run.
    public static func firstUnsupportedOperation(in module: Module) -> Diagnostic? {
        var stack: [Region] = module.functions.map(\.body).reversed()
        while let region = stack.popLast() {
            for block in region.blocks {
                for op in block.operations {
                    if let problem = problem(with: op) { return problem }
                    stack.append(contentsOf: op.regions.reversed())
                }
            }
        }
        return nil
    }

    private static func problem(with op: StableHLO.Operation) -> Diagnostic? {
        switch op.name {
        case "stablehlo.return", "func.return", "return":
            return nil
        case "stablehlo.custom_call":
            let target: String
            switch op[attribute: "call_target_name"] {
            case .string(let s)?: target = s
            case .symbolRef(let s)?: target = s
            default: target = "<no call_target_name>"
            }
            if customCallTargets.contains(target) { return nil }
            return Diagnostic(.verify, at: op.location,
                              "stablehlo.custom_call @\(target) is not supported (no implementation of this call target)")
        default:
            if KernelRegistry.table[op.name] != nil { return nil }
            return Diagnostic(.verify, at: op.location, "\(op.name) is not supported by the reference backend")
        }
    }
}
