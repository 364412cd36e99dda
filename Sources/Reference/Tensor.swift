import Runtime
import StableHLO

/// The interpreter's working form of a tensor: flat, typed storage in one of three
/// computation domains, with values already rounded to the element type.
///
/// - integers and `i1` (0/1) as `Int64`: signed types sign-extended, unsigned types
///   zero-extended (`ui64` keeps its bit pattern);
/// - every float type as `Double` holding a value exactly representable in the type;
/// - complex types as interleaved `Double` pairs (re, im).
public struct Tensor: Hashable, Sendable {
    /// Element storage for one computation domain.
    public enum Storage: Hashable, Sendable {
        case ints([Int64])
        case floats([Double])
        /// Interleaved (re, im): count is twice the element count.
        case complexes([Double])
    }

    public var type: TensorType
    public var storage: Storage

    public init(type: TensorType, storage: Storage) {
        self.type = type
        self.storage = storage
    }

    public var shape: [Int] { type.shape }
    public var elementType: ElementType { type.elementType }
    public var elementCount: Int { type.elementCount }

    /// An all-zero tensor of `type`.
    public static func zeros(_ type: TensorType) -> Tensor {
        let n = type.elementCount
        switch type.elementType {
        case .float: return Tensor(type: type, storage: .floats(Array(repeating: 0, count: n)))
        case .complex: return Tensor(type: type, storage: .complexes(Array(repeating: 0, count: 2 * n)))
        default: return Tensor(type: type, storage: .ints(Array(repeating: 0, count: n)))
        }
    }

    public var ints: [Int64]? { if case .ints(let v) = storage { return v }; return nil }
    public var floats: [Double]? { if case .floats(let v) = storage { return v }; return nil }
    public var complexes: [Double]? { if case .complexes(let v) = storage { return v }; return nil }
}

extension Tensor {
    /// Decodes host bytes into the working form.
    public init(_ host: HostTensor) throws {
        let et = host.type.elementType
        let size = et.storageBytes
        let n = host.type.elementCount
        guard host.bytes.count == n * size else {
            throw RuntimeError("tensor of type \(host.type) needs \(n * size) bytes, got \(host.bytes.count)")
        }
        self.type = host.type
        func bits(_ i: Int, _ width: Int) -> UInt64 {
            var v: UInt64 = 0
            host.bytes.withUnsafeBufferPointer { p in
                for k in 0..<width { v |= UInt64(p[i + k]) << UInt64(8 * k) }
            }
            return v
        }
        switch et {
        case .float(let f):
            storage = .floats((0..<n).map { f.decode(bits($0 * size, size)) })
        case .complex(let f):
            let half = size / 2
            var out = [Double](repeating: 0, count: 2 * n)
            for i in 0..<n {
                out[2 * i] = f.decode(bits(i * size, half))
                out[2 * i + 1] = f.decode(bits(i * size + half, half))
            }
            storage = .complexes(out)
        default:
            storage = .ints((0..<n).map { Tensor.normalize(bits($0 * size, size), et) })
        }
    }

    /// Sign- or zero-extends the low `bitWidth` bits of `raw` as `type` requires.
    public static func normalize(_ raw: UInt64, _ type: ElementType) -> Int64 {
        let w = type.bitWidth
        if w >= 64 { return Int64(bitPattern: raw) }
        let masked = raw & ((UInt64(1) << UInt64(w)) - 1)
        if type.isSigned {
            let shift = UInt64(64 - w)
            return Int64(bitPattern: masked << shift) >> Int64(shift)
        }
        return Int64(bitPattern: masked)
    }

    /// Encodes the working form back into host bytes.
    public var hostTensor: HostTensor {
        let et = type.elementType
        let size = et.storageBytes
        let n = type.elementCount
        var bytes = [UInt8](repeating: 0, count: n * size)
        func put(_ i: Int, _ width: Int, _ v: UInt64) {
            for k in 0..<width { bytes[i + k] = UInt8(truncatingIfNeeded: v >> UInt64(8 * k)) }
        }
        switch (storage, et) {
        case (.floats(let v), .float(let f)):
            for i in 0..<n { put(i * size, size, f.encode(v[i])) }
        case (.complexes(let v), .complex(let f)):
            let half = size / 2
            for i in 0..<n {
                put(i * size, half, f.encode(v[2 * i]))
                put(i * size + half, half, f.encode(v[2 * i + 1]))
            }
        case (.ints(let v), _):
            for i in 0..<n { put(i * size, size, UInt64(bitPattern: v[i])) }
        default:
            break
        }
        return HostTensor(type: type, bytes: bytes)
    }
}
