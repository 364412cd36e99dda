import Foundation
import Reference
import StableHLO
import Testing

/// Float and complex semantics: rounding to the element type after each op (ties to
/// even), NaN and infinity propagation, IEEE min/max, total-order comparison,
/// reduce_precision, complex and CHLO functions.
@Suite struct ElementwiseFloatTests {
    /// (format, a, b, a+b rounded): sums exactly halfway between two neighbours.
    static let halfwaySums: [(FloatFormat, Double, Double, Double)] = [
        (.bf16, 1.0, 0x1p-8, 1.0),
        (.bf16, 1 + 0x1p-7, 0x1p-8, 1 + 0x1p-6),
        (.f16, 1.0, 0x1p-11, 1.0),
        (.f16, 1 + 0x1p-10, 0x1p-11, 1 + 0x1p-9),
        (.f32, 1.0, 0x1p-24, 1.0),
        (.f32, 1 + 0x1p-23, 0x1p-24, 1 + 0x1p-22),
        (.f16, 65504, 16, Double.infinity),
        (.f16, 65504, 15, 65504),
    ]

    @Test(arguments: halfwaySums)
    func additionRoundsTiesToEven(format: FloatFormat, a: Double, b: Double, sum: Double) throws {
        let r = try OneOp.binary("stablehlo.add", OneOp.floats([a], format), OneOp.floats([b], format))
        #expect(r?.floats == [sum])
    }

    @Test(arguments: [FloatFormat.f16, .bf16, .f32, .f64])
    func nanAndInfinityPropagate(format: FloatFormat) throws {
        let inf = Double.infinity
        let lhs = OneOp.floats([inf, .nan, 1, -0.0, 0, 1], format)
        let rhs = OneOp.floats([-inf, 1, .nan, 0, 0, 0], format)
        let sum = try #require(try OneOp.binary("stablehlo.add", lhs, rhs)?.floats)
        #expect(sum[0].isNaN && sum[1].isNaN && sum[2].isNaN)
        let maximum = try #require(try OneOp.binary("stablehlo.maximum", lhs, rhs)?.floats)
        #expect(maximum[1].isNaN && maximum[2].isNaN && maximum[0] == inf)
        #expect(maximum[3] == 0 && maximum[3].sign == .plus)
        let minimum = try #require(try OneOp.binary("stablehlo.minimum", lhs, rhs)?.floats)
        #expect(minimum[3] == 0 && minimum[3].sign == .minus && minimum[0] == -inf)
        let quotient = try #require(try OneOp.binary("stablehlo.divide", lhs, rhs)?.floats)
        #expect(quotient[4].isNaN && quotient[5] == inf)
        let root = try #require(try OneOp.unary("stablehlo.sqrt", OneOp.floats([-1, inf, 4], format))?.floats)
        #expect(root[0].isNaN && root[1] == inf && root[2] == 2)
    }

    @Test func compareFloatAndTotalOrder() throws {
        let lhs = OneOp.floats([-0.0, .nan, .nan, 1, -.infinity], .f32)
        let rhs = OneOp.floats([0.0, .nan, 1, .nan, -1], .f32)
        func compare(_ direction: String, _ type: String) throws -> [Int64]? {
            try OneOp.run("stablehlo.compare", [lhs, rhs], result: OneOp.type(lhs, .i1), attributes: [
                OneOp.enumAttribute("comparison_direction", kind: "comparison_direction", direction),
                OneOp.enumAttribute("compare_type", kind: "comparison_type", type),
            ])?.ints
        }
        #expect(try compare("EQ", "FLOAT") == [1, 0, 0, 0, 0])
        #expect(try compare("NE", "FLOAT") == [0, 1, 1, 1, 1])
        #expect(try compare("LT", "FLOAT") == [0, 0, 0, 0, 1])
        #expect(try compare("EQ", "TOTALORDER") == [0, 1, 0, 0, 0])
        #expect(try compare("LT", "TOTALORDER") == [1, 0, 0, 1, 1])
        #expect(try compare("GT", "TOTALORDER") == [0, 0, 1, 0, 0])
    }

