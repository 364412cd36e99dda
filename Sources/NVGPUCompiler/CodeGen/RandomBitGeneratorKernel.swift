import StableHLO

/// `stablehlo.rng_bit_generator` with `THREE_FRY` (and `DEFAULT`, which the reference and
/// XLA on CPU also map to ThreeFry) and `PHILOX`, producing the reference's (XLA's) bit
/// streams bit for bit: the state is `[key, counter]` of 64-bit integers; block `j` of
/// 32-bit words is Threefry-2x32-20 of the key and `counter + j` (2 words, low first) or
/// Philox-4x32-10 of the key and the 128-bit `(key << 64 | counter) + j` (4 words); a 32-bit
/// element takes one word of the stream, a 64-bit element two (low, high); the new state
/// is `[key, counter + blocks used]`. One thread per element (it computes its block); thread 0
/// also writes the new state. Outputs other than 32- and 64-bit integers stay on the host,
/// as the reference computes none.
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
        let philox: Bool
        switch algorithm {
        case "THREE_FRY", "DEFAULT": philox = false
        case "PHILOX": philox = true
        default: throw CodeGenError("rng_algorithm \(algorithm) is not supported", at: op.location)
        }
        let state = op.operands[0]
        let stateType = try DedicatedKernels.elementType(state, of: op)
        let stateShape = try DedicatedKernels.shape(state, of: op)
        guard stateShape == [2], stateType.isInteger, stateType.byteWidth == 8,
              try DedicatedKernels.elementType(op.results[0], of: op) == stateType,
              try DedicatedKernels.shape(op.results[0], of: op) == stateShape else {
            throw CodeGenError("\(algorithm) needs a 2-element 64-bit integer state, got \(state.type) -> \(op.results[0].type)",
                               at: op.location)
        }
        let outputType = try DedicatedKernels.elementType(op.results[1], of: op)
        guard outputType.isInteger, outputType.byteWidth == 8 || outputType.byteWidth == 4 else {
            throw CodeGenError("\(algorithm) output must be a 32- or 64-bit integer tensor, got \(op.results[1].type)", at: op.location)
        }
        let count = try DedicatedKernels.shape(op.results[1], of: op).reduce(1, *)
        let wide = outputType.byteWidth == 8
        let wordsPerBlock = philox ? 4 : 2
        let blocks = (count * (wide ? 2 : 1) + wordsPerBlock - 1) / wordsPerBlock

        // Thread 0 writes the new state; with no output elements that is all the kernel does.
        let stateUpdate = [
            "    const nv_u64 key = (nv_u64)state[0], low = (nv_u64)state[1];",
            "    if (o == 0) { new_state[0] = state[0]; new_state[1] = (\(stateType.storage))(low + \(blocks)ull); }",
        ]
        var body: [String] = []
        // The block this element's word(s) come from, and the first word's place in it.
        let word = wide ? "2 * (nv_u64)o" : "(nv_u64)o"
        body.append("    const nv_u64 block = (\(word)) / \(wordsPerBlock), place = (\(word)) % \(wordsPerBlock);")
        body.append("    const nv_u64 c0 = low + block, c1 = key + (c0 < low ? 1ull : 0ull);")
        if philox {
            body.append("    unsigned int x[4];")
            body.append("    nv_philox4x32((unsigned int)key, (unsigned int)(key >> 32), c0, c1, x);")
            body.append(wide ? "    const nv_u64 bits = (nv_u64)x[place] | ((nv_u64)x[place + 1] << 32);"
                             : "    const nv_u64 bits = x[place];")
        } else {
            body.append("    (void)c1;")
            body.append("    const nv_u64 value = nv_threefry2x32((unsigned int)key, (unsigned int)(key >> 32), c0);")
            body.append(wide ? "    const nv_u64 bits = value;" : "    const nv_u64 bits = (unsigned int)(value >> (32 * place));")
        }
        body.append("    out[o] = (\(outputType.storage))bits;")

        var globals: [String] = [
            "__device__ __forceinline__ nv_u64 nv_threefry2x32(unsigned int k0, unsigned int k1, nv_u64 x) {",
            "  const unsigned int ks[3] = {k0, k1, k0 ^ k1 ^ 0x1BD11BDAu};",
            "  unsigned int x0 = (unsigned int)x + ks[0], x1 = (unsigned int)(x >> 32) + ks[1];",
        ]
        for block in 0..<5 {
            for r in rotations[block % 2] {
                globals.append("  x0 += x1; x1 = (x1 << \(r)) | (x1 >> \(32 - r)); x1 ^= x0;")
            }
            globals.append("  x0 += ks[\((block + 1) % 3)]; x1 += ks[\((block + 2) % 3)] + \(block + 1)u;")
        }
        globals += ["  return (nv_u64)x0 | ((nv_u64)x1 << 32);", "}"]
        globals += [
            "__device__ __forceinline__ void nv_philox4x32(unsigned int k0, unsigned int k1, nv_u64 c0, nv_u64 c1, unsigned int* x) {",
            "  x[0] = (unsigned int)c0; x[1] = (unsigned int)(c0 >> 32); x[2] = (unsigned int)c1; x[3] = (unsigned int)(c1 >> 32);",
            "  for (int round = 0; round < 10; ++round) {",
            "    if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }",
            "    const nv_u64 p0 = 0xD2511F53ull * x[0], p1 = 0xCD9E8D57ull * x[2];",
            "    const unsigned int y0 = (unsigned int)(p1 >> 32) ^ x[1] ^ k0, y2 = (unsigned int)(p0 >> 32) ^ x[3] ^ k1;",
            "    x[0] = y0; x[1] = (unsigned int)p1; x[2] = y2; x[3] = (unsigned int)p0;",
            "  }",
            "}",
        ]
        let kernel = DedicatedKernels.kernel(
            name: name, comment: "\(name): rng_bit_generator \(algorithm) of \(count) \(wide ? 64 : 32)-bit values",
            parameters: ["const \(stateType.storage)* __restrict__ state", "\(stateType.storage)* __restrict__ new_state",
                         "\(outputType.storage)* __restrict__ out"],
            bindings: [.value(state), .value(op.results[0]), .value(op.results[1])],
            count: max(count, 1), body: stateUpdate + (count == 0 ? [] : body),
            operation: op, globals: globals)
        return FusionKernels(kernels: [kernel], scratch: [])
    }
}
