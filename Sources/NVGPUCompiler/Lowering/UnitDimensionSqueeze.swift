import Compiler
import StableHLO

/// A block rewritten so that its values carry no dimensions of size 1 where the ops allow it
/// (IREE's drop-unit-dims, at the StableHLO level): elementwise ops, literals, broadcasts,
/// reshapes, transposes, reductions, `dot_general` and `iota` work on the squeezed shapes;
/// a reshape or transpose that only adds, drops or moves unit dimensions disappears. Any
/// other op reads its operands in their own types (a reshape back is put before it).
///
/// `jax.nn.dot_product_attention` writes its score product with a unit "group" dimension on
/// the query (`BTNGH` with G = 1) and moves it with transposes; squeezed, the same program is
/// the plain BSHD attention that `AttentionMatcher` fuses. The attention pass tries the
/// squeezed block only where the original leaves a score product unfused.
struct UnitDimensionSqueeze {
    private var nextID: Int
    private var operations: [Operation] = []
    /// Original value id → the value without unit dimensions.
    private var squeezed: [Int: Value] = [:]
    /// Ids defined with their original type (block arguments, kept ops, squeeze-free results).
    private var definedOriginal: Set<Int>

    private init(arguments: [Value], nextID: Int) {
        self.nextID = nextID
        definedOriginal = Set(arguments.map(\.id))
    }

    /// `block` squeezed, numbering new values from `nextID` (advanced); nil when it has no
    /// unit dimension to remove or holds ops with regions other than reductions (their bodies
    /// may read values of the block by id).
    static func squeezing(_ block: Block, nextID: inout Int) -> Block? {
        let values = block.arguments + block.operations.flatMap { $0.operands + $0.results }
        guard values.contains(where: { ($0.type.tensorType?.shape ?? []).contains(1) }),
              block.operations.allSatisfy({ $0.regions.isEmpty || $0.name == "stablehlo.reduce" }) else { return nil }
        var squeeze = UnitDimensionSqueeze(arguments: block.arguments, nextID: nextID)
        for op in block.operations {
            if let rewritten = squeeze.rewritten(op) {
                squeeze.emit(rewritten, replacing: op)
            } else {
                var kept = op
                kept.operands = op.operands.map { squeeze.original($0) }
                squeeze.operations.append(kept)
                squeeze.definedOriginal.formUnion(op.results.map(\.id))
            }
        }
        nextID = squeeze.nextID
        return Block(arguments: block.arguments, operations: squeeze.operations)
    }

    // MARK: Values

    private static func nonUnitDims(_ t: TensorType) -> [Int] { t.shape.indices.filter { t.shape[$0] != 1 } }

    private static func squeezedType(_ type: IRType) -> IRType {
        guard var t = type.tensorType, t.isStatic, t.shape.contains(1) else { return type }
        t.shape = t.shape.filter { $0 != 1 }
        return .tensor(t)
    }

    /// For each dimension of `t`, its index among `t`'s non-unit dimensions (nil: a unit one).
    private static func squeezedIndex(_ t: TensorType) -> [Int?] {
        var next = 0
        return t.shape.map { size in
            guard size != 1 else { return nil }
            defer { next += 1 }
            return next
        }
    }

    private mutating func fresh(_ type: IRType) -> Value {
        defer { nextID += 1 }
        return Value(id: nextID, type: type)
    }

    /// `v` without unit dimensions (a reshape of it is emitted the first time it is needed).
    private mutating func squeezedValue(_ v: Value) -> Value {
        if let s = squeezed[v.id] { return s }
        let type = Self.squeezedType(v.type)
        guard type != v.type else { return v }
        let s = fresh(type)
        operations.append(Operation(name: "stablehlo.reshape", operands: [v], results: [s]))
        squeezed[v.id] = s
        return s
    }

    /// `v` in its own type: its squeezed value when that has `v`'s type, else a reshape of
    /// it defining `v`'s id, the first time.
    private mutating func original(_ v: Value) -> Value {
        guard !definedOriginal.contains(v.id), let s = squeezed[v.id] else { return v }
        if s.type == v.type { return s }
        operations.append(Operation(name: "stablehlo.reshape", operands: [s], results: [v]))
        definedOriginal.insert(v.id)
        return v
    }

