import StableHLO

/// `triangular_solve`: the reference's `LinearAlgebra.solve` repeated operation for
/// operation in complex `double` (`WideElement`): forward substitution (rows ascending)
/// when the solved matrix is lower triangular, back substitution (rows descending)
/// otherwise, each row's sum taken over the columns in ascending order, `x[i] = s / t[i][i]`
/// with the reference's complex division, and each result rounded to the element type once.
/// One thread per (batch, right-hand side); forward substitution on few long right-hand
/// sides takes a block per right-hand side instead (`usesBlockPerVector`), in the same order.
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

        let shape = Shape(form: form, element: element, m: m, rows: rows, cols: cols, count: count)
        let cooperative = usesBlockPerVector(form: form, m: m, count: count)
        let kernel = GeneratedKernel(
            name: name, source: cooperative ? blockSource(name: name, shape) : threadSource(name: name, shape),
            grid: [cooperative ? min(count, LaunchLimits.maxLoopBlocks) : DedicatedKernels.blocks(for: count), 1, 1],
            block: [DedicatedKernels.block, 1, 1], sharedMemoryBytes: 0,
            bindings: [.value(a), .value(b), .value(result), .scratch(0)], operationNames: [op.name])
        let scratch = ScratchBuffer(type: TensorType(shape: [2 * batches * m * vectors], elementType: .float(.f64)))
        return FusionKernels(kernels: [kernel], scratch: [scratch])
    }

    /// Forward substitution on few long right-hand sides gets a block per right-hand side
    /// (`blockSource`): `m` steps of one barrier each instead of `m²/2` dependent steps in
    /// one thread. Back substitution cannot be split this way (row `i`'s sum needs
    /// `x[i+1]`, the last value computed before it, first), and many right-hand sides keep
    /// the GPU busy with one thread each.
    static func usesBlockPerVector(form: Form, m: Int, count: Int) -> Bool {
        form.solvesLower && m >= 64 && count <= 16 * m
    }

    /// What both schedules need to know.
    struct Shape {
        var form: Form, element: WideElement, m: Int, rows: Int, cols: Int, count: Int
        var vectors: Int { form.leftSide ? cols : rows }

        var comment: String {
            let side = form.leftSide ? "left" : "right"
            let triangle = form.lower ? "lower" : "upper"
            return "triangular_solve \(side) \(triangle)\(form.unitDiagonal ? " unit" : "") \(form.transpose), "
                + "\(m)x\(m) a, \(rows)x\(cols) b, \(count) right-hand sides, \(element.elementType)"
        }

        func header(name: String, comment: String) -> [String] {
            KernelSource.header(
                name: name,
                parameters: [element.parameter("a", constant: true), element.parameter("b", constant: true),
                             element.parameter("out", constant: false), "double* __restrict__ xs"],
                block: DedicatedKernels.block, indexType: "long long", comment: comment)
        }

        /// Element k of right-hand side v in b (and out): a column of b on the left, a row
        /// on the right.
        func bIndex(_ k: String) -> String {
            form.leftSide ? "bBase + (\(k)) * \(cols) + v" : "bBase + v * \(cols) + (\(k))"
        }

        /// Element (i, j) of the matrix the substitution runs on, as an `nv_wc`.
        func t(_ i: String, _ j: String) -> String {
            let index = form.readsTransposed ? "aBase + (\(j)) * \(m) + (\(i))" : "aBase + (\(i)) * \(m) + (\(j))"
            let value = element.load("a", index)
            return form.conjugates ? "nv_wc_conj(\(value))" : value
        }

        /// Diagonal element (i, i): 1 for `unit_diagonal` (conjugated for ADJOINT, as the
        /// reference does).
        func diagonal(_ i: String) -> String {
            guard form.unitDiagonal else { return t(i, i) }
            return form.conjugates ? "nv_wc_conj(nv_wc_make(1.0, 0.0))" : "nv_wc_make(1.0, 0.0)"
        }

        /// Element k of this right-hand side's `double` scratch (re; im follows).
        func xIndex(_ k: String) -> String { "2 * (xBase + (\(k)) * \(vectors))" }

        /// Statements binding `batch`, `v` and the bases from right-hand side `index`.
        func bases(_ index: String, indent: String) -> [String] {
            [
                "\(indent)const idx_t batch = \(index) / \(vectors), v = \(index) % \(vectors);",
                "\(indent)const idx_t aBase = batch * \(m * m), bBase = batch * \(rows * cols), xBase = batch * \(m * vectors) + v;",
            ]
        }
    }

    /// One thread per right-hand side: thread `o` solves right-hand side `o % vectors` of
    /// batch `o / vectors` exactly as `LinearAlgebra.solve` loops.
    static func threadSource(name: String, _ shape: Shape) -> String {
        let (m, count, block) = (shape.m, shape.count, DedicatedKernels.block)
        var body = ["  for (idx_t o = (idx_t)blockIdx.x * \(block) + (idx_t)threadIdx.x; o < (idx_t)\(count); o += (idx_t)gridDim.x * \(block)) {"]
            + shape.bases("o", indent: "    ")
        if shape.form.solvesLower {
            body.append("    for (idx_t i = 0; i < \(m); ++i) {")
            body.append("      nv_wc s = \(shape.element.load("b", shape.bIndex("i")));")
            body.append("      for (idx_t j = 0; j < i; ++j) {")
        } else {
            body.append("    for (idx_t i = \(m - 1); i >= 0; --i) {")
            body.append("      nv_wc s = \(shape.element.load("b", shape.bIndex("i")));")
            body.append("      for (idx_t j = i + 1; j < \(m); ++j) {")
        }
        body += [
            "        const nv_wc x = nv_wc_make(xs[\(shape.xIndex("j"))], xs[\(shape.xIndex("j")) + 1]);",
            "        s = nv_wc_sub(s, nv_wc_mul(\(shape.t("i", "j")), x));",
            "      }",
            "      const nv_wc x = nv_wc_div(s, \(shape.diagonal("i")));",
            "      xs[\(shape.xIndex("i"))] = x.re; xs[\(shape.xIndex("i")) + 1] = x.im;",
            "      " + shape.element.store("x", to: "out", shape.bIndex("i")),
            "    }",
            "  }",
        ]
        let header = shape.header(name: name, comment: "\(name): \(shape.comment), one thread per right-hand side")
        return WideAttributes.unit(globals: [], function: header + body)
    }

    /// Forward substitution with one block per right-hand side, right-looking: the scratch
    /// holds the partial sums `s[i]` (from `b`); step `j` divides `s[j]` by the diagonal
    /// (every thread, the same value) and every row `i > j` subtracts `t[i][j]·x[j]`, so row
    /// `i` takes its terms in ascending `j`, the reference's order. One barrier per step.
    static func blockSource(name: String, _ shape: Shape) -> String {
        let (m, count, block) = (shape.m, shape.count, DedicatedKernels.block)
        var body = ["  for (idx_t bv = blockIdx.x; bv < \(count); bv += gridDim.x) {"] + shape.bases("bv", indent: "    ")
        body += [
            "    for (idx_t i = threadIdx.x; i < \(m); i += \(block)) {",
            "      const nv_wc y = \(shape.element.load("b", shape.bIndex("i")));",
            "      xs[\(shape.xIndex("i"))] = y.re; xs[\(shape.xIndex("i")) + 1] = y.im;",
            "    }",
            "    __syncthreads();",
            "    for (idx_t j = 0; j < \(m); ++j) {",
            "      const nv_wc x = nv_wc_div(nv_wc_make(xs[\(shape.xIndex("j"))], xs[\(shape.xIndex("j")) + 1]), \(shape.diagonal("j")));",
            "      if (threadIdx.x == 0) { \(shape.element.store("x", to: "out", shape.bIndex("j"))) }",
            "      for (idx_t i = j + 1 + threadIdx.x; i < \(m); i += \(block)) {",
            "        const nv_wc s = nv_wc_sub(nv_wc_make(xs[\(shape.xIndex("i"))], xs[\(shape.xIndex("i")) + 1]), nv_wc_mul(\(shape.t("i", "j")), x));",
            "        xs[\(shape.xIndex("i"))] = s.re; xs[\(shape.xIndex("i")) + 1] = s.im;",
            "      }",
            "      __syncthreads();",
            "    }",
            "  }",
        ]
        let header = shape.header(name: name, comment: "\(name): \(shape.comment), one block per right-hand side")
        return WideAttributes.unit(globals: [], function: header + body)
    }
}
