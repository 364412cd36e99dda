import StableHLO

/// `cholesky`: one block per matrix of the batch, the reference's column-by-column
/// algorithm (`LinearAlgebra.cholesky`) computed right-looking in complex `double`
/// (`WideElement`), which keeps every sum in the reference's order:
///
/// - the used triangle is read as the lower triangle of a Hermitian matrix `e` (`lower`:
///   `a[i][j]`; otherwise `conj(a[j][i])`) into a `double` scratch copy `s`;
/// - for each column `k`: `d = s[k][k].re` (already `e[k][k].re - Σ_{p<k} (l.re² + l.im²)`
///   in ascending `p`), `l[k][k] = d > 0 ? sqrt(d) : NaN`, `l[i][k] = s[i][k] / l[k][k]`
///   with the reference's complex division; then every trailing entry subtracts its
///   term of column `k` (`s[i][j] -= l[i][k]·conj(l[j][k])`, the diagonal
///   `s[j][j].re -= l[j][k].re² + l[j][k].im²`), so entry (i, j) accumulates its terms
///   in ascending `k`, exactly the reference's sums.
///
/// A matrix that is not positive definite gets NaN from the first non-positive pivot on
/// (it propagates through the later columns), as in the reference. The result holds `l`
/// (`lower`) or `lᴴ` (upper) in the used triangle and zeros in the other.
enum CholeskyKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.cholesky"]

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count == 1, op.results.count == 1 else {
            throw CodeGenError("cholesky needs one operand and one result", at: op.location)
        }
        let a = op.operands[0], result = op.results[0]
        let element = try WideElement.of(a, in: op)
        guard try WideElement.of(result, in: op) == element else {
            throw CodeGenError("cholesky operand \(a.type) and result \(result.type) differ in element type", at: op.location)
        }
        let shape = try DedicatedKernels.shape(a, of: op)
        let rank = shape.count
        guard rank >= 2, shape[rank - 1] == shape[rank - 2] else {
            throw CodeGenError("cholesky operand \(a.type) is not a batch of square matrices", at: op.location)
        }
        guard try DedicatedKernels.shape(result, of: op) == shape else {
            throw CodeGenError("cholesky result \(result.type) does not match the operand \(a.type)", at: op.location)
        }
        let lower = try WideAttributes.bool(op, "lower", default: false)
        let n = shape[rank - 1]
        let batches = shape[..<(rank - 2)].reduce(1, *)
        guard n > 0, batches > 0 else { return FusionKernels(kernels: [], scratch: []) }
        let kernel = GeneratedKernel(
            name: name, source: source(name: name, lower: lower, element: element, n: n, batches: batches),
            grid: [min(batches, LaunchLimits.maxLoopBlocks), 1, 1], block: [DedicatedKernels.block, 1, 1],
            sharedMemoryBytes: 0, bindings: [.value(a), .value(result), .scratch(0)], operationNames: [op.name])
        let scratch = ScratchBuffer(type: TensorType(shape: [2 * batches * n * n], elementType: .float(.f64)))
        return FusionKernels(kernels: [kernel], scratch: [scratch])
    }

    /// The kernel's source: block `bm` (striding over the batch) factors matrix `bm`.
    static func source(name: String, lower: Bool, element: WideElement, n: Int, batches: Int) -> String {
        let block = DedicatedKernels.block
        let comment = "\(name): cholesky \(lower ? "lower" : "upper") of \(batches) \(n)x\(n) matrices, \(element.elementType)"
        let header = KernelSource.header(
            name: name,
            parameters: [element.parameter("a", constant: true), element.parameter("out", constant: false), "double* s"],
            block: block, indexType: "long long", comment: comment)
        // Element (i, j) of the Hermitian matrix whose lower triangle is factored.
        let entry = lower ? element.load("a", "base + i * \(n) + j") : "nv_wc_conj(\(element.load("a", "base + j * \(n) + i")))"
        let body = [
            "  for (idx_t bm = blockIdx.x; bm < \(batches); bm += gridDim.x) {",
            "    const idx_t base = bm * \(n * n);",
            "    double* const ls = s + 2 * base;",
            "    for (idx_t e = threadIdx.x; e < \(n * n); e += \(block)) {",
            "      const idx_t i = e / \(n), j = e % \(n);",
            "      if (j > i) continue;",
            "      const nv_wc v = \(entry);",
            "      ls[2 * e] = v.re; ls[2 * e + 1] = v.im;",
            "    }",
            "    __syncthreads();",
            "    for (idx_t k = 0; k < \(n); ++k) {",
            "      const double d = ls[2 * (k * \(n) + k)];",
            "      const double pivot = d > 0.0 ? __dsqrt_rn(d) : __longlong_as_double(0x7ff8000000000000LL);",
            "      __syncthreads();",
            "      // Column k of l: the pivot, then s[i][k] / pivot below it.",
            "      for (idx_t i = k + threadIdx.x; i < \(n); i += \(block)) {",
            "        const idx_t at = 2 * (i * \(n) + k);",
            "        const nv_wc l = i == k ? nv_wc_make(pivot, 0.0)",
            "                               : nv_wc_div(nv_wc_make(ls[at], ls[at + 1]), nv_wc_make(pivot, 0.0));",
            "        ls[at] = l.re; ls[at + 1] = l.im;",
            "      }",
            "      __syncthreads();",
            "      // The trailing triangle k < j <= i < n takes column k's term.",
            "      const idx_t r = \(n - 1) - k;",
            "      for (idx_t e = threadIdx.x; e < r * r; e += \(block)) {",
            "        const idx_t i = k + 1 + e / r, j = k + 1 + e % r;",
            "        if (j > i) continue;",
            "        const idx_t ik = 2 * (i * \(n) + k), jk = 2 * (j * \(n) + k), ij = 2 * (i * \(n) + j);",
            "        if (i == j) {",
            "          ls[ij] = __dsub_rn(ls[ij], __dadd_rn(__dmul_rn(ls[jk], ls[jk]), __dmul_rn(ls[jk + 1], ls[jk + 1])));",
            "        } else {",
            "          const nv_wc t = nv_wc_sub(nv_wc_make(ls[ij], ls[ij + 1]),",
            "                                    nv_wc_mul(nv_wc_make(ls[ik], ls[ik + 1]), nv_wc_conj(nv_wc_make(ls[jk], ls[jk + 1]))));",
            "          ls[ij] = t.re; ls[ij + 1] = t.im;",
            "        }",
            "      }",
            "      __syncthreads();",
            "    }",
            "    // l in the lower triangle (lower) or l^H in the upper one; zeros elsewhere.",
            "    for (idx_t e = threadIdx.x; e < \(n * n); e += \(block)) {",
            "      const idx_t p = e / \(n), q = e % \(n);",
            lower
                ? "      const nv_wc v = q <= p ? nv_wc_make(ls[2 * e], ls[2 * e + 1]) : nv_wc_make(0.0, 0.0);"
                : "      const nv_wc v = p <= q ? nv_wc_conj(nv_wc_make(ls[2 * (q * \(n) + p)], ls[2 * (q * \(n) + p) + 1])) : nv_wc_make(0.0, 0.0);",
            "      " + element.store("v", to: "out", "base + e"),
            "    }",
            "    __syncthreads();",
            "  }",
        ]
        return WideAttributes.unit(globals: [], function: header + body)
    }
}
