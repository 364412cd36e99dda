import StableHLO

/// `dot_general` and legacy `dot`: batched contractions. Result dimensions are the batch
/// dimensions, then the lhs free dimensions, then the rhs free dimensions.
///
/// Both operands are first converted to the result's element type (they may differ from it
/// and from each other). Integers wrap to the result width; floats and complex values
/// accumulate in the result type, one rounded multiply and one rounded add per term in contracting-index order (as
/// the StableHLO reference interpreter does, which the conformance tolerances assume);
/// `i1` uses or/and. `precision_config` does not change the numerics.
enum DotGeneral {
    /// The dimension numbers of one contraction.
    struct Dimensions {
        var lhsBatch: [Int], rhsBatch: [Int], lhsContracting: [Int], rhsContracting: [Int]
    }

    static func dotGeneral(_ call: KernelCall) throws -> [RuntimeValue] {
        let lhs = try call.tensor(0), rhs = try call.tensor(1)
        let numbers = try call.attribute("dot_dimension_numbers")
        func list(_ name: String) -> [Int] { (numbers[parameter: name]?.intArray ?? []).map { Int($0) } }
        let dims = Dimensions(
            lhsBatch: list("lhs_batching_dimensions"), rhsBatch: list("rhs_batching_dimensions"),
            lhsContracting: list("lhs_contracting_dimensions"), rhsContracting: list("rhs_contracting_dimensions"))
        return [try contract(lhs, rhs, dims, call)]
    }

    static func dot(_ call: KernelCall) throws -> [RuntimeValue] {
        let lhs = try call.tensor(0), rhs = try call.tensor(1)
        guard (1...2).contains(lhs.shape.count), (1...2).contains(rhs.shape.count) else {
            throw call.error("operands must have rank 1 or 2, got \(lhs.type) and \(rhs.type)")
        }
        let dims = Dimensions(lhsBatch: [], rhsBatch: [], lhsContracting: [lhs.shape.count - 1], rhsContracting: [0])
        return [try contract(lhs, rhs, dims, call)]
    }

    /// Contracts `lhs` with `rhs`; the element type comes from the op's result type.
    static func contract(_ lhs: Tensor, _ rhs: Tensor, _ dims: Dimensions, _ call: KernelCall) throws -> RuntimeValue {
        let resultElement = try call.resultType().elementType
        let lhs = try ElementwiseKernels.converted(lhs, toElementType: resultElement, call)
        let rhs = try ElementwiseKernels.converted(rhs, toElementType: resultElement, call)
        try call.checkDimensions(dims.lhsBatch + dims.lhsContracting, rank: lhs.shape.count, "lhs dimension")
        try call.checkDimensions(dims.rhsBatch + dims.rhsContracting, rank: rhs.shape.count, "rhs dimension")
        guard dims.lhsBatch.count == dims.rhsBatch.count, dims.lhsContracting.count == dims.rhsContracting.count else {
            throw call.error("lhs and rhs must have as many batching and contracting dimensions")
        }
        for (l, r) in zip(dims.lhsBatch + dims.lhsContracting, dims.rhsBatch + dims.rhsContracting)
        where lhs.shape[l] != rhs.shape[r] {
            throw call.error("lhs dimension \(l) (size \(lhs.shape[l])) does not match rhs dimension \(r) (size \(rhs.shape[r]))")
        }
        let lhsFree = (0..<lhs.shape.count).filter { !dims.lhsBatch.contains($0) && !dims.lhsContracting.contains($0) }
        let rhsFree = (0..<rhs.shape.count).filter { !dims.rhsBatch.contains($0) && !dims.rhsContracting.contains($0) }
        let b = dims.lhsBatch.map { lhs.shape[$0] }.reduce(1, *)
        let m = lhsFree.map { lhs.shape[$0] }.reduce(1, *)
        let n = rhsFree.map { rhs.shape[$0] }.reduce(1, *)
        let k = dims.lhsContracting.map { lhs.shape[$0] }.reduce(1, *)
        // Lay both out as [batch, free, contracting] so the inner loop is contiguous.
        let a = lhs.storage.gathering(layout(lhs.shape, dims.lhsBatch + lhsFree + dims.lhsContracting))
        let c = rhs.storage.gathering(layout(rhs.shape, dims.rhsBatch + rhsFree + dims.rhsContracting))
        let shape = dims.lhsBatch.map { lhs.shape[$0] } + lhsFree.map { lhs.shape[$0] } + rhsFree.map { rhs.shape[$0] }
        let elementType = try call.resultType().elementType
        let type = TensorType(shape: shape, elementType: elementType)
        let product = try MatrixProduct(batch: b, m: m, n: n, k: k)
            .multiply(a, c, resultType: elementType, call)
        return try call.result(shape: shape, storage: product.storage(as: type))
    }

    /// Source indices that list a tensor's elements with its dimensions in `order`.
    static func layout(_ shape: [Int], _ order: [Int]) -> [Int] {
        let strides = Indexing.strides(shape)
        return Indexing.affineIndices(shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, base: 0)
    }
}

