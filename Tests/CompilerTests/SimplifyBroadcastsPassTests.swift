import Compiler
import StableHLO
import Testing

@Suite("SimplifyBroadcastsPass")
struct SimplifyBroadcastsPassTests {
    @Test("elementwise ops on equal broadcasts run on the sources", arguments: ["f32", "i32", "f16"])
    func sinksBroadcasts(_ element: String) throws {
        let text = """
        func.func @main(%arg0: tensor<3x\(element)>, %arg1: tensor<3x\(element)>) -> (tensor<4x3x\(element)>, tensor<4x3xi1>) {
          %0 = stablehlo.broadcast_in_dim %arg0, dims = [1] : (tensor<3x\(element)>) -> tensor<4x3x\(element)>
          %1 = stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<3x\(element)>) -> tensor<4x3x\(element)>
          %c = stablehlo.constant dense<2> : tensor<4x3x\(element)>
          %2 = stablehlo.multiply %0, %1 : tensor<4x3x\(element)>
          %3 = stablehlo.add %2, %c : tensor<4x3x\(element)>
          %4 = stablehlo.compare  GT, %3, %0 : (tensor<4x3x\(element)>, tensor<4x3x\(element)>) -> tensor<4x3xi1>
          return %3, %4 : tensor<4x3x\(element)>, tensor<4x3xi1>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [SimplifyBroadcastsPass(), DCEPass()])
        let ops = try #require(after.function(named: "main")?.body.entry?.operations)
        for op in ops where ["stablehlo.multiply", "stablehlo.add", "stablehlo.compare"].contains(op.name) {
            #expect(op.results[0].type.tensorType?.shape == [3], "\(op.name) still runs on the broadcast shape")
        }
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("broadcast → broadcast_in_dim; size-1 insertion → reshape; splat broadcast → splat")
    func rewritesBroadcastForms() throws {
        let text = """
        func.func @main(%arg0: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<1x3x1xf32>, tensor<5x5xf32>) {
          %0 = "stablehlo.broadcast"(%arg0) {broadcast_sizes = array<i64: 2>} : (tensor<3xf32>) -> tensor<2x3xf32>
          %1 = stablehlo.broadcast_in_dim %arg0, dims = [1] : (tensor<3xf32>) -> tensor<1x3x1xf32>
          %c = stablehlo.constant dense<1.5> : tensor<f32>
          %2 = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<f32>) -> tensor<5x5xf32>
          return %0, %1, %2 : tensor<2x3xf32>, tensor<1x3x1xf32>, tensor<5x5xf32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [SimplifyBroadcastsPass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after) == [
            "stablehlo.broadcast_in_dim", "stablehlo.reshape", "stablehlo.constant",
        ])
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("different broadcast dimensions are left alone")
    func keepsMismatchedBroadcasts() throws {
        let text = """
        func.func @main(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>) -> tensor<3x3xf32> {
          %0 = stablehlo.broadcast_in_dim %arg0, dims = [0] : (tensor<3xf32>) -> tensor<3x3xf32>
          %1 = stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<3xf32>) -> tensor<3x3xf32>
          %2 = stablehlo.subtract %0, %1 : tensor<3x3xf32>
          return %2 : tensor<3x3xf32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [SimplifyBroadcastsPass()])
        #expect(PassTestSupport.operationNames(after) == [
            "stablehlo.broadcast_in_dim", "stablehlo.broadcast_in_dim", "stablehlo.subtract",
        ])
        try PassTestSupport.expectSameResults(before, after)
    }
}
