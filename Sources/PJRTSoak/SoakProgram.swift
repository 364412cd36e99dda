import Foundation

/// One program of the soak mix: its StableHLO text, how to make its inputs, and how to
/// check an output against values computed here on the host. The mix covers what a
/// framework's steady state does: elementwise chains, a GEMM with an epilogue, a row
/// softmax, a donated input, and a program with two outputs of different shapes.
public struct SoakProgram: Sendable {
    public var name: String
    public var text: String
    /// Input shapes, in argument order.
    public var inputShapes: [[Int]]
    /// Output element counts, in result order.
    public var outputCounts: [Int]
    /// The arguments the program marks donatable.
    public var donatable: [Int]
    /// Positions checked per output per run (all of them when the output is smaller).
    public var samples: Int
    /// Largest allowed |got − expected| / (1 + |expected|).
    public var tolerance: Float
    /// The expected value of output `output` at flat position `index` for `inputs`.
    public var expected: @Sendable (_ inputs: [[Float]], _ output: Int, _ index: Int) -> Float

    /// Values that GEMMs in TF32 or bf16 accumulate exactly: quarters in [-2, 2].
    static func quarter(_ bits: UInt64) -> Float { Float(Int(bits % 17) - 8) / 4 }
}

extension SoakProgram {
    /// How large the soak's programs are: `small` for CI and the reference backend,
    /// `full` for a GPU (megabytes per buffer, a 512³ GEMM).
    public enum Scale: String, Sendable, CaseIterable {
        case small, full
    }

    /// The five programs at `scale`.
    public static func mix(_ scale: Scale) -> [SoakProgram] {
        let full = scale == .full
        let n = full ? 1 << 21 : 4096
        let (m, k, p) = full ? (512, 512, 512) : (48, 64, 40)
        let (rows, columns) = full ? (2048, 1000) : (24, 100)
        let (a, b) = full ? (1024, 1536) : (48, 80)
        let samples = full ? 2048 : 1 << 30
        return [
            elementwise(n, samples: samples), matmul(m, k, p, samples: samples), softmax(rows, columns, samples: samples),
            donated(n, samples: samples), transposeAndSum(a, b, samples: samples),
        ]
    }

    static func elementwise(_ n: Int, samples: Int) -> SoakProgram {
        SoakProgram(
            name: "elementwise", text: """
                func.func public @main(%a: tensor<\(n)xf32>, %b: tensor<\(n)xf32>) -> tensor<\(n)xf32> {
                  %0 = stablehlo.multiply %a, %b : tensor<\(n)xf32>
                  %1 = stablehlo.add %0, %a : tensor<\(n)xf32>
                  %2 = stablehlo.tanh %1 : tensor<\(n)xf32>
                  return %2 : tensor<\(n)xf32>
                }
                """,
            inputShapes: [[n], [n]], outputCounts: [n], donatable: [], samples: samples, tolerance: 1e-5,
            expected: { inputs, _, i in tanh(inputs[0][i] * inputs[1][i] + inputs[0][i]) })
    }

    static func matmul(_ m: Int, _ k: Int, _ p: Int, samples: Int) -> SoakProgram {
        SoakProgram(
            name: "matmul+bias+relu", text: """
                func.func public @main(%a: tensor<\(m)x\(k)xf32>, %b: tensor<\(k)x\(p)xf32>, %c: tensor<\(p)xf32>) -> tensor<\(m)x\(p)xf32> {
                  %0 = stablehlo.dot_general %a, %b, contracting_dims = [1] x [0] : (tensor<\(m)x\(k)xf32>, tensor<\(k)x\(p)xf32>) -> tensor<\(m)x\(p)xf32>
                  %1 = stablehlo.broadcast_in_dim %c, dims = [1] : (tensor<\(p)xf32>) -> tensor<\(m)x\(p)xf32>
                  %2 = stablehlo.add %0, %1 : tensor<\(m)x\(p)xf32>
                  %zero = stablehlo.constant dense<0.0> : tensor<\(m)x\(p)xf32>
                  %3 = stablehlo.maximum %2, %zero : tensor<\(m)x\(p)xf32>
                  return %3 : tensor<\(m)x\(p)xf32>
                }
                """,
            inputShapes: [[m, k], [k, p], [p]], outputCounts: [m * p], donatable: [], samples: samples, tolerance: 1e-6,
            expected: { inputs, _, index in
                let (row, column) = index.quotientAndRemainder(dividingBy: p)
                var sum: Float = 0
                for t in 0..<k { sum += inputs[0][row * k + t] * inputs[1][t * p + column] }
                return max(sum + inputs[2][column], 0)
            })
    }

