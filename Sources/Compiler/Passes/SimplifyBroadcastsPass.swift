import StableHLO

/// Makes broadcasts cheaper without changing a result bit:
///
/// - `stablehlo.broadcast` becomes the equivalent `broadcast_in_dim`;
/// - a broadcast of a uniform constant becomes a splat constant of the result type;
/// - a broadcast that only inserts size-1 dimensions becomes a `reshape`;
/// - an elementwise op whose operands are all broadcast the same way (or are splat
///   constants) runs on the smaller sources and is broadcast once afterwards.
public struct SimplifyBroadcastsPass: Pass {
    public var name: String { "simplify-broadcasts" }

    public init() {}

    public func run(on module: inout Module) throws {
        for _ in 0..<CanonicalizePass.maximumRounds {
            guard try OperationRewriter.rewrite(&module, rule: Self.simplify) else { return }
        }
    }

    /// Elementwise ops whose operands and result all have one shape.
    public static let elementwiseOperations: Set<String> = [
        "stablehlo.abs", "stablehlo.add", "stablehlo.and", "stablehlo.atan2", "stablehlo.cbrt",
        "stablehlo.ceil", "stablehlo.compare", "stablehlo.complex", "stablehlo.convert", "stablehlo.cosine",
        "stablehlo.count_leading_zeros", "stablehlo.divide", "stablehlo.exponential",
        "stablehlo.exponential_minus_one", "stablehlo.floor", "stablehlo.imag", "stablehlo.is_finite",
        "stablehlo.log", "stablehlo.log_plus_one", "stablehlo.logistic", "stablehlo.maximum",
        "stablehlo.minimum", "stablehlo.multiply", "stablehlo.negate", "stablehlo.not", "stablehlo.or",
        "stablehlo.popcnt", "stablehlo.power", "stablehlo.real", "stablehlo.remainder",
        "stablehlo.round_nearest_afz", "stablehlo.round_nearest_even", "stablehlo.rsqrt",
        "stablehlo.select", "stablehlo.shift_left", "stablehlo.shift_right_arithmetic",
        "stablehlo.shift_right_logical", "stablehlo.sign", "stablehlo.sine", "stablehlo.sqrt",
        "stablehlo.subtract", "stablehlo.tan", "stablehlo.tanh", "stablehlo.xor", "stablehlo.reduce_precision",
    ]

    static func simplify(_ op: Operation, _ context: inout RewriteContext) -> Rewrite {
        switch op.name {
        case "stablehlo.broadcast": return inDimensionForm(op)
        case "stablehlo.broadcast_in_dim": return simplifyBroadcastInDim(op, &context)
        default:
            guard elementwiseOperations.contains(op.name) else { return .keep }
            return sinkBroadcasts(op, &context)
        }
    }

    /// `broadcast` (sizes prepended) as `broadcast_in_dim` with the operand in the last dims.
    static func inDimensionForm(_ op: Operation) -> Rewrite {
        guard op.operands.count == 1, op.results.count == 1,
              let input = op.operands[0].type.tensorType, let output = op.results[0].type.tensorType,
              output.rank >= input.rank else { return .keep }
        let leading = output.rank - input.rank
        let dimensions: [Int64] = (0..<input.rank).map { Int64(leading + $0) }
        let rewritten = Operation(
            name: "stablehlo.broadcast_in_dim", operands: op.operands, results: op.results,
            attributes: [NamedAttribute("broadcast_dimensions", .denseInts(.si(64), dimensions))],
            location: op.location)
        return .update(rewritten)
    }

    static func simplifyBroadcastInDim(_ op: Operation, _ context: inout RewriteContext) -> Rewrite {
        guard op.operands.count == 1, op.results.count == 1,
              let input = op.operands[0].type.tensorType, let output = op.results[0].type.tensorType,
              input.isStatic, output.isStatic,
              let dimensions = op[attribute: "broadcast_dimensions"]?.intArray,
              dimensions.count == input.rank,
              dimensions.allSatisfy({ $0 >= 0 && Int($0) < output.rank }) else { return .keep }
        if let splat = CanonicalizePass.movedUniformConstant(op, context) {
            let value = context.makeValue(op.results[0].type)
            return .expand([.constant(splat, result: value, location: op.location)], results: [value])
        }
        let increasing = zip(dimensions, dimensions.dropFirst()).allSatisfy { $0 < $1 }
        let keepsSizes = dimensions.enumerated().allSatisfy { k, d in input.shape[k] == output.shape[Int(d)] }
        if increasing, keepsSizes, input.elementCount == output.elementCount, input != output {
            let reshape = Operation(
                name: "stablehlo.reshape", operands: op.operands, results: op.results, location: op.location)
            return .update(reshape)
        }
        return .keep
    }

    /// `f(broadcast(a), broadcast(b))` → `broadcast(f(a, b))` when both broadcasts share
    /// source shape and dimensions; splat constant operands shrink to the source shape.
    static func sinkBroadcasts(_ op: Operation, _ context: inout RewriteContext) -> Rewrite {
        guard op.results.count == 1, op.regions.isEmpty, !op.operands.isEmpty,
              let output = op.results[0].type.tensorType, output.isStatic,
              op.operands.allSatisfy({ $0.type.tensorType?.shape == output.shape }) else { return .keep }
        var source: (shape: [Int], dimensions: [Int64])?
        for operand in op.operands {
            guard let producer = context.definingOperation(of: operand) else { return .keep }
            if producer.name == "stablehlo.constant" {
                guard context.constantElements(of: operand)?.isUniform == true else { return .keep }
                continue
            }
            guard producer.name == "stablehlo.broadcast_in_dim", producer.operands.count == 1,
                  let shape = producer.operands[0].type.tensorType?.shape, !shape.contains(TensorType.dynamic),
                  let dimensions = producer[attribute: "broadcast_dimensions"]?.intArray else { return .keep }
            if let known = source {
                guard known.shape == shape, known.dimensions == dimensions else { return .keep }
            } else {
                source = (shape, dimensions)
            }
        }
        guard let source, source.shape.reduce(1, *) < output.elementCount else { return .keep }
        var operations: [Operation] = []
        var narrowOperands: [Value] = []
        for operand in op.operands {
            guard let operandType = operand.type.tensorType else { return .keep }
            let narrowType = TensorType(shape: source.shape, elementType: operandType.elementType)
            if let constant = context.constantElements(of: operand) {
                guard let splat = constant.splat(as: narrowType) else { return .keep }
                let value = context.makeValue(.tensor(narrowType))
                operations.append(.constant(splat, result: value, location: op.location))
                narrowOperands.append(value)
            } else if let producer = context.definingOperation(of: operand) {
                narrowOperands.append(producer.operands[0])
            } else {
                return .keep
            }
        }
        let narrowResult = context.makeValue(
            .tensor(TensorType(shape: source.shape, elementType: output.elementType)))
        var narrow = op
        narrow.operands = narrowOperands
        narrow.results = [narrowResult]
        operations.append(narrow)
        let result = context.makeValue(op.results[0].type)
        operations.append(Operation(
            name: "stablehlo.broadcast_in_dim", operands: [narrowResult], results: [result],
            attributes: [NamedAttribute("broadcast_dimensions", .denseInts(.si(64), source.dimensions))],
            location: op.location))
        return .expand(operations, results: [result])
    }
}
