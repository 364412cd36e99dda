import Compiler
import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// `UnitDimensionSqueeze` removes size-1 dimensions from a block without changing what it
/// computes: each program below gives bit-identical results before and after on the
/// reference interpreter, the squeezed block verifies, and no op is left that only moved
/// unit dimensions.
@Suite struct UnitDimensionSqueezeTests {
    static let programs: [(String, String)] = [
        ("elementwise_reduce_broadcast", """
        func.func public @main(%a: tensor<4x1x6xf32>, %b: tensor<1x6xf32>) -> tensor<4x1xf32> {
          %0 = stablehlo.broadcast_in_dim %b, dims = [1, 2] : (tensor<1x6xf32>) -> tensor<4x1x6xf32>
          %1 = stablehlo.multiply %a, %0 : tensor<4x1x6xf32>
          %c = stablehlo.constant dense<0.0> : tensor<f32>
          %2 = stablehlo.reduce(%1 init: %c) applies stablehlo.add across dimensions = [2] : (tensor<4x1x6xf32>, tensor<f32>) -> tensor<4x1xf32>
          %e = stablehlo.exponential %2 : tensor<4x1xf32>
          return %e : tensor<4x1xf32>
        }
        """),
        ("transpose_moves_units_and_more", """
        func.func public @main(%a: tensor<2x1x3x1x5xf32>) -> (tensor<1x5x3x2x1xf32>, tensor<1x2x1x3x5xf32>) {
          %0 = stablehlo.transpose %a, dims = [1, 4, 2, 0, 3] : (tensor<2x1x3x1x5xf32>) -> tensor<1x5x3x2x1xf32>
          %1 = stablehlo.transpose %a, dims = [3, 0, 1, 2, 4] : (tensor<2x1x3x1x5xf32>) -> tensor<1x2x1x3x5xf32>
          %2 = stablehlo.negate %1 : tensor<1x2x1x3x5xf32>
          return %0, %2 : tensor<1x5x3x2x1xf32>, tensor<1x2x1x3x5xf32>
        }
        """),
        ("dot_with_unit_batch_and_free_dims", """
        func.func public @main(%a: tensor<1x3x1x4xf32>, %b: tensor<1x4x5xf32>) -> tensor<3x1x5xf32> {
          %0 = stablehlo.dot_general %a, %b, batching_dims = [0] x [0], contracting_dims = [3] x [1] : (tensor<1x3x1x4xf32>, tensor<1x4x5xf32>) -> tensor<1x3x1x5xf32>
          %1 = stablehlo.reshape %0 : (tensor<1x3x1x5xf32>) -> tensor<3x1x5xf32>
          return %1 : tensor<3x1x5xf32>
        }
        """),
        ("iota_compare_select", """
        func.func public @main(%a: tensor<1x4x4xf32>) -> tensor<1x4x4xf32> {
          %i = stablehlo.iota dim = 1 : tensor<1x4x4xi32>
          %j = stablehlo.iota dim = 2 : tensor<1x4x4xi32>
          %m = stablehlo.compare GE, %i, %j, SIGNED : (tensor<1x4x4xi32>, tensor<1x4x4xi32>) -> tensor<1x4x4xi1>
          %f = stablehlo.constant dense<-1.0> : tensor<1x4x4xf32>
          %s = stablehlo.select %m, %a, %f : tensor<1x4x4xi1>, tensor<1x4x4xf32>
          return %s : tensor<1x4x4xf32>
        }
        """),
        ("kept_ops_read_their_own_types", """
        func.func public @main(%a: tensor<1x6xf32>) -> tensor<1x3xf32> {
          %0 = stablehlo.exponential %a : tensor<1x6xf32>
          %1 = stablehlo.slice %0 [0:1, 1:4] : (tensor<1x6xf32>) -> tensor<1x3xf32>
          %2 = stablehlo.sine %1 : tensor<1x3xf32>
          return %2 : tensor<1x3xf32>
        }
        """),
    ]

    static func squeezed(_ module: Module) throws -> Module {
        var module = module
        let f = try #require(module.functions.firstIndex { $0.name == "main" })
        var nextID = module.functions[f].nextValueID
        let block = module.functions[f].body.blocks[0]
        let squeezed = try #require(UnitDimensionSqueeze.squeezing(block, nextID: &nextID))
        module.functions[f].body.blocks[0] = squeezed
        return module
    }

    @Test(arguments: programs.map(\.0))
    func squeezingKeepsTheResults(_ name: String) throws {
        let text = try #require(Self.programs.first { $0.0 == name }?.1)
        let original = try Module.parse(text, file: "\(name).mlir")
        let module = try Self.squeezed(original)
        try module.verify()
        var numbers = LinalgHostEmulationTests.Numbers(state: 11)
        let inputs = original.functions[0].inputTypes.compactMap(\.tensorType).map { LinalgHostEmulationTests.random($0, &numbers) }
        let before = try Interpreter(module: original).run("main", inputs: inputs)
        let after = try Interpreter(module: module).run("main", inputs: inputs)
        #expect(before.map(\.hostTensor.bytes) == after.map(\.hostTensor.bytes), "\(module.text)")
        // Inside the block no value has a unit dimension except around the kept `slice`
        // and at the function's boundary.
        let inner = module.functions[0].body.blocks[0].operations.filter {
            !["stablehlo.reshape", "stablehlo.slice", "func.return"].contains($0.name)
        }
        for op in inner where name != "kept_ops_read_their_own_types" {
            #expect(!op.results.contains { ($0.type.tensorType?.shape ?? []).contains(1) }, "\(op.name) in \(module.text)")
        }
    }

    @Test func blocksWithoutUnitDimensionsAreLeftAlone() throws {
        let module = try Module.parse("""
        func.func public @main(%a: tensor<4x6xf32>) -> tensor<4x6xf32> {
          %0 = stablehlo.exponential %a : tensor<4x6xf32>
          return %0 : tensor<4x6xf32>
        }
        """, file: "plain.mlir")
        var nextID = module.functions[0].nextValueID
        #expect(UnitDimensionSqueeze.squeezing(module.functions[0].body.blocks[0], nextID: &nextID) == nil)
    }
}
