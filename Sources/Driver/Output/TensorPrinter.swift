import Runtime
import StableHLO

/// Prints tensors the way `nvgpu run` shows results: `SHAPExTYPE=VALUES`, with every
/// dimension in brackets and elements separated by spaces:
///
///     f32=1.5
///     3xi32=[1 2 3]
///     2x3xf32=[[1 2 3][4 5 6.5]]
///     2xi1=[true false]
///     2xcomplex<f32>=[(1,2) (3,-4)]
///
/// Floats print in the shortest form that reads back to the same value of the element
/// type (`1` rather than `1.0`); tensors over `maxElements` print only their type and count.
public struct TensorPrinter: Sendable {
    public var maxElements: Int

    public init(maxElements: Int = 1024) {
        self.maxElements = maxElements
    }

    public func format(_ tensor: HostTensor) -> String {
        let typeText = TensorTypeText.format(tensor.type)
        let count = tensor.elementCount
        if count > maxElements {
            return "\(typeText)=<\(count) elements; write them with --output=@FILE.npy>"
        }
        let values = (0..<count).map { Self.format(tensor.element(at: $0), tensor.type.elementType) }
        let shape = tensor.type.shape
        if shape.isEmpty { return "\(typeText)=\(values.first ?? "")" }
        var out = "\(typeText)="
        var position = 0
        func emit(_ dim: Int) {
            out += "["
            if dim == shape.count - 1 {
                out += values[position..<(position + shape[dim])].joined(separator: " ")
                position += shape[dim]
            } else {
                for _ in 0..<shape[dim] { emit(dim + 1) }
            }
            out += "]"
        }
        emit(0)
        return out
    }

    /// One element in its text form (what `ScalarLiteral.parse` reads back).
    public static func format(_ value: ScalarValue, _ type: ElementType) -> String {
        switch value {
        case .bool(let b): return b ? "true" : "false"
        case .signed(let v): return String(v)
        case .unsigned(let v): return String(v)
        case .float(let v): return real(v, type)
        case .complex(let re, let im): return "(\(real(re, type)),\(real(im, type)))"
        }
    }

    private static func real(_ v: Double, _ type: ElementType) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        let wide: Bool
        switch type {
        case .float(.f64), .complex(.f64): wide = true
        default: wide = false
        }
        var text = wide ? String(v) : String(Float(v))
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
