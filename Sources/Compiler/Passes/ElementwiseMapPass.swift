import StableHLO

/// `map-to-elementwise`: a `stablehlo.map` whose body only applies elementwise ops to 0-d
/// tensors (arithmetic, compare, select, convert, constants) becomes those ops applied to
/// the whole shape: each body argument is the corresponding operand, each body op gets the
/// map's shape, and each constant becomes a scalar constant broadcast to the shape. Then a
/// target fuses them like any elementwise chain. Maps over other dimensions than the
/// identity (the spec requires it), with other body ops, or with operands of another shape
/// stay as they are.
public struct ElementwiseMapPass: Pass {
    public var name: String { "map-to-elementwise" }

    public init() {}

    public func run(on module: inout Module) throws {
        try OperationRewriter.rewrite(&module, rule: Self.rewrite)
    }

    static func rewrite(_ op: Operation, _ context: inout RewriteContext) -> Rewrite {
        guard op.name == "stablehlo.map", op.results.count == 1, let output = op.results[0].type.tensorType,
              output.isStatic, !op.operands.isEmpty,
              op.operands.allSatisfy({ $0.type.tensorType?.shape == output.shape }),
              op[attribute: "dimensions"]?.intArray == (0..<output.rank).map(Int64.init),
              op.regions.count == 1, op.regions[0].blocks.count == 1, let body = op.regions[0].entry,
              body.arguments.count == op.operands.count,
              let terminator = body.operations.last, OperationEffects.isTerminator(terminator),
              terminator.operands.count == 1 else { return .keep }
        var mapped: [Int: Value] = [:]
        for (argument, operand) in zip(body.arguments, op.operands) {
            guard let scalar = argument.type.tensorType, scalar.rank == 0,
                  scalar.elementType == operand.type.tensorType?.elementType else { return .keep }
            mapped[argument.id] = operand
        }
        var operations: [Operation] = []
        for inner in body.operations.dropLast() {
            guard inner.regions.isEmpty, inner.results.count == 1, let scalar = inner.results[0].type.tensorType,
                  scalar.rank == 0 else { return .keep }
            let wide = context.makeValue(.tensor(TensorType(shape: output.shape, elementType: scalar.elementType)))
            if inner.name == "stablehlo.constant" {
                let narrow = context.makeValue(inner.results[0].type)
                var constant = inner
                constant.results = [narrow]
                operations.append(constant)
                operations.append(Operation(
                    name: "stablehlo.broadcast_in_dim", operands: [narrow], results: [wide],
                    attributes: [NamedAttribute("broadcast_dimensions", .denseInts(.si(64), []))], location: inner.location))
            } else {
                guard SimplifyBroadcastsPass.elementwiseOperations.contains(inner.name) else { return .keep }
                var applied = inner
                var operands: [Value] = []
                for operand in inner.operands {
                    // A value from outside the body is not a per-element scalar.
                    guard let value = mapped[operand.id] else { return .keep }
                    operands.append(value)
                }
                applied.operands = operands
                applied.results = [wide]
                operations.append(applied)
            }
            mapped[inner.results[0].id] = wide
        }
        guard let result = mapped[terminator.operands[0].id], result.type == op.results[0].type else { return .keep }
        return .expand(operations, results: [result])
    }
}
