import Compiler
import Driver
import ExamplePlugin
import Foundation
import Runtime
import StableHLO

/// Compiles a program that uses `example.square` for the `cpu` target through a compiler
/// session with the example plugin, runs it on the reference backend and prints the result.
let program = """
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = "example.square"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %one = stablehlo.constant dense<1.0> : tensor<4xf32>
  %1 = stablehlo.add %0, %one : tensor<4xf32>
  return %1 : tensor<4xf32>
}
"""

do {
    let registry = try PluginRegistry(plugins: [ExamplePlugin()])
    let session = try CompilerSession(registry: registry, plugins: CommandLine.arguments.dropFirst().map { $0 })
    print("active plugins: \(session.activePluginNames.joined(separator: ", "))")
    print("passes: \(try session.passNames(target: "cpu").joined(separator: ", "))")
    let module = try Module.parse(program, file: "square.mlir")
    let artifact = try session.compile(module, target: "cpu")
    guard let compiled = artifact as? ReferenceArtifact else {
        throw CompileError("the cpu target returned a \(type(of: artifact))")
    }
    print(compiled.inspection(), terminator: "")
    let type = TensorType(shape: [4], elementType: .float(.f32))
    let bytes: [UInt8] = [1.0, -2.0, 3.5, 0.25].flatMap { (x: Float) -> [UInt8] in
        withUnsafeBytes(of: x.bitPattern.littleEndian) { Array($0) }
    }
    let results = try compiled.run([HostTensor(type: type, bytes: bytes)])
    for result in results { print("result: \(TensorPrinter().format(result))") }
} catch {
    FileHandle.standardError.write(Data("example-plugin-demo: \(error)\n".utf8))
    exit(1)
}