/// A batch of products `C[b] = A[b] · B[b]ᵀ` where `A[b]` is m×k and `B[b]` is n×k, both
/// row-major (the contracting dimension innermost).
struct MatrixProduct {
    var batch: Int, m: Int, n: Int, k: Int

    /// The unrounded product in the result's computation domain.
    enum Product {
        case ints([Int64]), floats([Double]), complexes([Double]), bools([Int64])

        /// The product rounded or wrapped to `type`.
        func storage(as type: TensorType) -> Tensor.Storage {
            switch self {
            case .ints(let v): return Tensor.rounded(type, ints: v).storage
            case .bools(let v): return .ints(v.map { $0 != 0 ? 1 : 0 })
            case .floats(let v): return Tensor.rounded(type, floats: v).storage
            case .complexes(let v): return Tensor.rounded(type, complexes: v).storage
            }
        }
    }

    func multiply(_ a: Tensor.Storage, _ b: Tensor.Storage, resultType: ElementType, _ call: KernelCall) throws -> Product {
        switch resultType {
        case .complex(let format):
            return .complexes(complexProduct(a.complexPairs, b.complexPairs, ScalarOps.rounding(format)))
        case .float(let format):
            if case .complexes = a { throw call.error("complex operands need a complex result type") }
            if case .complexes = b { throw call.error("complex operands need a complex result type") }
            switch format {
            case .f64: return .floats(realProduct(a.doubles, b.doubles))
            case .f32: return .floats(singleProduct(a.doubles.map { Float($0) }, b.doubles.map { Float($0) }))
            default: return .floats(roundedProduct(a.doubles, b.doubles, ScalarOps.rounding(format)))
            }
        default:
            guard case .ints(let x) = a, case .ints(let y) = b else {
                throw call.error("integer result type \(resultType) needs integer operands")
            }
            let p = intProduct(x, y)
            return resultType == .i1 ? .bools(p) : .ints(p)
        }
    }

    private func realProduct(_ a: [Double], _ b: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: batch * m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    for bi in 0..<batch {
                        for i in 0..<m {
                            let rowA = (bi * m + i) * k
                            for j in 0..<n {
                                let rowB = (bi * n + j) * k
                                var s0: Double = 0
                                for t in 0..<k { s0 += pa[rowA + t] * pb[rowB + t] }
                                po[(bi * m + i) * n + j] = s0
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// `f32`: accumulated in `Float`.
    private func singleProduct(_ a: [Float], _ b: [Float]) -> [Double] {
        var out = [Double](repeating: 0, count: batch * m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    for bi in 0..<batch {
                        for i in 0..<m {
                            let rowA = (bi * m + i) * k
                            for j in 0..<n {
                                let rowB = (bi * n + j) * k
                                var s: Float = 0
                                for t in 0..<k {
                                    let p: Float = pa[rowA + t] * pb[rowB + t]
                                    s = s + p
                                }
                                po[(bi * m + i) * n + j] = Double(s)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Narrow float formats: every multiply and add rounded to the format.
    private func roundedProduct(_ a: [Double], _ b: [Double], _ round: (Double) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: batch * m * n)
        for bi in 0..<batch {
            for i in 0..<m {
                let rowA = (bi * m + i) * k
                for j in 0..<n {
                    let rowB = (bi * n + j) * k
                    var s: Double = 0
                    for t in 0..<k { s = round(s + round(a[rowA + t] * b[rowB + t])) }
                    out[(bi * m + i) * n + j] = s
                }
            }
        }
        return out
    }

    private func intProduct(_ a: [Int64], _ b: [Int64]) -> [Int64] {
        var out = [Int64](repeating: 0, count: batch * m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for bi in 0..<batch {
                    for i in 0..<m {
                        let rowA = (bi * m + i) * k
                        for j in 0..<n {
                            let rowB = (bi * n + j) * k
                            var s: Int64 = 0
                            for t in 0..<k { s = s &+ pa[rowA + t] &* pb[rowB + t] }
                            out[(bi * m + i) * n + j] = s
                        }
                    }
                }
            }
        }
        return out
    }

    /// Complex: each component product, difference/sum and accumulation rounded.
    private func complexProduct(_ a: [Double], _ b: [Double], _ round: (Double) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: 2 * batch * m * n)
        for bi in 0..<batch {
            for i in 0..<m {
                let rowA = (bi * m + i) * k
                for j in 0..<n {
                    let rowB = (bi * n + j) * k
                    var re: Double = 0, im: Double = 0
                    for t in 0..<k {
                        let xr = a[2 * (rowA + t)], xi = a[2 * (rowA + t) + 1]
                        let yr = b[2 * (rowB + t)], yi = b[2 * (rowB + t) + 1]
                        let pr: Double = round(round(xr * yr) - round(xi * yi))
                        let pi: Double = round(round(xr * yi) + round(xi * yr))
                        re = round(re + pr)
                        im = round(im + pi)
                    }
                    let o = (bi * m + i) * n + j
                    out[2 * o] = re
                    out[2 * o + 1] = im
                }
            }
        }
        return out
    }
}
