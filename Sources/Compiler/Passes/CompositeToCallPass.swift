import StableHLO

/// `composite-to-call`: replaces each `stablehlo.composite` with a `func.call` of its
/// `decomposition` function (the spec's meaning of a composite), so the inliner can expand
/// it and a target compiles the decomposition's ops. A composite whose decomposition is
/// missing, or whose signature does not match the composite's operands and results, stays.
public struct CompositeToCallPass: Pass {
    public var name: String { "composite-to-call" }

    public init() {}

    public func run(on module: inout Module) throws {
        var signatures: [String: (inputs: [IRType], results: [IRType])] = [:]
        for f in module.functions where signatures[f.name] == nil { signatures[f.name] = (f.inputTypes, f.resultTypes) }
        try OperationRewriter.rewrite(&module) { op, _ in
            guard op.name == "stablehlo.composite", op.regions.isEmpty,
                  case .symbolRef(let callee)? = op[attribute: "decomposition"],
                  let signature = signatures[callee],
                  signature.inputs == op.operands.map(\.type), signature.results == op.results.map(\.type) else {
                return .keep
            }
            return .update(Operation(
                name: "func.call", operands: op.operands, results: op.results,
                attributes: [NamedAttribute("callee", .symbolRef(callee))], location: op.location))
        }
    }
}
