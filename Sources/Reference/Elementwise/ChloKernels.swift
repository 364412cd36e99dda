#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StableHLO

/// CHLO elementwise ops (special functions, inverse trigonometry, `square`, `next_after`) as JAX
/// exports them. Binary CHLO ops broadcast like NumPy (trailing dimensions aligned).
extension ElementwiseKernels {
    static let chloTable: [String: Kernel] = [
        "chlo.lgamma": unary(floats: SpecialFunctions.logGamma),
        "chlo.digamma": unary(floats: SpecialFunctions.digamma),
        "chlo.erf": unary(floats: { erf($0) }),
        "chlo.erfc": unary(floats: { erfc($0) }),
        "chlo.erf_inv": unary(floats: SpecialFunctions.inverseErf),
        "chlo.bessel_i1e": unary(floats: SpecialFunctions.besselI1e),
        "chlo.acos": unary(floats: { acos($0) }, complexes: ComplexMath.arcCosine),
        "chlo.acosh": unary(floats: { acosh($0) }, complexes: ComplexMath.inverseHyperbolicCosine),
        "chlo.asin": unary(floats: { asin($0) }, complexes: ComplexMath.arcSine),
        "chlo.asinh": unary(floats: { asinh($0) }, complexes: ComplexMath.inverseHyperbolicSine),
        "chlo.atan": unary(floats: { atan($0) }, complexes: ComplexMath.arcTangent),
        "chlo.atanh": unary(floats: { atanh($0) }, complexes: ComplexMath.inverseHyperbolicTangent),
        "chlo.cosh": hyperbolicCosine,
        "chlo.sinh": unary(floats: { sinh($0) }, complexes: ComplexMath.hyperbolicSine),
        "chlo.tan": unary(floats: { tan($0) }, complexes: ComplexMath.tangent),
        "chlo.conj": unary(floats: { $0 }, complexes: { $0.conjugate }),
        "chlo.square": unary(ints: { IntegerArithmetic.multiply($0, $0, $1) }, floats: { $0 * $0 }, complexes: { $0 * $0 }),
        "chlo.is_inf": floatPredicate { $0.isInfinite },
        "chlo.is_pos_inf": floatPredicate { $0 == .infinity },
        "chlo.is_neg_inf": floatPredicate { $0 == -.infinity },
        "chlo.next_after": nextAfter,
    ]

    /// `chlo.cosh` as CHLO defines it by decomposition: e^(x + log ½) + e^(-x + log ½),
    /// evaluated in f32 (each step rounded) for f32 and narrower types, since that is
    /// the computation the exported programs' expected values come from; in f64 for f64.
    static func hyperbolicCosine(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        guard case .float(let format) = operand.elementType, format != .f64 else {
            return try unary(floats: { cosh($0) }, complexes: ComplexMath.hyperbolicCosine)(call)
        }
        let halfLog = Float(log(0.5))
        return try unary(floats: { x in
            let f = Float(x)
            return Double(exp(f + halfLog) + exp(halfLog - f))
        })(call)
    }

    /// A float → i1 elementwise test.
    static func floatPredicate(_ test: @escaping @Sendable (Double) -> Bool) -> Kernel {
        { call in
            let operand = try call.tensor(0)
            let type = try resultType(call, shapeOf: operand)
            guard case .floats(let v) = operand.storage else { throw unsupported(call, operand.elementType) }
            return [.tensor(Tensor(type: type, storage: .ints(v.map { test($0) ? 1 : 0 })))]
        }
    }

    /// `chlo.next_after(x, y)`: the next representable value of the element type after
    /// `x` in the direction of `y`.
    static func nextAfter(_ call: KernelCall) throws -> [RuntimeValue] {
        let declared = try call.resultType()
        let x = try broadcast(try call.tensor(0), to: declared.shape, call)
        let y = try broadcast(try call.tensor(1), to: declared.shape, call)
        guard case .float(let format) = declared.elementType, let a = x.floats, let b = y.floats else {
            throw unsupported(call, declared.elementType)
        }
        let out = (0..<a.count).map { FloatArithmetic.nextAfter(a[$0], b[$0], format: format) }
        return [.tensor(Tensor(type: TensorType(shape: declared.shape, elementType: declared.elementType), storage: .floats(out)))]
    }

    /// `t` broadcast NumPy-style to `shape` (trailing dimensions aligned, size-1
    /// dimensions repeated).
    static func broadcast(_ t: Tensor, to shape: [Int], _ call: KernelCall) throws -> Tensor {
        if t.shape == shape { return t }
        let offset = shape.count - t.shape.count
        guard offset >= 0 else { throw call.error("cannot broadcast \(t.type) to \(shape)") }
        for (d, size) in t.shape.enumerated() where size != 1 && size != shape[offset + d] {
            throw call.error("cannot broadcast \(t.type) to \(shape)")
        }
        let sourceStrides = Indexing.strides(t.shape)
        var indices: [Int] = []
        indices.reserveCapacity(shape.reduce(1, *))
        Indexing.forEachIndex(shape) { index in
            var o = 0
            for d in 0..<t.shape.count where t.shape[d] != 1 { o += index[offset + d] * sourceStrides[d] }
            indices.append(o)
        }
        return Tensor(type: TensorType(shape: shape, elementType: t.elementType), storage: t.storage.gathering(indices))
    }
}
