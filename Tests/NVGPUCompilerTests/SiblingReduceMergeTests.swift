import Compiler
@testable import NVGPUCompiler
import Reference
import StableHLO
import Testing

/// `nvgpu-merge-sibling-reduces`: a max next to an argmax (and other selecting pairs) become
/// one variadic reduce that one kernel runs; each result stays what its own reduction computes.
@Suite struct SiblingReduceMergeTests {
    static let argmaxBody = """
      reducer(%a1: tensor<f32>, %b1: tensor<f32>) (%a2: tensor<i32>, %b2: tensor<i32>) {
        %g = stablehlo.compare GT, %a1, %b1, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
        %n = stablehlo.compare NE, %a1, %a1, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
        %p = stablehlo.or %g, %n : tensor<i1>
        %e = stablehlo.compare EQ, %a1, %b1, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
        %l = stablehlo.compare LT, %a2, %b2, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
        %el = stablehlo.and %e, %l : tensor<i1>
        %q = stablehlo.or %p, %el : tensor<i1>
        %v = stablehlo.select %p, %a1, %b1 : tensor<i1>, tensor<f32>
        %i = stablehlo.select %q, %a2, %b2 : tensor<i1>, tensor<i32>
        stablehlo.return %v, %i : tensor<f32>, tensor<i32>
      }
    """

    /// `jnp.max(x, axis)` and `jnp.argmax(x, axis)` as JAX exports them (after inlining).
    static func topOne(rows: Int, columns: Int, axis: Int, between: String = "") -> String {
        let kept = axis == 1 ? rows : columns
        return """
        func.func @main(%x: tensor<\(rows)x\(columns)xf32>) -> (tensor<\(kept)xf32>, tensor<\(kept)xi32>) {
          %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %m = stablehlo.reduce(%x init: %ninf) applies stablehlo.maximum across dimensions = [\(axis)] : (tensor<\(rows)x\(columns)xf32>, tensor<f32>) -> tensor<\(kept)xf32>
          \(between)
          %iota = stablehlo.iota dim = \(axis) : tensor<\(rows)x\(columns)xi32>
          %ninf2 = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %zero = stablehlo.constant dense<0> : tensor<i32>
          %r:2 = stablehlo.reduce(%x init: %ninf2), (%iota init: %zero) across dimensions = [\(axis)] : (tensor<\(rows)x\(columns)xf32>, tensor<\(rows)x\(columns)xi32>, tensor<f32>, tensor<i32>) -> (tensor<\(kept)xf32>, tensor<\(kept)xi32>)
          \(argmaxBody)
          return %m, %r#1 : tensor<\(kept)xf32>, tensor<\(kept)xi32>
        }
        """
    }

    static func rewritten(_ text: String) throws -> (before: Module, after: Module) {
        let before = try Module.parse(text, file: "top1.mlir")
        try before.verify()
        var after = before
        try Pipeline([SiblingReduceMergePass(entry: "main", isEnabled: true)]).run(on: &after)
        try after.verify()
        return (before, after)
    }

    static func reduceCount(_ module: Module) -> Int {
        module.functions[0].body.blocks[0].operations.filter { $0.name == "stablehlo.reduce" }.count
    }

    static func randomInput(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
        var state = seed
        let values: [Double] = (0..<(rows * columns)).map { i in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            if i % 13 == 5 { return 0.0 }  // ties and zeros
            if i % 29 == 7 { return -0.0 }
            return Double(Float(Int(state >> 40) % 2000 - 1000) / 8)
        }
        return Tensor(type: TensorType(shape: [rows, columns], elementType: .float(.f32)), storage: .floats(values))
    }

    @Test("max and argmax become one reduce with the same results", arguments: [(8, 33, 1), (5, 64, 1), (40, 7, 0)])
    func maxNextToArgmax(rows: Int, columns: Int, axis: Int) throws {
        let (before, after) = try Self.rewritten(Self.topOne(rows: rows, columns: columns, axis: axis))
        #expect(Self.reduceCount(before) == 2)
        #expect(Self.reduceCount(after) == 1)
        for seed: UInt64 in [1, 2, 3] {
            let input = Self.randomInput(rows, columns, seed: seed)
            let expected = try Interpreter(module: before).run("main", inputs: [input])
            let actual = try Interpreter(module: after).run("main", inputs: [input])
            #expect(actual.map(\.hostTensor.bytes) == expected.map(\.hostTensor.bytes))
        }
    }

    /// A reader of the first reduction between the two: the merged op stands where the first
    /// did when the second's operands allow it, else nothing is merged.
    @Test func readerBetweenTheTwo() throws {
        let reader = "%neg = stablehlo.negate %m : tensor<8xf32>"
        let (_, after) = try Self.rewritten(Self.topOne(rows: 8, columns: 16, axis: 1, between: reader))
        // The argmax reads an iota and constants defined after the reader: no place fits.
        #expect(Self.reduceCount(after) == 2)
    }

    /// Two reductions over different dimensions, or one feeding the other, stay apart.
    @Test func unrelatedOrDependentReductionsStayApart() throws {
        let dependent = """
        func.func @main(%x: tensor<4x8xf32>) -> tensor<4xf32> {
          %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
          %m = stablehlo.reduce(%x init: %ninf) applies stablehlo.maximum across dimensions = [1] : (tensor<4x8xf32>, tensor<f32>) -> tensor<4xf32>
          %b = stablehlo.broadcast_in_dim %m, dims = [0] : (tensor<4xf32>) -> tensor<4x8xf32>
          %d = stablehlo.subtract %x, %b : tensor<4x8xf32>
          %iota = stablehlo.iota dim = 1 : tensor<4x8xi32>
          %zero = stablehlo.constant dense<0> : tensor<i32>
          %r:2 = stablehlo.reduce(%d init: %ninf), (%iota init: %zero) across dimensions = [1] : (tensor<4x8xf32>, tensor<4x8xi32>, tensor<f32>, tensor<i32>) -> (tensor<4xf32>, tensor<4xi32>)
          \(Self.argmaxBody)
          return %r#0 : tensor<4xf32>
        }
        """
        let (_, after) = try Self.rewritten(dependent)
        #expect(Self.reduceCount(after) == 2)
    }

    /// The merged reduction compiles to one kernel (NVRTC, sm_90) instead of two.
    @Test func oneKernel() throws {
        let launched = try SiblingReductionTests.launches(Self.topOne(rows: 64, columns: 256, axis: 1))
        #expect(launched.count == 1, "\(launched)")
    }
}