    // MARK: Ops

    /// What replaces an op: a new op on squeezed values, or an alias (the op only moved or
    /// dropped unit dimensions).
    private enum Replacement {
        case operation(Operation)
        case alias(Value)
    }

    private mutating func emit(_ replacement: Replacement, replacing op: Operation) {
        switch replacement {
        case .alias(let v):
            squeezed[op.results[0].id] = v
        case .operation(var new):
            new.location = op.location
            for (i, r) in op.results.enumerated() {
                let type = Self.squeezedType(r.type)
                if type == r.type {
                    new.results[i] = r
                    definedOriginal.insert(r.id)
                } else {
                    new.results[i] = fresh(type)
                }
                squeezed[r.id] = new.results[i]
            }
            operations.append(new)
        }
    }

    /// The op on squeezed values, or nil to keep it as it is.
    private mutating func rewritten(_ op: Operation) -> Replacement? {
        guard !op.results.isEmpty, op.results.allSatisfy({ $0.type.tensorType?.isStatic == true }),
              op.operands.allSatisfy({ $0.type.tensorType?.isStatic == true }) else { return nil }
        let touchesUnit = (op.operands + op.results).contains { ($0.type.tensorType?.shape ?? []).contains(1) }
        guard touchesUnit else { return nil }
        switch op.name {
        case _ where SimplifyBroadcastsPass.elementwiseOperations.contains(op.name):
            let shape = op.resultTensorType(0)?.shape
            guard op.operands.allSatisfy({ $0.type.tensorType?.shape == shape || $0.type.tensorType?.shape == [] }) else { return nil }
            return .operation(onSqueezed(op))
        case "stablehlo.constant":
            guard case .dense(var d)? = op[attribute: "value"] else { return nil }
            d.type.shape = d.type.shape.filter { $0 != 1 }
            var new = op
            new[attribute: "value"] = .dense(d)
            return .operation(new)
        case "stablehlo.reshape":
            let source = squeezedValue(op.operands[0])
            if source.type == Self.squeezedType(op.results[0].type) { return .alias(source) }
            return .operation(onSqueezed(op))
        case "stablehlo.transpose":
            return transposed(op)
        case "stablehlo.broadcast_in_dim":
            return broadcast(op)
        case "stablehlo.reduce":
            return reduction(op)
        case "stablehlo.dot_general":
            return product(op)
        case "stablehlo.iota":
            guard let t = op.resultTensorType(0), let d = op[attribute: "iota_dimension"]?.intValue,
                  d >= 0, Int(d) < t.shape.count, let index = Self.squeezedIndex(t)[Int(d)] else { return nil }
            var new = op
            new[attribute: "iota_dimension"] = .integer(Int64(index), type: op[attribute: "iota_dimension"].flatMap(Self.integerType))
            return .operation(new)
        default:
            return nil
        }
    }

    private static func integerType(_ a: Attribute) -> IRType? {
        if case .integer(_, let type) = a { return type }
        return nil
    }

    private mutating func onSqueezed(_ op: Operation) -> Operation {
        var new = op
        new.operands = op.operands.map { squeezedValue($0) }
        return new
    }

    private mutating func transposed(_ op: Operation) -> Replacement? {
        guard let input = op.operandTensorType(0), let output = op.resultTensorType(0),
              let permutation = op[attribute: "permutation"]?.intArray?.map({ Int($0) }),
              permutation.count == output.shape.count else { return nil }
        let index = Self.squeezedIndex(input)
        let kept = Self.nonUnitDims(output).compactMap { index[permutation[$0]] }
        let source = squeezedValue(op.operands[0])
        if kept == Array(kept.indices) { return .alias(source) }
        var new = op
        new.operands = [source]
        new[attribute: "permutation"] = Self.ints(kept, like: op[attribute: "permutation"])
        return .operation(new)
    }

