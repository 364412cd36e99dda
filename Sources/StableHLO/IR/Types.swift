/// A ranked tensor type: `tensor<2x3xf32>`. A dynamic dimension is `TensorType.dynamic`.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    /// Marker for a `?` dimension.
    public static let dynamic = -1
    public var shape: [Int]
    public var elementType: ElementType
    /// Optional encoding attribute (`tensor<4xf32, #enc>`), kept verbatim.
    public var encoding: String?
    /// The quantization parameters of a quantized tensor (`tensor<2x!quant.uniform<i8:f32,
    /// 0.5>>`), whose `elementType` is then the storage type.
    public var quantization: UniformQuantization?

    public init(shape: [Int], elementType: ElementType, encoding: String? = nil,
                quantization: UniformQuantization? = nil) {
        self.shape = shape
        self.elementType = elementType
        self.encoding = encoding
        self.quantization = quantization
    }

    /// A quantized tensor type of `shape` (its element type is the storage type).
    public init(shape: [Int], quantization: UniformQuantization, encoding: String? = nil) {
        self.init(shape: shape, elementType: quantization.storageType, encoding: encoding, quantization: quantization)
    }

    public var isQuantized: Bool { quantization != nil }

    /// The same shape with the storage type and no quantization: what a quantized tensor holds.
    public var storageType: TensorType {
        TensorType(shape: shape, elementType: elementType, encoding: encoding)
    }

    /// The same shape in the type quantized values stand for (self when not quantized).
    public var expressedType: TensorType {
        guard let quantization else { return self }
        return TensorType(shape: shape, elementType: .float(quantization.expressedType), encoding: encoding)
    }

    public var rank: Int { shape.count }
    /// Number of elements (1 for a scalar tensor); 0 if any dimension is dynamic.
    public var elementCount: Int {
        shape.contains(Self.dynamic) ? 0 : shape.reduce(1, *)
    }
    public var isStatic: Bool { !shape.contains(Self.dynamic) }

    /// `tensor<2x3xf32>`.
    public var description: String {
        let dims = shape.map { $0 == Self.dynamic ? "?" : String($0) }
        let body = (dims + [quantization?.description ?? elementType.description]).joined(separator: "x")
        if let encoding { return "tensor<\(body), \(encoding)>" }
        return "tensor<\(body)>"
    }
}

/// The type of an SSA value.
public indirect enum IRType: Hashable, Sendable, CustomStringConvertible {
    case tensor(TensorType)
    /// `!stablehlo.token`
    case token
    /// `tuple<...>`
    case tuple([IRType])
    /// A scalar builtin type used outside tensors (`i32`, `f32`, `index`).
    case scalar(ElementType)
    /// A function type `(A, B) -> C`, used by `func.func` and generic op signatures.
    case function(inputs: [IRType], results: [IRType])
    /// Any other type (`!quant.uniform<...>`, `!stablehlo.buffer`), kept verbatim.
    case opaque(String)

    public var tensorType: TensorType? {
        if case .tensor(let t) = self { return t }
        return nil
    }

    public var description: String {
        switch self {
        case .tensor(let t): return t.description
        case .token: return "!stablehlo.token"
        case .tuple(let ts): return "tuple<" + ts.map(\.description).joined(separator: ", ") + ">"
        case .scalar(let e): return e.description
        case .function(let ins, let outs):
            let r = outs.count == 1 && !Self.needsParens(outs[0])
                ? outs[0].description : "(" + outs.map(\.description).joined(separator: ", ") + ")"
            return "(" + ins.map(\.description).joined(separator: ", ") + ") -> " + r
        case .opaque(let s): return s
        }
    }

    private static func needsParens(_ t: IRType) -> Bool {
        if case .function = t { return true }
        return false
    }
}
