import StableHLO

/// `triangular_solve`: one thread per (batch, right-hand side), the reference's
/// `LinearAlgebra.solve` repeated operation for operation in complex `double`
/// (`WideElement`): forward substitution (rows ascending) when the solved matrix is lower
/// triangular, back substitution (rows descending) otherwise, each row's sum taken over
/// the columns in ascending order, `x[i] = s / t[i][i]` with the reference's complex
/// division, and each result rounded to the element type once.
///
/// Every attribute combination: `left_side` (op(a)·x = b, solved per column of b) or not
/// (x·op(a) = b, solved per row of b as op(a)ᵀ·xᵀ = bᵀ), `lower`, `unit_diagonal` (the
/// diagonal is read as 1), `transpose_a` NO_TRANSPOSE / TRANSPOSE / ADJOINT; leading batch
/// dimensions; f64, f32, bf16, f16, complex<f32>, complex<f64>. The unused triangle of `a`
/// is never read. The solution is kept in `double` in a scratch buffer laid out
/// `[batch][k][vector]`, so threads of consecutive right-hand sides touch consecutive
/// addresses and read the same element of `a`.
enum TriangularSolveKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.triangular_solve"]

    /// The attributes as the solver sees them.
    struct Form: Hashable {
        var leftSide: Bool, lower: Bool, unitDiagonal: Bool, transpose: String

        /// Whether op(a) is lower triangular.
        var opLower: Bool { lower == (transpose == "NO_TRANSPOSE") }
        /// Whether the matrix the substitution runs on is lower triangular (the right side
        /// solves with the transpose of op(a)).
        var solvesLower: Bool { leftSide ? opLower : !opLower }
        /// Whether element (i, j) of the solved matrix is a[j][i].
        var readsTransposed: Bool { (transpose != "NO_TRANSPOSE") != !leftSide }
        var conjugates: Bool { transpose == "ADJOINT" }
    }

    static func form(of op: Operation) throws -> Form {
        let transpose = try WideAttributes.enumCase(op, "transpose_a") ?? "NO_TRANSPOSE"
        guard ["NO_TRANSPOSE", "TRANSPOSE", "ADJOINT"].contains(transpose) else {
            throw CodeGenError("triangular_solve has an unknown transpose_a \(transpose)", at: op.location)
        }
        return Form(leftSide: try WideAttributes.bool(op, "left_side", default: true),
                    lower: try WideAttributes.bool(op, "lower", default: true),
                    unitDiagonal: try WideAttributes.bool(op, "unit_diagonal", default: false),
                    transpose: transpose)
    }

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count == 2, op.results.count == 1 else {
            throw CodeGenError("triangular_solve needs operands a and b and one result", at: op.location)
        }
        let a = op.operands[0], b = op.operands[1], result = op.results[0]
        let element = try WideElement.of(a, in: op)
        guard try WideElement.of(b, in: op) == element, try WideElement.of(result, in: op) == element else {
            throw CodeGenError("triangular_solve operands \(a.type), \(b.type) and result \(result.type) differ in element type",
                               at: op.location)
        }
        let aShape = try DedicatedKernels.shape(a, of: op), bShape = try DedicatedKernels.shape(b, of: op)
        let rank = aShape.count
        guard rank >= 2, bShape.count == rank, aShape[rank - 1] == aShape[rank - 2],
              Array(aShape[..<(rank - 2)]) == Array(bShape[..<(rank - 2)]) else {
            throw CodeGenError("triangular_solve operands \(a.type) and \(b.type) are not a batch of square matrices and right-hand sides",
                               at: op.location)
        }
        guard try DedicatedKernels.shape(result, of: op) == bShape else {
            throw CodeGenError("triangular_solve result \(result.type) does not match b \(b.type)", at: op.location)
        }
        let form = try form(of: op)
        let m = aShape[rank - 1], rows = bShape[rank - 2], cols = bShape[rank - 1]
        guard (form.leftSide ? rows : cols) == m else {
            throw CodeGenError("triangular_solve b \(b.type) does not fit a \(m)x\(m) matrix on the \(form.leftSide ? "left" : "right")",
                               at: op.location)
        }
        let batches = aShape[..<(rank - 2)].reduce(1, *)
        let vectors = form.leftSide ? cols : rows
        let count = batches * vectors
        guard count > 0, m > 0 else { return FusionKernels(kernels: [], scratch: []) }

        let kernel = GeneratedKernel(
            name: name, source: source(name: name, form: form, element: element, m: m, rows: rows, cols: cols, count: count),
            grid: [DedicatedKernels.blocks(for: count), 1, 1], block: [DedicatedKernels.block, 1, 1], sharedMemoryBytes: 0,
            bindings: [.value(a), .value(b), .value(result), .scratch(0)], operationNames: [op.name])
        let scratch = ScratchBuffer(type: TensorType(shape: [2 * batches * m * vectors], elementType: .float(.f64)))
        return FusionKernels(kernels: [kernel], scratch: [scratch])
    }

    /// The kernel's source: thread `o` solves right-hand side `v = o % vectors` of batch
    /// `o / vectors`.
    static func source(name: String, form: Form, element: WideElement, m: Int, rows: Int, cols: Int, count: Int) -> String {
        let vectors = form.leftSide ? cols : rows
        let block = DedicatedKernels.block
        let side = form.leftSide ? "left" : "right"
        let triangle = form.lower ? "lower" : "upper"
        let comment = "\(name): triangular_solve \(side) \(triangle)\(form.unitDiagonal ? " unit" : "") \(form.transpose), "
            + "\(m)x\(m) a, \(rows)x\(cols) b, \(count) right-hand sides, \(element.elementType)"
        let header = KernelSource.header(
            name: name,
            parameters: [element.parameter("a", constant: true), element.parameter("b", constant: true),
                         element.parameter("out", constant: false), "double* __restrict__ xs"],
            block: block, indexType: "long long", comment: comment)
        // Element k of right-hand side v in b (and out): a column of b on the left, a row on the right.
        let bIndex = { (k: String) in form.leftSide ? "bBase + (\(k)) * \(cols) + v" : "bBase + v * \(cols) + (\(k))" }
        // Element (i, j) of the matrix the substitution runs on.
        let tIndex = { (i: String, j: String) in form.readsTransposed ? "aBase + (\(j)) * \(m) + (\(i))" : "aBase + (\(i)) * \(m) + (\(j))" }
        let readT = { (i: String, j: String) -> String in
            let value = element.load("a", tIndex(i, j))
            return form.conjugates ? "nv_wc_conj(\(value))" : value
        }
        let diagonal = form.unitDiagonal
            ? (form.conjugates ? "nv_wc_conj(nv_wc_make(1.0, 0.0))" : "nv_wc_make(1.0, 0.0)")
            : readT("i", "i")
        let xIndex = { (k: String) in "2 * (xBase + (\(k)) * \(vectors))" }
        var body = [
            "  for (idx_t o = (idx_t)blockIdx.x * \(block) + (idx_t)threadIdx.x; o < (idx_t)\(count); o += (idx_t)gridDim.x * \(block)) {",
            "    const idx_t batch = o / \(vectors), v = o % \(vectors);",
            "    const idx_t aBase = batch * \(m * m), bBase = batch * \(rows * cols), xBase = batch * \(m * vectors) + v;",
        ]
        if form.solvesLower {
            body.append("    for (idx_t i = 0; i < \(m); ++i) {")
            body.append("      nv_wc s = \(element.load("b", bIndex("i")));")
            body.append("      for (idx_t j = 0; j < i; ++j) {")
        } else {
            body.append("    for (idx_t i = \(m - 1); i >= 0; --i) {")
            body.append("      nv_wc s = \(element.load("b", bIndex("i")));")
            body.append("      for (idx_t j = i + 1; j < \(m); ++j) {")
        }
        body += [
            "        const nv_wc x = nv_wc_make(xs[\(xIndex("j"))], xs[\(xIndex("j")) + 1]);",
            "        s = nv_wc_sub(s, nv_wc_mul(\(readT("i", "j")), x));",
            "      }",
            "      const nv_wc x = nv_wc_div(s, \(diagonal));",
            "      xs[\(xIndex("i"))] = x.re; xs[\(xIndex("i")) + 1] = x.im;",
            "      " + element.store("x", to: "out", bIndex("i")),
            "    }",
            "  }",
        ]
        return WideAttributes.unit(globals: [], function: header + body)
    }
}
