import StableHLO

/// `rng_bit_generator` with `THREE_FRY` (and `DEFAULT`, which XLA also maps to ThreeFry
/// on CPU) and `PHILOX`, producing XLA's bit streams (checked against jaxlib on CPU).
///
/// The state is `[key, counter]` of 64-bit integers. Each algorithm turns the key and
/// `counter + j` into block `j` of 32-bit words: Threefry-2x32-20 of the 64-bit counter
/// gives 2 (low word first); Philox-4x32-10 of the 128-bit counter whose high half is the
/// key (the sum carries into it, as XLA's does) gives 4. The output takes the words in
/// order: one per 32-bit element, two (low, high) per 64-bit element. The new state is
/// `[key, counter + blocks used]`.
enum RandomBitGenerator {
    static func rngBitGenerator(_ call: KernelCall) throws -> [RuntimeValue] {
        let state = try call.tensor(0)
        let algorithm = try call.enumValue("rng_algorithm") ?? "DEFAULT"
        let philox: Bool
        switch algorithm {
        case "THREE_FRY", "DEFAULT": philox = false
        case "PHILOX": philox = true
        default: throw call.error("rng_algorithm \(algorithm) is not supported")
        }
        guard let words = state.ints, words.count == 2, state.elementType.bitWidth == 64 else {
            throw call.error("\(algorithm) needs a 2-element 64-bit state, got \(state.type)")
        }
        let outputType = try call.resultType(1)
        let width = outputType.elementType.bitWidth
        guard width == 32 || width == 64, outputType.elementType.isInteger,
              let count = Indexing.checkedCount(outputType.shape), count <= Int.max / 4 else {
            throw call.error("\(algorithm) output must be a static 32- or 64-bit integer tensor, got \(outputType)")
        }
        let key = UInt64(bitPattern: words[0]), low = UInt64(bitPattern: words[1])
        let k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        let wordsPerBlock = philox ? 4 : 2
        let wordCount = count * (width / 32)
        let blockCount = (wordCount + wordsPerBlock - 1) / wordsPerBlock
        var stream: [UInt32] = []
        stream.reserveCapacity(blockCount * wordsPerBlock)
        for j in 0..<blockCount {
            let (c0, carry) = low.addingReportingOverflow(UInt64(j))
            let c1 = key &+ (carry ? 1 : 0)
            if philox {
                let block = philox4x32(k0, k1, [UInt32(truncatingIfNeeded: c0), UInt32(truncatingIfNeeded: c0 >> 32),
                                                UInt32(truncatingIfNeeded: c1), UInt32(truncatingIfNeeded: c1 >> 32)])
                stream += block
            } else {
                let (lo, hi) = threefry2x32(k0, k1, UInt32(truncatingIfNeeded: c0), UInt32(truncatingIfNeeded: c0 >> 32))
                stream += [lo, hi]
            }
        }
        let bits: [Int64] = (0..<count).map { i in
            let raw = width == 32 ? UInt64(stream[i]) : UInt64(stream[2 * i]) | (UInt64(stream[2 * i + 1]) << 32)
            return Tensor.normalize(raw, outputType.elementType)
        }
        let newState = [words[0], Int64(bitPattern: low &+ UInt64(blockCount))]
        return [try call.result(0, shape: state.shape, storage: .ints(newState)),
                try call.result(1, shape: outputType.shape, storage: .ints(bits))]
    }

    /// Threefry-2x32 with 20 rounds.
    static func threefry2x32(_ k0: UInt32, _ k1: UInt32, _ c0: UInt32, _ c1: UInt32) -> (UInt32, UInt32) {
        let ks: [UInt32] = [k0, k1, k0 ^ k1 ^ 0x1BD1_1BDA]
        let rotations: [[UInt32]] = [[13, 15, 26, 6], [17, 29, 16, 24]]
        var x0 = c0 &+ ks[0], x1 = c1 &+ ks[1]
        for block in 0..<5 {
            for r in rotations[block % 2] {
                x0 = x0 &+ x1
                x1 = (x1 << r) | (x1 >> (32 - r))
                x1 ^= x0
            }
            x0 = x0 &+ ks[(block + 1) % 3]
            x1 = x1 &+ ks[(block + 2) % 3] &+ UInt32(block + 1)
        }
        return (x0, x1)
    }

    /// Philox-4x32 with 10 rounds (Random123's multipliers and Weyl key increments).
    static func philox4x32(_ k0: UInt32, _ k1: UInt32, _ counter: [UInt32]) -> [UInt32] {
        var x = counter, key0 = k0, key1 = k1
        for round in 0..<10 {
            if round > 0 { key0 = key0 &+ 0x9E37_79B9; key1 = key1 &+ 0xBB67_AE85 }
            let p0 = UInt64(0xD251_1F53) * UInt64(x[0]), p1 = UInt64(0xCD9E_8D57) * UInt64(x[2])
            x = [UInt32(truncatingIfNeeded: p1 >> 32) ^ x[1] ^ key0, UInt32(truncatingIfNeeded: p1),
                 UInt32(truncatingIfNeeded: p0 >> 32) ^ x[3] ^ key1, UInt32(truncatingIfNeeded: p0)]
        }
        return x
    }
}
