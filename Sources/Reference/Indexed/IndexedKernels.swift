import StableHLO

/// Gather, scatter, select_and_scatter and the dynamic slicing ops: every op that reads or
/// writes a tensor at positions computed from another tensor's values.
enum IndexedKernels {
    static let table: [String: Kernel] = [
        "stablehlo.gather": Gather.run,
        "stablehlo.dynamic_gather": Gather.runDynamic,
        "stablehlo.scatter": Scatter.run,
        "stablehlo.select_and_scatter": SelectAndScatter.run,
        "stablehlo.dynamic_slice": DynamicSlice.run,
        "stablehlo.dynamic_update_slice": DynamicUpdateSlice.run,
    ]
}

/// The values of an integer tensor used as positions (start indices, scatter indices).
///
/// Values are saturated to ±2^60, so sums of a few of them with in-range offsets never
/// overflow, while every value outside any real dimension stays outside it; `ui64` values
/// above `Int64.max` (held as negative bit patterns) saturate to the positive bound.
struct IndexValues {
    /// The saturation bound.
    static let bound = 1 << 60

    let values: [Int]
    let shape: [Int]

    init(_ tensor: Tensor, role: String, call: KernelCall) throws {
        guard tensor.elementType.isInteger, let raw = tensor.ints else {
            throw call.error("\(role) must have an integer element type, got \(tensor.type)")
        }
        let unsigned64 = tensor.elementType == .ui(64)
        let bound = Self.bound
        values = raw.map { v -> Int in
            if unsigned64 && v < 0 { return bound }
            return Int(max(Int64(-bound), min(Int64(bound), v)))
        }
        shape = tensor.shape
    }

    /// One scalar index operand (`dynamic_slice` start indices).
    static func scalar(_ tensor: Tensor, role: String, call: KernelCall) throws -> Int {
        let v = try IndexValues(tensor, role: role, call: call)
        guard tensor.shape.isEmpty, v.values.count == 1 else {
            throw call.error("\(role) must be a 0-dimensional tensor, got \(tensor.type)")
        }
        return v.values[0]
    }
}

/// Attribute checks shared by the indexed ops; each failure names the op and the attribute.
enum DimensionChecks {
    /// Throws unless every value of `dims` is in `0..<rank` and no value repeats.
    static func requireUniqueAxes(_ dims: [Int], rank: Int, _ name: String, _ call: KernelCall) throws {
        var seen = Set<Int>()
        for d in dims {
            guard d >= 0, d < rank else {
                throw call.error("\(name) \(dims) has a dimension outside 0..<\(rank)")
            }
            guard seen.insert(d).inserted else { throw call.error("\(name) \(dims) repeats dimension \(d)") }
        }
    }

    /// Throws unless `dims` is strictly increasing.
    static func requireSorted(_ dims: [Int], _ name: String, _ call: KernelCall) throws {
        for i in dims.indices.dropFirst() where dims[i - 1] >= dims[i] {
            throw call.error("\(name) \(dims) must be sorted and unique")
        }
    }

    /// Runs a `StableHLO` dimension-numbers decoder on the call's op, turning its diagnostic
    /// into a run error at the op (same message and location).
    static func decoding<Numbers>(
        _ call: KernelCall, _ decode: (Operation) throws(Diagnostic) -> Numbers
    ) throws -> Numbers {
        do { return try decode(call.op) } catch { throw InterpreterError.failed(Diagnostic(.run, at: error.location, error.message)) }
    }
}

extension Indexing {
    /// Calls `body(a, b)` for every multi-index of `shape` in row-major order, where `a` and
    /// `b` are the index's dot products with `stridesA` and `stridesB` (no per-element allocation).
    static func forEachOffsetPair(
        _ shape: [Int], _ stridesA: [Int], _ stridesB: [Int], _ body: (Int, Int) throws -> Void
    ) rethrows {
        if shape.contains(where: { $0 <= 0 }) { return }
        let rank = shape.count
        var index = [Int](repeating: 0, count: rank)
        var a = 0
        var b = 0
        while true {
            try body(a, b)
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                a += stridesA[d]
                b += stridesB[d]
                if index[d] < shape[d] { break }
                a -= stridesA[d] * shape[d]
                b -= stridesB[d] * shape[d]
                index[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }

    /// `shape` without axis `axis` (unchanged when `axis` is past the last axis).
    static func removing(_ axis: Int, from shape: [Int]) -> [Int] {
        guard axis < shape.count else { return shape }
        var s = shape
        s.remove(at: axis)
        return s
    }
}

extension Tensor.Storage {
    /// Copies `source[from]` into `self[to]` for every `(to, from)` pair, in order.
    mutating func copyElements(from source: Tensor.Storage, pairs: [(Int, Int)]) -> Bool {
        // Switch on `self` alone and clear it before writing, so the array stays uniquely
        // referenced and is updated in place (no copy per call).
        switch self {
        case .ints(var v):
            guard case .ints(let s) = source else { return false }
            self = .ints([])
            for (to, from) in pairs { v[to] = s[from] }
            self = .ints(v)
        case .floats(var v):
            guard case .floats(let s) = source else { return false }
            self = .floats([])
            for (to, from) in pairs { v[to] = s[from] }
            self = .floats(v)
        case .complexes(var v):
            guard case .complexes(let s) = source else { return false }
            self = .complexes([])
            for (to, from) in pairs {
                v[2 * to] = s[2 * from]
                v[2 * to + 1] = s[2 * from + 1]
            }
            self = .complexes(v)
        }
        return true
    }
}
