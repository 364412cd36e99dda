import StableHLO

/// `stablehlo.rng_bit_generator` with `THREE_FRY` (and `DEFAULT`, which the reference and
/// XLA on CPU also map to ThreeFry), producing the reference's bit stream bit for bit: the
/// state is `[key, counter]` (64-bit); element `i` is Threefry-2x32-20 of `counter + i`
/// (low/high 32-bit words) under the key's low/high words, low word first; the new state
/// is `[key, counter + element count]`. One thread per element; thread 0 also writes the
/// new state. Other algorithms and output types are those the reference does not compute
/// either (`PHILOX`; outputs other than 64-bit integers), so they stay on the host.
enum RandomBitGeneratorKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.rng_bit_generator"]

    /// The rotations of Threefry-2x32's two alternating groups of four rounds.
    static let rotations = [[13, 15, 26, 6], [17, 29, 16, 24]]

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count == 1, op.results.count == 2 else {
            throw CodeGenError("rng_bit_generator needs one state operand and two results", at: op.location)
        }
        var algorithm = "DEFAULT"
        switch op[attribute: "rng_algorithm"] {
        case .enumCase(_, _, let value)?: algorithm = value
        case .string(let value)?: algorithm = value
        default: break
        }
        guard algorithm == "THREE_FRY" || algorithm == "DEFAULT" else {
            throw CodeGenError("rng_algorithm \(algorithm) is not computed (THREE_FRY and DEFAULT only, as the reference)", at: op.location)
        }
        let state = op.operands[0]
        let stateType = try DedicatedKernels.elementType(state, of: op)
        guard try DedicatedKernels.shape(state, of: op) == [2], stateType.isInteger, stateType.byteWidth == 8,
              try DedicatedKernels.elementType(op.results[0], of: op) == stateType,
              try DedicatedKernels.shape(op.results[0], of: op) == [2] else {
            throw CodeGenError("THREE_FRY needs a 2-element 64-bit integer state, got \(state.type) -> \(op.results[0].type)",
                               at: op.location)
        }
        let outputType = try DedicatedKernels.elementType(op.results[1], of: op)
        guard outputType.isInteger, outputType.byteWidth == 8 else {
            throw CodeGenError("THREE_FRY output must be a 64-bit integer tensor, got \(op.results[1].type)", at: op.location)
        }
        let count = try DedicatedKernels.shape(op.results[1], of: op).reduce(1, *)

        var round: [String] = [
            "__device__ __forceinline__ nv_u64 nv_threefry2x32(unsigned int k0, unsigned int k1, nv_u64 x) {",
            "  const unsigned int ks[3] = {k0, k1, k0 ^ k1 ^ 0x1BD11BDAu};",
            "  unsigned int x0 = (unsigned int)x + ks[0], x1 = (unsigned int)(x >> 32) + ks[1];",
        ]
        for block in 0..<5 {
            for r in rotations[block % 2] {
                round.append("  x0 += x1; x1 = (x1 << \(r)) | (x1 >> \(32 - r)); x1 ^= x0;")
            }
            round.append("  x0 += ks[\((block + 1) % 3)]; x1 += ks[\((block + 2) % 3)] + \(block + 1)u;")
        }
        round += ["  return (nv_u64)x0 | ((nv_u64)x1 << 32);", "}"]

        let body = [
            "    const nv_u64 key = (nv_u64)state[0], counter = (nv_u64)state[1];",
            "    if (o == 0) { new_state[0] = state[0]; new_state[1] = (\(stateType.storage))(counter + \(count)ull); }",
            "    out[o] = (\(outputType.storage))nv_threefry2x32((unsigned int)key, (unsigned int)(key >> 32), counter + (nv_u64)o);",
        ]
        let kernel = DedicatedKernels.kernel(
            name: name, comment: "\(name): rng_bit_generator \(algorithm) of \(count) 64-bit values",
            parameters: ["const \(stateType.storage)* __restrict__ state", "\(stateType.storage)* __restrict__ new_state",
                         "\(outputType.storage)* __restrict__ out"],
            bindings: [.value(state), .value(op.results[0]), .value(op.results[1])],
            count: max(count, 1), body: count == 0 ? [body[0], body[1]] : body, operation: op, globals: round)
        return FusionKernels(kernels: [kernel], scratch: [])
    }
}
