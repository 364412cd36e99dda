import Compiler
import Runtime
import StableHLO
import Testing

/// Lowers `test.double %x` to `stablehlo.add %x, %x`.
struct DoubleLoweringPass: Pass {
    var name: String { "lower-test-double" }

    func run(on module: inout Module) throws {
        try OperationRewriter.rewrite(&module) { op, _ in
            guard op.name == "test.double" else { return .keep }
            var add = op
            add.name = "stablehlo.add"
            add.operands = [op.operands[0], op.operands[0]]
            return .update(add)
        }
    }
}

/// A plugin adding the `test.double` op and its lowering.
struct DoublePlugin: CompilerPlugin {
    var name: String { "double" }
    var isActiveByDefault: Bool { true }

    func register(in registrar: inout PluginRegistrar) {
        registrar.addOperation(OperationDefinition(name: "test.double", summary: "x + x") { op in
            guard op.operands.count == 1, op.results.count == 1, op.operands[0].type == op.results[0].type else {
                throw CompileError("test.double: expects one operand and a result of its type", at: op.location)
            }
        })
        registrar.extendPipeline(at: .beforeStandardPasses, with: DoubleLoweringPass())
    }
}

/// A plugin that is off unless named.
struct OptionalPlugin: CompilerPlugin {
    var name: String { "optional" }
    var isActiveByDefault: Bool { false }
    func register(in registrar: inout PluginRegistrar) {}
}

/// Collects what an observer saw.
final class PassLog: @unchecked Sendable {
    var names: [String] = []
}

@Suite("PluginRegistry and CompilerSession")
struct PluginSessionTests {
    static let program = """
    func.func @main(%arg0: tensor<3xf32>) -> tensor<3xf32> {
      %0 = "test.double"(%arg0) : (tensor<3xf32>) -> tensor<3xf32>
      %1 = call @helper(%0) : (tensor<3xf32>) -> tensor<3xf32>
      return %1 : tensor<3xf32>
    }
    func.func private @helper(%x: tensor<3xf32>) -> tensor<3xf32> {
      %0 = stablehlo.negate %x : tensor<3xf32>
      return %0 : tensor<3xf32>
    }
    """

    func registry() throws -> PluginRegistry { try PluginRegistry(plugins: [DoublePlugin(), OptionalPlugin()]) }

    @Test("active plugins: defaults when none named, exactly the named ones otherwise, core always")
    func selectsPlugins() throws {
        let registry = try registry()
        #expect(try registry.activePlugins(named: []).map(\.name) == ["core", "double"])
        #expect(try registry.activePlugins(named: ["optional"]).map(\.name) == ["core", "optional"])
        #expect(try registry.activePlugins(named: ["optional", "double"]).map(\.name) == ["core", "double", "optional"])
        let error = #expect(throws: CompileError.self) { try registry.activePlugins(named: ["cuda"]) }
        #expect(error?.message == "unknown plugin 'cuda'; known plugins: core, double, optional")
        #expect(throws: CompileError.self) { try PluginRegistry(plugins: [DoublePlugin(), DoublePlugin()]) }
    }

    @Test("compile: custom op lowered before the standard passes, cpu artifact runs")
    func compilesAndRuns() throws {
        let session = try CompilerSession(registry: try registry())
        let module = try Module.parse(Self.program, file: "double.mlir")
        let artifact = try #require(try session.compile(module, target: "cpu") as? ReferenceArtifact)
        #expect(artifact.module.functions.map(\.name) == ["main"])
        let input = HostTensor(type: TensorType(shape: [3], elementType: .float(.f32)),
                               bytes: [1.0, -2.5, 4.0].flatMap { (x: Float) in withUnsafeBytes(of: x.bitPattern.littleEndian, Array.init) })
        let output = try artifact.run([input])
        let values: [Float] = stride(from: 0, to: output[0].bytes.count, by: 4).map { i in
            Float(bitPattern: output[0].bytes[i..<(i + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) })
        }
        #expect(values == [-2, 5, -8])
        let reread = try ReferenceArtifact(serialized: try artifact.serialized(), file: "double.cpu.mlir")
        #expect(try reread.run([input]).map(\.bytes) == output.map(\.bytes))
    }

    @Test("without its plugin a custom op is an error naming the active plugins")
    func rejectsUndefinedOps() throws {
        let session = try CompilerSession(registry: try registry(), plugins: ["optional"])
        let module = try Module.parse(Self.program, file: "double.mlir")
        let error = #expect(throws: CompileError.self) { try session.compile(module, target: "cpu") }
        #expect(error?.description == "double.mlir:2:3: error: test.double: no active plugin defines this op (active plugins: core, optional)")
    }

    @Test("a plugin's verifier rejects a malformed op")
    func runsPluginVerifiers() throws {
        let text = """
        func.func @main(%arg0: tensor<3xf32>) -> tensor<3xf64> {
          %0 = "test.double"(%arg0) : (tensor<3xf32>) -> tensor<3xf64>
          return %0 : tensor<3xf64>
        }
        """
        let session = try CompilerSession(registry: try registry())
        let error = #expect(throws: CompileError.self) { try session.compile(try Module.parse(text, file: "bad.mlir"), target: "cpu") }
        #expect(error?.location?.line == 2)
    }

    @Test("unknown target lists the registered ones")
    func rejectsUnknownTargets() throws {
        let session = try CompilerSession(registry: try registry())
        let module = try Module.parse(Self.program, file: "double.mlir")
        let error = #expect(throws: CompileError.self) { try session.compile(module, target: "rocm") }
        #expect(error?.message == "unknown target 'rocm'; registered targets: cpu")
    }

    @Test("--dump-after: the observer sees the chosen passes in pipeline order")
    func observesPasses() throws {
        var session = try CompilerSession(registry: try registry())
        let log = PassLog()
        session.observer = PassObserver(after: ["all"]) { name, _ in log.names.append(name) }
        session.verifiesAfterEachPass = true
        _ = try session.compile(try Module.parse(Self.program, file: "double.mlir"), target: "cpu")
        #expect(log.names == ["lower-test-double"] + Pipeline.standard.passes.map(\.name))
        #expect(try session.passNames(target: "cpu") == ["lower-test-double"] + Pipeline.standardPassNames)

        session.observer = PassObserver(after: ["no-such-pass"]) { _, _ in }
        let error = #expect(throws: CompileError.self) {
            try session.compile(try Module.parse(Self.program, file: "double.mlir"), target: "cpu")
        }
        #expect(error?.message.hasPrefix("--dump-after: unknown pass 'no-such-pass'") == true)
    }
}
