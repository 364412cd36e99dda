import Compiler
import StableHLO
import Testing

/// `dynamic-to-static`: dynamic-shape ops with static results become their static forms,
/// and compute the same values as the reference runs of the dynamic forms.
@Suite("DynamicToStaticPass")
struct DynamicToStaticPassTests {
    /// A program whose dynamic op reads a function argument (not a constant) and the static
    /// op it must become.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "get_dimension_size", text: """
        func.func @main(%arg0: tensor<2x3xf32>) -> tensor<i32> {
          %0 = "stablehlo.get_dimension_size"(%arg0) {dimension = 1 : i64} : (tensor<2x3xf32>) -> tensor<i32>
          return %0 : tensor<i32>
        }
        """, expected: "stablehlo.constant"),
        Case(name: "dynamic_iota", text: """
        func.func @main() -> tensor<3x4xf32> {
          %shape = stablehlo.constant dense<[3, 4]> : tensor<2xi64>
          %0 = "stablehlo.dynamic_iota"(%shape) {iota_dimension = 1 : i64} : (tensor<2xi64>) -> tensor<3x4xf32>
          return %0 : tensor<3x4xf32>
        }
        """, expected: "stablehlo.iota"),
        Case(name: "dynamic_broadcast_in_dim", text: """
        func.func @main(%arg0: tensor<3x1xf32>) -> tensor<3x2x2xf32> {
          %shape = stablehlo.constant dense<[3, 2, 2]> : tensor<3xi64>
          %0 = "stablehlo.dynamic_broadcast_in_dim"(%arg0, %shape) {broadcast_dimensions = array<i64: 0, 2>} : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<3x2x2xf32>
          return %0 : tensor<3x2x2xf32>
        }
        """, expected: "stablehlo.broadcast_in_dim"),
        Case(name: "dynamic_reshape", text: """
        func.func @main(%arg0: tensor<2x3xi32>) -> tensor<3x2xi32> {
          %shape = stablehlo.constant dense<[3, 2]> : tensor<2xi64>
          %0 = "stablehlo.dynamic_reshape"(%arg0, %shape) : (tensor<2x3xi32>, tensor<2xi64>) -> tensor<3x2xi32>
          return %0 : tensor<3x2xi32>
        }
        """, expected: "stablehlo.reshape"),
        Case(name: "dynamic_pad with negative edges", text: """
        func.func @main(%arg0: tensor<5x4xf32>, %arg1: tensor<f32>) -> tensor<7x5xf32> {
          %low = stablehlo.constant dense<[1, -1]> : tensor<2xi64>
          %high = stablehlo.constant dense<[1, -1]> : tensor<2xi64>
          %interior = stablehlo.constant dense<[0, 1]> : tensor<2xi64>
          %0 = "stablehlo.dynamic_pad"(%arg0, %arg1, %low, %high, %interior) : (tensor<5x4xf32>, tensor<f32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<7x5xf32>
          return %0 : tensor<7x5xf32>
        }
        """, expected: "stablehlo.pad"),
        Case(name: "real_dynamic_slice", text: """
        func.func @main(%arg0: tensor<6x5xi32>) -> tensor<2x3xi32> {
          %start = stablehlo.constant dense<[1, 0]> : tensor<2xi32>
          %limit = stablehlo.constant dense<[5, 5]> : tensor<2xi32>
          %strides = stablehlo.constant dense<[2, 2]> : tensor<2xi32>
          %0 = "stablehlo.real_dynamic_slice"(%arg0, %start, %limit, %strides) : (tensor<6x5xi32>, tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) -> tensor<2x3xi32>
          return %0 : tensor<2x3xi32>
        }
        """, expected: "stablehlo.slice"),
        Case(name: "dynamic_gather", text: """
        func.func @main(%arg0: tensor<4x3xf32>) -> tensor<2x3xf32> {
          %indices = stablehlo.constant dense<[[2], [0]]> : tensor<2x1xi32>
          %sizes = stablehlo.constant dense<[1, 3]> : tensor<2xi64>
          %0 = "stablehlo.dynamic_gather"(%arg0, %indices, %sizes) {dimension_numbers = #stablehlo.gather<offset_dims = [1], collapsed_slice_dims = [0], start_index_map = [0], index_vector_dim = 1>, indices_are_sorted = false} : (tensor<4x3xf32>, tensor<2x1xi32>, tensor<2xi64>) -> tensor<2x3xf32>
          return %0 : tensor<2x3xf32>
        }
        """, expected: "stablehlo.gather"),
    ]

    @Test("the dynamic op becomes its static form with the same results", arguments: cases)
    func rewritesToStaticForm(_ c: Case) throws {
        let (before, after) = try PassTestSupport.transform(c.text, [DynamicToStaticPass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after).last == c.expected, "\(after.text)")
        #expect(!after.text.contains("dynamic") && !after.text.contains("get_dimension_size"), "\(after.text)")
        try PassTestSupport.expectSameResults(before, after)
        // The printed module parses back to the same ops.
        let reparsed = try Module.parse(after.text, file: "printed.mlir")
        try reparsed.verify()
        #expect(PassTestSupport.operationNames(reparsed) == PassTestSupport.operationNames(after))
    }

    @Test("dynamic_conv with constant padding becomes the convolution written with that padding")
    func dynamicConvolution() throws {
        func program(_ conv: String) -> String {
            """
            func.func @main(%arg0: tensor<1x6x2xf32>, %arg1: tensor<3x2x4xf32>) -> tensor<1x6x4xf32> {
              %pad = stablehlo.constant dense<[[1, 1]]> : tensor<1x2xi64>
              %0 = \(conv)
              return %0 : tensor<1x6x4xf32>
            }
            """
        }
        let dimensions = "dimension_numbers = #stablehlo.conv<[b, 0, f]x[0, i, o]->[b, 0, f]>, feature_group_count = 1 : i64, batch_group_count = 1 : i64"
        let dynamic = program("\"stablehlo.dynamic_conv\"(%arg0, %arg1, %pad) {\(dimensions)} : (tensor<1x6x2xf32>, tensor<3x2x4xf32>, tensor<1x2xi64>) -> tensor<1x6x4xf32>")
        let written = program("\"stablehlo.convolution\"(%arg0, %arg1) {\(dimensions), padding = dense<[[1, 1]]> : tensor<1x2xi64>} : (tensor<1x6x2xf32>, tensor<3x2x4xf32>) -> tensor<1x6x4xf32>")
        let (_, after) = try PassTestSupport.transform(dynamic, [DynamicToStaticPass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after) == ["stablehlo.convolution"], "\(after.text)")
        try PassTestSupport.expectSameResults(try PassTestSupport.parse(written), after)
    }

    @Test("operands that are not constants, or constants that contradict the result type, keep the dynamic op")
    func keepsWhatItCannotProve() throws {
        let text = """
        func.func @main(%arg0: tensor<5x4xf32>, %arg1: tensor<f32>, %arg2: tensor<2xi64>) -> (tensor<7x5xf32>, tensor<9x4xf32>) {
          %z = stablehlo.constant dense<0> : tensor<2xi64>
          %bad = stablehlo.constant dense<[1, 0]> : tensor<2xi64>
          %0 = "stablehlo.dynamic_pad"(%arg0, %arg1, %arg2, %arg2, %z) : (tensor<5x4xf32>, tensor<f32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<7x5xf32>
          %1 = "stablehlo.dynamic_pad"(%arg0, %arg1, %bad, %bad, %z) : (tensor<5x4xf32>, tensor<f32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<9x4xf32>
          return %0, %1 : tensor<7x5xf32>, tensor<9x4xf32>
        }
        """
        let (_, after) = try PassTestSupport.transform(text, [DynamicToStaticPass()])
        #expect(PassTestSupport.count("stablehlo.dynamic_pad", in: after) == 2)
        #expect(PassTestSupport.count("stablehlo.pad", in: after) == 0)
    }

    @Test("a dynamic result type stays dynamic")
    func keepsDynamicResults() throws {
        let text = """
        func.func @main(%arg0: tensor<2xi64>) -> tensor<?x4xf32> {
          %0 = "stablehlo.dynamic_iota"(%arg0) {iota_dimension = 0 : i64} : (tensor<2xi64>) -> tensor<?x4xf32>
          return %0 : tensor<?x4xf32>
        }
        """
        var module = try PassTestSupport.parse(text)
        try DynamicToStaticPass().run(on: &module)
        #expect(PassTestSupport.operationNames(module) == ["stablehlo.dynamic_iota"])
    }
}
