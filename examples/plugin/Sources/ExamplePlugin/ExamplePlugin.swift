import Compiler
import StableHLO

/// An out-of-tree compiler plugin: it adds the op `example.square` (`x * x`, elementwise)
/// and lowers it to `stablehlo.multiply` before the standard passes run.
public struct ExamplePlugin: CompilerPlugin {
    public var name: String { "example" }
    public var isActiveByDefault: Bool { true }

    public init() {}

    public func register(in registrar: inout PluginRegistrar) {
        registrar.addOperation(OperationDefinition(
            name: "example.square", summary: "elementwise x * x", verify: Self.verifySquare))
        registrar.extendPipeline(at: .beforeStandardPasses, with: SquareLoweringPass())
    }

    /// One tensor operand, one result of the same type.
    static func verifySquare(_ op: Operation) throws {
        guard op.operands.count == 1, op.results.count == 1 else {
            throw CompileError(
                "example.square: expects one operand and one result, got \(op.operands.count) and \(op.results.count)",
                at: op.location)
        }
        guard op.operands[0].type.tensorType != nil, op.operands[0].type == op.results[0].type else {
            throw CompileError(
                "example.square: the result type \(op.results[0].type) differs from the operand type \(op.operands[0].type)",
                at: op.location)
        }
    }
}

/// Rewrites `example.square %x` to `stablehlo.multiply %x, %x`.
public struct SquareLoweringPass: Pass {
    public var name: String { "lower-example-square" }

    public init() {}

    public func run(on module: inout Module) throws {
        try OperationRewriter.rewrite(&module) { op, _ in
            guard op.name == "example.square", let x = op.operands.first else { return .keep }
            let multiply = Operation(
                name: "stablehlo.multiply", operands: [x, x], results: op.results, location: op.location)
            return .update(multiply)
        }
    }
}
