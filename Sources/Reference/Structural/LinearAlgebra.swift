import StableHLO

/// `triangular_solve` and `cholesky` over batches of matrices in the last two dimensions,
/// for float and complex types: computed in `Double`, rounded to the element type once.
enum LinearAlgebra {
    /// A complex number in `Double` (real types use a zero imaginary part).
    struct Scalar {
        var re: Double, im: Double
        static let zero = Scalar(re: 0, im: 0), one = Scalar(re: 1, im: 0)
        static func + (a: Scalar, b: Scalar) -> Scalar { Scalar(re: a.re + b.re, im: a.im + b.im) }
        static func - (a: Scalar, b: Scalar) -> Scalar { Scalar(re: a.re - b.re, im: a.im - b.im) }
        static func * (a: Scalar, b: Scalar) -> Scalar {
            let re: Double = a.re * b.re - a.im * b.im
            let im: Double = a.re * b.im + a.im * b.re
            return Scalar(re: re, im: im)
        }
        static func / (a: Scalar, b: Scalar) -> Scalar {
            let d: Double = b.re * b.re + b.im * b.im
            let re: Double = (a.re * b.re + a.im * b.im) / d
            let im: Double = (a.im * b.re - a.re * b.im) / d
            return Scalar(re: re, im: im)
        }
        var conjugate: Scalar { Scalar(re: re, im: -im) }
    }

    /// Reads a float or complex tensor as `Scalar`s.
    static func scalars(_ t: Tensor, _ call: KernelCall) throws -> [Scalar] {
        switch t.storage {
        case .floats(let v): return v.map { Scalar(re: $0, im: 0) }
        case .complexes(let v): return (0..<(v.count / 2)).map { Scalar(re: v[2 * $0], im: v[2 * $0 + 1]) }
        case .ints: throw call.error("needs a float or complex operand, got \(t.type)")
        }
    }

    /// Rounds `values` to `type` as storage.
    static func storage(_ values: [Scalar], _ type: TensorType) -> Tensor.Storage {
        if type.elementType.isComplex {
            return Tensor.rounded(type, complexes: values.flatMap { [$0.re, $0.im] }).storage
        }
        return Tensor.rounded(type, floats: values.map(\.re)).storage
    }

    // MARK: triangular_solve

    static func triangularSolve(_ call: KernelCall) throws -> [RuntimeValue] {
        let a = try call.tensor(0), b = try call.tensor(1)
        let leftSide = try call.bool("left_side", default: true)
        let lower = try call.bool("lower", default: true)
        let unitDiagonal = try call.bool("unit_diagonal", default: false)
        let transpose = try call.enumValue("transpose_a") ?? "NO_TRANSPOSE"
        guard ["NO_TRANSPOSE", "TRANSPOSE", "ADJOINT"].contains(transpose) else {
            throw call.error("unknown transpose_a \(transpose)")
        }
        let rank = a.shape.count
        guard rank >= 2, b.shape.count == rank, a.shape[rank - 1] == a.shape[rank - 2],
              Array(a.shape[..<(rank - 2)]) == Array(b.shape[..<(rank - 2)]) else {
            throw call.error("operands \(a.type) and \(b.type) are not a batch of square matrices and right-hand sides")
        }
        let m = a.shape[rank - 1]
        let rows = b.shape[rank - 2], cols = b.shape[rank - 1]
        guard (leftSide ? rows : cols) == m else {
            throw call.error("b \(b.type) does not fit a \(m)x\(m) matrix on the \(leftSide ? "left" : "right")")
        }
        let av = try scalars(a, call), bv = try scalars(b, call)
        let batches = m == 0 ? 0 : av.count / (m * m)
        var out = bv
        for batch in 0..<batches {
            // op(a) as a dense m×m matrix with the unused triangle zeroed.
            var t = [Scalar](repeating: .zero, count: m * m)
            for i in 0..<m {
                for j in 0..<m {
                    let used = lower ? j <= i : j >= i
                    guard used else { continue }
                    var v = i == j && unitDiagonal ? Scalar.one : av[batch * m * m + i * m + j]
                    if transpose == "ADJOINT" { v = v.conjugate }
                    if transpose == "NO_TRANSPOSE" { t[i * m + j] = v } else { t[j * m + i] = v }
                }
            }
            let opLower = lower == (transpose == "NO_TRANSPOSE")
            let base = batch * rows * cols
            if leftSide {
                // op(a) · x = b, one column of b at a time.
                for c in 0..<cols {
                    let column = (0..<rows).map { bv[base + $0 * cols + c] }
                    let x = solve(t, m, column, lower: opLower)
                    for r in 0..<rows { out[base + r * cols + c] = x[r] }
                }
            } else {
                // x · op(a) = b  ⇔  op(a)ᵀ · xᵀ = bᵀ, one row of b at a time.
                var tt = [Scalar](repeating: .zero, count: m * m)
                for i in 0..<m { for j in 0..<m { tt[j * m + i] = t[i * m + j] } }
                for r in 0..<rows {
                    let row = Array(bv[(base + r * cols)..<(base + (r + 1) * cols)])
                    let x = solve(tt, m, row, lower: !opLower)
                    for c in 0..<cols { out[base + r * cols + c] = x[c] }
                }
            }
        }
        return [try call.result(shape: b.shape, storage: storage(out, b.type))]
    }

