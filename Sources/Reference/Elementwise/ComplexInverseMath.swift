#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Inverse trigonometric and hyperbolic functions of a complex argument, by the
/// algorithm of Hull, Fairgrieve and Tang ("Implementing the complex arcsine and
/// arccosine functions using exception handling", 1997) for asin/acos and Kahan's
/// cancellation-free formula for atanh.
extension ComplexMath {
    /// The quantities the asin/acos algorithm shares, for x, y ≥ 0.
    private struct ArcParts {
        var realAsin: Double
        var realAcos: Double
        var imaginary: Double
    }

    private static func arcParts(_ x: Double, _ y: Double) -> ArcParts {
        let r = hypot(x + 1, y), s = hypot(x - 1, y)
        let a: Double = (r + s) / 2
        let b: Double = x / a
        let crossover = 0.6417
        var realAsin: Double, realAcos: Double
        if b <= crossover {
            realAsin = asin(b)
            realAcos = acos(b)
        } else if x <= 1 {
            let d: Double = (0.5 * (a + x) * (y * y / (r + x + 1) + (s + (1 - x)))).squareRoot()
            realAsin = atan(x / d)
            realAcos = atan(d / x)
        } else {
            let apx = a + x
            let d: Double = y * (0.5 * (apx / (r + x + 1) + apx / (s + (x - 1)))).squareRoot()
            realAsin = atan(x / d)
            realAcos = atan(d / x)
        }
        var imaginary: Double
        if a <= 1.5 {
            let am1: Double = x < 1
                ? 0.5 * (y * y / (r + x + 1) + y * y / (s + (1 - x)))
                : 0.5 * (y * y / (r + x + 1) + (s + (x - 1)))
            imaginary = log1p(am1 + (am1 * (a + 1)).squareRoot())
        } else if a > 1e150 {
            imaginary = log(a) + log(2.0)
        } else {
            imaginary = log(a + (a * a - 1).squareRoot())
        }
        if y == 0 && x <= 1 { imaginary = 0 }
        return ArcParts(realAsin: realAsin, realAcos: realAcos, imaginary: imaginary)
    }

    static func arcSine(_ z: Complex) -> Complex {
        if z.isNaN { return Complex(.nan, .nan) }
        let p = arcParts(abs(z.re), abs(z.im))
        return Complex(copysign(p.realAsin, z.re), copysign(p.imaginary, z.im))
    }

    static func arcCosine(_ z: Complex) -> Complex {
        if z.isNaN { return Complex(.nan, .nan) }
        let p = arcParts(abs(z.re), abs(z.im))
        let re = z.re.sign == .minus ? Double.pi - p.realAcos : p.realAcos
        return Complex(re, z.im.sign == .minus ? p.imaginary : -p.imaginary)
    }

    /// asinh(z) = -i·asin(i·z).
    static func inverseHyperbolicSine(_ z: Complex) -> Complex {
        let w = arcSine(Complex(-z.im, z.re))
        return Complex(w.im, -w.re)
    }

    /// acosh(z) = ±i·acos(z), the sign chosen for a non-negative real part.
    static func inverseHyperbolicCosine(_ z: Complex) -> Complex {
        let w = arcCosine(z)
        return Complex(abs(w.im), copysign(w.re, z.im))
    }

    /// atanh(z) = ¼·log1p(4x / ((1-x)² + y²)) + ½·i·atan2(2y, (1-x)(1+x) - y²).
    static func inverseHyperbolicTangent(_ z: Complex) -> Complex {
        let x = z.re, y = z.im
        if z.isNaN { return Complex(.nan, .nan) }
        let ax = abs(x), ay = abs(y)
        if ax > 1e150 || ay > 1e150 {
            // atanh(z) ≈ 1/z for huge |z|; the imaginary part tends to ±π/2.
            let inv = Complex.one / z
            return Complex(inv.re, copysign(Double.pi / 2, y))
        }
        let oneMinus = 1 - ax
        let re: Double = 0.25 * log1p(4 * ax / (oneMinus * oneMinus + ay * ay))
        let im: Double = 0.5 * atan2(2 * ay, oneMinus * (1 + ax) - ay * ay)
        return Complex(copysign(re, x), copysign(im, y))
    }

    /// atan(z) = -i·atanh(i·z).
    static func arcTangent(_ z: Complex) -> Complex {
        let w = inverseHyperbolicTangent(Complex(-z.im, z.re))
        return Complex(w.im, -w.re)
    }
}
