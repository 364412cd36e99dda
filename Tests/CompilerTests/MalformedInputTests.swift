import Compiler
import StableHLO
import Testing

/// Passes run on IR the verifier would reject (built in code, or by a plugin pass with a bug)
/// must return or throw, never trap.
@Suite("Passes on malformed IR")
struct MalformedInputTests {
    static let f32 = IRType.tensor(TensorType(shape: [2, 3], elementType: .float(.f32)))
    static let i32 = IRType.tensor(TensorType(shape: [4], elementType: .si(32)))

    /// Ops with missing operands, missing or out-of-range attributes, truncated constants.
    static let damagedOperations: [Operation] = [
        Operation(name: "stablehlo.negate", results: [Value(id: 10, type: f32)]),
        Operation(name: "stablehlo.transpose", operands: [Value(id: 0, type: f32)], results: [Value(id: 10, type: f32)]),
        Operation(name: "stablehlo.transpose", operands: [Value(id: 0, type: f32)], results: [Value(id: 10, type: f32)],
                  attributes: [NamedAttribute("permutation", .denseInts(.si(64), [7, -1]))]),
        Operation(name: "stablehlo.broadcast_in_dim", operands: [Value(id: 0, type: f32)], results: [Value(id: 10, type: f32)],
                  attributes: [NamedAttribute("broadcast_dimensions", .denseInts(.si(64), [5, 9, 1]))]),
        Operation(name: "stablehlo.reverse", operands: [Value(id: 0, type: f32)], results: [Value(id: 10, type: f32)],
                  attributes: [NamedAttribute("dimensions", .denseInts(.si(64), [99]))]),
        Operation(name: "stablehlo.add", operands: [Value(id: 1, type: i32)], results: [Value(id: 10, type: i32)]),
        Operation(name: "stablehlo.select", operands: [Value(id: 1, type: i32)], results: [Value(id: 10, type: i32)]),
        Operation(name: "stablehlo.multiply", operands: [Value(id: 2, type: i32), Value(id: 2, type: i32)],
                  results: [Value(id: 10, type: i32)]),
        Operation(name: "stablehlo.and", operands: [Value(id: 1, type: i32), Value(id: 2, type: i32)],
                  results: [Value(id: 10, type: i32), Value(id: 11, type: i32)]),
        Operation(name: "func.call", operands: [Value(id: 1, type: i32)], results: [Value(id: 10, type: i32)],
                  attributes: [NamedAttribute("callee", .symbolRef("helper"))]),
        Operation(name: "stablehlo.broadcast", operands: [Value(id: 2, type: i32)], results: [Value(id: 10, type: f32)]),
    ]

    @Test("every standard pass survives damaged ops", arguments: damagedOperations)
    func survivesDamagedOperations(_ damaged: Operation) throws {
        // %2: a constant whose storage is shorter than its type says.
        let truncated = DenseElements(type: TensorType(shape: [4], elementType: .si(32)), bytes: [1, 0])
        let body = Block(
            arguments: [Value(id: 0, type: Self.f32), Value(id: 1, type: Self.i32)],
            operations: [
                Operation(name: "stablehlo.constant", results: [Value(id: 2, type: Self.i32)],
                          attributes: [NamedAttribute("value", .dense(truncated))]),
                damaged,
                Operation(name: "func.return", operands: damaged.results),
            ])
        let main = Function(name: "main", inputTypes: [Self.f32, Self.i32], resultTypes: damaged.results.map(\.type),
                            body: Region(blocks: [body]))
        let helper = Function(name: "helper", visibility: "private", inputTypes: [], resultTypes: [],
                              body: Region(blocks: [Block(operations: [Operation(name: "func.return")])]))
        for pass in Pipeline.standard.passes {
            var module = Module(functions: [main, helper])
            do { try pass.run(on: &module) } catch { continue }
        }
    }

    @Test("a session rejects damaged IR with an error instead of compiling it")
    func sessionRejectsDamagedIR() throws {
        let body = Block(operations: [
            Operation(name: "stablehlo.negate", results: [Value(id: 0, type: Self.f32)]),
            Operation(name: "func.return", operands: [Value(id: 0, type: Self.f32)]),
        ])
        let module = Module(functions: [Function(name: "main", inputTypes: [], resultTypes: [Self.f32], body: Region(blocks: [body]))])
        let session = try CompilerSession(registry: try PluginRegistry())
        #expect(throws: (any Error).self) { try session.compile(module, target: "cpu") }
    }
}
