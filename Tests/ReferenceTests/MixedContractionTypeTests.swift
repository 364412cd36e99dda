import Foundation
import Reference
import StableHLO
import Testing

/// `dot_general`, `dot` and `convolution` whose operands differ in element type from each
/// other or from the result: each operand is converted to the result's element type before
/// the products (the StableHLO interpreter's semantics), so the mixed op equals `convert`s
/// followed by the same-type op, on random values and shapes.
@Suite struct MixedContractionTypeTests {
    typealias P = StructuralProgram

    struct Mix: CustomStringConvertible, Sendable {
        var lhs: ElementType, rhs: ElementType, result: ElementType
        var description: String { "\(lhs) x \(rhs) -> \(result)" }
    }

    static let mixes: [Mix] = [
        Mix(lhs: .si(8), rhs: .float(.f32), result: .float(.f32)),
        Mix(lhs: .float(.f16), rhs: .float(.bf16), result: .float(.f32)),
        Mix(lhs: .float(.f32), rhs: .float(.f32), result: .float(.f16)),  // operands rounded to f16 first
        Mix(lhs: .float(.f32), rhs: .si(16), result: .si(32)),  // floats truncated to integers first
        Mix(lhs: .ui(8), rhs: .si(8), result: .si(16)),
        Mix(lhs: .si(32), rhs: .float(.bf16), result: .float(.bf16)),
        Mix(lhs: .float(.f64), rhs: .float(.f32), result: .complex(.f32)),
        Mix(lhs: .complex(.f64), rhs: .float(.f32), result: .complex(.f64)),
        Mix(lhs: .i1, rhs: .si(8), result: .float(.f32)),
    ]

    /// Random values that exercise the conversions (fractions for float → integer, values
    /// beyond f16's precision for f32 → f16, negatives for unsigned wrapping).
    static func random(_ type: ElementType, _ shape: [Int], _ numbers: inout SystemRandomNumberGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        let t = TensorType(shape: shape, elementType: type)
        switch type {
        case .float(let f):
            return Tensor(type: t, storage: .floats((0..<n).map { _ in f.round(Double.random(in: -9...9, using: &numbers)) }))
        case .complex(let f):
            return Tensor(type: t, storage: .complexes((0..<(2 * n)).map { _ in f.round(Double.random(in: -4...4, using: &numbers)) }))
        default:
            return Tensor(type: t, storage: .ints((0..<n).map { _ in
                Tensor.normalize(UInt64(bitPattern: Int64.random(in: -300...300, using: &numbers)), type) }))
        }
    }

    static func convert(_ t: Tensor, to type: ElementType) throws -> Tensor {
        try P.run1("stablehlo.convert", [t], TensorType(shape: t.shape, elementType: type))
    }

    @Test(arguments: mixes)
    func dotGeneralConvertsOperandsToTheResultType(_ mix: Mix) throws {
        var numbers = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            let (b, m, k, n) = (Int.random(in: 1...3), Int.random(in: 1...5), Int.random(in: 1...7), Int.random(in: 1...4))
            let a = Self.random(mix.lhs, [b, m, k], &numbers), c = Self.random(mix.rhs, [b, n, k], &numbers)
            let numbers = StructuralContractionTests.dims(lb: [0], rb: [0], lc: [2], rc: [2])
            let type = TensorType(shape: [b, m, n], elementType: mix.result)
            let mixed = try P.run1("stablehlo.dot_general", [a, c], type, ["dot_dimension_numbers": numbers])
            let converted = try P.run1("stablehlo.dot_general", [try Self.convert(a, to: mix.result), try Self.convert(c, to: mix.result)],
                                       type, ["dot_dimension_numbers": numbers])
            #expect(mixed == converted, "\(mix) \([b, m, k, n])")
        }
    }

    @Test(arguments: mixes)
    func convolutionConvertsOperandsToTheResultType(_ mix: Mix) throws {
        var numbers = SystemRandomNumberGenerator()
        let text = { (l: String, r: String, o: String) in
            """
            func.func @main(%x: tensor<2x6x6x4x\(l)>, %w: tensor<3x3x2x6x\(r)>) -> tensor<2x4x4x6x\(o)> {
              %0 = stablehlo.convolution(%x, %w) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {} {batch_group_count = 1 : i64, feature_group_count = 2 : i64} : (tensor<2x6x6x4x\(l)>, tensor<3x3x2x6x\(r)>) -> tensor<2x4x4x6x\(o)>
              return %0 : tensor<2x4x4x6x\(o)>
            }
            """
        }
        let x = Self.random(mix.lhs, [2, 6, 6, 4], &numbers), w = Self.random(mix.rhs, [3, 3, 2, 6], &numbers)
        let mixed = try Interpreter(module: Module.parse(text("\(mix.lhs)", "\(mix.rhs)", "\(mix.result)"), file: "mixed.mlir"))
            .run("main", inputs: [x, w])
        let same = try Interpreter(module: Module.parse(text("\(mix.result)", "\(mix.result)", "\(mix.result)"), file: "same.mlir"))
            .run("main", inputs: [try Self.convert(x, to: mix.result), try Self.convert(w, to: mix.result)])
        #expect(mixed == same, "\(mix)")
    }

    @Test func legacyDotMixesTypesToo() throws {
        let a = P.tensor(.si(8), [2, 3], ints: [100, 100, 100, 1, 2, 3])
        let b = Tensor(type: TensorType(shape: [3, 2], elementType: .float(.f32)), storage: .floats([0.5, 1, 2, 3, 4, 5]))
        let r = try P.run1("stablehlo.dot", [a, b], TensorType(shape: [2, 2], elementType: .float(.f32)))
        #expect(r.floats == [650, 900, 16.5, 22])
    }

    /// f32 operands with an f16 result: the interpreter rounds each operand to f16 first.
    @Test func narrowResultRoundsTheOperandsFirst() throws {
        let a = Tensor(type: TensorType(shape: [1, 1], elementType: .float(.f32)), storage: .floats([1 + 1.0 / 4096]))
        let b = Tensor(type: TensorType(shape: [1, 1], elementType: .float(.f32)), storage: .floats([2048]))
        let r = try P.run1("stablehlo.dot_general", [a, b], TensorType(shape: [1, 1], elementType: .float(.f16)),
                           ["dot_dimension_numbers": StructuralContractionTests.dims(lc: [1], rc: [0])])
        #expect(r.floats == [2048])  // 1 + 2^-12 rounds to 1 in f16 before the product
    }
}
