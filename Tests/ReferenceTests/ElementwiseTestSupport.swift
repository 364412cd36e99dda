import Reference
import StableHLO

/// Builds and runs one-op programs for the elementwise and check tests.
enum OneOp {
    /// Runs `@main(args...) { %r = name(args) {attributes}; return %r }` on `inputs`.
    static func run(
        _ name: String, _ inputs: [Tensor], result: TensorType?,
        attributes: [NamedAttribute] = [], regions: [Region] = []
    ) throws -> Tensor? {
        try runCounting(name, inputs, result: result, attributes: attributes, regions: regions).result
    }

    /// Like `run`, also returning how many checks the interpreter counted.
    static func runCounting(
        _ name: String, _ inputs: [Tensor], result: TensorType?,
        attributes: [NamedAttribute] = [], regions: [Region] = []
    ) throws -> (result: Tensor?, checks: Int) {
        let arguments = inputs.enumerated().map { Value(id: $0.offset, type: .tensor($0.element.type)) }
        let results = result.map { [Value(id: inputs.count, type: .tensor($0))] } ?? []
        let op = Operation(name: name, operands: arguments, results: results, attributes: attributes, regions: regions)
        let ret = Operation(name: "func.return", operands: results)
        let main = Function(
            name: "main", inputTypes: arguments.map(\.type), resultTypes: results.map(\.type),
            body: Region(blocks: [Block(arguments: arguments, operations: [op, ret])]))
        let interpreter = Interpreter(module: Module(functions: [main]))
        let outputs = try interpreter.run("main", inputs: inputs)
        return (outputs.first, interpreter.checkCount)
    }

    /// A tensor of integers (or i1 0/1) of element type `type`, normalized to its width.
    static func ints(_ values: [Int64], _ type: ElementType, shape: [Int]? = nil) -> Tensor {
        let v = values.map { Tensor.normalize(UInt64(bitPattern: $0), type) }
        return Tensor(type: TensorType(shape: shape ?? [values.count], elementType: type), storage: .ints(v))
    }

    /// A tensor of floats, each rounded to `format`.
    static func floats(_ values: [Double], _ format: FloatFormat, shape: [Int]? = nil) -> Tensor {
        Tensor(type: TensorType(shape: shape ?? [values.count], elementType: .float(format)),
               storage: .floats(values.map { format.round($0) }))
    }

    /// A tensor of complex numbers given as (re, im) pairs.
    static func complexes(_ values: [(Double, Double)], _ format: FloatFormat) -> Tensor {
        Tensor(type: TensorType(shape: [values.count], elementType: .complex(format)),
               storage: .complexes(values.flatMap { [format.round($0.0), format.round($0.1)] }))
    }

    static func type(_ t: Tensor, _ elementType: ElementType) -> TensorType {
        TensorType(shape: t.shape, elementType: elementType)
    }

    /// `op(lhs, rhs)` with the operands' type as the result type.
    static func binary(_ name: String, _ lhs: Tensor, _ rhs: Tensor) throws -> Tensor? {
        try run(name, [lhs, rhs], result: lhs.type)
    }

    static func unary(_ name: String, _ operand: Tensor, to elementType: ElementType? = nil) throws -> Tensor? {
        try run(name, [operand], result: type(operand, elementType ?? operand.elementType))
    }

    static func enumAttribute(_ name: String, kind: String, _ value: String) -> NamedAttribute {
        NamedAttribute(name, .enumCase(dialect: "stablehlo", kind: kind, value: value))
    }

    /// Whether two doubles agree to a relative tolerance (NaN matches NaN).
    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300)
    }
}
