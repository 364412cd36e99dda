@testable import StableHLO
import Testing

/// `!quant.uniform` element types: parsed into `TensorType.quantization`, printed back,
/// and checked against the spec's constraints by the verifier.
@Suite struct QuantizedTypeTests {
    static func tensorType(_ text: String) throws -> TensorType? {
        let module = try Module.parse("func.func @f(%x: \(text)) {\n  func.return\n}", file: "q.mlir")
        return module.functions.first?.inputTypes.first?.tensorType
    }

    @Test func perTensorType() throws {
        let t = try #require(try Self.tensorType("tensor<2x3x!quant.uniform<i8:f32, 0.1:-30>>"))
        #expect(t.shape == [2, 3])
        #expect(t.elementType == .si(8))
        let q = try #require(t.quantization)
        #expect(q.expressedType == .f32 && q.scales == [0.1] && q.zeroPoints == [-30])
        #expect(q.storageMin == -128 && q.storageMax == 127 && q.quantizationDimension == nil)
        #expect(t.description == "tensor<2x3x!quant.uniform<i8:f32, 0.1:-30>>")
        #expect(t.storageType == TensorType(shape: [2, 3], elementType: .si(8)))
        #expect(t.expressedType == TensorType(shape: [2, 3], elementType: .float(.f32)))
    }

    @Test func perAxisTypeWithStorageRange() throws {
        let t = try #require(try Self.tensorType("tensor<4x2x!quant.uniform<i8<-127:127>:bf16:1, {1.000000e-01:-30,5.000000e-01}>>"))
        let q = try #require(t.quantization)
        #expect(q.storageMin == -127 && q.storageMax == 127)
        #expect(q.expressedType == .bf16 && q.quantizationDimension == 1)
        #expect(q.scales == [0.1, 0.5] && q.zeroPoints == [-30, 0])
        #expect(t.description == "tensor<4x2x!quant.uniform<i8<-127:127>:bf16:1, {0.1:-30,0.5}>>")
        #expect(try Self.tensorType(t.description) == t)
    }

    @Test("storage types", arguments: [("u8", ElementType.ui(8)), ("i4", .si(4)), ("i16", .si(16)), ("i32", .si(32)), ("u2", .ui(2))])
    func storageTypes(name: String, element: ElementType) throws {
        let t = try #require(try Self.tensorType("tensor<3x!quant.uniform<\(name):f16, 2.0>>"))
        #expect(t.elementType == element)
        #expect(t.quantization?.storageMin == UniformQuantization.fullRange(of: element).lowerBound)
        #expect(try Self.tensorType(t.description) == t)
    }

    @Test("malformed types are parse errors", arguments: [
        "tensor<2x!quant.uniform<f32:f32, 0.1>>",
        "tensor<2x!quant.uniform<i8:i32, 0.1>>",
        "tensor<2x!quant.uniform<i8:f32, abc>>",
        "tensor<2x!quant.uniform<i8:f32:{0:1}, {{0.1}}>>",
        "tensor<2x!quant.uniform<i8:f32:0, 0.1>>",
        "tensor<2x!quant.uniform<i8<-5:5:f32, 0.1>>",
    ])
    func malformed(text: String) {
        let diagnostic = parseError("func.func @f(%x: \(text)) {\n  func.return\n}")
        #expect(diagnostic?.message.contains("!quant.uniform") == true, "\(String(describing: diagnostic))")
    }

    /// Other dialect element types are still kept verbatim.
    @Test func otherDialectTypesStayOpaque() throws {
        let module = try Module.parse("func.func @f(%x: tensor<2x!foo.bar<1>>) {\n  func.return\n}", file: "q.mlir")
        #expect(module.functions.first?.inputTypes.first == .opaque("tensor<2x!foo.bar<1>>"))
    }

    static func verifierMessages(_ body: String, arguments: String) throws -> [String] {
        try Module.parse("func.func @f(\(arguments)) {\n\(body)\n  func.return\n}", file: "v.mlir").verifyAll().map(\.message)
    }

    @Test func wellFormedQuantizedProgramVerifies() throws {
        let messages = try Self.verifierMessages("""
          %q = stablehlo.uniform_quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1:-30, 0.2, 0.3:4}>>
          %r = stablehlo.uniform_quantize %q : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1:-30, 0.2, 0.3:4}>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.5>>
          %s = stablehlo.add %r, %r : (tensor<2x3x!quant.uniform<i8:f32, 0.5>>, tensor<2x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.25:-1>>
          %t = stablehlo.transpose %s, dims = [1, 0] : (tensor<2x3x!quant.uniform<i8:f32, 0.25:-1>>) -> tensor<3x2x!quant.uniform<i8:f32, 0.25:-1>>
          %d = stablehlo.uniform_dequantize %t : (tensor<3x2x!quant.uniform<i8:f32, 0.25:-1>>) -> tensor<3x2xf32>
        """, arguments: "%x: tensor<2x3xf32>")
        #expect(messages.isEmpty, "\(messages)")
    }

    @Test("broken quantized programs", arguments: [
        ("%q = stablehlo.uniform_quantize %x : (tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32, 0.1:200>>", "zero point 200"),
        ("%q = stablehlo.uniform_quantize %x : (tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>", "has size 2 but 3 scales"),
        ("%q = stablehlo.uniform_quantize %x : (tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32, -0.5>>", "positive finite"),
        ("%q = stablehlo.uniform_quantize %x : (tensor<2xf32>) -> tensor<2x!quant.uniform<i8:bf16, 0.5>>", "expressed type"),
        ("%q = stablehlo.uniform_quantize %x : (tensor<2xf32>) -> tensor<2xi8>", "must be a quantized tensor"),
        ("""
        %q = stablehlo.uniform_quantize %x : (tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32, 0.5>>
          %d = stablehlo.uniform_dequantize %q : (tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<2xf16>
        """, "expressed type f32"),
        ("""
        %q = stablehlo.uniform_quantize %x : (tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32, 0.5>>
          %r = stablehlo.reshape %q : (tensor<2x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.25>>
        """, "different quantized types"),
        ("""
        %q = stablehlo.uniform_quantize %x : (tensor<2xf32>) -> tensor<2x!quant.uniform<i8:f32, 0.5>>
          %r = stablehlo.add %q, %x : (tensor<2x!quant.uniform<i8:f32, 0.5>>, tensor<2xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.5>>
        """, "stablehlo.add"),
    ])
    func broken(body: String, expected: String) throws {
        let messages = try Self.verifierMessages("  " + body, arguments: "%x: tensor<2xf32>")
        #expect(messages.contains { $0.contains(expected) }, "\(messages)")
    }
}
