import StableHLO

/// `forward-tuples`: `get_tuple_element(tuple(a, b, ...), i)` reads the element itself (also
/// through nested tuples), and `tuple` ops nothing reads any more are dropped, so tuples
/// built only to be taken apart leave no op behind. Tuples that are returned or passed on
/// stay.
public struct ForwardTuplesPass: Pass {
    public var name: String { "forward-tuples" }

    public init() {}

    public func run(on module: inout Module) throws {
        let changed = try OperationRewriter.rewrite(&module) { op, context in
            guard op.name == "stablehlo.get_tuple_element", op.operands.count == 1, op.results.count == 1,
                  let index = op[attribute: "index"]?.intValue,
                  let tuple = context.definingOperation(of: op.operands[0]), tuple.name == "stablehlo.tuple",
                  index >= 0, Int(index) < tuple.operands.count,
                  tuple.operands[Int(index)].type == op.results[0].type else { return .keep }
            return .replace(with: [tuple.operands[Int(index)]])
        }
        if changed { UnreadOperations.remove(from: &module) { $0.name == "stablehlo.tuple" } }
    }
}
