import Compiler
import Reference
import StableHLO
import Testing

/// `lower-quantized` must compute exactly what the reference computes on quantized tensors
/// directly (the spec's dequantize-op-quantize), for every storage and expressed type,
/// per-tensor and per-axis, through ops that compute, move elements and run regions.
@Suite struct LowerQuantizedPassTests {
    /// A quantized element type and a compatible second one (same storage and expressed
    /// types, other parameters) for the requantizing ops.
    struct Quantization: CustomStringConvertible, Sendable {
        var a: String
        var b: String
        var expressed: String
        var description: String { a }
    }

    static let perTensor: [Quantization] = [
        Quantization(a: "!quant.uniform<i8:f32, 0.1:-30>", b: "!quant.uniform<i8:f32, 0.25:5>", expressed: "f32"),
        Quantization(a: "!quant.uniform<u8:f32, 0.0625:128>", b: "!quant.uniform<u8:f32, 0.5:10>", expressed: "f32"),
        Quantization(a: "!quant.uniform<i4<-7:7>:f32, 1.5>", b: "!quant.uniform<i4<-7:7>:f32, 2.0:1>", expressed: "f32"),
        Quantization(a: "!quant.uniform<i16:bf16, 0.001:-100>", b: "!quant.uniform<i16:bf16, 0.01>", expressed: "bf16"),
        Quantization(a: "!quant.uniform<i8:f16, 0.125:-1>", b: "!quant.uniform<i8:f16, 0.2:3>", expressed: "f16"),
        Quantization(a: "!quant.uniform<i32:f64, 1.0e-3:7>", b: "!quant.uniform<i32:f64, 0.3>", expressed: "f64"),
    ]

    @Test("elementwise, compare, select, transpose, reduce and dot_general", arguments: perTensor, [[2, 3], [4, 5]])
    func programOnQuantizedTensors(q: Quantization, shape: [Int]) throws {
        let (m, n) = (shape[0], shape[1])
        let expressed = q.expressed
        let f = "tensor<\(m)x\(n)x\(expressed)>"
        let qa = "tensor<\(m)x\(n)x\(q.a)>", qb = "tensor<\(m)x\(n)x\(q.b)>"
        let qt = "tensor<\(n)x\(m)x\(q.a)>", qs = "tensor<\(m)x\(q.a)>"
        let qd = "tensor<\(m)x\(m)x\(q.b)>"
        let text = """
        func.func @main(%x: \(f), %y: \(f)) -> (\(f), \(f), tensor<\(m)x\(n)xi1>, tensor<\(m)x\(expressed)>, tensor<\(m)x\(m)x\(expressed)>) {
          %a = "stablehlo.uniform_quantize"(%x) : (\(f)) -> \(qa)
          %b = "stablehlo.uniform_quantize"(%y) : (\(f)) -> \(qb)
          %sum = "stablehlo.add"(%a, %b) : (\(qa), \(qb)) -> \(qb)
          %product = "stablehlo.multiply"(%sum, %a) : (\(qb), \(qa)) -> \(qa)
          %larger = "stablehlo.maximum"(%product, %b) : (\(qa), \(qb)) -> \(qa)
          %gt = "stablehlo.compare"(%larger, %sum) {comparison_direction = #stablehlo<comparison_direction GT>} : (\(qa), \(qb)) -> tensor<\(m)x\(n)xi1>
          %chosen = "stablehlo.select"(%gt, %larger, %a) : (tensor<\(m)x\(n)xi1>, \(qa), \(qa)) -> \(qb)
          %t = "stablehlo.transpose"(%larger) {permutation = array<i64: 1, 0>} : (\(qa)) -> \(qt)
          %back = "stablehlo.transpose"(%t) {permutation = array<i64: 1, 0>} : (\(qt)) -> \(qa)
          %init = stablehlo.constant dense<0.0> : tensor<\(expressed)>
          %zero = "stablehlo.uniform_quantize"(%init) : (tensor<\(expressed)>) -> tensor<\(q.a)>
          %rows = "stablehlo.reduce"(%back, %zero) ({
          ^bb0(%l: tensor<\(q.a)>, %r: tensor<\(q.a)>):
            %s = "stablehlo.add"(%l, %r) : (tensor<\(q.a)>, tensor<\(q.a)>) -> tensor<\(q.a)>
            "stablehlo.return"(%s) : (tensor<\(q.a)>) -> ()
          }) {dimensions = array<i64: 1>} : (\(qa), tensor<\(q.a)>) -> \(qs)
          %dot = "stablehlo.dot_general"(%a, %t) {dot_dimension_numbers = #stablehlo.dot<lhs_contracting_dimensions = [1], rhs_contracting_dimensions = [0]>} : (\(qa), \(qt)) -> \(qd)
          %r0 = "stablehlo.uniform_dequantize"(%chosen) : (\(qb)) -> \(f)
          %r1 = "stablehlo.uniform_dequantize"(%larger) : (\(qa)) -> \(f)
          %r3 = "stablehlo.uniform_dequantize"(%rows) : (\(qs)) -> tensor<\(m)x\(expressed)>
          %r4 = "stablehlo.uniform_dequantize"(%dot) : (\(qd)) -> tensor<\(m)x\(m)x\(expressed)>
          "func.return"(%r0, %r1, %gt, %r3, %r4) : (\(f), \(f), tensor<\(m)x\(n)xi1>, tensor<\(m)x\(expressed)>, tensor<\(m)x\(m)x\(expressed)>) -> ()
        }
        """
        try check(text)
    }