    private mutating func broadcast(_ op: Operation) -> Replacement? {
        guard let input = op.operandTensorType(0), let output = op.resultTensorType(0),
              let dims = op[attribute: "broadcast_dimensions"]?.intArray?.map({ Int($0) }),
              dims.count == input.shape.count else { return nil }
        let outputIndex = Self.squeezedIndex(output)
        var mapped: [Int] = []
        for d in Self.nonUnitDims(input) {
            guard let i = outputIndex[dims[d]] else { return nil }
            mapped.append(i)
        }
        var new = onSqueezed(op)
        new[attribute: "broadcast_dimensions"] = Self.ints(mapped, like: op[attribute: "broadcast_dimensions"])
        return .operation(new)
    }

    /// A reduction over non-unit dimensions only (one over a unit dimension is kept).
    private mutating func reduction(_ op: Operation) -> Replacement? {
        let inputs = op.operands.count / 2
        guard inputs > 0, let input = op.operandTensorType(0),
              let dims = op[attribute: "dimensions"]?.intArray?.map({ Int($0) }),
              op.operands.dropFirst(inputs).allSatisfy({ $0.type.tensorType?.shape == [] }),
              op.operands.prefix(inputs).allSatisfy({ $0.type.tensorType?.shape == input.shape }) else { return nil }
        let index = Self.squeezedIndex(input)
        let mapped = dims.compactMap { index[$0] }
        guard mapped.count == dims.count else { return nil }
        var new = onSqueezed(op)
        new[attribute: "dimensions"] = Self.ints(mapped, like: op[attribute: "dimensions"])
        return .operation(new)
    }

    /// A `dot_general` with unit batch dimensions (on both sides) and unit free dimensions
    /// dropped; one contracting a unit dimension is kept.
    private mutating func product(_ op: Operation) -> Replacement? {
        guard op.operands.count == 2, let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1),
              case .dialect(let dialect, let parameters)? = op[attribute: "dot_dimension_numbers"] else { return nil }
        let lIndex = Self.squeezedIndex(lhs), rIndex = Self.squeezedIndex(rhs)
        func dims(_ name: String) -> [Int] { (op[attribute: "dot_dimension_numbers"]?[parameter: name]?.intArray ?? []).map { Int($0) } }
        let lBatch = dims("lhs_batching_dimensions"), rBatch = dims("rhs_batching_dimensions")
        let lContract = dims("lhs_contracting_dimensions"), rContract = dims("rhs_contracting_dimensions")
        guard lBatch.count == rBatch.count, lContract.count == rContract.count,
              lContract.allSatisfy({ lIndex[$0] != nil }), rContract.allSatisfy({ rIndex[$0] != nil }),
              zip(lBatch, rBatch).allSatisfy({ (lIndex[$0] == nil) == (rIndex[$1] == nil) }) else { return nil }
        let batchPairs = zip(lBatch, rBatch).compactMap { l, r in lIndex[l].flatMap { a in rIndex[r].map { (a, $0) } } }
        let remapped: [String: [Int]] = [
            "lhs_batching_dimensions": batchPairs.map(\.0), "rhs_batching_dimensions": batchPairs.map(\.1),
            "lhs_contracting_dimensions": lContract.compactMap { lIndex[$0] },
            "rhs_contracting_dimensions": rContract.compactMap { rIndex[$0] },
        ]
        let newParameters = parameters.map { p in
            remapped[p.name].map { NamedAttribute(p.name, Self.ints($0, like: p.value)) } ?? p
        }
        var new = onSqueezed(op)
        new[attribute: "dot_dimension_numbers"] = .dialect(name: dialect, parameters: newParameters)
        return .operation(new)
    }

    /// `values` in the representation of `original` (a dense array, an array of integers or
    /// a 1-D dense literal).
    private static func ints(_ values: [Int], like original: Attribute?) -> Attribute {
        switch original {
        case .denseInts(let type, _)?:
            return .denseInts(type, values.map(Int64.init))
        case .dense(let d)?:
            let type = TensorType(shape: [values.count], elementType: d.type.elementType)
            return .dense(DenseElements(type: type, littleEndianWords: values.map { UInt64(bitPattern: Int64($0)) }))
        case .array(let items)?:
            let type = items.first.flatMap(integerType)
            return .array(values.map { .integer(Int64($0), type: type) })
        default:
            return .denseInts(.si(64), values.map(Int64.init))
        }
    }
}