    @Test func reducePrecisionMatchesTheSpecExample() throws {
        let input = OneOp.floats([.infinity, .nan, 0x1p-1074, 0, 65519, 65520], .f64)
        let r = try OneOp.run("stablehlo.reduce_precision", [input], result: input.type, attributes: [
            NamedAttribute("exponent_bits", .integer(5, type: .scalar(.si(32)))),
            NamedAttribute("mantissa_bits", .integer(10, type: .scalar(.si(32)))),
        ])
        let v = try #require(r?.floats)
        #expect(v[0] == .infinity && v[1].isNaN && v[2] == 0 && v[3] == 0 && v[4] == 65504 && v[5] == .infinity)
    }

    @Test func roundingFamilies() throws {
        let x = OneOp.floats([-2.5, -0.5, 0.5, 1.5, 2.5, -1.2], .f32)
        #expect(try OneOp.unary("stablehlo.round_nearest_even", x)?.floats == [-2, -0.0, 0, 2, 2, -1])
        #expect(try OneOp.unary("stablehlo.round_nearest_afz", x)?.floats == [-3, -1, 1, 2, 3, -1])
        #expect(try OneOp.unary("stablehlo.floor", x)?.floats == [-3, -1, 0, 1, 2, -2])
        #expect(try OneOp.unary("stablehlo.ceil", x)?.floats == [-2, -0.0, 1, 2, 3, -1])
        #expect(try OneOp.unary("stablehlo.sign", OneOp.floats([-3, -0.0, 0, 7], .bf16))?.floats == [-1, -0.0, 0, 1])
        let remainder = try OneOp.binary("stablehlo.remainder", OneOp.floats([17.1, -17.1, 5], .f64), OneOp.floats([3, 3, -0.0], .f64))
        let r = try #require(remainder?.floats)
        #expect(r[0] == 17.1 - 15 && r[1] == -(17.1 - 15) && r[2].isNaN)
    }

    @Test func transcendentalsRoundToTheElementType() throws {
        let x = OneOp.floats([0.5, 1, 2], .bf16)
        let e = try #require(try OneOp.unary("stablehlo.exponential", x)?.floats)
        #expect(e == [0.5, 1, 2].map { FloatFormat.bf16.round(exp($0)) })
        let l = try #require(try OneOp.unary("stablehlo.logistic", OneOp.floats([0, 2], .f32))?.floats)
        #expect(l == [0.5, Double(Float(1 / (1 + exp(-2.0))))])
    }

    @Test func complexArithmeticAndFunctions() throws {
        let a = OneOp.complexes([(1.5, 2.5), (7.5, 5.5)], .f64)
        let b = OneOp.complexes([(2.5, 1.5), (5.5, 7.5)], .f64)
        let q = try #require(try OneOp.binary("stablehlo.divide", a, b)?.complexes)
        let expected = [0.88235294117647056, 0.4705882352941177, 0.95375722543352603, -0.30057803468208094]
        #expect(zip(q, expected).allSatisfy { OneOp.close($0, $1) })
        let p = try #require(try OneOp.binary("stablehlo.power", a, b)?.complexes)
        let expectedPower = [-1.5679313814305016, -2.6674775446623613, 392.89270835580857, 1801.8249193362644]
        #expect(zip(p, expectedPower).allSatisfy { OneOp.close($0, $1, 1e-10) })
        let roots = try #require(try OneOp.unary("stablehlo.sqrt", OneOp.complexes([(-4, 0), (0, 2)], .f64))?.complexes)
        #expect(roots == [0, 2, 1, 1])
        let logs = try #require(try OneOp.unary("stablehlo.log", OneOp.complexes([(-1, 0)], .f32))?.complexes)
        #expect(logs == [0, Double(Float(Double.pi))])
        let magnitude = try OneOp.unary("stablehlo.abs", OneOp.complexes([(3, 4)], .f32), to: .float(.f32))
        #expect(magnitude?.floats == [5])
        let real = try OneOp.unary("stablehlo.real", a, to: .float(.f64))
        #expect(real?.floats == [1.5, 7.5])
    }

