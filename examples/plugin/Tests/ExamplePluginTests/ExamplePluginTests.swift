import Compiler
import ExamplePlugin
import Runtime
import StableHLO
import Testing

@Suite("ExamplePlugin")
struct ExamplePluginTests {
    static func floats(_ values: [Float]) -> [UInt8] {
        values.flatMap { (x: Float) -> [UInt8] in withUnsafeBytes(of: x.bitPattern.littleEndian) { Array($0) } }
    }

    @Test("example.square lowers to multiply and computes x * x", arguments: [[1, -2, 3.5, 0.25], [0, -0, 1e3, -7]] as [[Float]])
    func squares(_ input: [Float]) throws {
        let text = """
        func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
          %0 = "example.square"(%x) : (tensor<4xf32>) -> tensor<4xf32>
          return %0 : tensor<4xf32>
        }
        """
        let session = try CompilerSession(registry: try PluginRegistry(plugins: [ExamplePlugin()]))
        let artifact = try #require(try session.compile(try Module.parse(text, file: "t.mlir"), target: "cpu") as? ReferenceArtifact)
        let ops = artifact.module.function(named: "main")?.body.entry?.operations.map(\.name)
        #expect(ops == ["stablehlo.multiply", "func.return"])
        let type = TensorType(shape: [4], elementType: .float(.f32))
        let result = try artifact.run([HostTensor(type: type, bytes: Self.floats(input))])
        #expect(result.first?.bytes == Self.floats(input.map { $0 * $0 }))
    }

    @Test("the verifier rejects a square whose result type differs")
    func rejectsBadSquare() throws {
        let text = """
        func.func @main(%x: tensor<4xf32>) -> tensor<4xf16> {
          %0 = "example.square"(%x) : (tensor<4xf32>) -> tensor<4xf16>
          return %0 : tensor<4xf16>
        }
        """
        let session = try CompilerSession(registry: try PluginRegistry(plugins: [ExamplePlugin()]))
        let error = #expect(throws: CompileError.self) {
            try session.compile(try Module.parse(text, file: "bad.mlir"), target: "cpu")
        }
        #expect(error?.description.hasPrefix("bad.mlir:2:3: error: example.square: the result type") == true)
    }

    @Test("naming other plugins turns the example off")
    func isSelectable() throws {
        let registry = try PluginRegistry(plugins: [ExamplePlugin()])
        #expect(try CompilerSession(registry: registry).activePluginNames == ["core", "example"])
        #expect(try CompilerSession(registry: registry, plugins: ["core"]).activePluginNames == ["core"])
    }
}
