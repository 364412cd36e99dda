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

/// One element of a vector a kernel stages in registers: which of the thread's vectors,
/// and which element of it. An index carries a lane when its code is exactly the position
/// variable the kernel declared for that element, so a read of a buffer at that index can
/// be served from the vector instead of a scalar load.
struct VectorLane: Hashable, Sendable {
    /// What the position indexes.
    enum Space: Hashable, Sendable {
        /// The kernel's whole iteration space (an element of a full-size buffer).
        case element
        /// The position within the current row (an element of a row-long buffer).
        case column
    }

    var space: Space
    /// The thread's vector (a row kernel's chunk; 0 for loop kernels).
    var vector: Int
    /// The element within the vector.
    var element: Int
}

/// How an index varies over the consecutive elements a loop-kernel thread computes (its
/// lanes): the same in every lane, or `base + element` with `base` a multiple of `width`.
/// Codes of lane-invariant indices (and every `base`) are written over variables declared
/// before the lanes, never over a lane's bound locals, so the same text names the same
/// value in every lane. A read whose position is `base + element` is served by one vector
/// load of `width` elements at `base`.
enum LaneForm: Hashable, Sendable {
    case invariant
    case offset(base: String, element: Int, width: Int)

    /// The lane of an offset position.
    var element: Int? {
        if case .offset(_, let element, _) = self { return element }
        return nil
    }
}

/// One dimension's index: C code and what it is known to be.
struct IndexTerm: Hashable, Sendable {
    var code: String
    var tag: DimensionTag
    /// Set when `code` is a vector position variable.
    var lane: VectorLane?
    /// How the code varies over a loop thread's lanes; nil when unknown.
    var laneForm: LaneForm?

    init(code: String, tag: DimensionTag, lane: VectorLane? = nil, laneForm: LaneForm? = nil) {
        self.code = code
        self.tag = tag
        self.lane = lane
        self.laneForm = laneForm
    }

    static let zero = IndexTerm(code: "0", tag: .zero, laneForm: .invariant)
}

/// The position of one element of a tensor of `shape`, as a row-major linear index, per
/// dimension terms, or both (whichever is known; the other is derived on demand).
struct ElementIndex: Sendable {
    var shape: [Int]
    var linear: String?
    var terms: [IndexTerm]?
    /// Set when `linear` is a vector position variable.
    var lane: VectorLane?
    /// How `linear` varies over a loop thread's lanes (see `LaneForm`).
    var laneForm: LaneForm?

    init(shape: [Int], linear: String? = nil, terms: [IndexTerm]? = nil, lane: VectorLane? = nil,
         laneForm: LaneForm? = nil) {
        self.shape = shape
        self.linear = linear
        self.terms = terms
        self.lane = lane
        self.laneForm = laneForm
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
