import Runtime
import StableHLO

/// An array in NumPy's `.npy` format (versions 1, 2 and 3): its dtype descriptor, shape and
/// element bytes, always held little-endian and in C (row-major) order.
///
/// ml_dtypes types (`bfloat16`, the float8 family) are written by NumPy as opaque void
/// types (`|V2`, `|V1`); reading them needs the element type from elsewhere.
public struct NPYArray: Hashable, Sendable {
    /// The dtype descriptor with the byte order normalized to `<` (or `|` for one byte).
    public var descriptor: String
    public var shape: [Int]
    public var bytes: [UInt8]

    public init(descriptor: String, shape: [Int], bytes: [UInt8]) {
        self.descriptor = descriptor
        self.shape = shape
        self.bytes = bytes
    }

    /// Bytes per element the descriptor names (`<f4` → 4, `|V2` → 2).
    public var itemSize: Int { Int(descriptor.dropFirst(2)) ?? 0 }

    /// The element type the descriptor names, or nil for void types (`|V2`), which need
    /// the type from the caller.
    public var elementType: ElementType? {
        let kind = descriptor.dropFirst().first
        let size = itemSize
        switch (kind, size) {
        case ("b", 1): return .i1
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8): return .si(size * 8)
        case ("u", 1), ("u", 2), ("u", 4), ("u", 8): return .ui(size * 8)
        case ("f", 2): return .float(.f16)
        case ("f", 4): return .float(.f32)
        case ("f", 8): return .float(.f64)
        case ("c", 8): return .complex(.f32)
        case ("c", 16): return .complex(.f64)
        default: return nil
        }
    }

    /// The descriptor NumPy uses for `type`; bf16 and the 8-bit floats become `|V2`/`|V1`
    /// as ml_dtypes writes them; sub-byte integers are widened to one byte.
    public static func descriptor(for type: ElementType) -> String {
        let size = type.storageBytes
        let order = size == 1 ? "|" : "<"
        switch type {
        case .i1: return "|b1"
        case .si, .index: return "\(order)i\(size)"
        case .ui: return "\(order)u\(size)"
        case .float(let f) where f == .f16 || f == .f32 || f == .f64: return "<f\(size)"
        case .float: return "\(order)V\(size)"
        case .complex: return "<c\(size)"
        }
    }

    /// The array holding `tensor`'s elements.
    public init(_ tensor: HostTensor) {
        self.init(descriptor: Self.descriptor(for: tensor.type.elementType),
                  shape: tensor.type.shape, bytes: tensor.bytes)
    }

    /// The array as a tensor of `type` (or the descriptor's own type when nil): the shape
    /// and element size must agree.
    public func hostTensor(as declared: ElementType? = nil, shape declaredShape: [Int]? = nil) throws(NPYError) -> HostTensor {
        let own = elementType
        guard let type = declared ?? own else {
            throw NPYError("dtype '\(descriptor)' has no StableHLO element type of its own; declare one, e.g. --input=\(shapePrefix)bf16=@FILE.npy")
        }
        if let own, let declared, own != declared {
            throw NPYError("holds dtype '\(descriptor)' (\(own)) but the input is declared \(declared)")
        }
        if own == nil, type.storageBytes != itemSize {
            throw NPYError("dtype '\(descriptor)' has \(itemSize)-byte elements but \(type) needs \(type.storageBytes)")
        }
        if let declaredShape, declaredShape != shape {
            throw NPYError("has shape \(Self.shapeText(shape)) but the input is declared \(Self.shapeText(declaredShape))")
        }
        return HostTensor(type: TensorType(shape: shape, elementType: type), bytes: bytes)
    }

    private var shapePrefix: String { shape.map { "\($0)x" }.joined() }

    static func shapeText(_ shape: [Int]) -> String {
        shape.isEmpty ? "()" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

/// Why an `.npy` file could not be read or written.
public struct NPYError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
