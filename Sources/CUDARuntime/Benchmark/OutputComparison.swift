import Runtime
import StableHLO

/// How far a GPU result is from the oracle (the reference backend computing in f64), in two
/// numbers that must both stay under their per-dtype bounds:
///
/// - **normwise**: `‖gpu − ref‖₂ / ‖ref‖₂` over the whole result. This is the accuracy
///   measure: a bf16 program that rounds at the points it declares and accumulates in f32
///   lands between 1e-3 and 1e-2, f32 near 1e-6 (3e-4 with TF32 matrix units). Bounds: f32
///   1e-3, bf16 1e-2, f16 5e-3, f64 1e-9, narrower floats (f8, ...) 1e-1.
/// - **elementwise**: `max_i |gpu_i − ref_i| / max(|ref_i|, rms(ref))`. This catches what a
///   norm averages away: a wrong index, an unwritten tile, one bad row. Scaling by `rms(ref)`
///   rather than by 1 makes an element that cancels to near 0 (a residual add of two values
///   of a thousand) answer for the ulp of the values it was computed from, not for an ulp of
///   1, while an element whose value comes from the wrong place is off by about `rms(ref)`,
///   error ≈ 1. The bound is ten times the normwise bound: the largest of N error samples is
///   a few standard deviations of the normwise (rms) error, so 10× passes every implementation
///   that passes the normwise bound on a well-spread error, and stays ten times under a
///   misplaced element.
///
/// A program can be less accurate than these bounds on its own: a bf16 program with
/// unscaled random weights (`nvgpu bench --random-inputs`) rounds logits of ±100 to bf16
/// (ulp 0.5) before a softmax, and even a perfect implementation is 3–4% off f64 normwise.
/// For that case `programRounding` takes the result of `DeclaredRoundingOracle` (f64 inside
/// each op, each op's result rounded to its declared type): the bounds become twice that
/// model's own errors against the oracle when those are larger (`widened`). The model is the
/// program's rounding with an ideal implementation, so twice its error leaves room for a
/// different accumulation order or a fused kernel that skips a rounding point, and nothing
/// more.
///
/// Non-finite values: a NaN or infinity where the oracle has a finite value (or the other
/// way round) fails — NaN never passes against a number. Where the oracle itself is NaN (or
/// the same infinity), the GPU must produce the same; such elements are left out of the norms.
/// Integers and booleans must be equal (both bounds 0).
public struct OutputComparison: Sendable, Hashable {
    /// The largest elementwise error, `|gpu_i − ref_i| / max(|ref_i|, rms(ref))`.
    public var maxError: Double
    /// Where it is (row-major index).
    public var worstIndex: Int
    /// The elementwise bound in force (widened when `widened`).
    public var tolerance: Double
    /// `‖gpu − ref‖₂ / ‖ref‖₂` over the elements where both are finite.
    public var normwiseError: Double
    /// The normwise bound in force (widened when `widened`).
    public var normwiseTolerance: Double
    /// The program's own errors (the `DeclaredRoundingOracle` result against the oracle),
    /// when one was given.
    public var programRounding: Errors?
    /// Elements compared.
    public var count: Int

    /// The two errors of one result against the oracle.
    public struct Errors: Sendable, Hashable {
        public var normwise: Double
        public var elementwise: Double
        public var worstIndex: Int
    }

    public var passed: Bool { maxError <= tolerance && normwiseError <= normwiseTolerance }

    /// Whether the program's own rounding widened the per-dtype bounds.
    public var widened: Bool {
        tolerance > Self.tolerance(for: elementType) || normwiseTolerance > Self.normwiseTolerance(for: elementType)
    }

    private var elementType: ElementType

    /// The normwise bound `nvgpu bench --check` allows for `type`.
    public static func normwiseTolerance(for type: ElementType) -> Double {
        switch type {
        case .float(.f64), .complex(.f64): return 1e-9
        case .float(.f32), .complex: return 1e-3
        case .float(.bf16): return 1e-2
        case .float(.f16): return 5e-3
        case .float: return 1e-1
        default: return 0
        }
    }

    /// The elementwise bound for `type`: ten times the normwise one (see the type's notes).
    public static func tolerance(for type: ElementType) -> Double { 10 * normwiseTolerance(for: type) }

