import Reference
import StableHLO

/// Replaces pure ops whose operands are all constants by the constants they compute.
///
/// The op is evaluated by the reference interpreter (the spec-exact oracle), so a folded
/// program computes exactly what the unfolded one does. Results larger than
/// `maximumResultElements` are left to run time, so folding never materializes huge
/// tensors; a uniform result becomes a splat. An op the interpreter rejects or does not
/// finish within `timeLimit` is left as it is: its error, if any, belongs to run time.
/// Elementwise ops on uniform constants are evaluated once on scalars, so their splat
/// results fold at any size.
public struct FoldConstantsPass: Pass {
    public var name: String { "fold-constants" }
    /// The most elements all results of one folded op may have together.
    public var maximumResultElements: Int
    /// The most elements all operands of one folded op may have together.
    public var maximumOperandElements: Int
    /// The time one op's evaluation may take.
    public var timeLimit: Duration

    /// Ops left to run time although their inputs are known.
    static let excludedOperations: Set<String> = [
        "stablehlo.constant", "stablehlo.rng_bit_generator", "stablehlo.get_tuple_element", "stablehlo.tuple",
    ]

    public init(
        maximumResultElements: Int = 1 << 16, maximumOperandElements: Int = 1 << 20,
        timeLimit: Duration = .seconds(1)
    ) {
        self.maximumResultElements = maximumResultElements
        self.maximumOperandElements = maximumOperandElements
        self.timeLimit = timeLimit
    }

    public func run(on module: inout Module) throws {
        let effects = OperationEffects(module: module)
        try OperationRewriter.rewrite(&module) { op, context in
            fold(op, &context, effects: effects)
        }
    }

    func fold(_ op: Operation, _ context: inout RewriteContext, effects: OperationEffects) -> Rewrite {
        guard !op.operands.isEmpty, op.regions.isEmpty, !op.results.isEmpty,
              !Self.excludedOperations.contains(op.name), OperationEffects.callee(of: op) == nil,
              effects.isPure(op) else { return .keep }
        var resultTypes: [TensorType] = []
        for result in op.results {
            guard let type = result.type.tensorType, type.isStatic else { return .keep }
            resultTypes.append(type)
        }
        var operandElements: [DenseElements] = []
        for operand in op.operands {
            guard let elements = context.constantElements(of: operand), elements.hasCompleteStorage,
                  operand.type.tensorType != nil else {
                return .keep
            }
            operandElements.append(elements)
        }
        if let uniform = foldUniform(op, operandElements, resultTypes: resultTypes, &context) { return uniform }
        guard resultTypes.reduce(0, { $0 + $1.elementCount }) <= maximumResultElements,
              operandElements.reduce(0, { $0 + $1.type.elementCount }) <= maximumOperandElements else { return .keep }
        var constants: [Operation] = []
        var defined: Set<Int> = []
        for (operand, elements) in zip(op.operands, operandElements) where defined.insert(operand.id).inserted {
            constants.append(.constant(elements, result: operand, location: op.location))
        }
        guard let tensors = evaluate(op, constants: constants, resultTypes: resultTypes) else { return .keep }
        var operations: [Operation] = []
        var values: [Value] = []
        for (tensor, type) in zip(tensors, resultTypes) {
            let bytes = tensor.hostTensor.bytes
            guard tensor.type == type, bytes.count == type.elementCount * type.elementType.storageBytes else {
                return .keep
            }
            var elements = DenseElements(type: type, bytes: bytes)
            if type.elementCount > 1, let splat = elements.splat(as: type) { elements = splat }
            let value = context.makeValue(.tensor(type))
            operations.append(.constant(elements, result: value, location: op.location))
            values.append(value)
        }
        return .expand(operations, results: values)
    }

    /// An elementwise op on uniform constants, of any size: evaluated once on scalars, its
    /// result is a splat of the result type.
    private func foldUniform(
        _ op: Operation, _ operandElements: [DenseElements], resultTypes: [TensorType],
        _ context: inout RewriteContext
    ) -> Rewrite? {
        guard SimplifyBroadcastsPass.elementwiseOperations.contains(op.name), resultTypes.count == 1,
              resultTypes[0].elementCount > 1 else { return nil }
        var scalarOp = op
        var constants: [Operation] = []
        var defined: Set<Int> = []
        for (i, elements) in operandElements.enumerated() {
            let scalarType = TensorType(shape: [], elementType: elements.type.elementType)
            guard let scalar = elements.splat(as: scalarType) else { return nil }
            let value = Value(id: op.operands[i].id, type: .tensor(scalarType))
            scalarOp.operands[i] = value
            if defined.insert(value.id).inserted {
                constants.append(.constant(scalar, result: value, location: op.location))
            }
        }
        let scalarResult = TensorType(shape: [], elementType: resultTypes[0].elementType)
        scalarOp.results = [Value(id: op.results[0].id, type: .tensor(scalarResult))]
        guard let tensors = evaluate(scalarOp, constants: constants, resultTypes: [scalarResult]),
              let tensor = tensors.first else { return nil }
        let bytes = tensor.hostTensor.bytes
        guard tensor.type == scalarResult, bytes.count == scalarResult.elementType.storageBytes else { return nil }
        let value = context.makeValue(op.results[0].type)
        let splat = DenseElements(type: resultTypes[0], bytes: bytes, isSplat: true)
        return .expand([.constant(splat, result: value, location: op.location)], results: [value])
    }

    /// Runs `op` alone in the reference interpreter; nil when it fails or runs too long.
    private func evaluate(_ op: Operation, constants: [Operation], resultTypes: [TensorType]) -> [Tensor]? {
        let body = Block(operations: constants + [op, Operation(name: "func.return", operands: op.results)])
        let function = Function(
            name: "fold", inputTypes: [], resultTypes: resultTypes.map { .tensor($0) },
            body: Region(blocks: [body]), location: op.location)
        let interpreter = Interpreter(
            module: Module(functions: [function]), deadline: ContinuousClock.now + timeLimit)
        guard let tensors = try? interpreter.run("fold", inputs: []), tensors.count == resultTypes.count else {
            return nil
        }
        return tensors
    }
}
