import Reference
import Runtime
import StableHLO
import Testing

/// The f64 oracle used by `nvgpu bench --check`: same program, floats computed in f64,
/// results rounded back to their declared types.
@Suite struct PromotedOracleTests {
    static let program = """
        func.func @main(%x: tensor<256xbf16>) -> tensor<bf16> {
          %zero = stablehlo.constant dense<0.0> : tensor<bf16>
          %s = stablehlo.reduce(%x init: %zero) applies stablehlo.add across dimensions = [0] : (tensor<256xbf16>, tensor<bf16>) -> tensor<bf16>
          return %s : tensor<bf16>
        }
        """

    /// 1 followed by 255 × 2^-8: summed in bf16 every addend rounds away (1 + 2^-8 ties to 1),
    /// summed exactly it is 1.99609375, which rounds to 2 in bf16.
    static var input: HostTensor {
        let values: [Double] = [1] + Array(repeating: 1.0 / 256, count: 255)
        let type = TensorType(shape: [256], elementType: .float(.bf16))
        return Tensor(type: type, storage: .floats(values)).hostTensor
    }

    static func value(_ t: HostTensor) throws -> Double {
        try #require(try Tensor(t).floats?.first)
    }

    @Test func referenceAccumulatesInTheDeclaredType() throws {
        let module = try Module.parse(Self.program, file: "sum.mlir")
        let out = try ReferenceDevice().load(module).invoke(function: "main", inputs: [Self.input])
        #expect(try Self.value(out[0]) == 1.0)
    }

    @Test func oracleAccumulatesInF64AndRoundsOnce() throws {
        let module = try Module.parse(Self.program, file: "sum.mlir")
        let out = try PromotedOracle(module).invoke(function: "main", inputs: [Self.input], timeLimit: nil)
        #expect(out[0].type == TensorType(shape: [], elementType: .float(.bf16)))
        #expect(try Self.value(out[0]) == 2.0)
    }

    @Test func constantsAndIntegersSurvivePromotion() throws {
        let text = """
            func.func @main(%x: tensor<2xf32>, %i: tensor<2xi32>) -> (tensor<2xf32>, tensor<2xi32>) {
              %c = stablehlo.constant dense<[0.5, 0.25]> : tensor<2xf32>
              %y = stablehlo.multiply %x, %c : tensor<2xf32>
              %j = stablehlo.add %i, %i : tensor<2xi32>
              return %y, %j : tensor<2xf32>, tensor<2xi32>
            }
            """
        let module = try Module.parse(text, file: "mix.mlir")
        let x = Tensor(type: TensorType(shape: [2], elementType: .float(.f32)), storage: .floats([2, 8])).hostTensor
        let i = Tensor(type: TensorType(shape: [2], elementType: .si(32)), storage: .ints([3, -4])).hostTensor
        let out = try PromotedOracle(module).invoke(function: "main", inputs: [x, i], timeLimit: nil)
        #expect(try Tensor(out[0]).floats == [1, 2])
        #expect(try Tensor(out[1]).ints == [6, -8])
    }
}