    @Test("per-axis quantization along each dimension", arguments: [0, 1, 2])
    func perAxis(axis: Int) throws {
        let shape = [3, 4, 2]
        let count = shape[axis]
        let scales = (0..<count).map { "\(0.05 * Double($0 + 1)):\($0 * 7 - 9)" }.joined(separator: ", ")
        let q = "!quant.uniform<i8:f32:\(axis), {\(scales)}>"
        let requantized = "!quant.uniform<i8:f32:\(axis), {" + (0..<count).map { "\(0.2 / Double($0 + 1))" }.joined(separator: ", ") + "}>"
        let f = "tensor<3x4x2xf32>", qa = "tensor<3x4x2x\(q)>", qb = "tensor<3x4x2x\(requantized)>"
        try check("""
        func.func @main(%x: \(f), %y: \(f)) -> (\(f), tensor<3x4x2xi8>) {
          %a = "stablehlo.uniform_quantize"(%x) : (\(f)) -> \(qa)
          %b = "stablehlo.uniform_quantize"(%a) : (\(qa)) -> \(qb)
          %c = "stablehlo.uniform_quantize"(%y) : (\(f)) -> \(qb)
          %d = "stablehlo.subtract"(%b, %c) : (\(qb), \(qb)) -> \(qa)
          %e = "stablehlo.reverse"(%d) {dimensions = array<i64: 0, 2>} : (\(qa)) -> \(qa)
          %r = "stablehlo.uniform_dequantize"(%e) : (\(qa)) -> \(f)
          %bits = "stablehlo.bitcast_convert"(%d) : (\(qa)) -> tensor<3x4x2xi8>
          "func.return"(%r, %bits) : (\(f), tensor<3x4x2xi8>) -> ()
        }
        """)
    }

    /// Random shapes (rank 1 to 4), random per-tensor or per-axis parameters on a random
    /// dimension, a random binary op and storage type: lowered equals direct.
    @Test("random shapes and parameters", arguments: 0..<12)
    func randomPrograms(seed: Int) throws {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 12345
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let rank = 1 + next(4)
        let shape = (0..<rank).map { _ in 1 + next(4) }
        let storage = ["i8", "u8", "i16", "i4"][next(4)]
        let zeroRange = storage == "u8" ? 0...255 : storage == "i4" ? -8...7 : -100...100
        func parameters(_ count: Int) -> [String] {
            (0..<count).map { _ in
                let scale = Double(1 + next(64)) / 32
                let zero = zeroRange.lowerBound + next(min(zeroRange.count, 200))
                return "\(scale):\(zero)"
            }
        }
        func quantized() -> String {
            if next(2) == 0 { return "!quant.uniform<\(storage):f32, \(parameters(1)[0])>" }
            let axis = next(rank)
            return "!quant.uniform<\(storage):f32:\(axis), {\(parameters(shape[axis]).joined(separator: ", "))}>"
        }
        let dims = shape.map(String.init).joined(separator: "x")
        let f = "tensor<\(dims)xf32>"
        let (qa, qb, qr) = ("tensor<\(dims)x\(quantized())>", "tensor<\(dims)x\(quantized())>", "tensor<\(dims)x\(quantized())>")
        let op = ["add", "subtract", "multiply", "maximum", "minimum", "divide"][next(6)]
        try check("""
        func.func @main(%x: \(f), %y: \(f)) -> \(f) {
          %a = "stablehlo.uniform_quantize"(%x) : (\(f)) -> \(qa)
          %b = "stablehlo.uniform_quantize"(%y) : (\(f)) -> \(qb)
          %r = "stablehlo.\(op)"(%a, %b) : (\(qa), \(qb)) -> \(qr)
          %d = "stablehlo.uniform_dequantize"(%r) : (\(qr)) -> \(f)
          "func.return"(%d) : (\(f)) -> ()
        }
        """)
    }

    @Test func leavesProgramsWithoutQuantizedTypesAlone() throws {
        let text = """
        func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
          %0 = stablehlo.add %x, %x : tensor<4xf32>
          return %0 : tensor<4xf32>
        }
        """
        let (before, after) = try PassTestSupport.transform(text, [LowerQuantizedPass()])
        #expect(before == after)
    }

    /// The lowered module verifies, holds no quantized type and computes bit for bit what the
    /// reference computes on the quantized program.
    func check(_ text: String) throws {
        let (before, after) = try PassTestSupport.transform(text, [LowerQuantizedPass()])
        #expect(!after.text.contains("!quant"))
        #expect(PassTestSupport.count("stablehlo.uniform_quantize", in: after) == 0)
        try PassTestSupport.expectSameResults(before, after, seeds: [1, 2, 3, 4])
        var standard = before
        try Pipeline.standard.run(on: &standard)
        try PassTestSupport.expectSameResults(before, standard, seeds: [5])
    }
}