    /// Compares `actual` with `expected` (the oracle); their types must match. With
    /// `programRounding` (the same program through `DeclaredRoundingOracle`), the bounds
    /// widen to twice its errors against `expected` where those exceed the per-dtype bounds.
    public init(actual: HostTensor, expected: HostTensor, programRounding: HostTensor? = nil) throws(RuntimeError) {
        try Self.checkTypes(actual, expected)
        elementType = actual.type.elementType
        count = actual.elementCount
        let errors = Self.errors(actual, expected)
        maxError = errors.elementwise
        worstIndex = errors.worstIndex
        normwiseError = errors.normwise
        tolerance = Self.tolerance(for: elementType)
        normwiseTolerance = Self.normwiseTolerance(for: elementType)
        guard let programRounding else { return }
        try Self.checkTypes(programRounding, expected)
        let program = Self.errors(programRounding, expected)
        self.programRounding = program
        // A program whose own rounding is not finite (a NaN the oracle lacks) widens nothing.
        if program.elementwise.isFinite, program.normwise.isFinite, tolerance > 0 {
            tolerance = max(tolerance, 2 * program.elementwise)
            normwiseTolerance = max(normwiseTolerance, 2 * program.normwise)
        }
    }

    private static func checkTypes(_ actual: HostTensor, _ expected: HostTensor) throws(RuntimeError) {
        guard actual.type == expected.type, actual.bytes.count == expected.bytes.count else {
            throw RuntimeError("result type \(actual.type) differs from the reference's \(expected.type)")
        }
    }

    /// One element as real components (two for complex), or nil for integers and booleans.
    private static func components(_ value: ScalarValue) -> [Double]? {
        switch value {
        case .float(let x): return [x]
        case .complex(let re, let im): return [re, im]
        default: return nil
        }
    }

    /// Both errors of `actual` against `expected`: one pass for the norms and `rms(ref)`, one
    /// for the elementwise errors.
    static func errors(_ actual: HostTensor, _ expected: HostTensor) -> Errors {
        let count = actual.elementCount
        var squaredDifference = 0.0, squaredReference = 0.0, finiteCount = 0
        for index in 0..<count {
            guard let ac = components(actual.element(at: index)), let ec = components(expected.element(at: index)) else {
                continue
            }
            for (x, y) in zip(ac, ec) where x.isFinite && y.isFinite {
                squaredDifference += (x - y) * (x - y)
                squaredReference += y * y
            }
            if ec.allSatisfy(\.isFinite) { finiteCount += 1 }
        }
        let rms = finiteCount > 0 ? (squaredReference / Double(finiteCount)).squareRoot() : 0
        var worst = Errors(normwise: 0, elementwise: 0, worstIndex: 0)
        for index in 0..<count {
            let error = elementError(actual.element(at: index), expected.element(at: index), rms: rms)
            if error > worst.elementwise { worst.elementwise = error; worst.worstIndex = index }
        }
        if worst.elementwise.isInfinite {
            worst.normwise = .infinity
        } else if squaredDifference > 0 {
            worst.normwise = squaredReference > 0 ? (squaredDifference / squaredReference).squareRoot() : .infinity
        }
        return worst
    }

    /// `|a − e| / max(|e|, rms)`; 0 for equal values (the same NaN or infinity included),
    /// infinity for a non-finite value against a different one and for unequal integers.
    static func elementError(_ actual: ScalarValue, _ expected: ScalarValue, rms: Double) -> Double {
        guard let ac = components(actual), let ec = components(expected) else { return actual == expected ? 0 : .infinity }
        var difference = 0.0, magnitude = 0.0
        for (x, y) in zip(ac, ec) {
            if x.isNaN && y.isNaN || x == y { magnitude += y.isFinite ? y * y : 0; continue }
            if !x.isFinite || !y.isFinite { return .infinity }
            difference += (x - y) * (x - y)
            magnitude += y * y
        }
        guard difference > 0 else { return 0 }
        let scale = max(magnitude.squareRoot(), rms)
        return scale > 0 ? difference.squareRoot() / scale : .infinity
    }
}