    /// Solves `t · x = y` for a triangular `t` by forward or back substitution.
    static func solve(_ t: [Scalar], _ m: Int, _ y: [Scalar], lower: Bool) -> [Scalar] {
        var x = [Scalar](repeating: .zero, count: m)
        let order: [Int] = lower ? Array(0..<m) : Array((0..<m).reversed())
        for i in order {
            var s = y[i]
            let range: Range<Int> = lower ? 0..<i : (i + 1)..<m
            for j in range { s = s - t[i * m + j] * x[j] }
            x[i] = s / t[i * m + i]
        }
        return x
    }

    // MARK: cholesky

    /// `cholesky`: `L·Lᴴ = a` (or `Uᴴ·U` when `lower` is false); the other triangle is zero.
    static func cholesky(_ call: KernelCall) throws -> [RuntimeValue] {
        let a = try call.tensor(0)
        let lower = try call.bool("lower", default: false)
        let rank = a.shape.count
        guard rank >= 2, a.shape[rank - 1] == a.shape[rank - 2] else {
            throw call.error("operand \(a.type) is not a batch of square matrices")
        }
        let n = a.shape[rank - 1]
        let av = try scalars(a, call)
        var out = [Scalar](repeating: .zero, count: av.count)
        let batches = n == 0 ? 0 : av.count / (n * n)
        for batch in 0..<batches {
            let base = batch * n * n
            // Read the used triangle as the lower triangle of a Hermitian matrix.
            func element(_ i: Int, _ j: Int) -> Scalar {
                lower ? av[base + i * n + j] : av[base + j * n + i].conjugate
            }
            var l = [Scalar](repeating: .zero, count: n * n)
            for j in 0..<n {
                var d = element(j, j).re
                for k in 0..<j { d -= l[j * n + k].re * l[j * n + k].re + l[j * n + k].im * l[j * n + k].im }
                let diag = d > 0 ? d.squareRoot() : Double.nan
                l[j * n + j] = Scalar(re: diag, im: 0)
                for i in (j + 1)..<max(n, j + 1) {
                    var s = element(i, j)
                    for k in 0..<j { s = s - l[i * n + k] * l[j * n + k].conjugate }
                    l[i * n + j] = s / Scalar(re: diag, im: 0)
                }
            }
            for i in 0..<n {
                for j in 0...i {
                    if lower { out[base + i * n + j] = l[i * n + j] } else { out[base + j * n + i] = l[i * n + j].conjugate }
                }
            }
        }
        return [try call.result(shape: a.shape, storage: storage(out, a.type))]
    }
}
