import Driver
import Foundation
import Reference
import Runtime
import StableHLO
import Testing

/// `ProgramSource`: text or bytecode told apart by content, sharding annotations dropped.
@Suite struct ProgramSourceTests {
    /// What JAX's serializer leaves of an `sdy.sharding_constraint`: a cast between equal
    /// types, here inside a region too.
    static let annotated = """
        func.func public @main(%a: tensor<2xui32>) -> tensor<2xui32> {
          %0 = "builtin.unrealized_conversion_cast"(%a) : (tensor<2xui32>) -> tensor<2xui32>
          %1 = stablehlo.add %0, %0 : tensor<2xui32>
          %2 = "sdy.sharding_constraint"(%1) : (tensor<2xui32>) -> tensor<2xui32>
          return %2 : tensor<2xui32>
        }
        """

    @Test func identityAnnotationsAreDropped() throws {
        let module = try ProgramSource.load(bytes: Array(Self.annotated.utf8), name: "annotated.mlir")
        let names = module.functions[0].body.blocks[0].operations.map(\.name)
        #expect(names == ["stablehlo.add", "func.return"], "\(names)")
        #expect(ReferenceSupport.firstUnsupportedOperation(in: module) == nil)
        let input = HostTensor(type: TensorType(shape: [2], elementType: .ui(32)), bytes: [1, 0, 0, 0, 5, 0, 0, 0])
        let result = try ReferenceDevice().load(module).invoke(function: "main", inputs: [input])
        #expect(result.first?.bytes == [2, 0, 0, 0, 10, 0, 0, 0])
    }

    @Test func castsBetweenDifferentTypesStay() throws {
        let text = """
            func.func public @main(%a: tensor<2xui32>) -> tensor<2xi32> {
              %0 = "builtin.unrealized_conversion_cast"(%a) : (tensor<2xui32>) -> tensor<2xi32>
              return %0 : tensor<2xi32>
            }
            """
        let module = try ProgramSource.load(bytes: Array(text.utf8), name: "cast.mlir")
        #expect(module.functions[0].body.blocks[0].operations.first?.name == "builtin.unrealized_conversion_cast")
    }

    @Test func neitherTextNorBytecodeIsAnError() {
        #expect(throws: (any Error).self) { _ = try ProgramSource.load(bytes: [0xFF, 0xFE, 0x00, 0x80], name: "junk") }
    }
}
