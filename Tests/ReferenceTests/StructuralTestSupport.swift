import Reference
import Runtime
import StableHLO

/// One-op programs and sample tensors for the structural op tests (data movement,
/// reductions, contractions, sort, fft).
enum StructuralProgram {
    /// The element types the data-movement tests run over.
    static let allTypes: [ElementType] = [.i1, .si(8), .ui(32), .float(.f16), .float(.bf16), .float(.f32), .float(.f64), .complex(.f32)]

    /// Runs `name` on `operands` as the only op of `@main`.
    static func run(_ name: String, _ operands: [Tensor], results: [TensorType],
                    _ attributes: [String: Attribute] = [:], regions: [Region] = []) throws -> [Tensor] {
        let args = operands.enumerated().map { Value(id: $0.offset, type: .tensor($0.element.type)) }
        let outs = results.enumerated().map { Value(id: operands.count + $0.offset, type: .tensor($0.element)) }
        let attrs = attributes.sorted { $0.key < $1.key }.map { NamedAttribute($0.key, $0.value) }
        let op = Operation(name: name, operands: args, results: outs, attributes: attrs, regions: regions)
        let ret = Operation(name: "func.return", operands: outs)
        let main = Function(name: "main", inputTypes: args.map(\.type), resultTypes: outs.map(\.type),
                            body: Region(blocks: [Block(arguments: args, operations: [op, ret])]))
        return try Interpreter(module: Module(functions: [main])).run("main", inputs: operands)
    }

    /// Runs a one-result op.
    static func run1(_ name: String, _ operands: [Tensor], _ result: TensorType,
                     _ attributes: [String: Attribute] = [:], regions: [Region] = []) throws -> Tensor {
        try run(name, operands, results: [result], attributes, regions: regions)[0]
    }

    /// The test value of "element number `i`" in `type` (distinct for nearby `i`).
    static func sampleStorage(_ type: ElementType, _ indices: [Int]) -> Tensor.Storage {
        switch type {
        case .i1: return .ints(indices.map { Int64(abs($0) % 2) })
        case .float(let f): return .floats(indices.map { f.round(Double($0) * 0.75 - 2) })
        case .complex(let f): return .complexes(indices.flatMap { [f.round(Double($0) * 0.5), f.round(1 - Double($0))] })
        default: return .ints(indices.map { Tensor.normalize(UInt64(bitPattern: Int64($0 * 3 - 5)), type) })
        }
    }

    /// A tensor whose element `k` is sample number `indices[k]` (default: `k`).
    static func sample(_ type: ElementType, _ shape: [Int], _ indices: [Int]? = nil) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(type: TensorType(shape: shape, elementType: type), storage: sampleStorage(type, indices ?? Array(0..<n)))
    }

    static func tensor(_ type: ElementType, _ shape: [Int], ints: [Int64]) -> Tensor {
        Tensor(type: TensorType(shape: shape, elementType: type),
               storage: .ints(ints.map { Tensor.normalize(UInt64(bitPattern: $0), type) }))
    }

    static func tensor(_ type: ElementType, _ shape: [Int], floats: [Double]) -> Tensor {
        guard case .float(let f) = type else { return Tensor(type: TensorType(shape: shape, elementType: type), storage: .floats(floats)) }
        return Tensor(type: TensorType(shape: shape, elementType: type), storage: .floats(floats.map { f.round($0) }))
    }

    static func tensor(_ type: ElementType, _ shape: [Int], complexes: [Double]) -> Tensor {
        Tensor(type: TensorType(shape: shape, elementType: type), storage: .complexes(complexes))
    }

    static func type(_ shape: [Int], _ et: ElementType) -> TensorType { TensorType(shape: shape, elementType: et) }

    static func scalarType(_ et: ElementType) -> IRType { .tensor(TensorType(shape: [], elementType: et)) }

    /// `array<i64: ...>`.
    static func i64s(_ values: [Int]) -> Attribute { .denseInts(.si(64), values.map(Int64.init)) }

    static func int(_ v: Int) -> Attribute { .integer(Int64(v), type: .scalar(.si(64))) }

    /// `dense<[[lo, hi], ...]> : tensor<Nx2xi64>`.
    static func paddingAttribute(_ pairs: [(Int, Int)]) -> Attribute {
        let values = pairs.flatMap { [Int64($0.0), Int64($0.1)] }
        let bytes = values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: v) >> UInt64(8 * $0)) } }
        return .dense(DenseElements(type: TensorType(shape: [pairs.count, 2], elementType: .si(64)), bytes: bytes))
    }

    /// `^bb0(%a, %b): %r = <op> %a, %b; return %r` over scalars of `type`.
    static func binaryBody(_ op: String, _ type: ElementType) -> Region {
        let a = Value(id: 1000, type: scalarType(type)), b = Value(id: 1001, type: scalarType(type))
        let r = Value(id: 1002, type: scalarType(type))
        return Region(blocks: [Block(arguments: [a, b], operations: [
            Operation(name: op, operands: [a, b], results: [r]),
            Operation(name: "stablehlo.return", operands: [r]),
        ])])
    }

    /// Like `binaryBody`, but routed through a tuple so that no fast path recognises it.
    static func binaryBodyThroughTuple(_ op: String, _ type: ElementType) -> Region {
        let a = Value(id: 1000, type: scalarType(type)), b = Value(id: 1001, type: scalarType(type))
        let r = Value(id: 1002, type: scalarType(type))
        let t = Value(id: 1003, type: .tuple([scalarType(type)]))
        let x = Value(id: 1004, type: scalarType(type))
        return Region(blocks: [Block(arguments: [a, b], operations: [
            Operation(name: op, operands: [a, b], results: [r]),
            Operation(name: "stablehlo.tuple", operands: [r], results: [t]),
            Operation(name: "stablehlo.get_tuple_element", operands: [t], results: [x],
                      attributes: [NamedAttribute("index", .integer(0, type: .scalar(.si(32))))]),
            Operation(name: "stablehlo.return", operands: [x]),
        ])])
    }

    static func enumAttribute(_ kind: String, _ value: String) -> Attribute {
        .enumCase(dialect: "stablehlo", kind: kind, value: value)
    }

    /// A comparator over `operands` element types comparing operand `key`'s pair with
    /// `direction`.
    static func comparator(_ direction: String, _ types: [ElementType], key: Int = 0, compareType: String? = nil) -> Region {
        let args = (0..<(2 * types.count)).map { Value(id: 1000 + $0, type: scalarType(types[$0 / 2])) }
        let r = Value(id: 2000, type: scalarType(.i1))
        var attrs = [NamedAttribute("comparison_direction", enumAttribute("comparison_direction", direction))]
        if let compareType { attrs.append(NamedAttribute("compare_type", enumAttribute("comparison_type", compareType))) }
        return Region(blocks: [Block(arguments: args, operations: [
            Operation(name: "stablehlo.compare", operands: [args[2 * key], args[2 * key + 1]], results: [r], attributes: attrs),
            Operation(name: "stablehlo.return", operands: [r]),
        ])])
    }
}
