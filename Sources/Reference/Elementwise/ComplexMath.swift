#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A complex number in double precision: the working form of `complex<f32>` and
/// `complex<f64>` elements. The functions follow the C99 Annex G branch cuts and use
/// formulas that stay accurate where the naive ones cancel (near |z| = 1, small |z|).
struct Complex: Hashable, Sendable {
    var re: Double
    var im: Double

    init(_ re: Double, _ im: Double = 0) {
        self.re = re
        self.im = im
    }

    static let zero = Complex(0, 0)
    static let one = Complex(1, 0)
    static let i = Complex(0, 1)

    var isNaN: Bool { re.isNaN || im.isNaN }
    var isZero: Bool { re == 0 && im == 0 }
    var conjugate: Complex { Complex(re, -im) }

    /// |z| without intermediate overflow.
    var magnitude: Double { hypot(re, im) }

    static func + (a: Complex, b: Complex) -> Complex { Complex(a.re + b.re, a.im + b.im) }
    static func - (a: Complex, b: Complex) -> Complex { Complex(a.re - b.re, a.im - b.im) }
    static prefix func - (a: Complex) -> Complex { Complex(-a.re, -a.im) }

    static func * (a: Complex, b: Complex) -> Complex {
        let re: Double = a.re * b.re - a.im * b.im
        let im: Double = a.re * b.im + a.im * b.re
        if re.isNaN && im.isNaN { return multiplyRecoveringInfinities(a, b) }
        return Complex(re, im)
    }

    static func * (a: Complex, s: Double) -> Complex { Complex(a.re * s, a.im * s) }

    /// Annex G: a product with an infinite factor is infinite even where the naive
    /// formula gives NaN.
    private static func multiplyRecoveringInfinities(_ x: Complex, _ y: Complex) -> Complex {
        var (a, b, c, d) = (x.re, x.im, y.re, y.im)
        var recalc = false
        func box(_ v: Double) -> Double { copysign(v.isInfinite ? 1 : 0, v) }
        func unNaN(_ v: Double) -> Double { v.isNaN ? copysign(0, v) : v }
        if a.isInfinite || b.isInfinite {
            a = box(a); b = box(b); c = unNaN(c); d = unNaN(d); recalc = true
        }
        if c.isInfinite || d.isInfinite {
            c = box(c); d = box(d); a = unNaN(a); b = unNaN(b); recalc = true
        }
        guard recalc else { return Complex(.nan, .nan) }
        let re: Double = Double.infinity * (a * c - b * d)
        let im: Double = Double.infinity * (a * d + b * c)
        return Complex(re, im)
    }

    /// Division by Smith's method (scales by the larger divisor component, so it does
    /// not overflow for large operands), with Annex G's infinite and zero cases.
    static func / (a: Complex, b: Complex) -> Complex {
        let (c, d) = (b.re, b.im)
        var re: Double, im: Double
        if abs(c) >= abs(d) {
            if c == 0 && d == 0 {
                re = copysign(.infinity, c) * a.re
                im = copysign(.infinity, c) * a.im
            } else {
                let r: Double = d / c
                let den: Double = c + d * r
                re = (a.re + a.im * r) / den
                im = (a.im - a.re * r) / den
            }
        } else {
            let r: Double = c / d
            let den: Double = c * r + d
            re = (a.re * r + a.im) / den
            im = (a.im * r - a.re) / den
        }
        if re.isNaN && im.isNaN {
            if (a.re.isInfinite || a.im.isInfinite) && c.isFinite && d.isFinite {
                let x = copysign(a.re.isInfinite ? 1 : 0, a.re)
                let y = copysign(a.im.isInfinite ? 1 : 0, a.im)
                re = Double.infinity * (x * c + y * d)
                im = Double.infinity * (y * c - x * d)
            } else if (c.isInfinite || d.isInfinite) && a.re.isFinite && a.im.isFinite {
                let x = copysign(c.isInfinite ? 1 : 0, c)
                let y = copysign(d.isInfinite ? 1 : 0, d)
                re = 0.0 * (a.re * x + a.im * y)
                im = 0.0 * (a.im * x - a.re * y)
            }
        }
        return Complex(re, im)
    }
}

