import Foundation
import Reference
import StableHLO
import Testing

/// Programs whose shapes ask for more host memory than the machine has are errors naming
/// the op, its result types and the sizes, raised before anything is allocated.
@Suite struct HostMemoryBudgetTests {
    @Test(arguments: [
        ("stablehlo.broadcast_in_dim %a, dims = [] : (tensor<f32>) -> tensor<4000000000000xf32>", "tensor<4000000000000xf32>"),
        ("stablehlo.broadcast_in_dim %a, dims = [] : (tensor<f32>) -> tensor<100000000x100000000xf32>", "tensor<100000000x100000000xf32>"),
        ("stablehlo.iota dim = 0 : tensor<1000000000000xcomplex<f64>>", "tensor<1000000000000xcomplex<f64>>"),
    ])
    func hugeResultsAreErrorsNotAborts(_ op: String, _ type: String) throws {
        let text = """
        func.func @main(%a: tensor<f32>) -> \(type) {
          %0 = \(op)
          return %0 : \(type)
        }
        """
        let module = try Module.parse(text, file: "huge.mlir")
        let input = Tensor(type: TensorType(shape: [], elementType: .float(.f32)), storage: .floats([1]))
        do {
            _ = try Interpreter(module: module).run("main", inputs: [input])
            Issue.record("a \(type) result was allocated")
        } catch {
            let message = "\(error)"
            #expect(message.contains("huge.mlir:2:3"), "\(message)")
            #expect(message.contains("host memory") || message.contains("more elements than"), "\(message)")
        }
    }
}
