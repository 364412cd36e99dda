import Reference
import StableHLO
import Testing

/// Quantized tensors on the reference backend, checked against the spec's formulas written
/// out here in `Float` arithmetic: `quantize(x) = convert(round_nearest_even(clamp(min,
/// x / scale + zero_point, max)))`, `dequantize(s) = (s - zero_point) * scale`.
@Suite struct QuantizedOpTests {
    static func run(_ text: String, _ inputs: [Tensor]) throws -> [Tensor] {
        let module = try Module.parse(text, file: "quantized.mlir")
        try module.verify()
        return try Interpreter(module: module).run("main", inputs: inputs)
    }

    /// Fresh values spread over several binades, with fractions at the rounding ties.
    static func randomFloats(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let mantissa = Double(Int64(bitPattern: state) % 40_000) / 1_000
            return Double(Float(state % 3 == 0 ? mantissa / 8 : mantissa))
        }
    }

    struct Case: CustomStringConvertible, Sendable {
        var storage: String
        var range: ClosedRange<Int64>
        var scale: Float
        var zeroPoint: Int64
        var description: String { "\(storage) \(scale):\(zeroPoint)" }
        var typeText: String {
            let full = UniformQuantization.fullRange(of: storage.hasPrefix("u") ? .ui(Int(storage.dropFirst())!) : .si(Int(storage.dropFirst())!))
            let bounds = full == range ? "" : "<\(range.lowerBound):\(range.upperBound)>"
            return "!quant.uniform<\(storage)\(bounds):f32, \(scale):\(zeroPoint)>"
        }
    }

    static let cases: [Case] = [
        Case(storage: "i8", range: -128...127, scale: 0.1, zeroPoint: -30),
        Case(storage: "i8", range: -127...127, scale: 0.375, zeroPoint: 0),
        Case(storage: "u8", range: 0...255, scale: 0.0625, zeroPoint: 128),
        Case(storage: "i4", range: -8...7, scale: 1.5, zeroPoint: 2),
        Case(storage: "u4", range: 0...15, scale: 2.5, zeroPoint: 3),
        Case(storage: "i16", range: -32768...32767, scale: 0.001, zeroPoint: -1000),
        Case(storage: "i32", range: Int64(Int32.min)...Int64(Int32.max), scale: 3.0e-5, zeroPoint: 12),
    ]

    static func quantized(_ x: Float, _ c: Case) -> Int64 {
        var y = x / c.scale + Float(c.zeroPoint)
        if y.isNaN { return 0 }
        y = min(max(y, Float(c.range.lowerBound)), Float(c.range.upperBound))
        y.round(.toNearestOrEven)
        return y >= 2_147_483_647 ? c.range.upperBound : Int64(y)
    }

    @Test("uniform_quantize and uniform_dequantize match the formulas", arguments: cases, [1, 7, 64])
    func quantizeAndDequantize(c: Case, count: Int) throws {
        let floatType = "tensor<\(count)xf32>", quantType = "tensor<\(count)x\(c.typeText)>"
        let text = """
        func.func @main(%x: \(floatType)) -> (\(quantType), \(floatType)) {
          %q = stablehlo.uniform_quantize %x : (\(floatType)) -> \(quantType)
          %d = stablehlo.uniform_dequantize %q : (\(quantType)) -> \(floatType)
          return %q, %d : \(quantType), \(floatType)
        }
        """
        var values = Self.randomFloats(count, seed: UInt64(count) &+ UInt64(c.range.upperBound))
        if count == 64 { values[0] = .nan; values[1] = .infinity; values[2] = -.infinity; values[3] = 1e30 }
        let input = Tensor(type: TensorType(shape: [count], elementType: .float(.f32)), storage: .floats(values))
        let results = try Self.run(text, [input])
        let stored = try #require(results[0].ints)
        let expected = values.map { Self.quantized(Float($0), c) }
        #expect(stored == expected)
        #expect(results[0].type.quantization != nil)
        let dequantized = try #require(results[1].floats)
        #expect(dequantized == expected.map { Double(Float($0 - c.zeroPoint) * c.scale) })
    }

    @Test("per-axis parameters follow the quantization dimension", arguments: [0, 1, 2])
    func perAxis(axis: Int) throws {
        let shape = [2, 3, 4]
        let n = shape[axis]
        let scales: [Float] = (0..<n).map { 0.125 * Float($0 + 1) }
        let zeroPoints: [Int64] = (0..<n).map { Int64($0 * 5 - 6) }
        let items = (0..<n).map { "\(scales[$0]):\(zeroPoints[$0])" }.joined(separator: ", ")
        let floatType = "tensor<2x3x4xf32>", quantType = "tensor<2x3x4x!quant.uniform<i8:f32:\(axis), {\(items)}>>"
        let text = """
        func.func @main(%x: \(floatType)) -> \(quantType) {
          %q = stablehlo.uniform_quantize %x : (\(floatType)) -> \(quantType)
          return %q : \(quantType)
        }
        """
        let values = Self.randomFloats(24, seed: UInt64(axis + 11))
        let input = Tensor(type: TensorType(shape: shape, elementType: .float(.f32)), storage: .floats(values))
        let stored = try #require(try Self.run(text, [input])[0].ints)
        let strides = [12, 4, 1]
        for i in 0..<24 {
            let k = (i / strides[axis]) % n
            let c = Case(storage: "i8", range: -128...127, scale: scales[k], zeroPoint: zeroPoints[k])
            #expect(stored[i] == Self.quantized(Float(values[i]), c), "element \(i)")
        }
    }

    /// An unverified program whose per-axis scales do not cover its quantization dimension
    /// is a run error naming the type, not a trap.
    @Test func perAxisParametersThatDoNotFitAreAnError() throws {
        let text = """
        func.func @main(%x: tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32:0, {0.5, 0.25}>> {
          %q = stablehlo.uniform_quantize %x : (tensor<3xf32>) -> tensor<3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
          return %q : tensor<3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
        }
        """
        let module = try Module.parse(text, file: "bad.mlir")
        #expect(!module.verifyAll().isEmpty)
        let input = Tensor(type: TensorType(shape: [3], elementType: .float(.f32)), storage: .floats([1, 2, 3]))
        do {
            _ = try Interpreter(module: module).run("main", inputs: [input])
            Issue.record("ran")
        } catch {
            #expect("\(error)".contains("has size 3 but 2 scales"), "\(error)")
        }
    }

    /// `add` on quantized tensors dequantizes both operands, adds in f32 and requantizes; a
    /// quantized constant holds storage values; `bitcast_convert` exposes them.
    @Test func arithmeticOnQuantizedTensors() throws {
        let a = "tensor<3x!quant.uniform<i8:f32, 0.5:-10>>", b = "tensor<3x!quant.uniform<u8:f32, 0.25:100>>"
        let r = "tensor<3x!quant.uniform<i8:f32, 0.75:4>>"
        let text = """
        func.func @main() -> (tensor<3xi8>, tensor<3xf32>) {
          %a = "stablehlo.constant"() {value = dense<[-10, 0, 17]> : tensor<3xi8>} : () -> \(a)
          %bi = stablehlo.constant dense<[100, 0, 255]> : tensor<3xui8>
          %b = stablehlo.bitcast_convert %bi : (tensor<3xui8>) -> \(b)
          %s = stablehlo.add %a, %b : (\(a), \(b)) -> \(r)
          %bits = stablehlo.bitcast_convert %s : (\(r)) -> tensor<3xi8>
          %f = stablehlo.uniform_dequantize %s : (\(r)) -> tensor<3xf32>
          return %bits, %f : tensor<3xi8>, tensor<3xf32>
        }
        """
        let results = try Self.run(text, [])
        // a = [0, 5, 13.5], b = [0, -25, 38.75]; sums [0, -20, 52.25] / 0.75 + 4.
        let sums: [Float] = [0, -20, 52.25]
        let expected = sums.map { (Float($0) / 0.75 + 4).rounded(.toNearestOrEven) }.map { Int64(min(max($0, -128), 127)) }
        #expect(results[0].ints == expected)
        #expect(results[1].floats == expected.map { Double(Float($0 - 4) * 0.75) })
    }
}
