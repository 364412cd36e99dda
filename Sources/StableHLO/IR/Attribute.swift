/// A named attribute: `name = value`.
public struct NamedAttribute: Hashable, Sendable {
    public var name: String
    public var value: Attribute
    public init(_ name: String, _ value: Attribute) {
        self.name = name
        self.value = value
    }
}

/// An MLIR attribute value.
public indirect enum Attribute: Hashable, Sendable {
    /// `unit` (a bare `name` in an attribute dictionary).
    case unit
    case bool(Bool)
    /// `3 : i64`; `type` is nil when written without one.
    case integer(Int64, type: IRType?)
    /// `1.0 : f32`
    case float(Double, type: IRType?)
    case string(String)
    case type(IRType)
    /// `[a, b, c]`
    case array([Attribute])
    /// `array<i64: 1, 2>` and other integer/bool dense arrays.
    case denseInts(ElementType, [Int64])
    /// `array<f32: 1.0, 2.0>`
    case denseFloats(ElementType, [Double])
    /// `dense<...> : tensor<...>` (and `sparse`/`dense_resource` are not supported).
    case dense(DenseElements)
    /// `{a = 1, b}`
    case dictionary([NamedAttribute])
    /// `@name` (nested references joined with `::`).
    case symbolRef(String)
    /// `#stablehlo<comparison_direction LT>`: dialect, enum kind, case name.
    case enumCase(dialect: String, kind: String, value: String)
    /// A structured dialect attribute such as `#stablehlo.scatter<update_window_dims = [0], ...>`,
    /// `#stablehlo.gather<...>`, `#stablehlo.dot<...>`, `#stablehlo.conv<...>`: its name
    /// without `#` and its parameters as named attributes.
    case dialect(name: String, parameters: [NamedAttribute])
    /// Any other attribute, kept verbatim (`loc(...)`, `#alias` that has no definition).
    case opaque(String)
}

extension Attribute {
    /// The integer value of an `.integer` or `.bool` attribute.
    public var intValue: Int64? {
        switch self {
        case .integer(let v, _): return v
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
    /// The integers of a dense array, an array of integers, or a 1-D integer `dense`.
    public var intArray: [Int64]? {
        switch self {
        case .denseInts(_, let v): return v
        case .array(let items):
            var out: [Int64] = []
            for item in items {
                guard let v = item.intValue else { return nil }
                out.append(v)
            }
            return out
        case .dense(let d): return d.int64Values
        default: return nil
        }
    }
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
    /// Looks up a parameter of a `.dialect` or a key of a `.dictionary` attribute.
    public subscript(parameter name: String) -> Attribute? {
        switch self {
        case .dialect(_, let ps), .dictionary(let ps):
            return ps.first { $0.name == name }?.value
        default: return nil
        }
    }
}
