import StableHLO

/// Puts collectives in the form NCCL moves: one operand each, gathering, scattering and
/// splitting along the leading dimension only, so that every block a process sends or
/// receives is one contiguous byte range.
///
/// - A variadic collective becomes one op per operand (same attributes).
/// - `all_gather` / `reduce_scatter` on dimension `d > 0` become
///   `transpose(d first) → op on dim 0 → transpose back`.
/// - `all_to_all(split s, concat c, count N)` becomes `transpose(s first) → reshape to
///   [N, …] → all_to_all(0, 0) → transpose (piece layout back, the N axis before c) →
///   reshape (merge N into c)`.
///
/// The `nvgpu-collective-layout` pass runs it on every block. The transposes and reshapes
/// are ordinary view ops: the fusion planner turns them into
/// generated kernels (fused with neighbouring elementwise work where it can). Each rewritten
/// chain ends in the original result value, so users are untouched.
enum CollectiveLayout {
    /// `block` with its collectives in leading-dimension form; new values are numbered from
    /// `nextID` (past every id of the enclosing function), which advances past them.
    static func leadingDimensionForm(of block: Block, nextID: inout Int) -> Block {
        guard block.operations.contains(where: { CollectiveLowering.operationNames.contains($0.name) }) else { return block }
        var rewriter = Rewriter(nextID: nextID)
        var operations: [Operation] = []
        for op in block.operations {
            operations += rewriter.rewrite(op)
        }
        nextID = rewriter.nextID
        return Block(arguments: block.arguments, operations: operations)
    }

    private struct Rewriter {
        var nextID: Int

        mutating func fresh(_ type: TensorType) -> Value {
            defer { nextID += 1 }
            return Value(id: nextID, type: .tensor(type))
        }

        mutating func rewrite(_ op: Operation) -> [Operation] {
            let variadic = ["stablehlo.all_reduce", "stablehlo.all_gather", "stablehlo.reduce_scatter", "stablehlo.all_to_all"]
            guard variadic.contains(op.name) else { return [op] }
            guard op.operands.count == op.results.count,
                  (op.operands + op.results).allSatisfy({ $0.type.tensorType?.isStatic ?? false }) else { return [op] }
            var result: [Operation] = []
            for (operand, value) in zip(op.operands, op.results) {
                var single = op
                single.operands = [operand]
                single.results = [value]
                result += leading(single)
            }
            return result
        }

        /// One single-operand collective in leading-dimension form.
        mutating func leading(_ op: Operation) -> [Operation] {
            guard let input = op.operandTensorType(0), let output = op.resultTensorType(0) else { return [op] }
            switch op.name {
            case "stablehlo.all_gather", "stablehlo.reduce_scatter":
                let key = op.name == "stablehlo.all_gather" ? "all_gather_dim" : "scatter_dimension"
                guard let d = op[attribute: key]?.intValue.map({ Int($0) }), d > 0, d < input.rank else { return [op] }
                let order = [d] + (0..<input.rank).filter { $0 != d }
                var chain: [Operation] = []
                let moved = transpose(op.operands[0], order, into: &chain)
                var inner = op
                inner.operands = [moved]
                inner[attribute: key] = zero(like: op[attribute: key])
                let gathered = fresh(permuted(output, order))
                inner.results = [gathered]
                chain.append(inner)
                chain.append(transposeOp(gathered, inverse(order), result: op.results[0], location: op.location))
                return chain
            case "stablehlo.all_to_all":
                guard let s = op[attribute: "split_dimension"]?.intValue.map({ Int($0) }),
                      let c = op[attribute: "concat_dimension"]?.intValue.map({ Int($0) }),
                      let n = op[attribute: "split_count"]?.intValue.map({ Int($0) }),
                      n > 0, s >= 0, s < input.rank, c >= 0, c < input.rank, input.shape[s] % n == 0,
                      s != 0 || c != 0 else { return [op] }
                let order = [s] + (0..<input.rank).filter { $0 != s }
                var chain: [Operation] = []
                let moved = transpose(op.operands[0], order, into: &chain)
                let movedShape = order.map { input.shape[$0] }
                let stacked = TensorType(shape: [n, movedShape[0] / n] + movedShape.dropFirst(), elementType: input.elementType)
                let split = fresh(stacked)
                chain.append(Operation(name: "stablehlo.reshape", operands: [moved], results: [split], location: op.location))
                var inner = op
                inner.operands = [split]
                inner[attribute: "split_dimension"] = zero(like: op[attribute: "split_dimension"])
                inner[attribute: "concat_dimension"] = zero(like: op[attribute: "concat_dimension"])
                let exchanged = fresh(stacked)
                inner.results = [exchanged]
                chain.append(inner)
                // Axis 0 of `exchanged` is the sender; axes 1... are a piece in `order` layout.
                // Put the piece back in the operand's layout and the sender axis just before c.
                let pieceBack = [0] + inverse(order).map { $0 + 1 }
                var senderBeforeC = Array(1...input.rank)
                senderBeforeC.insert(0, at: c)
                let combined = senderBeforeC.map { pieceBack[$0] }
                let arranged = transpose(exchanged, combined, into: &chain)
                chain.append(Operation(name: "stablehlo.reshape", operands: [arranged], results: [op.results[0]], location: op.location))
                _ = output
                return chain
            default:
                return [op]
            }
        }

        /// `value` transposed by `order` (no op for the identity); appends the op to `chain`.
        mutating func transpose(_ value: Value, _ order: [Int], into chain: inout [Operation]) -> Value {
            guard order != Array(order.indices), let type = value.type.tensorType else { return value }
            let result = fresh(permuted(type, order))
            chain.append(transposeOp(value, order, result: result, location: .unknown))
            return result
        }

        func transposeOp(_ value: Value, _ order: [Int], result: Value, location: SourceLocation) -> Operation {
            if order == Array(order.indices) {
                return Operation(name: "stablehlo.reshape", operands: [value], results: [result], location: location)
            }
            return Operation(name: "stablehlo.transpose", operands: [value], results: [result],
                             attributes: [NamedAttribute("permutation", .denseInts(.si(64), order.map { Int64($0) }))],
                             location: location)
        }

        func permuted(_ type: TensorType, _ order: [Int]) -> TensorType {
            TensorType(shape: order.map { type.shape[$0] }, elementType: type.elementType)
        }

        func inverse(_ order: [Int]) -> [Int] {
            var result = Array(repeating: 0, count: order.count)
            for (k, axis) in order.enumerated() { result[axis] = k }
            return result
        }

        func zero(like attribute: Attribute?) -> Attribute {
            if case .integer(_, let type)? = attribute { return .integer(0, type: type) }
            return .integer(0, type: nil)
        }
    }
}
