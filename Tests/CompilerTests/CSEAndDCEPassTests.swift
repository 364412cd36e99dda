import Compiler
import StableHLO
import Testing

@Suite("CSEPass and DCEPass")
struct CSEAndDCEPassTests {
    @Test("equal pure ops merge, also into nested regions")
    func mergesEqualOps() throws {
        let text = """
        func.func @main(%arg0: tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>) {
          %c = stablehlo.constant dense<1.0> : tensor<4xf32>
          %c1 = stablehlo.constant dense<1.0> : tensor<4xf32>
          %0 = stablehlo.add %arg0, %c : tensor<4xf32>
          %1 = stablehlo.add %arg0, %c1 : tensor<4xf32>
          %2 = stablehlo.multiply %0, %1 : tensor<4xf32>
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %3 = stablehlo.reduce(%2 init: %z) across dimensions = [0] : (tensor<4xf32>, tensor<f32>) -> tensor<f32>
           reducer(%a: tensor<f32>, %b: tensor<f32>) {
            %z2 = stablehlo.constant dense<0.0> : tensor<f32>
            %s = stablehlo.add %a, %b : tensor<f32>
            %t = stablehlo.add %s, %z2 : tensor<f32>
            stablehlo.return %t : tensor<f32>
          }
          return %2, %3 : tensor<4xf32>, tensor<f32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [CSEPass(), DCEPass()])
        #expect(PassTestSupport.count("stablehlo.constant", in: after) == 2)
        #expect(PassTestSupport.count("stablehlo.add", in: after) == 3)
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("checks and side-effecting custom calls are never merged or removed")
    func keepsEffects() throws {
        let text = """
        func.func @main(%arg0: tensor<2xi32>) -> tensor<2xi32> {
          stablehlo.custom_call @check.expect_eq(%arg0, %arg0) {has_side_effect = true} : (tensor<2xi32>, tensor<2xi32>) -> ()
          stablehlo.custom_call @check.expect_eq(%arg0, %arg0) {has_side_effect = true} : (tensor<2xi32>, tensor<2xi32>) -> ()
          %0 = stablehlo.custom_call @log(%arg0) {has_side_effect = true} : (tensor<2xi32>) -> tensor<2xi32>
          %1 = stablehlo.custom_call @log(%arg0) {has_side_effect = true} : (tensor<2xi32>) -> tensor<2xi32>
          return %arg0 : tensor<2xi32>
        }
        """
        let (_, after) = try PassTestSupport.transform(text, [CSEPass(), DCEPass()])
        #expect(PassTestSupport.count("stablehlo.custom_call", in: after) == 4)
    }

    @Test("dead chains go at once; live ops and their inputs stay")
    func removesDeadChains() throws {
        let text = """
        func.func @main(%arg0: tensor<3xi32>) -> tensor<3xi32> {
          %0 = stablehlo.add %arg0, %arg0 : tensor<3xi32>
          %1 = stablehlo.multiply %0, %0 : tensor<3xi32>
          %2 = stablehlo.negate %1 : tensor<3xi32>
          %3 = stablehlo.subtract %arg0, %0 : tensor<3xi32>
          return %3 : tensor<3xi32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [DCEPass()])
        #expect(PassTestSupport.operationNames(after) == ["stablehlo.add", "stablehlo.subtract"])
        let index = UseDefIndex(try #require(after.function(named: "main")))
        for op in after.function(named: "main")?.body.entry?.operations.dropLast() ?? [] {
            #expect(op.results.allSatisfy { !index.isUnused($0) }, "\(op.name) is unused")
        }
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("calls of pure functions are removable, calls of checking functions are not")
    func judgesCallsByTheirCallee() throws {
        let text = """
        func.func @main(%arg0: tensor<i32>) -> tensor<i32> {
          %0 = call @pure(%arg0) : (tensor<i32>) -> tensor<i32>
          %1 = call @checks(%arg0) : (tensor<i32>) -> tensor<i32>
          return %arg0 : tensor<i32>
        }
        func.func public @pure(%x: tensor<i32>) -> tensor<i32> {
          %0 = stablehlo.abs %x : tensor<i32>
          return %0 : tensor<i32>
        }
        func.func public @checks(%x: tensor<i32>) -> tensor<i32> {
          stablehlo.custom_call @check.expect_eq(%x, %x) {has_side_effect = true} : (tensor<i32>, tensor<i32>) -> ()
          return %x : tensor<i32>
        }
        """
        let (_, after) = try PassTestSupport.transform(text, [DCEPass()])
        let calls = after.function(named: "main")?.body.entry?.operations.filter { $0.name == "func.call" } ?? []
        #expect(calls.count == 1)
        #expect(calls.first?[attribute: "callee"] == .symbolRef("checks"))
    }
}
