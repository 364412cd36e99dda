import Reference
import StableHLO
import Testing

/// `dynamic_conv` computes what `convolution` computes with the same padding as an
/// attribute, for paddings read at run time (negative ones included).
@Suite struct DynamicConvolutionTests {
    @Test("dynamic_conv equals convolution", arguments: [[1, 1, 1, 1], [0, 2, 1, 0], [-1, 0, 2, -1], [3, 3, 0, 0]])
    func matchesConvolution(padding: [Int]) throws {
        let dims = """
        dimension_numbers = #stablehlo.conv<[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]>, feature_group_count = 1 : i64, batch_group_count = 1 : i64
        """
        let h0 = 5 + padding[0] + padding[1] - 3 + 1, w0 = 6 + padding[2] + padding[3] - 2 + 1
        let out = "tensor<2x\((h0 + 1) / 2)x\(w0)x4xf32>"
        let text = """
        func.func @main(%x: tensor<2x5x6x3xf32>, %k: tensor<3x2x3x4xf32>, %p: tensor<2x2xi64>) -> (\(out), \(out)) {
          %d = "stablehlo.dynamic_conv"(%x, %k, %p) {window_strides = array<i64: 2, 1>, \(dims)} : (tensor<2x5x6x3xf32>, tensor<3x2x3x4xf32>, tensor<2x2xi64>) -> \(out)
          %c = "stablehlo.convolution"(%x, %k) {window_strides = array<i64: 2, 1>, padding = dense<[[\(padding[0]), \(padding[1])], [\(padding[2]), \(padding[3])]]> : tensor<2x2xi64>, \(dims)} : (tensor<2x5x6x3xf32>, tensor<3x2x3x4xf32>) -> \(out)
          func.return %d, %c : \(out), \(out)
        }
        """
        let module = try Module.parse(text, file: "dynamic_conv.mlir")
        var seed: UInt64 = 7
        func values(_ n: Int) -> [Double] {
            (0..<n).map { _ in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Double(Int(seed >> 40) % 17 - 8) / 4
            }
        }
        let x = Tensor(type: TensorType(shape: [2, 5, 6, 3], elementType: .float(.f32)), storage: .floats(values(180)))
        let k = Tensor(type: TensorType(shape: [3, 2, 3, 4], elementType: .float(.f32)), storage: .floats(values(72)))
        let p = Tensor(type: TensorType(shape: [2, 2], elementType: .si(64)), storage: .ints(padding.map(Int64.init)))
        let results = try Interpreter(module: module).run("main", inputs: [x, k, p])
        #expect(results[0] == results[1])
        #expect(results[0].floats?.contains { $0 != 0 } == true)
    }

    /// Padding read at run time can be any i64: the most negative one is an error, not a trap
    /// (its magnitude does not fit an Int64).
    @Test func rejectsPaddingOutOfRange() throws {
        let text = """
        func.func @main(%x: tensor<1x4x1xf32>, %k: tensor<2x1x1xf32>, %p: tensor<1x2xi64>) -> tensor<1x3x1xf32> {
          %d = "stablehlo.dynamic_conv"(%x, %k, %p) {dimension_numbers = #stablehlo.conv<[b, 0, f]x[0, i, o]->[b, 0, f]>, feature_group_count = 1 : i64, batch_group_count = 1 : i64} : (tensor<1x4x1xf32>, tensor<2x1x1xf32>, tensor<1x2xi64>) -> tensor<1x3x1xf32>
          func.return %d : tensor<1x3x1xf32>
        }
        """
        let module = try Module.parse(text, file: "dynamic_conv.mlir")
        let x = Tensor(type: TensorType(shape: [1, 4, 1], elementType: .float(.f32)), storage: .floats([1, 2, 3, 4]))
        let k = Tensor(type: TensorType(shape: [2, 1, 1], elementType: .float(.f32)), storage: .floats([1, 1]))
        for low in [Int64.min, Int64.max, 1 << 40] {
            let p = Tensor(type: TensorType(shape: [1, 2], elementType: .si(64)), storage: .ints([low, 0]))
            #expect(throws: InterpreterError.self) { try Interpreter(module: module).run("main", inputs: [x, k, p]) }
        }
    }

    @Test func rejectsMalformedPadding() throws {
        let text = """
        func.func @main(%x: tensor<1x4x1xf32>, %k: tensor<2x1x1xf32>, %p: tensor<2xi64>) -> tensor<1x3x1xf32> {
          %d = "stablehlo.dynamic_conv"(%x, %k, %p) {dimension_numbers = #stablehlo.conv<[b, 0, f]x[0, i, o]->[b, 0, f]>, feature_group_count = 1 : i64, batch_group_count = 1 : i64} : (tensor<1x4x1xf32>, tensor<2x1x1xf32>, tensor<2xi64>) -> tensor<1x3x1xf32>
          func.return %d : tensor<1x3x1xf32>
        }
        """
        let module = try Module.parse(text, file: "dynamic_conv.mlir")
        let x = Tensor(type: TensorType(shape: [1, 4, 1], elementType: .float(.f32)), storage: .floats([1, 2, 3, 4]))
        let k = Tensor(type: TensorType(shape: [2, 1, 1], elementType: .float(.f32)), storage: .floats([1, 1]))
        let p = Tensor(type: TensorType(shape: [2], elementType: .si(64)), storage: .ints([0, 0]))
        #expect(throws: InterpreterError.self) { try Interpreter(module: module).run("main", inputs: [x, k, p]) }
    }
}
