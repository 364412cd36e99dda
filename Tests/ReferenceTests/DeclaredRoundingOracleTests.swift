import Reference
import Runtime
import StableHLO
import Testing

/// The program's own rounding (`nvgpu bench --check` measures it when a result misses the
/// per-dtype bounds): f64 inside each op, each op's result rounded to its declared type.
@Suite struct DeclaredRoundingOracleTests {
    static func scalar(_ value: Double, _ type: ElementType) -> HostTensor {
        Tensor(type: TensorType(shape: [], elementType: type), storage: .floats([value])).hostTensor
    }

    static func value(_ t: HostTensor) throws -> Double {
        try #require(try Tensor(t).floats?.first)
    }

    static func run(_ text: String, _ inputs: [HostTensor]) throws -> (model: Double, oracle: Double, spec: Double) {
        let module = try Module.parse(text, file: "program.mlir")
        let model = try DeclaredRoundingOracle(module).invoke(function: "main", inputs: inputs, timeLimit: .seconds(60))
        let oracle = try PromotedOracle(module).invoke(function: "main", inputs: inputs, timeLimit: .seconds(60))
        let spec = try ReferenceDevice().load(module).invoke(function: "main", inputs: inputs)
        #expect(model[0].type == spec[0].type)
        return (try value(model[0]), try value(oracle[0]), try value(spec[0]))
    }

    @Test func eachOpRoundsToItsDeclaredType() throws {
        // (1 + 1e8) - 1e8 in f32: the sum rounds to 1e8 (f32 ulp 8 there), so the program
        // itself gives 0 where the exact value is 1.
        let text = """
            func.func @main(%x: tensor<f32>) -> tensor<f32> {
              %big = stablehlo.constant dense<1.0e+08> : tensor<f32>
              %s = stablehlo.add %x, %big : tensor<f32>
              %d = stablehlo.subtract %s, %big : tensor<f32>
              return %d : tensor<f32>
            }
            """
        let (model, oracle, spec) = try Self.run(text, [Self.scalar(1, .float(.f32))])
        #expect(oracle == 1)
        #expect(model == 0)
        #expect(spec == 0)
    }

    @Test func reductionsRoundOnceNotPerStep() throws {
        // 300 ones in bf16: accumulated in bf16 (the spec) the sum sticks at 256 (257 ties
        // to 256); accumulated wide and rounded once it is 300, as on a GPU.
        let text = """
            func.func @main(%x: tensor<300xbf16>, %y: tensor<300xbf16>) -> tensor<bf16> {
              %d = stablehlo.dot_general %x, %y, contracting_dims = [0] x [0] : (tensor<300xbf16>, tensor<300xbf16>) -> tensor<bf16>
              return %d : tensor<bf16>
            }
            """
        let ones = Tensor(type: TensorType(shape: [300], elementType: .float(.bf16)),
                          storage: .floats(Array(repeating: 1, count: 300))).hostTensor
        let (model, oracle, spec) = try Self.run(text, [ones, ones])
        #expect(spec == 256)
        #expect(oracle == 300)
        #expect(model == 300)
    }

    @Test func loopBodiesRoundEveryIteration() throws {
        // 256 + 1 in bf16 ties back to 256, ten times over; exactly it is 266.
        let text = """
            func.func @main(%a0: tensor<bf16>) -> tensor<bf16> {
              %zero = stablehlo.constant dense<0> : tensor<i64>
              %r:2 = "stablehlo.while"(%zero, %a0) ({
                ^bb0(%i: tensor<i64>, %a: tensor<bf16>):
                  %ten = stablehlo.constant dense<10> : tensor<i64>
                  %c = stablehlo.compare LT, %i, %ten : (tensor<i64>, tensor<i64>) -> tensor<i1>
                  stablehlo.return %c : tensor<i1>
              }, {
                ^bb0(%i: tensor<i64>, %a: tensor<bf16>):
                  %one = stablehlo.constant dense<1> : tensor<i64>
                  %j = stablehlo.add %i, %one : tensor<i64>
                  %unit = stablehlo.constant dense<1.0> : tensor<bf16>
                  %b = stablehlo.add %a, %unit : tensor<bf16>
                  stablehlo.return %j, %b : tensor<i64>, tensor<bf16>
              }) : (tensor<i64>, tensor<bf16>) -> (tensor<i64>, tensor<bf16>)
              return %r#1 : tensor<bf16>
            }
            """
        let (model, oracle, spec) = try Self.run(text, [Self.scalar(256, .float(.bf16))])
        #expect(oracle == 266)
        #expect(model == 256)
        #expect(spec == 256)
    }
}
