import StableHLO

/// A one-pass reduction rewrite: rewrites the first match in a block, again and again (at
/// most 64 times a block), until none is left.
protocol ReductionRewritePass: BlockRewritePass {
    /// `block` with its first match rewritten, or nil when nothing matches.
    static func rewritingFirst(_ block: Block, nextID: inout Int) -> Block?
}

extension ReductionRewritePass {
    func rewrite(_ block: Block, nextID: inout Int) -> Block {
        var block = block
        for _ in 0..<64 {
            guard let rewritten = Self.rewritingFirst(block, nextID: &nextID) else { break }
            block = rewritten
        }
        return block
    }
}

/// What the one-pass reduction rewrites (`nvgpu-one-pass-variance`,
/// `nvgpu-online-softmax`) recognise in a block: reductions of a given combiner and initial
/// value, per-row values broadcast back over the reduced dimensions, and where a two-pass
/// form reads its input twice.
enum ReductionPattern {
    /// The sorted reduced dimensions when `op` is a one-result `reduce` applying `combiner`
    /// from the splat initial value `initial`, of an f32 or f64 tensor.
    static func dimensions(of op: Operation, combiner: ReductionCombiner, initial: Double,
                           _ definition: [Int: Operation]) -> [Int]? {
        guard op.name == "stablehlo.reduce", OperationClass.simpleCombiner(op) == combiner,
              let type = op.operandTensorType(0), type.elementType == .float(.f32) || type.elementType == .float(.f64),
              let start = definition[op.operands[1].id], isSplat(start, equalTo: initial) else { return nil }
        return (op[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
    }

    /// Whether the two-pass form of a reduction of `shape` over `dims` reads the input twice:
    /// a column view, or rows too long to stay on chip (`OnChipRowKernel`).
    static func readsTwice(_ shape: [Int], _ dims: [Int]) -> Bool {
        if ColumnReductionKernel.view(shape, reducing: dims) != nil { return true }
        guard let (_, columns) = VariadicReductionKernel.rowView(shape, dims) else { return false }
        return OnChipRowKernel.geometry(columns: columns, widestBytes: 4) == nil
            && OnChipRowKernel.geometry(columns: columns, widestBytes: 2) == nil
    }

    /// The per-kept-element value that `value` (of `shape`) broadcasts over the reduced
    /// dimensions `dims` — its non-unit dimensions landing on the kept non-unit dimensions in
    /// order — followed back through unit reshapes; nil when `value` is no such broadcast.
    static func keptValue(broadcastTo value: Value, shape: [Int], dims: [Int], _ definition: [Int: Operation]) -> Value? {
        guard let broadcast = definition[value.id], broadcast.name == "stablehlo.broadcast_in_dim",
              broadcast.resultTensorType(0)?.shape == shape, let from = broadcast.operandTensorType(0)?.shape else { return nil }
        let targets = (broadcast[attribute: "broadcast_dimensions"]?.intArray ?? []).map { Int($0) }
        guard targets.count == from.count else { return nil }
        let kept = shape.indices.filter { !dims.contains($0) && shape[$0] != 1 }
        guard from.indices.filter({ from[$0] != 1 }).map({ targets[$0] }) == kept else { return nil }
        return throughUnitReshapes(broadcast.operands[0], definition)
    }

    /// `value` followed back through `reshape`s and `broadcast_in_dim`s that only add or drop
    /// unit dimensions (the element order kept).
    static func throughUnitReshapes(_ value: Value, _ definition: [Int: Operation]) -> Value {
        var v = value
        while let op = definition[v.id], let from = op.operandTensorType(0)?.shape, let to = op.resultTensorType(0)?.shape,
              from.filter({ $0 != 1 }) == to.filter({ $0 != 1 }) {
            if op.name == "stablehlo.reshape" {
                v = op.operands[0]
                continue
            }
            let targets = (op[attribute: "broadcast_dimensions"]?.intArray ?? []).map { Int($0) }
            guard op.name == "stablehlo.broadcast_in_dim", targets.count == from.count, targets == targets.sorted() else { break }
            v = op.operands[0]
        }
        return v
    }

    /// Whether `op` is a float constant whose every element is `value`.
    static func isSplat(_ op: Operation, equalTo value: Double) -> Bool {
        guard op.name == "stablehlo.constant", case .dense(let d)? = op[attribute: "value"],
              case .float(let format) = d.type.elementType, d.type.elementCount > 0 else { return false }
        let size = d.type.elementType.storageBytes
        guard d.bytes.count >= size else { return false }
        let first = format.decode(d.rawBits(at: 0))
        guard first == value else { return false }
        if d.isSplat { return true }
        return (1..<d.type.elementCount).allSatisfy { format.decode(d.rawBits(at: $0)) == value }
    }
}

/// The ops of a `reduce` the one-pass rewrites write: scalar block arguments and body ops of
/// one float type, constants of the input's shape, values numbered from the function's next id.
struct ReductionBuilder {
    let element: ElementType
    let location: SourceLocation
    var nextID: Int
    /// Body ops so far.
    var body: [Operation] = []

    var scalar: TensorType { TensorType(shape: [], elementType: element) }

    mutating func fresh(_ type: TensorType) -> Value {
        defer { nextID += 1 }
        return Value(id: nextID, type: .tensor(type))
    }

    /// A splat constant `value` of `type` (float) and its op.
    mutating func constant(_ value: Double, _ type: TensorType) -> (Value, Operation) {
        let v = fresh(type)
        let bits: UInt64
        if case .float(let format) = type.elementType { bits = format.encode(value) } else { bits = UInt64(bitPattern: Int64(value)) }
        let elements = DenseElements(type: type, littleEndianWords: [bits], isSplat: true)
        return (v, Operation(name: "stablehlo.constant", results: [v], attributes: [NamedAttribute("value", .dense(elements))],
                             location: location))
    }

    /// A scalar constant in the body.
    mutating func bodyConstant(_ value: Double) -> Value {
        let (v, op) = constant(value, scalar)
        body.append(op)
        return v
    }

    /// `name(operands)` in the body, a scalar of the element type (or `i1` for a compare).
    mutating func apply(_ name: String, _ operands: Value..., attributes: [NamedAttribute] = []) -> Value {
        let r = fresh(name == "stablehlo.compare" || name == "stablehlo.and" && operands.first?.type.tensorType?.elementType == .i1
                      ? TensorType(shape: [], elementType: .i1) : scalar)
        body.append(Operation(name: name, operands: operands, results: [r], attributes: attributes, location: location))
        return r
    }

    /// `a direction b` on floats, in the body.
    mutating func compare(_ direction: String, _ a: Value, _ b: Value) -> Value {
        apply("stablehlo.compare", a, b, attributes: [
            NamedAttribute("comparison_direction", .enumCase(dialect: "stablehlo", kind: "comparison_direction", value: direction)),
            NamedAttribute("compare_type", .enumCase(dialect: "stablehlo", kind: "comparison_type", value: "FLOAT")),
        ])
    }

    /// The `reduce` of `inputs` from `initials` over `dimensions` whose body takes `arguments`
    /// (accumulators, then elements) and returns `returned`; marked `nvgpu.reassociable`.
    mutating func reduce(_ inputs: [Value], initials: [Value], arguments: [Value], returned: [Value],
                         results: [Value], dimensions: Attribute) -> Operation {
        body.append(Operation(name: "stablehlo.return", operands: returned, location: location))
        return Operation(
            name: "stablehlo.reduce", operands: inputs + initials, results: results,
            attributes: [NamedAttribute("dimensions", dimensions),
                         NamedAttribute(VariadicReductionKernel.reassociableAttribute, .bool(true))],
            regions: [Region(blocks: [Block(arguments: arguments, operations: body)])], location: location)
    }
}
