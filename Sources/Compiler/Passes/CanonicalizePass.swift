import StableHLO

/// Local simplifications that never change a result bit:
///
/// - ops that return their operand unchanged are removed: a reshape, convert or
///   bitcast_convert to the same type, an identity transpose or broadcast_in_dim, a slice,
///   dynamic_slice or pad that keeps the whole operand, a reverse of size-1 dimensions, a
///   one-operand concatenate;
/// - chains merge: reshape of reshape, transpose of transpose, broadcast_in_dim of
///   broadcast_in_dim, negate/not twice;
/// - reshape, transpose, broadcast, reverse or slice of a uniform constant becomes a splat;
/// - `convert` to a wider type and back is removed;
/// - commutative ops put a constant operand on the right;
/// - identities: integer `x + 0`, `x - 0`, `x | 0`, `x ^ 0`, `x & ~0`; `x * 1` (integers and
///   floats); `x & x`, `x | x`, `max(x, x)`, `min(x, x)`; `select` with a constant predicate
///   or equal branches.
public struct CanonicalizePass: Pass {
    public var name: String { "canonicalize" }

    /// Rounds over the module until nothing changes (each round is one forward walk).
    static let maximumRounds = 8

    public init() {}

    public func run(on module: inout Module) throws {
        for _ in 0..<Self.maximumRounds {
            guard try OperationRewriter.rewrite(&module, rule: Self.simplify) else { return }
        }
    }

    static let commutativeOperations: Set<String> = [
        "stablehlo.add", "stablehlo.multiply", "stablehlo.and", "stablehlo.or", "stablehlo.xor",
        "stablehlo.maximum", "stablehlo.minimum",
    ]

    static let idempotentOperations: Set<String> = [
        "stablehlo.and", "stablehlo.or", "stablehlo.maximum", "stablehlo.minimum",
    ]

    /// One op's simplification, or `.keep`.
    static func simplify(_ op: Operation, _ context: inout RewriteContext) -> Rewrite {
        if let operand = forwardedOperand(op) { return .replace(with: [operand]) }
        if let splat = movedUniformConstant(op, context) {
            let value = context.makeValue(op.results[0].type)
            return .expand([.constant(splat, result: value, location: op.location)], results: [value])
        }
        if let original = convertRoundTrip(op, context) { return .replace(with: [original]) }
        if let merged = mergedChain(op, context) { return .update(merged) }
        if commutativeOperations.contains(op.name), op.operands.count == 2,
           context.constantElements(of: op.operands[0]) != nil,
           context.constantElements(of: op.operands[1]) == nil {
            var swapped = op
            swapped.operands.swapAt(0, 1)
            return .update(swapped)
        }
        if let value = identityOperand(op, context) { return .replace(with: [value]) }
        return .keep
    }

    /// The operand an op returns unchanged, if it is such an op.
    static func forwardedOperand(_ op: Operation) -> Value? {
        guard op.results.count == 1, let x = op.operands.first,
              let input = x.type.tensorType, let output = op.results[0].type.tensorType,
              input == output, input.isStatic else { return nil }
        switch op.name {
        case "stablehlo.reshape", "stablehlo.convert", "stablehlo.bitcast_convert", "stablehlo.slice",
             "stablehlo.dynamic_slice":
            return x
        case "stablehlo.transpose":
            return op[attribute: "permutation"]?.intArray == (0..<Int64(input.rank)).map { $0 } ? x : nil
        case "stablehlo.broadcast_in_dim":
            return op[attribute: "broadcast_dimensions"]?.intArray == (0..<Int64(input.rank)).map { $0 } ? x : nil
        case "stablehlo.broadcast":
            return (op[attribute: "broadcast_sizes"]?.intArray ?? []).isEmpty ? x : nil
        case "stablehlo.reverse":
            guard let dims = op[attribute: "dimensions"]?.intArray else { return nil }
            return dims.allSatisfy { $0 >= 0 && Int($0) < input.rank && input.shape[Int($0)] == 1 } ? x : nil
        case "stablehlo.pad":
            let names = ["edge_padding_low", "edge_padding_high", "interior_padding"]
            let allZero = names.allSatisfy { name in op[attribute: name]?.intArray?.allSatisfy { $0 == 0 } == true }
            return allZero ? x : nil
        case "stablehlo.concatenate":
            return op.operands.count == 1 ? x : nil
        default:
            return nil
        }
    }

    /// Ops that only move or repeat elements.
    static let dataMovementOperations: Set<String> = [
        "stablehlo.reshape", "stablehlo.transpose", "stablehlo.broadcast_in_dim", "stablehlo.broadcast",
        "stablehlo.reverse", "stablehlo.slice",
    ]

