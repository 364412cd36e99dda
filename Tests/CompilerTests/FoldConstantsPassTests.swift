import Compiler
import StableHLO
import Testing

@Suite("FoldConstantsPass")
struct FoldConstantsPassTests {
    @Test("ops on constants become constants", arguments: ["f32", "i32", "bf16", "f64", "ui16"])
    func foldsChains(_ element: String) throws {
        let text = """
        func.func @main(%arg0: tensor<2x3x\(element)>) -> tensor<2x3x\(element)> {
          %c = stablehlo.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3x\(element)>
          %c2 = stablehlo.constant dense<3> : tensor<2x3x\(element)>
          %0 = stablehlo.multiply %c, %c2 : tensor<2x3x\(element)>
          %1 = "stablehlo.transpose"(%0) {permutation = array<i64: 1, 0>} : (tensor<2x3x\(element)>) -> tensor<3x2x\(element)>
          %2 = stablehlo.reshape %1 : (tensor<3x2x\(element)>) -> tensor<2x3x\(element)>
          %3 = stablehlo.add %arg0, %2 : tensor<2x3x\(element)>
          return %3 : tensor<2x3x\(element)>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [FoldConstantsPass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after) == ["stablehlo.constant", "stablehlo.add"])
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("a uniform result becomes a splat")
    func foldsToSplat() throws {
        let text = """
        func.func @main() -> tensor<64x64xf32> {
          %c = stablehlo.constant dense<2.0> : tensor<f32>
          %0 = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<f32>) -> tensor<64x64xf32>
          %1 = stablehlo.exponential %0 : tensor<64x64xf32>
          return %1 : tensor<64x64xf32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [FoldConstantsPass(), DCEPass()])
        let ops = try #require(after.function(named: "main")?.body.entry?.operations)
        #expect(ops.count == 2)
        guard case .dense(let elements)? = ops[0][attribute: "value"] else {
            Issue.record("not a dense constant")
            return
        }
        #expect(elements.isSplat)
        try PassTestSupport.expectSameResults(before, after, seeds: [1])
    }

    @Test("results over the size limit stay computed at run time")
    func respectsSizeLimit() throws {
        let text = """
        func.func @main() -> tensor<8x8xi32> {
          %0 = stablehlo.iota dim = 0 : tensor<8xi32>
          %1 = stablehlo.broadcast_in_dim %0, dims = [0] : (tensor<8xi32>) -> tensor<8x8xi32>
          return %1 : tensor<8x8xi32>
        }
        """
        let (_, small) = try PassTestSupport.transform(text, [FoldConstantsPass(maximumResultElements: 16)])
        #expect(PassTestSupport.operationNames(small) == ["stablehlo.iota", "stablehlo.broadcast_in_dim"])
    }

    @Test("checks, failing ops and effects are never folded")
    func keepsEffectsAndErrors() throws {
        let text = """
        func.func @main() -> tensor<2xi32> {
          %c = stablehlo.constant dense<[1, 2]> : tensor<2xi32>
          %c0 = stablehlo.constant dense<[1, 2]> : tensor<2xi32>
          stablehlo.custom_call @check.expect_eq(%c, %c0) {has_side_effect = true} : (tensor<2xi32>, tensor<2xi32>) -> ()
          %0 = stablehlo.custom_call @something(%c) : (tensor<2xi32>) -> tensor<2xi32>
          return %0 : tensor<2xi32>
        }
        """
        let (_, after) = try PassTestSupport.transform(text, [FoldConstantsPass(), DCEPass()])
        #expect(PassTestSupport.count("stablehlo.custom_call", in: after) == 2)
    }

    @Test("integer division by zero folds to what the interpreter computes")
    func foldsLikeTheInterpreter() throws {
        let text = """
        func.func @main() -> tensor<3xi32> {
          %c = stablehlo.constant dense<[7, -7, -2147483648]> : tensor<3xi32>
          %d = stablehlo.constant dense<[0, 2, -1]> : tensor<3xi32>
          %0 = stablehlo.divide %c, %d : tensor<3xi32>
          %1 = stablehlo.remainder %c, %d : tensor<3xi32>
          %2 = stablehlo.add %0, %1 : tensor<3xi32>
          return %2 : tensor<3xi32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [FoldConstantsPass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after) == ["stablehlo.constant"])
        try PassTestSupport.expectSameResults(before, after, seeds: [1])
    }

    @Test("elementwise ops on splats fold at any size, evaluated once")
    func foldsLargeSplats() throws {
        let text = """
        func.func @main(%arg0: tensor<1024x1024xf32>) -> (tensor<1024x1024xf32>, tensor<1024x1024xi1>) {
          %a = stablehlo.constant dense<2.0> : tensor<1024x1024xf32>
          %b = stablehlo.constant dense<3.0> : tensor<1024x1024xf32>
          %0 = stablehlo.divide %a, %b : tensor<1024x1024xf32>
          %1 = stablehlo.sqrt %0 : tensor<1024x1024xf32>
          %2 = stablehlo.multiply %arg0, %1 : tensor<1024x1024xf32>
          %3 = stablehlo.compare  LT, %a, %b : (tensor<1024x1024xf32>, tensor<1024x1024xf32>) -> tensor<1024x1024xi1>
          return %2, %3 : tensor<1024x1024xf32>, tensor<1024x1024xi1>
        }
        """
        let (_, after) = try PassTestSupport.transform(text, [FoldConstantsPass(), DCEPass()])
        let ops = try #require(after.function(named: "main")?.body.entry?.operations)
        #expect(ops.map(\.name) == ["stablehlo.constant", "stablehlo.multiply", "stablehlo.constant", "func.return"])
        guard case .dense(let root)? = ops[0][attribute: "value"], case .dense(let flag)? = ops[2][attribute: "value"] else {
            Issue.record("constants missing")
            return
        }
        #expect(root.isSplat && flag.isSplat)
        // sqrt(2/3) in f32, and 2 < 3.
        let expected = Float((Float(2) / Float(3)).squareRoot())
        #expect(root.rawBits(at: 0) == UInt64(expected.bitPattern))
        #expect(flag.bytes == [1])
    }
}
