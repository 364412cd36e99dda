#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Special functions of a real argument that the C library lacks, in double precision:
/// digamma, the inverse error function and the exponentially scaled Bessel I₁.
enum SpecialFunctions {
    /// ψ(x) = Γ'(x)/Γ(x). NaN at the poles (0, -1, -2, ...), as XLA defines it.
    static func digamma(_ x: Double) -> Double {
        if x.isNaN || x == -.infinity { return .nan }
        if x == .infinity { return .infinity }
        if x <= 0 && x == x.rounded(.down) { return .nan }
        if x < 0.5 {
            // Reflection: ψ(x) = ψ(1 - x) - π·cot(πx); reduce πx to |r| ≤ ½ first.
            let r = x - x.rounded()
            return digamma(1 - x) - Double.pi / tan(Double.pi * r)
        }
        var value = 0.0
        var y = x
        while y < 10 {
            value -= 1 / y
            y += 1
        }
        // Asymptotic series with Bernoulli-number coefficients B₂ₖ/(2k).
        let w = 1 / (y * y)
        let coefficients: [Double] = [
            1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132, -691.0 / 32760, 1.0 / 12,
        ]
        var series = 0.0
        for c in coefficients.reversed() { series = series * w + c }
        series *= w
        return value + log(y) - 0.5 / y - series
    }

    /// erf⁻¹(x) for x in [-1, 1] (±inf at ±1, NaN outside): an initial estimate refined by
    /// Halley steps on erf (or on erfc near ±1, where erf has no precision left).
    static func inverseErf(_ x: Double) -> Double {
        if x.isNaN || abs(x) > 1 { return .nan }
        if abs(x) == 1 { return x * .infinity }
        if x == 0 { return x }
        if x < 0 { return -inverseErf(-x) }
        // Winitzki's closed-form estimate (relative error about 2e-3).
        let a = 0.147
        let l = log((1 - x) * (1 + x))
        let t: Double = 2 / (Double.pi * a) + l / 2
        var y: Double = ((t * t - l / a).squareRoot() - t).squareRoot()
        let complement = 1 - x  // exact for x ≥ ½
        let scale = 2 / Double.pi.squareRoot()
        for _ in 0..<8 {
            let f: Double = x < 0.5 ? erf(y) - x : complement - erfc(y)
            let derivative: Double = scale * exp(-y * y)
            guard derivative > 0 else { break }
            let step: Double = f / (derivative + y * f)
            y -= step
            if abs(step) <= abs(y) * 1e-17 { break }
        }
        return y
    }

    /// e^(-|x|)·I₁(x): the power series below 30 and the asymptotic expansion above.
    static func besselI1e(_ x: Double) -> Double {
        if x.isNaN { return x }
        let ax = abs(x)
        if ax.isInfinite { return 0 }
        let value: Double
        if ax <= 30 {
            // I₁(x) = Σ (x/2)^(2k+1) / (k!(k+1)!)
            let half = ax / 2
            let q = half * half
            var term = half
            var sum = term
            var k = 0.0
            while term > sum * 1e-18 {
                k += 1
                term *= q / (k * (k + 1))
                sum += term
            }
            value = sum * exp(-ax)
        } else {
            // I₁(x)·e^(-x) ~ 1/√(2πx) · Σ (-1)^k a_k(1) / x^k,
            // a_k(ν) = Π_{j=1..k} (4ν² - (2j-1)²) / (k!·8^k).
            var term = 1.0
            var sum = 1.0
            for k in 1..<60 {
                let j = Double(2 * k - 1)
                let next: Double = -term * (4 - j * j) / (Double(k) * 8 * ax)
                if abs(next) >= abs(term) { break }
                term = next
                sum += term
                if abs(term) < 1e-18 { break }
            }
            value = sum / (2 * Double.pi * ax).squareRoot()
        }
        return x < 0 ? -value : value
    }

    /// log|Γ(x)| (C library `lgamma`; +inf at the poles).
    static func logGamma(_ x: Double) -> Double { lgamma(x) }
}