    /// A data-movement op of a uniform constant, as a splat of its result type (at any size).
    static func movedUniformConstant(_ op: Operation, _ context: RewriteContext) -> DenseElements? {
        guard dataMovementOperations.contains(op.name), op.operands.count == 1, op.results.count == 1,
              let output = op.results[0].type.tensorType, output.isStatic,
              let input = context.constantElements(of: op.operands[0]),
              input.type.elementType == output.elementType, input.type.elementCount > 0 else { return nil }
        return input.splat(as: output)
    }

    /// `convert(convert(x : A) : B) : A` is `x` when B holds every value of A exactly.
    static func convertRoundTrip(_ op: Operation, _ context: RewriteContext) -> Value? {
        guard op.name == "stablehlo.convert", op.operands.count == 1, op.results.count == 1,
              let producer = context.definingOperation(of: op.operands[0]), producer.name == "stablehlo.convert",
              producer.operands.count == 1, producer.operands[0].type == op.results[0].type,
              let original = producer.operands[0].type.tensorType?.elementType,
              let middle = op.operands[0].type.tensorType?.elementType else { return nil }
        return holdsExactly(middle, original) ? producer.operands[0] : nil
    }

    /// Whether every value of `narrow` converts to `wide` and back unchanged.
    static func holdsExactly(_ wide: ElementType, _ narrow: ElementType) -> Bool {
        switch (wide, narrow) {
        case (.float(let w), .float(let n)):
            let halves: Set<FloatFormat> = [.f16, .bf16]
            return (w == .f64 && (n == .f32 || halves.contains(n))) || (w == .f32 && halves.contains(n))
        case (.si(let w), .si(let n)), (.ui(let w), .ui(let n)): return w >= n
        case (.si(let w), .ui(let n)): return w > n
        case (.si, .i1), (.ui, .i1): return true
        default: return false
        }
    }

    /// The op rewritten to skip a producer of the same kind.
    static func mergedChain(_ op: Operation, _ context: RewriteContext) -> Operation? {
        guard op.operands.count == 1, let producer = context.definingOperation(of: op.operands[0]),
              producer.name == op.name, producer.operands.count == 1 else { return nil }
        var merged = op
        merged.operands = producer.operands
        switch op.name {
        case "stablehlo.reshape":
            return merged
        case "stablehlo.transpose":
            guard let outer = op[attribute: "permutation"]?.intArray,
                  let inner = producer[attribute: "permutation"]?.intArray,
                  outer.allSatisfy({ $0 >= 0 && Int($0) < inner.count }) else { return nil }
            let composed: [Int64] = outer.map { inner[Int($0)] }
            merged[attribute: "permutation"] = .denseInts(.si(64), composed)
            return merged
        case "stablehlo.broadcast_in_dim":
            guard let outer = op[attribute: "broadcast_dimensions"]?.intArray,
                  let inner = producer[attribute: "broadcast_dimensions"]?.intArray,
                  inner.allSatisfy({ $0 >= 0 && Int($0) < outer.count }) else { return nil }
            let composed: [Int64] = inner.map { outer[Int($0)] }
            merged[attribute: "broadcast_dimensions"] = .denseInts(.si(64), composed)
            return merged
        default:
            return nil
        }
    }

    /// The operand an arithmetic identity reduces the op to.
    static func identityOperand(_ op: Operation, _ context: RewriteContext) -> Value? {
        guard op.results.count == 1 else { return nil }
        let resultType = op.results[0].type
        if op.name == "stablehlo.negate" || op.name == "stablehlo.not", op.operands.count == 1,
           let producer = context.definingOperation(of: op.operands[0]), producer.name == op.name,
           producer.operands.count == 1, producer.operands[0].type == resultType {
            return producer.operands[0]
        }
        if op.name == "stablehlo.select", op.operands.count == 3 {
            let (onTrue, onFalse) = (op.operands[1], op.operands[2])
            guard onTrue.type == resultType, onFalse.type == resultType else { return nil }
            if onTrue.id == onFalse.id { return onTrue }
            guard let predicate = context.constantElements(of: op.operands[0]) else { return nil }
            if predicate.allElementsEqual(integer: 1) { return onTrue }
            if predicate.allElementsEqual(integer: 0) { return onFalse }
            return nil
        }
        guard op.operands.count == 2 else { return nil }
        let (x, y) = (op.operands[0], op.operands[1])
        guard x.type == resultType else { return nil }
        if idempotentOperations.contains(op.name), x.id == y.id { return x }
        guard let constant = context.constantElements(of: y) else { return nil }
        switch op.name {
        case "stablehlo.add", "stablehlo.subtract", "stablehlo.or", "stablehlo.xor":
            return constant.isIntegerZero ? x : nil
        case "stablehlo.multiply":
            return constant.isAllOnes ? x : nil
        case "stablehlo.and":
            let type = constant.type.elementType
            let allBits: Int64 = type.isUnsigned && type.bitWidth < 64 ? (Int64(1) << Int64(type.bitWidth)) - 1
                : type.isBool ? 1 : -1
            return constant.allElementsEqual(integer: allBits) ? x : nil
        default:
            return nil
        }
    }
}
