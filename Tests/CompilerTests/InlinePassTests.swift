import Compiler
import StableHLO
import Testing

@Suite("InlinePass")
struct InlinePassTests {
    @Test("private callees are inlined and dropped; results unchanged")
    func inlinesPrivateCallees() throws {
        let text = """
        func.func @main(%arg0: tensor<4xi32>) -> tensor<4xi32> {
          %0 = call @twice(%arg0) : (tensor<4xi32>) -> tensor<4xi32>
          %1 = call @twice(%0) : (tensor<4xi32>) -> tensor<4xi32>
          return %1 : tensor<4xi32>
        }
        func.func private @twice(%x: tensor<4xi32>) -> tensor<4xi32> {
          %0 = call @double(%x) : (tensor<4xi32>) -> tensor<4xi32>
          return %0 : tensor<4xi32>
        }
        func.func private @double(%x: tensor<4xi32>) -> tensor<4xi32> {
          %0 = stablehlo.add %x, %x : tensor<4xi32>
          return %0 : tensor<4xi32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [InlinePass()])
        #expect(after.functions.map(\.name) == ["main"])
        #expect(PassTestSupport.operationNames(after) == ["stablehlo.add", "stablehlo.add"])
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("multiple results and calls inside regions")
    func inlinesInsideRegions() throws {
        let text = """
        func.func @main(%arg0: tensor<i32>) -> tensor<i32> {
          %0 = stablehlo.constant dense<0> : tensor<i32>
          %1:2 = stablehlo.while(%iterArg = %0, %iterArg_0 = %arg0) : tensor<i32>, tensor<i32>
           cond {
            %c = stablehlo.constant dense<3> : tensor<i32>
            %2 = stablehlo.compare  LT, %iterArg, %c,  SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
            stablehlo.return %2 : tensor<i1>
          } do {
            %2:2 = func.call @step(%iterArg, %iterArg_0) : (tensor<i32>, tensor<i32>) -> (tensor<i32>, tensor<i32>)
            stablehlo.return %2#0, %2#1 : tensor<i32>, tensor<i32>
          }
          return %1#1 : tensor<i32>
        }
        func.func private @step(%i: tensor<i32>, %x: tensor<i32>) -> (tensor<i32>, tensor<i32>) {
          %c = stablehlo.constant dense<1> : tensor<i32>
          %0 = stablehlo.add %i, %c : tensor<i32>
          %1 = stablehlo.multiply %x, %x : tensor<i32>
          return %0, %1 : tensor<i32>, tensor<i32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [InlinePass()])
        #expect(after.functions.count == 1)
        #expect(PassTestSupport.count("func.call", in: after) == 0)
        #expect(PassTestSupport.count("stablehlo.multiply", in: after) == 1)
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("public callees stay calls; unreachable private functions are dropped")
    func keepsPublicCallees() throws {
        let text = """
        func.func @main(%arg0: tensor<f32>) -> tensor<f32> {
          %0 = call @helper(%arg0) : (tensor<f32>) -> tensor<f32>
          return %0 : tensor<f32>
        }
        func.func public @helper(%x: tensor<f32>) -> tensor<f32> {
          %0 = stablehlo.negate %x : tensor<f32>
          return %0 : tensor<f32>
        }
        func.func private @unused(%x: tensor<f32>) -> tensor<f32> {
          %0 = stablehlo.abs %x : tensor<f32>
          return %0 : tensor<f32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [InlinePass()])
        #expect(PassTestSupport.operationNames(after) == ["func.call"])
        // @unused is private and nothing public reaches it: dropped.
        #expect(after.functions.map(\.name) == ["main", "helper"])
        try PassTestSupport.expectSameResults(before, after)
    }
}
