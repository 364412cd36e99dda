import Reference
import Runtime
import StableHLO

/// Runs small collective programs over a process grid; inputs and expected outputs are
/// written by hand in the tests.
enum CollectiveProgram {
    /// Parses `text` and runs `@main` as every process of a `replicas × partitions` grid,
    /// process `i` (replica-major) on `inputs[i]`; returns each process's results.
    static func run(_ text: String, replicas: Int, partitions: Int, inputs: [[Tensor]],
                    timeLimit: Duration = .seconds(20)) throws -> [[Tensor]] {
        let module = try Module.parse(text, file: "collective-test.mlir")
        try module.verify()
        let grid = try ProcessGrid(replicas: replicas, partitions: partitions)
        let program = ReferenceProgram(module: module, timeLimit: timeLimit)
        let results = try program.invoke(function: "main", grid: grid, inputs: inputs.map { $0.map(\.hostTensor) })
        return try results.map { try $0.map(Tensor.init) }
    }

    /// Runs a program with one operand and one result per process; returns the result
    /// elements per process.
    static func ints(_ text: String, replicas: Int, partitions: Int, inputs: [Tensor]) throws -> [[Int64]] {
        try run(text, replicas: replicas, partitions: partitions, inputs: inputs.map { [$0] }).map { $0[0].ints ?? [] }
    }

    static func i64(_ shape: [Int], _ values: [Int64]) -> Tensor {
        Tensor(type: TensorType(shape: shape, elementType: .si(64)), storage: .ints(values))
    }

    static func f32(_ shape: [Int], _ values: [Double]) -> Tensor {
        Tensor(type: TensorType(shape: shape, elementType: .float(.f32)), storage: .floats(values))
    }

    /// `10 * replica + partition` for each process of the grid, as `tensor<1xi64>`.
    static func processNumbers(replicas: Int, partitions: Int) -> [Tensor] {
        (0..<replicas).flatMap { r in (0..<partitions).map { p in i64([1], [Int64(10 * r + p)]) } }
    }

    /// The `channel_handle` attribute text (empty for none).
    static func channel(_ id: Int?) -> String {
        id.map { ", channel_handle = #stablehlo.channel_handle<handle = \($0), type = 1>" } ?? ""
    }

    /// `@main(%x : T) -> R { %r = all_reduce-like op with an add region }`.
    static func reducing(_ op: String, _ type: String, _ resultType: String, attributes: String,
                         element: String = "i64") -> String {
        """
        func.func @main(%x : \(type)) -> \(resultType) {
          %r = "stablehlo.\(op)"(%x) ({
            ^bb0(%a: tensor<\(element)>, %b: tensor<\(element)>):
              %s = stablehlo.add %a, %b : tensor<\(element)>
              stablehlo.return %s : tensor<\(element)>
          }) {\(attributes)} : (\(type)) -> \(resultType)
          return %r : \(resultType)
        }
        """
    }

    /// `@main(%x : T) -> R { %r = op(%x) {attributes} }` for ops without regions.
    static func plain(_ op: String, _ type: String, _ resultType: String, attributes: String) -> String {
        """
        func.func @main(%x : \(type)) -> \(resultType) {
          %r = "stablehlo.\(op)"(%x) {\(attributes)} : (\(type)) -> \(resultType)
          return %r : \(resultType)
        }
        """
    }
}