    static func softmax(_ rows: Int, _ columns: Int, samples: Int) -> SoakProgram {
        SoakProgram(
            name: "softmax", text: """
                func.func public @main(%x: tensor<\(rows)x\(columns)xf32>) -> tensor<\(rows)x\(columns)xf32> {
                  %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
                  %zero = stablehlo.constant dense<0.0> : tensor<f32>
                  %max = stablehlo.reduce(%x init: %ninf) applies stablehlo.maximum across dimensions = [1] : (tensor<\(rows)x\(columns)xf32>, tensor<f32>) -> tensor<\(rows)xf32>
                  %mb = stablehlo.broadcast_in_dim %max, dims = [0] : (tensor<\(rows)xf32>) -> tensor<\(rows)x\(columns)xf32>
                  %d = stablehlo.subtract %x, %mb : tensor<\(rows)x\(columns)xf32>
                  %e = stablehlo.exponential %d : tensor<\(rows)x\(columns)xf32>
                  %s = stablehlo.reduce(%e init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<\(rows)x\(columns)xf32>, tensor<f32>) -> tensor<\(rows)xf32>
                  %sb = stablehlo.broadcast_in_dim %s, dims = [0] : (tensor<\(rows)xf32>) -> tensor<\(rows)x\(columns)xf32>
                  %y = stablehlo.divide %e, %sb : tensor<\(rows)x\(columns)xf32>
                  return %y : tensor<\(rows)x\(columns)xf32>
                }
                """,
            inputShapes: [[rows, columns]], outputCounts: [rows * columns], donatable: [], samples: samples, tolerance: 1e-5,
            expected: { inputs, _, index in
                let row = index / columns
                let values = inputs[0][(row * columns)..<((row + 1) * columns)]
                let largest = values.max() ?? 0
                let total = values.reduce(Float(0)) { $0 + exp($1 - largest) }
                return exp(inputs[0][index] - largest) / total
            })
    }

    static func donated(_ n: Int, samples: Int) -> SoakProgram {
        SoakProgram(
            name: "donated input", text: """
                func.func public @main(%x: tensor<\(n)xf32> {tf.aliasing_output = 0 : i32}, %y: tensor<\(n)xf32>) -> tensor<\(n)xf32> {
                  %two = stablehlo.constant dense<2.0> : tensor<\(n)xf32>
                  %0 = stablehlo.multiply %y, %two : tensor<\(n)xf32>
                  %1 = stablehlo.add %x, %0 : tensor<\(n)xf32>
                  return %1 : tensor<\(n)xf32>
                }
                """,
            inputShapes: [[n], [n]], outputCounts: [n], donatable: [0], samples: samples, tolerance: 1e-6,
            expected: { inputs, _, i in inputs[0][i] + 2 * inputs[1][i] })
    }

    static func transposeAndSum(_ a: Int, _ b: Int, samples: Int) -> SoakProgram {
        SoakProgram(
            name: "transpose + column sum", text: """
                func.func public @main(%x: tensor<\(a)x\(b)xf32>) -> (tensor<\(b)x\(a)xf32>, tensor<\(b)xf32>) {
                  %zero = stablehlo.constant dense<0.0> : tensor<f32>
                  %t = stablehlo.transpose %x, dims = [1, 0] : (tensor<\(a)x\(b)xf32>) -> tensor<\(b)x\(a)xf32>
                  %s = stablehlo.reduce(%x init: %zero) applies stablehlo.add across dimensions = [0] : (tensor<\(a)x\(b)xf32>, tensor<f32>) -> tensor<\(b)xf32>
                  return %t, %s : tensor<\(b)x\(a)xf32>, tensor<\(b)xf32>
                }
                """,
            inputShapes: [[a, b]], outputCounts: [a * b, b], donatable: [], samples: samples, tolerance: 1e-6,
            expected: { inputs, output, index in
                if output == 0 {
                    let (column, row) = index.quotientAndRemainder(dividingBy: a)
                    return inputs[0][row * b + column]
                }
                var sum: Float = 0
                for row in 0..<a { sum += inputs[0][row * b + index] }
                return sum
            })
    }
}
