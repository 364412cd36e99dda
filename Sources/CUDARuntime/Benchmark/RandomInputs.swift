import Runtime
import StableHLO

/// Reproducible random tensors for `nvgpu bench --random-inputs`: floats uniform in
/// [-1, 1) rounded to the element type, integers in [-8, 8) (unsigned: [0, 16)), booleans
/// half true. Fast enough for gigabyte inputs (one xorshift step per element).
public struct RandomInputs: Sendable {
    private var state: UInt64

    /// A generator; the same seed gives the same tensors.
    public init(seed: UInt64 = 0x9E37_79B9_7F4A_7C15) {
        state = seed == 0 ? 1 : seed
    }

    private mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    /// A uniform float in [-1, 1).
    private mutating func unit() -> Float {
        Float(Int32(truncatingIfNeeded: next() >> 32)) / 2_147_483_648
    }

    /// A tensor of `type` filled with random values.
    public mutating func tensor(of type: TensorType) throws(RuntimeError) -> HostTensor {
        let count = type.elementCount
        let size = type.elementType.storageBytes
        var bytes = [UInt8](repeating: 0, count: count * size)
        switch type.elementType {
        case .float(.f32):
            bytes.withUnsafeMutableBytes { raw in
                for i in 0..<count { raw.storeBytes(of: unit().bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            }
        case .float(.f64):
            bytes.withUnsafeMutableBytes { raw in
                for i in 0..<count { raw.storeBytes(of: Double(unit()).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
            }
        case .float(.bf16):
            bytes.withUnsafeMutableBytes { raw in
                for i in 0..<count {
                    let bits = unit().bitPattern
                    let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16  // nearest even; no NaN/inf in [-1, 1)
                    raw.storeBytes(of: UInt16(truncatingIfNeeded: rounded).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                }
            }
        case .float(let format):
            for i in 0..<count {
                guard let encoded = type.elementType.encode(.float(Double(unit()))) else {
                    throw RuntimeError("random inputs: cannot encode a value as \(format)")
                }
                bytes.replaceSubrange(i * size..<(i + 1) * size, with: encoded)
            }
        case .i1:
            for i in 0..<count { bytes[i] = UInt8(next() >> 63) }
        case .si, .index:
            for i in 0..<count {
                let value = Int64(next() >> 60) - 8
                for k in 0..<size { bytes[i * size + k] = UInt8(truncatingIfNeeded: value >> Int64(8 * k)) }
            }
        case .ui:
            for i in 0..<count { bytes[i * size] = UInt8(next() >> 60) }
        case .complex:
            bytes.withUnsafeMutableBytes { raw in
                let half = size / 2
                for i in 0..<(2 * count) {
                    if half == 4 {
                        raw.storeBytes(of: unit().bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                    } else {
                        raw.storeBytes(of: Double(unit()).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self)
                    }
                }
            }
        }
        return HostTensor(type: type, bytes: bytes)
    }
}
