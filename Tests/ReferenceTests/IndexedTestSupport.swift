import Reference
import Runtime
import StableHLO

/// Builds one-op programs in code and runs them through the interpreter, for the indexed
/// op tests (gather, scatter, select_and_scatter, dynamic slices).
enum IndexedProgram {
    /// Runs `name` on `operands` as the only op of `@main` and returns its results.
    static func run(
        _ name: String, _ operands: [Tensor], results: [TensorType],
        attributes: [NamedAttribute] = [], regions: [Region] = []
    ) throws -> [Tensor] {
        let args = operands.enumerated().map { Value(id: $0.offset, type: .tensor($0.element.type)) }
        let outs = results.enumerated().map { Value(id: operands.count + $0.offset, type: .tensor($0.element)) }
        let op = Operation(name: name, operands: args, results: outs, attributes: attributes, regions: regions)
        let ret = Operation(name: "func.return", operands: outs)
        let main = Function(
            name: "main", inputTypes: args.map(\.type), resultTypes: outs.map(\.type),
            body: Region(blocks: [Block(arguments: args, operations: [op, ret])]))
        return try Interpreter(module: Module(functions: [main])).run("main", inputs: operands)
    }

    /// A region over `2 * types.count` scalars whose result `k` is `opName(current_k, update_k)`,
    /// or just `update_k` when `opName` is nil.
    static func combining(_ opName: String?, _ types: [ElementType]) -> Region {
        let n = types.count
        let args = (0..<2 * n).map { Value(id: 1000 + $0, type: scalar(types[$0 % n])) }
        var ops: [Operation] = []
        var returned: [Value] = []
        for k in 0..<n {
            if let opName {
                let r = Value(id: 2000 + k, type: scalar(types[k]))
                ops.append(Operation(name: opName, operands: [args[k], args[n + k]], results: [r]))
                returned.append(r)
            } else {
                returned.append(args[n + k])
            }
        }
        ops.append(Operation(name: "stablehlo.return", operands: returned))
        return Region(blocks: [Block(arguments: args, operations: ops)])
    }

    /// A region returning `update` through `tuple` + `get_tuple_element`: the same result as
    /// `combining(nil, [type])`, but not a pattern the kernels evaluate directly.
    static func replacingThroughTuple(_ type: ElementType) -> Region {
        let a = Value(id: 1000, type: scalar(type))
        let b = Value(id: 1001, type: scalar(type))
        let tuple = Value(id: 1002, type: .tuple([scalar(type), scalar(type)]))
        let picked = Value(id: 1003, type: scalar(type))
        return Region(blocks: [Block(arguments: [a, b], operations: [
            Operation(name: "stablehlo.tuple", operands: [a, b], results: [tuple]),
            Operation(name: "stablehlo.get_tuple_element", operands: [tuple], results: [picked],
                      attributes: [NamedAttribute("index", .integer(1, type: .scalar(.si(32))))]),
            Operation(name: "stablehlo.return", operands: [picked]),
        ])])
    }

    /// A select region: `compare direction, current, candidate` (`candidate, current` when
    /// `swapped`, which the kernel does not evaluate directly).
    static func comparing(_ direction: String, _ type: ElementType, swapped: Bool = false) -> Region {
        let a = Value(id: 1000, type: scalar(type))
        let b = Value(id: 1001, type: scalar(type))
        let r = Value(id: 1002, type: scalar(.i1))
        let compare = Operation(name: "stablehlo.compare", operands: swapped ? [b, a] : [a, b], results: [r], attributes: [
            NamedAttribute("comparison_direction", .enumCase(dialect: "stablehlo", kind: "comparison_direction", value: direction)),
        ])
        return Region(blocks: [Block(arguments: [a, b], operations: [
            compare, Operation(name: "stablehlo.return", operands: [r]),
        ])])
    }

    static func scalar(_ type: ElementType) -> IRType { .tensor(TensorType(shape: [], elementType: type)) }

    /// `array<i64: ...>`.
    static func i64s(_ values: [Int]) -> Attribute { .denseInts(.si(64), values.map(Int64.init)) }

    /// `[a, b, ...]` as a dialect attribute parameter writes it.
    static func list(_ values: [Int]) -> Attribute { .array(values.map { .integer(Int64($0), type: nil) }) }

    /// An integer or boolean tensor; values are normalized to `type` (wrapped, sign/zero-extended).
    static func integers(_ type: ElementType, _ shape: [Int], _ values: [Int64]) -> Tensor {
        Tensor(type: TensorType(shape: shape, elementType: type),
               storage: .ints(values.map { Tensor.normalize(UInt64(bitPattern: $0), type) }))
    }

    /// A tensor of `type` holding `values` converted to its domain (rounded for floats,
    /// imaginary part 0 for complex).
    static func numbers(_ type: ElementType, _ shape: [Int], _ values: [Int64]) -> Tensor {
        let t = TensorType(shape: shape, elementType: type)
        switch type {
        case .float(let f): return Tensor(type: t, storage: .floats(values.map { f.round(Double($0)) }))
        case .complex: return Tensor(type: t, storage: .complexes(values.flatMap { [Double($0), 0] }))
        default: return integers(type, shape, values)
        }
    }

    /// The elements of `tensor` as `Double`s (real parts for complex), for comparisons in tests.
    static func values(_ tensor: Tensor) -> [Double] {
        switch tensor.storage {
        case .ints(let v): return v.map(Double.init)
        case .floats(let v): return v
        case .complexes(let v): return stride(from: 0, to: v.count, by: 2).map { v[$0] }
        }
    }
}
