import StableHLO

extension Indexing {
    /// Linear source indices for every element of `shape` in row-major order, where the
    /// element at multi-index `i` reads `base + Σ i[d] * strides[d]`.
    ///
    /// Transpose, broadcast, slice and reverse are all such affine maps.
    static func affineIndices(shape: [Int], strides: [Int], base: Int) -> [Int] {
        let count = shape.reduce(1, *)
        guard count > 0 else { return [] }
        var out = [Int](repeating: 0, count: count)
        let rank = shape.count
        if rank == 0 { out[0] = base; return out }
        let inner = shape[rank - 1], innerStride = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var rowBase = base
        var o = 0
        out.withUnsafeMutableBufferPointer { p in
            while o < count {
                var s = rowBase
                for _ in 0..<inner {
                    p[o] = s
                    s += innerStride
                    o += 1
                }
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    rowBase += strides[d]
                    if index[d] < shape[d] { break }
                    rowBase -= strides[d] * shape[d]
                    index[d] = 0
                    d -= 1
                }
                if d < 0 { break }
            }
        }
        return out
    }

    /// The element count of `shape`, or nil when a dimension is negative or the count
    /// overflows (shapes read from operands or attributes at run time).
    static func checkedCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            n = p
        }
        return n
    }

    /// The multi-index of linear offset `offset` in `shape`.
    static func multiIndex(_ offset: Int, _ shape: [Int]) -> [Int] {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = offset
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        return index
    }
}

extension Tensor.Storage {
    /// The computation domain's name, for error messages.
    var domainName: String {
        switch self {
        case .ints: return "integer"
        case .floats: return "float"
        case .complexes: return "complex"
        }
    }

    /// True when both storages hold the same computation domain.
    func sameDomain(as other: Tensor.Storage) -> Bool {
        switch (self, other) {
        case (.ints, .ints), (.floats, .floats), (.complexes, .complexes): return true
        default: return false
        }
    }

    /// The elements of `parts` one after another; nil when the domains differ.
    static func joined(_ parts: [Tensor.Storage]) -> Tensor.Storage? {
        guard let first = parts.first else { return nil }
        switch first {
        case .ints:
            var out: [Int64] = []
            for p in parts { guard case .ints(let v) = p else { return nil }; out += v }
            return .ints(out)
        case .floats:
            var out: [Double] = []
            for p in parts { guard case .floats(let v) = p else { return nil }; out += v }
            return .floats(out)
        case .complexes:
            var out: [Double] = []
            for p in parts { guard case .complexes(let v) = p else { return nil }; out += v }
            return .complexes(out)
        }
    }

    /// The elements as interleaved complex pairs (integers and floats get a zero
    /// imaginary part), for contractions whose result type is complex.
    var complexPairs: [Double] {
        switch self {
        case .complexes(let v): return v
        case .floats(let v):
            var out = [Double](repeating: 0, count: 2 * v.count)
            for i in 0..<v.count { out[2 * i] = v[i] }
            return out
        case .ints(let v):
            var out = [Double](repeating: 0, count: 2 * v.count)
            for i in 0..<v.count { out[2 * i] = Double(v[i]) }
            return out
        }
    }

    /// The elements as `Double`s (real parts of complex values).
    var doubles: [Double] {
        switch self {
        case .floats(let v): return v
        case .ints(let v): return v.map { Double($0) }
        case .complexes(let v): return stride(from: 0, to: v.count, by: 2).map { v[$0] }
        }
    }
}

extension Tensor {
    /// A tensor of `type` whose storage is built from values computed in a wider domain:
    /// integers wrap to the element width, floats round to the element format, complex
    /// components round to the component format.
    static func rounded(_ type: TensorType, ints: [Int64]) -> Tensor {
        let et = type.elementType
        if et == .i1 { return Tensor(type: type, storage: .ints(ints.map { $0 & 1 })) }
        return Tensor(type: type, storage: .ints(ints.map { Tensor.normalize(UInt64(bitPattern: $0), et) }))
    }

    /// See `rounded(_:ints:)`: floats rounded to the element format.
    static func rounded(_ type: TensorType, floats: [Double]) -> Tensor {
        guard case .float(let f) = type.elementType, f != .f64 else {
            return Tensor(type: type, storage: .floats(floats))
        }
        if f == .f32 { return Tensor(type: type, storage: .floats(floats.map { Double(Float($0)) })) }
        return Tensor(type: type, storage: .floats(floats.map { f.round($0) }))
    }

    /// See `rounded(_:ints:)`: complex pairs rounded to the component format.
    static func rounded(_ type: TensorType, complexes: [Double]) -> Tensor {
        guard case .complex(let f) = type.elementType, f != .f64 else {
            return Tensor(type: type, storage: .complexes(complexes))
        }
        return Tensor(type: type, storage: .complexes(complexes.map { f.round($0) }))
    }
}

extension KernelCall {
    /// Result `i` with a computed `shape` and `storage`: the element type comes from the
    /// op's declared result type, whose static dimensions must agree with `shape`.
    func result(_ i: Int = 0, shape: [Int], storage: Tensor.Storage) throws -> RuntimeValue {
        let declared = try resultType(i)
        guard declared.rank == shape.count,
              zip(declared.shape, shape).allSatisfy({ $0 == TensorType.dynamic || $0 == $1 })
        else {
            throw error("computed result shape \(shape) does not match the declared type \(declared)")
        }
        let type = TensorType(shape: shape, elementType: declared.elementType, encoding: declared.encoding)
        guard storage.count == type.elementCount else {
            throw error("internal: \(storage.count) elements for result type \(type)")
        }
        return .tensor(Tensor(type: type, storage: storage))
    }

    /// Integer attribute `name`, or `default` when absent.
    func int(_ name: String, default defaultValue: Int? = nil) throws -> Int {
        guard let a = op[attribute: name] else {
            if let defaultValue { return defaultValue }
            throw error("missing attribute '\(name)'")
        }
        guard let v = a.intValue else { throw error("attribute '\(name)' is not an integer") }
        return Int(v)
    }

    /// Boolean attribute `name`, or `default` when absent.
    func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let a = op[attribute: name] else { return defaultValue }
        if case .unit = a { return true }
        guard let v = a.intValue else { throw error("attribute '\(name)' is not a boolean") }
        return v != 0
    }

    /// The case name of enum attribute `name` (`#stablehlo<fft_type FFT>` → `FFT`); a
    /// bare string is accepted too.
    func enumValue(_ name: String) throws -> String? {
        switch op[attribute: name] {
        case nil: return nil
        case .enumCase(_, _, let value)?: return value
        case .string(let s)?: return s
        default: throw error("attribute '\(name)' is not an enum")
        }
    }

    /// Checks that `dims` are distinct dimensions of a rank-`rank` tensor.
    func checkDimensions(_ dims: [Int], rank: Int, _ what: String) throws {
        var seen = Set<Int>()
        for d in dims {
            guard d >= 0, d < rank else { throw error("\(what) \(d) is out of range for rank \(rank)") }
            guard seen.insert(d).inserted else { throw error("\(what) \(d) appears twice") }
        }
    }

    /// The integer elements of operand `i` (a shape or index operand).
    func intOperand(_ i: Int) throws -> [Int] {
        let t = try tensor(i)
        guard let v = t.ints else { throw error("operand #\(i) must be an integer tensor") }
        return v.map { Int($0) }
    }
}
