import StableHLO

/// A generated tiled GEMM for any `dot_general` (any layout, integer and float types):
/// 16×16 output tiles per block, both operand tiles staged through shared memory,
/// accumulation in the result's compute type (complex: `nv_cmac`, each component product and
/// sum rounded as the reference computes them).
enum GemmKernel {
    static let tile = 16

    static func build(_ op: Operation, name: String) throws -> GeneratedKernel {
        let shape = try DotShape(op)
        guard let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let result = op.resultTensorType(0),
              let lt = KernelElementType(lhs.elementType), let rt = KernelElementType(rhs.elementType),
              let ot = KernelElementType(result.elementType) else {
            throw CodeGenError("dot_general on types without CUDA element types", at: op.location)
        }
        guard shape.batch <= 65535 else { throw CodeGenError("dot_general batch of \(shape.batch) exceeds the grid", at: op.location) }
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        /// C code of the element offset of an operand at (b, row-or-col, k).
        func offset(_ dims: (batch: [Int], free: [Int], contracting: [Int]), shape operandShape: [Int],
                    b: String, f: String, k: String) -> String {
            let strides = ElementIndex.strides(operandShape)
            var parts: [String] = []
            for (group, flat) in [(dims.batch, b), (dims.free, f), (dims.contracting, k)] {
                let sizes = group.map { operandShape[$0] }
                let inner = ElementIndex.strides(sizes)
                for (j, d) in group.enumerated() where operandShape[d] != 1 {
                    var term = inner[j] == 1 ? flat : "(\(flat) / \(inner[j]))"
                    if j > 0 { term = "(\(term) % \(sizes[j]))" }
                    parts.append(strides[d] == 1 ? term : "\(term) * \(strides[d])")
                }
            }
            return parts.isEmpty ? "0" : parts.joined(separator: " + ")
        }
        let aOffset = offset((shape.lhsBatch, shape.lhsFree, shape.lhsContracting), shape: shape.lhsShape,
                             b: "b", f: "ar", k: "ak")
        let bOffset = offset((shape.rhsBatch, shape.rhsFree, shape.rhsContracting), shape: shape.rhsShape,
                             b: "b", f: "bc", k: "bk")
        let t = tile
        let ct = ot.compute
        func toResult(_ x: String, from source: KernelElementType) -> String {
            if source.compute == ot.compute { return x }
            // Real operands of a complex product enter exactly, as the reference reads them.
            if ot.isComplex, !source.isComplex { return "nv_c128((double)(\(x)), 0.0)" }
            return ExpressionTable.conversion(x, from: source, to: ot)
        }
        let zero = ot.isBool ? "false" : "((\(ct))0)"
        let product = ot.isBool ? "(As[ty][kk] && Bs[kk][tx])" : ot.isFloat ? "As[ty][kk] * Bs[kk][tx]" : "nv_imul(As[ty][kk], Bs[kk][tx])"
        // Narrow float results round every product and sum to the format, in contracting
        // order, as the reference does.
        let narrowAccumulate = ot.narrowFloatFormat.map { _ in
            "acc = \(ot.rounded("(double)acc + (double)\(ot.rounded("(double)As[ty][kk] * (double)Bs[kk][tx]"))"));"
        }
        let accumulate = ot.isBool ? "acc = acc || \(product);" : narrowAccumulate ?? (ot.isFloat ? "acc += \(product);"
            : ot.isComplex ? (ot.elementType == .complex(.f32)
                ? "acc = nv_cmac_f32(acc, As[ty][kk], Bs[kk][tx]);" : "acc = nv_cmac(acc, As[ty][kk], Bs[kk][tx]);")
            : "acc = nv_iadd(acc, \(product));")
        for line in [
            "__shared__ \(ct) As[\(t)][\(t + 1)];",
            "__shared__ \(ct) Bs[\(t)][\(t + 1)];",
            "const int tx = threadIdx.x % \(t), ty = threadIdx.x / \(t);",
            "const idx_t b = blockIdx.z;",
            "const idx_t row = (idx_t)blockIdx.y * \(t) + ty, col = (idx_t)blockIdx.x * \(t) + tx;",
            "\(ct) acc = \(zero);",
            "for (idx_t k0 = 0; k0 < (idx_t)\(shape.k); k0 += \(t)) {",
            "  { const idx_t ar = (idx_t)blockIdx.y * \(t) + ty, ak = k0 + tx;",
            "    As[ty][tx] = (ar < (idx_t)\(shape.m) && ak < (idx_t)\(shape.k)) ? \(toResult(lt.load("lhs[\(aOffset)]"), from: lt)) : \(zero); }",
            "  { const idx_t bk = k0 + ty, bc = (idx_t)blockIdx.x * \(t) + tx;",
            "    Bs[ty][tx] = (bk < (idx_t)\(shape.k) && bc < (idx_t)\(shape.n)) ? \(toResult(rt.load("rhs[\(bOffset)]"), from: rt)) : \(zero); }",
            "  __syncthreads();",
            "  #pragma unroll",
            "  for (int kk = 0; kk < \(t); ++kk) \(accumulate)",
            "  __syncthreads();",
            "}",
            "if (row < (idx_t)\(shape.m) && col < (idx_t)\(shape.n))",
            "  out[b * \(shape.m * shape.n) + row * \(shape.n) + col] = \(ot.storeRounded("acc"));",
        ] { w.emit(line) }
        let counts = [lhs.elementCount, rhs.elementCount, result.elementCount, shape.batch * shape.m * shape.n + t * t]
        let header = KernelSource.header(
            name: name,
            parameters: ["const \(lt.storage)* __restrict__ lhs", "const \(rt.storage)* __restrict__ rhs", "\(ot.storage)* __restrict__ out"],
            block: t * t, indexType: KernelSource.indexType(for: counts),
            comment: "\(name): dot_general as \(shape.batch)×(\(shape.m)×\(shape.k) · \(shape.k)×\(shape.n)), \(t)×\(t) tiles")
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: [], function: header + w.lines),
            grid: [(shape.n + t - 1) / t, (shape.m + t - 1) / t, shape.batch], block: [t * t, 1, 1],
            sharedMemoryBytes: 0,
            bindings: [.value(op.operands[0]), .value(op.operands[1]), .value(op.results[0])],
            operationNames: [op.name])
    }
}
