/// What a generated index expression is known to be, relative to the kernel's iteration
/// space; row reductions use it to prove that a reduced value is read at the current row.
enum DimensionTag: Hashable, Sendable {
    /// The k-th non-unit dimension of the current row (the reduction's kept dimensions).
    case row(Int)
    /// The k-th non-unit dimension within the row (the reduced dimensions).
    case column(Int)
    /// Always 0 (a unit dimension).
    case zero
    /// Anything else.
    case other
}

/// One dimension's index: C code and what it is known to be.
struct IndexTerm: Hashable, Sendable {
    var code: String
    var tag: DimensionTag

    static let zero = IndexTerm(code: "0", tag: .zero)
}

/// The position of one element of a tensor of `shape`, as a row-major linear index, per
/// dimension terms, or both (whichever is known; the other is derived on demand).
struct ElementIndex: Sendable {
    var shape: [Int]
    var linear: String?
    var terms: [IndexTerm]?

    init(shape: [Int], linear: String? = nil, terms: [IndexTerm]? = nil) {
        self.shape = shape
        self.linear = linear
        self.terms = terms
    }

    /// The key under which a value at this index is memoized.
    var key: String {
        if let linear { return "L" + linear }
        return "T" + (terms ?? []).map(\.code).joined(separator: ",")
    }

    var elementCount: Int { shape.reduce(1, *) }

    /// Row-major strides of `shape`.
    static func strides(_ shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var s = 1
        for k in shape.indices.reversed() {
            result[k] = s
            s *= shape[k]
        }
        return result
    }

    /// `shape` without its unit dimensions.
    static func squeezed(_ shape: [Int]) -> [Int] { shape.filter { $0 != 1 } }
}
