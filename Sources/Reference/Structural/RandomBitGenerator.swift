import StableHLO

/// `rng_bit_generator` with `THREE_FRY` (and `DEFAULT`, which XLA also maps to ThreeFry
/// on CPU) for 64-bit outputs, producing XLA's bit stream: the state is `[key, counter]`;
/// element `i` is Threefry-2x32-20 of `counter + i` (split into low/high 32-bit words)
/// under the key's low/high words, and the new counter is `counter + element count`.
enum RandomBitGenerator {
    static func rngBitGenerator(_ call: KernelCall) throws -> [RuntimeValue] {
        let state = try call.tensor(0)
        let algorithm = try call.enumValue("rng_algorithm") ?? "DEFAULT"
        guard algorithm == "THREE_FRY" || algorithm == "DEFAULT" else {
            throw call.error("rng_algorithm \(algorithm) is not supported yet (THREE_FRY only)")
        }
        guard let words = state.ints, words.count == 2, state.elementType.bitWidth == 64 else {
            throw call.error("THREE_FRY needs a 2-element 64-bit state, got \(state.type)")
        }
        let outputType = try call.resultType(1)
        guard outputType.elementType.bitWidth == 64, !outputType.elementType.isFloat,
              let count = Indexing.checkedCount(outputType.shape) else {
            throw call.error("THREE_FRY output must be a static 64-bit integer tensor, got \(outputType)")
        }
        let key = UInt64(bitPattern: words[0]), counter = UInt64(bitPattern: words[1])
        let k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        var bits = [Int64](repeating: 0, count: count)
        for i in 0..<count {
            let x = counter &+ UInt64(i)
            let (lo, hi) = threefry2x32(k0, k1, UInt32(truncatingIfNeeded: x), UInt32(truncatingIfNeeded: x >> 32))
            bits[i] = Int64(bitPattern: UInt64(lo) | (UInt64(hi) << 32))
        }
        let newState: [Int64] = [words[0], Int64(bitPattern: counter &+ UInt64(count))]
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
}
