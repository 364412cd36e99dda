import Compiler
import StableHLO
import Testing

/// `composite-to-call`, `map-to-elementwise`, `forward-tuples` and `drop-unused-tokens`:
/// each leaves ops a target has kernels for, computing what the reference computes.
@Suite("StructuralRewritePasses")
struct StructuralRewritePassTests {
    @Test("composite → func.call of its decomposition, which the inliner expands")
    func compositeBecomesInlinedCall() throws {
        let text = """
        func.func private @add_n.impl(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> tensor<4xf32> {
          %0 = stablehlo.add %arg0, %arg1 : tensor<4xf32>
          %1 = stablehlo.multiply %0, %arg1 : tensor<4xf32>
          func.return %1 : tensor<4xf32>
        }
        func.func @main(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>) -> tensor<4xf32> {
          %0 = stablehlo.composite "my.add_n" %arg0, %arg1 {composite_attributes = {n = 2 : i64}, decomposition = @add_n.impl} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
          return %0 : tensor<4xf32>
        }
        """
        let (_, called) = try PassTestSupport.transform(text, [CompositeToCallPass()])
        #expect(PassTestSupport.operationNames(called) == ["func.call"], "\(called.text)")
        let (before, after) = try PassTestSupport.transform(text, [CompositeToCallPass(), InlinePass(includingPublicCallees: true)])
        #expect(PassTestSupport.operationNames(after) == ["stablehlo.add", "stablehlo.multiply"], "\(after.text)")
        #expect(after.function(named: "add_n.impl") == nil)
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("a composite whose decomposition does not match stays")
    func mismatchedCompositeStays() throws {
        let text = """
        func.func private @impl(%arg0: tensor<2xf32>) -> tensor<2xf32> {
          func.return %arg0 : tensor<2xf32>
        }
        func.func @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {
          %0 = stablehlo.composite "my.id" %arg0 {decomposition = @impl} : (tensor<4xf32>) -> tensor<4xf32>
          return %0 : tensor<4xf32>
        }
        """
        var module = try PassTestSupport.parse(text)
        try CompositeToCallPass().run(on: &module)
        #expect(PassTestSupport.operationNames(module) == ["stablehlo.composite"])
    }

    /// Elementwise map bodies over several element types.
    static let mapBodies: [(element: String, body: String)] = [
        ("f32", """
          %c = stablehlo.constant dense<0.5> : tensor<f32>
          %0 = stablehlo.multiply %a, %b : tensor<f32>
          %1 = stablehlo.add %0, %c : tensor<f32>
          %p = stablehlo.compare GT, %1, %a : (tensor<f32>, tensor<f32>) -> tensor<i1>
          %2 = stablehlo.select %p, %1, %b : tensor<i1>, tensor<f32>
          stablehlo.return %2 : tensor<f32>
        """),
        ("i32", """
          %c = stablehlo.constant dense<3> : tensor<i32>
          %0 = stablehlo.multiply %a, %c : tensor<i32>
          %1 = stablehlo.subtract %0, %b : tensor<i32>
          stablehlo.return %1 : tensor<i32>
        """),
        ("f16", """
          %0 = stablehlo.convert %a : (tensor<f16>) -> tensor<f32>
          %1 = stablehlo.convert %b : (tensor<f16>) -> tensor<f32>
          %2 = stablehlo.maximum %0, %1 : tensor<f32>
          %3 = stablehlo.convert %2 : (tensor<f32>) -> tensor<f16>
          stablehlo.return %3 : tensor<f16>
        """),
    ]

    @Test("an elementwise map body runs on the whole shape", arguments: 0..<3)
    func mapBecomesElementwise(_ index: Int) throws {
        let (element, body) = Self.mapBodies[index]
        let text = """
        func.func @main(%arg0: tensor<3x4x\(element)>, %arg1: tensor<3x4x\(element)>) -> tensor<3x4x\(element)> {
          %0 = "stablehlo.map"(%arg0, %arg1) ({
          ^bb0(%a: tensor<\(element)>, %b: tensor<\(element)>):
        \(body)
          }) {dimensions = array<i64: 0, 1>} : (tensor<3x4x\(element)>, tensor<3x4x\(element)>) -> tensor<3x4x\(element)>
          return %0 : tensor<3x4x\(element)>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [ElementwiseMapPass()])
        #expect(PassTestSupport.count("stablehlo.map", in: after) == 0, "\(after.text)")
        let ops = try #require(after.function(named: "main")?.body.entry?.operations.dropLast())
        for op in ops where op.name != "stablehlo.constant" {
            #expect(op.results[0].type.tensorType?.shape == [3, 4], "\(op.name)")
        }
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("maps with a non-elementwise body, a value from outside, or other dimensions stay")
    func otherMapsStay() throws {
        let text = """
        func.func @main(%arg0: tensor<4xf32>, %arg1: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>) {
          %0 = "stablehlo.map"(%arg0) ({
          ^bb0(%a: tensor<f32>):
            %1 = stablehlo.reshape %a : (tensor<f32>) -> tensor<1xf32>
            %2 = stablehlo.reshape %1 : (tensor<1xf32>) -> tensor<f32>
            stablehlo.return %2 : tensor<f32>
          }) {dimensions = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
          %3 = "stablehlo.map"(%arg0) ({
          ^bb0(%a: tensor<f32>):
            %4 = stablehlo.add %a, %arg1 : tensor<f32>
            stablehlo.return %4 : tensor<f32>
          }) {dimensions = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
          return %0, %3 : tensor<4xf32>, tensor<4xf32>
        }
        """
        var module = try PassTestSupport.parse(text)
        try ElementwiseMapPass().run(on: &module)
        #expect(PassTestSupport.count("stablehlo.map", in: module) == 2)
    }

    @Test("get_tuple_element of a tuple reads the element, nested tuples too; unread tuples go")
    func tuplesAreForwarded() throws {
        let text = """
        func.func @main(%arg0: tensor<2xf64>, %arg1: tensor<i64>) -> (tensor<2xf64>, tensor<i64>) {
          %t0 = stablehlo.tuple %arg1 : tuple<tensor<i64>>
          %t1 = stablehlo.tuple %arg0, %t0 : tuple<tensor<2xf64>, tuple<tensor<i64>>>
          %0 = stablehlo.get_tuple_element %t1[0] : (tuple<tensor<2xf64>, tuple<tensor<i64>>>) -> tensor<2xf64>
          %1 = stablehlo.get_tuple_element %t1[1] : (tuple<tensor<2xf64>, tuple<tensor<i64>>>) -> tuple<tensor<i64>>
          %2 = stablehlo.get_tuple_element %1[0] : (tuple<tensor<i64>>) -> tensor<i64>
          %3 = stablehlo.add %2, %2 : tensor<i64>
          return %0, %3 : tensor<2xf64>, tensor<i64>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [ForwardTuplesPass()])
        #expect(PassTestSupport.operationNames(after) == ["stablehlo.add"], "\(after.text)")
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("a returned tuple stays")
    func returnedTupleStays() throws {
        let text = """
        func.func @main(%arg0: tensor<2xf32>) -> tuple<tensor<2xf32>> {
          %t = stablehlo.tuple %arg0 : tuple<tensor<2xf32>>
          return %t : tuple<tensor<2xf32>>
        }
        """
        var module = try PassTestSupport.parse(text)
        try ForwardTuplesPass().run(on: &module)
        #expect(PassTestSupport.operationNames(module) == ["stablehlo.tuple"])
    }

    @Test("unread after_all chains go; tokens an outfeed takes stay")
    func unusedTokensAreDropped() throws {
        let text = """
        func.func @main(%arg0: tensor<2xf32>) -> tensor<2xf32> {
          %t0 = stablehlo.after_all : !stablehlo.token
          %t1 = stablehlo.after_all : !stablehlo.token
          %t2 = stablehlo.after_all %t0, %t1 : !stablehlo.token
          %t3 = stablehlo.after_all : !stablehlo.token
          %t4 = "stablehlo.outfeed"(%arg0, %t3) {outfeed_config = ""} : (tensor<2xf32>, !stablehlo.token) -> !stablehlo.token
          %t5 = stablehlo.after_all %t4 : !stablehlo.token
          %0 = stablehlo.negate %arg0 : tensor<2xf32>
          return %0 : tensor<2xf32>
        }
        """
        var module = try PassTestSupport.parse(text)
        try DropUnusedTokensPass().run(on: &module)
        try module.verify()
        #expect(PassTestSupport.operationNames(module) == ["stablehlo.after_all", "stablehlo.outfeed", "stablehlo.negate"],
                "\(module.text)")
    }
}