/// Elementary functions of a complex argument.
enum ComplexMath {
    static func exponential(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(exp(z.re), z.im) }
        if z.re.isInfinite && z.re < 0 && !z.im.isFinite { return Complex(0, 0) }
        let e = exp(z.re)
        return Complex(e * cos(z.im), e * sin(z.im))
    }

    /// exp(z) - 1 without cancellation for small |z|.
    static func exponentialMinusOne(_ z: Complex) -> Complex {
        if z.im == 0 { return Complex(expm1(z.re), z.im) }
        let em1 = expm1(z.re)
        let halfSin = sin(z.im / 2)
        // cos(b) - 1 = -2 sin²(b/2)
        let cosm1: Double = -2 * halfSin * halfSin
        let re: Double = em1 * cos(z.im) + cosm1
        let im: Double = exp(z.re) * sin(z.im)
        return Complex(re, im)
    }

    /// Principal logarithm; accurate real part near |z| = 1.
    static func logarithm(_ z: Complex) -> Complex {
        let ax = abs(z.re), ay = abs(z.im)
        let big = max(ax, ay), small = min(ax, ay)
        let angle = atan2(z.im, z.re)
        if big > 0.5 && big < 2 && small < 1 {
            // log|z| = ½·log1p((big-1)(big+1) + small²), with big² - 1 fused.
            let t: Double = (big - 1) * (big + 1) + small * small
            return Complex(0.5 * log1p(t), angle)
        }
        return Complex(log(hypot(z.re, z.im)), angle)
    }

    /// log(1 + z), accurate for small |z|.
    static func logarithmOnePlus(_ z: Complex) -> Complex {
        let x = z.re, y = z.im
        let angle = atan2(y, 1 + x)
        let m = max(abs(x), abs(y))
        if m < 0.5 {
            // |1+z|² - 1 = 2x + x² + y²
            let t: Double = 2 * x + x * x + y * y
            return Complex(0.5 * log1p(t), angle)
        }
        return Complex(logarithm(Complex(1 + x, y)).re, angle)
    }

    /// Principal square root (non-negative real part, branch cut on the negative axis).
    static func squareRoot(_ z: Complex) -> Complex {
        let x = z.re, y = z.im
        if x == 0 && y == 0 { return Complex(0, y) }
        if y.isInfinite { return Complex(.infinity, y) }
        if x.isNaN { return Complex(.nan, .nan) }
        if x.isInfinite {
            if x > 0 { return Complex(x, y.isNaN ? y : copysign(0, y)) }
            return Complex(y.isNaN ? .nan : 0, copysign(.infinity, y))
        }
        let t: Double = ((abs(x) + hypot(x, y)) / 2).squareRoot()
        if x >= 0 { return Complex(t, y / (2 * t)) }
        return Complex(abs(y) / (2 * t), copysign(t, y))
    }

    static func reciprocalSquareRoot(_ z: Complex) -> Complex { Complex.one / squareRoot(z) }

    static func sine(_ z: Complex) -> Complex {
        Complex(sin(z.re) * cosh(z.im), cos(z.re) * sinh(z.im))
    }

    static func cosine(_ z: Complex) -> Complex {
        Complex(cos(z.re) * cosh(z.im), -sin(z.re) * sinh(z.im))
    }

    static func hyperbolicSine(_ z: Complex) -> Complex {
        Complex(sinh(z.re) * cos(z.im), cosh(z.re) * sin(z.im))
    }

    static func hyperbolicCosine(_ z: Complex) -> Complex {
        Complex(cosh(z.re) * cos(z.im), sinh(z.re) * sin(z.im))
    }

    /// tanh by Kahan's formula; saturates to ±1 for large |Re z|.
    static func hyperbolicTangent(_ z: Complex) -> Complex {
        let x = z.re, y = z.im
        if x.isNaN { return Complex(.nan, y == 0 ? y : .nan) }
        if !y.isFinite {
            if x.isInfinite { return Complex(copysign(1, x), copysign(0, y)) }
            return Complex(.nan, .nan)
        }
        if abs(x) > 22 {
            let e = exp(-2 * abs(x))
            return Complex(copysign(1, x), 4 * sin(y) * cos(y) * e)
        }
        let t = tan(y)
        let beta: Double = 1 + t * t
        let s = sinh(x)
        let rho = (1 + s * s).squareRoot()
        let den: Double = 1 + beta * s * s
        if t.isInfinite {
            // cos(y) = 0: tanh = coth-like limit.
            return Complex(rho / s, 1 / t)
        }
        return Complex(beta * rho * s / den, t / den)
    }

    /// tan(z) = -i·tanh(i·z).
    static func tangent(_ z: Complex) -> Complex {
        let r = hyperbolicTangent(Complex(-z.im, z.re))
        return Complex(r.im, -r.re)
    }

    /// z^w = exp(w·log z), with 0^w defined for real positive w.
    static func power(_ z: Complex, _ w: Complex) -> Complex {
        if w.isZero { return .one }
        if z.isZero {
            if w.im == 0 && w.re > 0 { return .zero }
        }
        return exponential(w * logarithm(z))
    }

    /// 1 / (1 + exp(-z)).
    static func logistic(_ z: Complex) -> Complex { Complex.one / (Complex.one + exponential(-z)) }

    /// z / |z| (zero stays zero, NaN propagates).
    static func sign(_ z: Complex) -> Complex {
        if z.isNaN { return Complex(.nan, .nan) }
        if z.isZero { return .zero }
        let m = z.magnitude
        if m.isInfinite {
            let re = z.re.isInfinite ? copysign(1, z.re) : 0
            let im = z.im.isInfinite ? copysign(1, z.im) : 0
            let n = hypot(re, im)
            return Complex(re / n, im / n)
        }
        return Complex(z.re / m, z.im / m)
    }

    /// The principal cube root: |z|^(1/3)·e^(i·arg(z)/3).
    static func cubeRoot(_ z: Complex) -> Complex {
        let theta = atan2(z.im, z.re) / 3
        let r = cbrt(z.magnitude)
        return Complex(r * cos(theta), r * sin(theta))
    }

    /// atan2 of complex arguments as the spec's reference defines it:
    /// -i·log((x + i·y) / sqrt(x² + y²)).
    static func arcTangent2(_ y: Complex, _ x: Complex) -> Complex {
        let num = x + Complex.i * y
        let den = squareRoot(x * x + y * y)
        let l = logarithm(num / den)
        return Complex(l.im, -l.re)
    }
}
