import StableHLO

/// Row-major index arithmetic shared by the op kernels.
enum Indexing {
    /// Row-major strides of `shape` (the last dimension has stride 1).
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            s[d] = acc
            acc *= shape[d]
        }
        return s
    }

    /// The linear offset of a multi-index.
    @inline(__always)
    static func offset(_ index: [Int], _ strides: [Int]) -> Int {
        var o = 0
        for d in 0..<index.count { o += index[d] * strides[d] }
        return o
    }

    /// Calls `body` with every multi-index of `shape` in row-major order.
    static func forEachIndex(_ shape: [Int], _ body: ([Int]) throws -> Void) rethrows {
        if shape.contains(where: { $0 <= 0 }) { return }
        var index = [Int](repeating: 0, count: shape.count)
        while true {
            try body(index)
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { return }
        }
    }
}

extension Tensor.Storage {
    /// Number of elements held.
    var count: Int {
        switch self {
        case .ints(let v): return v.count
        case .floats(let v): return v.count
        case .complexes(let v): return v.count / 2
        }
    }

    /// A new storage whose element `i` is `self[indices[i]]` (pure data movement).
    func gathering(_ indices: [Int]) -> Tensor.Storage {
        switch self {
        case .ints(let v): return .ints(indices.map { v[$0] })
        case .floats(let v): return .floats(indices.map { v[$0] })
        case .complexes(let v):
            var out = [Double](repeating: 0, count: 2 * indices.count)
            for (i, j) in indices.enumerated() {
                out[2 * i] = v[2 * j]
                out[2 * i + 1] = v[2 * j + 1]
            }
            return .complexes(out)
        }
    }
}

extension Tensor {
    /// Element `i` as a rank-0 tensor (for evaluating scalar region bodies).
    func scalar(at i: Int) -> Tensor {
        Tensor(type: TensorType(shape: [], elementType: elementType), storage: storage.gathering([i]))
    }
}
