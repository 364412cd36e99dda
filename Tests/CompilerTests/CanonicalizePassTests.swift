import Compiler
import StableHLO
import Testing

@Suite("CanonicalizePass")
struct CanonicalizePassTests {
    @Test("identity ops disappear", arguments: [
        "%0 = stablehlo.reshape %arg0 : (tensor<2x3xELEM>) -> tensor<2x3xELEM>",
        "%0 = stablehlo.convert %arg0 : (tensor<2x3xELEM>) -> tensor<2x3xELEM>",
        "%0 = \"stablehlo.transpose\"(%arg0) {permutation = array<i64: 0, 1>} : (tensor<2x3xELEM>) -> tensor<2x3xELEM>",
        "%0 = stablehlo.broadcast_in_dim %arg0, dims = [0, 1] : (tensor<2x3xELEM>) -> tensor<2x3xELEM>",
        "%0 = stablehlo.slice %arg0 [0:2, 0:3] : (tensor<2x3xELEM>) -> tensor<2x3xELEM>",
        "%0 = \"stablehlo.reverse\"(%arg0) {dimensions = array<i64>} : (tensor<2x3xELEM>) -> tensor<2x3xELEM>",
    ], ["f32", "i8", "bf16"])
    func removesIdentities(_ line: String, _ element: String) throws {
        let text = """
        func.func @main(%arg0: tensor<2x3x\(element)>) -> tensor<2x3x\(element)> {
          \(line.replacingOccurrences(of: "ELEM", with: element))
          return %0 : tensor<2x3x\(element)>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [CanonicalizePass()])
        #expect(PassTestSupport.operationNames(after).isEmpty)
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("integer x+0, x-0, x*1, x|0, x^0, x&~0 reduce to x", arguments: ["i32", "ui8", "i64"], [
        ("add", "0"), ("subtract", "0"), ("multiply", "1"), ("or", "0"), ("xor", "0"),
    ])
    func integerIdentities(_ element: String, _ opAndConstant: (String, String)) throws {
        let (op, constant) = opAndConstant
        let text = """
        func.func @main(%arg0: tensor<5x\(element)>) -> tensor<5x\(element)> {
          %c = stablehlo.constant dense<\(constant)> : tensor<5x\(element)>
          %0 = stablehlo.\(op) %arg0, %c : tensor<5x\(element)>
          return %0 : tensor<5x\(element)>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [CanonicalizePass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after).isEmpty)
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("float x+0.0 is kept (-0.0 + 0.0 is +0.0); x*1.0 goes")
    func floatIdentities() throws {
        let text = """
        func.func @main(%arg0: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
          %c0 = stablehlo.constant dense<0.0> : tensor<3xf32>
          %c1 = stablehlo.constant dense<1.0> : tensor<3xf32>
          %0 = stablehlo.add %arg0, %c0 : tensor<3xf32>
          %1 = stablehlo.multiply %c1, %arg0 : tensor<3xf32>
          return %0, %1 : tensor<3xf32>, tensor<3xf32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [CanonicalizePass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after) == ["stablehlo.constant", "stablehlo.add"])
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("constant operands of commutative ops move to the right")
    func ordersConstantsRight() throws {
        let text = """
        func.func @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {
          %c = stablehlo.constant dense<2.5> : tensor<4xf32>
          %0 = stablehlo.maximum %c, %arg0 : tensor<4xf32>
          return %0 : tensor<4xf32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [CanonicalizePass()])
        let maximum = try #require(after.function(named: "main")?.body.entry?.operations[1])
        #expect(maximum.name == "stablehlo.maximum")
        #expect(maximum.operands.first?.id == after.function(named: "main")?.body.entry?.arguments.first?.id)
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("chains merge: transpose∘transpose, reshape∘reshape, broadcast∘broadcast, negate∘negate")
    func mergesChains() throws {
        let text = """
        func.func @main(%arg0: tensor<2x3x4xf32>, %arg1: tensor<3xi32>) -> (tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<2x3x5xi32>, tensor<3xi32>) {
          %0 = "stablehlo.transpose"(%arg0) {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
          %1 = "stablehlo.transpose"(%0) {permutation = array<i64: 1, 2, 0>} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
          %2 = stablehlo.reshape %arg0 : (tensor<2x3x4xf32>) -> tensor<24xf32>
          %3 = stablehlo.reshape %2 : (tensor<24xf32>) -> tensor<6x4xf32>
          %4 = stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<3xi32>) -> tensor<1x3xi32>
          %5 = stablehlo.broadcast_in_dim %4, dims = [0, 1] : (tensor<1x3xi32>) -> tensor<2x3x5xi32>
          %6 = stablehlo.negate %arg1 : tensor<3xi32>
          %7 = stablehlo.negate %6 : tensor<3xi32>
          return %1, %3, %5, %7 : tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<2x3x5xi32>, tensor<3xi32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [CanonicalizePass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after) == [
            "stablehlo.transpose", "stablehlo.reshape", "stablehlo.broadcast_in_dim",
        ])
        let ops = try #require(after.function(named: "main")?.body.entry?.operations)
        #expect(ops[0][attribute: "permutation"]?.intArray == [2, 0, 1])
        #expect(ops[2][attribute: "broadcast_dimensions"]?.intArray == [1])
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("select with a constant predicate or equal branches picks its operand")
    func simplifiesSelect() throws {
        let text = """
        func.func @main(%arg0: tensor<4xf32>, %arg1: tensor<4xf32>, %arg2: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
          %t = stablehlo.constant dense<true> : tensor<4xi1>
          %f = stablehlo.constant dense<false> : tensor<4xi1>
          %0 = stablehlo.select %t, %arg0, %arg1 : tensor<4xi1>, tensor<4xf32>
          %1 = stablehlo.select %f, %arg0, %arg1 : tensor<4xi1>, tensor<4xf32>
          %2 = stablehlo.select %arg2, %arg1, %arg1 : tensor<4xi1>, tensor<4xf32>
          return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [CanonicalizePass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after).isEmpty)
        try PassTestSupport.expectSameResults(before, after)
    }

    @Test("data movement of a uniform constant becomes a splat of any size")
    func movesUniformConstants() throws {
        let text = """
        func.func @main() -> (tensor<4096x4096xf32>, tensor<2x3xi8>, tensor<3x2xi8>) {
          %c = stablehlo.constant dense<0.5> : tensor<f32>
          %0 = stablehlo.broadcast_in_dim %c, dims = [] : (tensor<f32>) -> tensor<4096x4096xf32>
          %d = stablehlo.constant dense<[7, 7, 7, 7, 7, 7]> : tensor<6xi8>
          %1 = stablehlo.reshape %d : (tensor<6xi8>) -> tensor<2x3xi8>
          %2 = "stablehlo.transpose"(%1) {permutation = array<i64: 1, 0>} : (tensor<2x3xi8>) -> tensor<3x2xi8>
          return %0, %1, %2 : tensor<4096x4096xf32>, tensor<2x3xi8>, tensor<3x2xi8>
        }
        """
        let (_, after) = try PassTestSupport.transform(text, [CanonicalizePass(), DCEPass()])
        let ops = try #require(after.function(named: "main")?.body.entry?.operations.dropLast())
        #expect(ops.map(\.name) == ["stablehlo.constant", "stablehlo.constant", "stablehlo.constant"])
        for op in ops {
            guard case .dense(let elements)? = op[attribute: "value"] else {
                Issue.record("\(op.name) has no dense value")
                continue
            }
            #expect(elements.isSplat)
            #expect(elements.type == op.results[0].type.tensorType)
        }
    }

    @Test("convert to a wider type and back disappears; narrowing round trips stay",
          arguments: [("bf16", "f32", true), ("f16", "f64", true), ("f32", "f64", true), ("i8", "i32", true),
                      ("ui8", "i16", true), ("f32", "bf16", false), ("i32", "i8", false), ("i8", "ui8", false)])
    func removesWideningRoundTrips(_ types: (String, String, Bool)) throws {
        let (narrow, wide, removable) = types
        let text = """
        func.func @main(%arg0: tensor<6x\(narrow)>) -> tensor<6x\(narrow)> {
          %0 = stablehlo.convert %arg0 : (tensor<6x\(narrow)>) -> tensor<6x\(wide)>
          %1 = stablehlo.convert %0 : (tensor<6x\(wide)>) -> tensor<6x\(narrow)>
          return %1 : tensor<6x\(narrow)>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [CanonicalizePass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after).isEmpty == removable)
        try PassTestSupport.expectSameResults(before, after)
    }

    /// A splat of 2⁴⁰ booleans (a mask broadcast over a large score tensor) is tested by its
    /// one stored value: expanding it would need terabytes.
    @Test("and with a huge all-true splat reduces to x without expanding the splat")
    func hugeSplatIsNotExpanded() throws {
        let shape = "1024x1024x1024x1024"
        let text = """
        func.func @main(%arg0: tensor<\(shape)xi1>) -> tensor<\(shape)xi1> {
          %c = stablehlo.constant dense<true> : tensor<\(shape)xi1>
          %0 = stablehlo.and %arg0, %c : tensor<\(shape)xi1>
          return %0 : tensor<\(shape)xi1>
        }
        """
        let (_, after) = try PassTestSupport.transform(text, [CanonicalizePass(), DCEPass()])
        #expect(PassTestSupport.operationNames(after).isEmpty)
        let huge = DenseElements(type: TensorType(shape: [1 << 20, 1 << 20], elementType: .si(32)),
                                 littleEndianWords: [7], isSplat: true)
        #expect(huge.splatInt64Value == 7)
    }
}