    @Test func complexInverseFunctionsInvertTheirForwardFunctions() throws {
        let z = OneOp.complexes([(0.3, -0.7), (-2.5, 1.25), (4, 0.1), (-0.2, -3)], .f64)
        for (inverse, forward) in [("chlo.asin", "stablehlo.sine"), ("chlo.atan", "stablehlo.tan"),
                                   ("chlo.asinh", "chlo.sinh"), ("chlo.atanh", "stablehlo.tanh"),
                                   ("chlo.acosh", "chlo.cosh")] {
            let w = try #require(try OneOp.unary(inverse, z))
            let back = try #require(try OneOp.unary(forward, w)?.complexes)
            let original = try #require(z.complexes)
            #expect(zip(back, original).allSatisfy { abs($0 - $1) < 1e-12 }, "\(forward)(\(inverse)(z))")
        }
    }

    @Test func chloSpecialFunctions() throws {
        let erfInv = try #require(try OneOp.unary("chlo.erf_inv", OneOp.floats([-0.9, -0.25, 0, 0.5, 0.999999, 1], .f64))?.floats)
        for (x, y) in zip([-0.9, -0.25, 0, 0.5, 0.999999], erfInv) { #expect(OneOp.close(erf(y), x, 1e-15)) }
        #expect(erfInv[5] == .infinity)
        let digamma = try #require(try OneOp.unary("chlo.digamma", OneOp.floats([1, 0.5, -0.5, 0, 10], .f64))?.floats)
        let gamma = 0.5772156649015329
        #expect(OneOp.close(digamma[0], -gamma, 1e-15))
        #expect(OneOp.close(digamma[1], -gamma - 2 * log(2.0), 1e-15))
        #expect(OneOp.close(digamma[2], -gamma - 2 * log(2.0) + 2, 1e-13))
        #expect(digamma[3].isNaN)
        #expect(OneOp.close(digamma[4], 2.251752589066721, 1e-15))
        let points = [1, -1, 12, 29.5, 30.5, 40]
        let i1e = try #require(try OneOp.unary("chlo.bessel_i1e", OneOp.floats(points, .f64))?.floats)
        for (x, y) in zip(points, i1e) { #expect(OneOp.close(y, Self.besselI1eByQuadrature(x), 1e-13), "i1e(\(x))") }
        #expect(try OneOp.unary("chlo.bessel_i1e", OneOp.floats([0], .f64))?.floats == [0])
        let lgamma = try #require(try OneOp.unary("chlo.lgamma", OneOp.floats([0.5, 3], .f32))?.floats)
        #expect(lgamma == [Double(Float(log(Double.pi.squareRoot()))), Double(Float(log(2.0)))])
        let next = try OneOp.binary("chlo.next_after", OneOp.floats([1, 1, 0, -0.0], .f16), OneOp.floats([2, 0, -1, 1], .f16))
        #expect(next?.floats == [1 + 0x1p-10, 1 - 0x1p-11, -0x1p-24, 0x1p-24])
    }

    /// `chlo.square` (what `jnp.square` and `jnp.var` export): x·x rounded once in the
    /// element type, wrapping for integers, z·z for complex numbers.
    @Test func chloSquare() throws {
        #expect(try OneOp.unary("chlo.square", OneOp.floats([1.5, -2, 0x1.000002p0, -0.0], .f32))?.floats
            == [2.25, 4, Double(Float(0x1.000002p0) * Float(0x1.000002p0)), 0])
        #expect(try OneOp.unary("chlo.square", OneOp.ints([3, -4, 46341], .si(32)))?.ints == [9, 16, -2147479015])
        #expect(try OneOp.unary("chlo.square", OneOp.complexes([(1, 2), (0.5, -1)], .f64))?.complexes
            == [-3, 4, -0.75, -1])
    }

    /// e^(-|x|)·I₁(x) = (1/π)∫₀^π e^(|x|(cos t - 1))·cos t dt, by the trapezoidal rule
    /// (exponentially convergent for this periodic integrand); odd in x.
    static func besselI1eByQuadrature(_ x: Double) -> Double {
        let n = 4000
        let h = Double.pi / Double(n)
        var sum = 0.0
        for k in 0...n {
            let t = Double(k) * h
            let f = exp(abs(x) * (cos(t) - 1)) * cos(t)
            sum += (k == 0 || k == n) ? f / 2 : f
        }
        let value = sum * h / Double.pi
        return x < 0 ? -value : value
    }
}
