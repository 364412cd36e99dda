import Runtime
import StableHLO

/// The compact type spelling IREE's tools use: `2x3xf32`, `f32` (a scalar), `4xcomplex<f32>`.
public enum TensorTypeText {
    /// Parses `SHAPExTYPE`; nil when `text` is not such a spelling.
    public static func parse(_ text: String) -> TensorType? {
        var rest = Substring(text)
        var shape: [Int] = []
        while let x = rest.firstIndex(of: "x"), let dim = Int(rest[..<x]), dim >= 0, rest[..<x].allSatisfy(\.isNumber) {
            shape.append(dim)
            rest = rest[rest.index(after: x)...]
        }
        guard let element = ElementType(mlirName: String(rest)) else { return nil }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product < 1 << 40 else { return nil }
            count = product
        }
        return TensorType(shape: shape, elementType: element)
    }

    /// `2x3xf32` for `tensor<2x3xf32>`.
    public static func format(_ type: TensorType) -> String {
        (type.shape.map { $0 == TensorType.dynamic ? "?" : String($0) } + [type.elementType.description])
            .joined(separator: "x")
    }
}
