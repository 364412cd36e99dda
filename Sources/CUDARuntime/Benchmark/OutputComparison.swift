import Runtime
import StableHLO

/// How far a GPU result is from the reference backend's: per element
/// `|gpu - ref| / max(|ref|, 1)` for floats (relative for large values, absolute near 0),
/// exact equality for integers and booleans. Tolerances: f32/f64 1e-4, bf16 2e-2,
/// f16 1e-2, other floats 1e-1, integers 0.
public struct OutputComparison: Sendable, Hashable {
    /// The largest per-element error.
    public var maxError: Double
    /// Where it is (row-major index).
    public var worstIndex: Int
    /// The tolerance for this element type.
    public var tolerance: Double
    /// Elements compared.
    public var count: Int

    public var passed: Bool { maxError <= tolerance }

    /// The tolerance `nvgpu bench --check` allows for `type`.
    public static func tolerance(for type: ElementType) -> Double {
        switch type {
        case .float(.f32), .float(.f64), .complex: return 1e-4
        case .float(.bf16): return 2e-2
        case .float(.f16): return 1e-2
        case .float: return 1e-1
        default: return 0
        }
    }

    /// Compares `actual` with `expected`; their types must match.
    public init(actual: HostTensor, expected: HostTensor) throws(RuntimeError) {
        guard actual.type == expected.type, actual.bytes.count == expected.bytes.count else {
            throw RuntimeError("result type \(actual.type) differs from the reference's \(expected.type)")
        }
        tolerance = Self.tolerance(for: actual.type.elementType)
        count = actual.elementCount
        maxError = 0
        worstIndex = 0
        for index in 0..<count {
            let error = Self.error(actual.element(at: index), expected.element(at: index))
            if error > maxError || error.isNaN {
                maxError = error.isNaN ? .infinity : error
                worstIndex = index
            }
        }
    }

    private static func error(_ actual: ScalarValue, _ expected: ScalarValue) -> Double {
        func float(_ a: Double, _ b: Double) -> Double {
            if a.isNaN && b.isNaN { return 0 }
            if a == b { return 0 }  // equal infinities
            if a.isNaN || b.isNaN || a.isInfinite || b.isInfinite { return .infinity }
            return abs(a - b) / max(abs(b), 1)
        }
        switch (actual, expected) {
        case (.float(let a), .float(let b)): return float(a, b)
        case (.complex(let ar, let ai), .complex(let br, let bi)): return max(float(ar, br), float(ai, bi))
        default: return actual == expected ? 0 : .infinity
        }
    }
}
