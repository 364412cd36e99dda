import StableHLO

/// `stablehlo.select_and_scatter`: for each window of the operand, `select` picks one
/// element, and the window's `source` value is combined into the result at that element by
/// `scatter`; the result starts as `init_value` everywhere.
enum SelectAndScatter {
    static func run(_ call: KernelCall) throws -> [RuntimeValue] {
        guard call.operands.count == 3 else { throw call.error("expects 3 operands, got \(call.operands.count)") }
        let operand = try call.tensor(0)
        let source = try call.tensor(1)
        let initValue = try call.tensor(2)
        guard call.op.regions.count == 2 else { throw call.error("expects select and scatter regions") }
        let resultType = try call.resultType()
        let shape = operand.shape
        let rank = shape.count
        guard source.elementType == operand.elementType, initValue.type == TensorType(shape: [], elementType: operand.elementType),
              resultType == operand.type
        else {
            throw call.error("operand \(operand.type), source \(source.type), init \(initValue.type) and result \(resultType) types disagree")
        }
        let window = try call.ints("window_dimensions")
        let strides = try call.ints("window_strides", default: Array(repeating: 1, count: rank))
        let padding = try call.ints("padding", default: Array(repeating: 0, count: 2 * rank))
        guard window.count == rank, strides.count == rank, padding.count == 2 * rank else {
            throw call.error("window_dimensions, window_strides and padding must have one entry (padding: a pair) per operand dimension")
        }
        let limit = 1 << 40
        guard window.allSatisfy({ $0 > 0 && $0 < limit }), strides.allSatisfy({ $0 > 0 && $0 < limit }),
              padding.allSatisfy({ $0 > -limit && $0 < limit })
        else {
            throw call.error("window_dimensions \(window) and window_strides \(strides) must be positive and padding \(padding) in range")
        }
        let low = (0..<rank).map { padding[2 * $0] }
        let windowCounts: [Int] = (0..<rank).map { d in
            let padded: Int = padding[2 * d] + shape[d] + padding[2 * d + 1]
            return (padded <= 0 || window[d] > padded) ? 0 : (padded - window[d]) / strides[d] + 1
        }
        guard windowCounts == source.shape else {
            throw call.error("source shape \(source.shape) must equal the window count \(windowCounts)")
        }

        let prefers = try selector(call, operand: operand)
        let operandStrides = Indexing.strides(shape)
        var pairs: [(Int, Int)] = []
        pairs.reserveCapacity(source.elementCount)
        var sourceLinear = 0
        var windowIndex = [Int](repeating: 0, count: rank)
        try Indexing.forEachIndex(source.shape) { sourceIndex in
            defer { sourceLinear += 1 }
            var selected = -1
            for d in 0..<rank { windowIndex[d] = 0 }
            while true {
                var linear = 0
                var inside = true
                for d in 0..<rank {
                    let i = sourceIndex[d] * strides[d] + windowIndex[d] - low[d]
                    if i < 0 || i >= shape[d] {
                        inside = false
                        break
                    }
                    linear += i * operandStrides[d]
                }
                if inside {
                    if selected < 0 {
                        selected = linear
                    } else if try !prefers(selected, linear) {
                        selected = linear
                    }
                }
                var d = rank - 1
                while d >= 0 {
                    windowIndex[d] += 1
                    if windowIndex[d] < window[d] { break }
                    windowIndex[d] = 0
                    d -= 1
                }
                if d < 0 { break }
            }
            if selected >= 0 { pairs.append((selected, sourceLinear)) }
        }

        var result = Tensor(type: resultType, storage: initValue.storage.gathering(Array(repeating: 0, count: operand.elementCount)))
        let scatter = call.op.regions[1]
        if let combiners = ElementCombiner.recognize(scatter, elementTypes: [operand.elementType]),
           combiners[0].apply(into: &result.storage, from: source.storage, pairs: pairs, elementType: operand.elementType) {
            return [.tensor(result)]
        }
        var results = [result]
        try UpdateRegion.applyEach(call, scatter, to: &results, updates: [source], pairs: pairs)
        return [.tensor(results[0])]
    }

    /// `select(current, candidate)` on operand elements by linear index: true keeps the
    /// current selection. A single `compare` of the two arguments is evaluated directly.
    static func selector(_ call: KernelCall, operand: Tensor) throws -> (Int, Int) throws -> Bool {
        let region = call.op.regions[0]
        if let compare = SelectComparison(region, elementType: operand.elementType),
           let direct = compare.predicate(on: operand.storage) {
            return direct
        }
        return { current, candidate in
            let out = try call.evaluate(region, tensors: [operand.scalar(at: current), operand.scalar(at: candidate)])
            guard out.count == 1, out[0].elementType == .i1, let v = out[0].ints, v.count == 1 else {
                throw call.error("select must return one i1 scalar")
            }
            return v[0] != 0
        }
    }
}

/// A select region that is one `stablehlo.compare` of its two arguments, in order.
struct SelectComparison {
    enum Direction: String { case EQ, NE, GE, GT, LE, LT }
    let direction: Direction
    /// `FLOAT`, `TOTALORDER`, `SIGNED`, `UNSIGNED` or nil (the default for the type).
    let compareType: String?
    let elementType: ElementType

    init?(_ region: Region, elementType: ElementType) {
        guard let block = region.entry, region.blocks.count == 1, block.arguments.count == 2,
              block.operations.count == 2
        else { return nil }
        let compare = block.operations[0]
        let terminator = block.operations[1]
        guard compare.name == "stablehlo.compare", compare.results.count == 1,
              compare.operands.map(\.id) == block.arguments.map(\.id),
              terminator.name == "stablehlo.return" || terminator.name == "func.return",
              terminator.operands.map(\.id) == [compare.results[0].id],
              block.arguments.allSatisfy({ $0.type == .tensor(TensorType(shape: [], elementType: elementType)) }),
              case .enumCase(_, _, let d)? = compare[attribute: "comparison_direction"],
              let direction = Direction(rawValue: d)
        else { return nil }
        self.direction = direction
        if case .enumCase(_, _, let t)? = compare[attribute: "compare_type"] { compareType = t } else { compareType = nil }
        self.elementType = elementType
    }

    /// The comparison over `storage` by linear index, or nil for domains it does not cover.
    func predicate(on storage: Tensor.Storage) -> ((Int, Int) throws -> Bool)? {
        switch storage {
        case .ints(let v):
            let unsigned = compareType == "UNSIGNED" || (compareType == nil && (elementType.isUnsigned || elementType.isBool))
            if unsigned {
                return { [direction] a, b in direction.holds(UInt64(bitPattern: v[a]), UInt64(bitPattern: v[b])) }
            }
            return { [direction] a, b in direction.holds(v[a], v[b]) }
        case .floats(let v):
            if compareType == "TOTALORDER" {
                return { [direction] a, b in direction.holds(Self.totalOrderKey(v[a]), Self.totalOrderKey(v[b])) }
            }
            return { [direction] a, b in direction.holds(v[a], v[b]) }
        case .complexes:
            return nil
        }
    }

    /// A signed integer ordered as IEEE-754 totalOrder orders the float.
    static func totalOrderKey(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits < 0 ? bits ^ Int64.max : bits
    }
}

extension SelectComparison.Direction {
    /// The comparison on comparable values (IEEE semantics for floats: NaN is unordered).
    func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .EQ: return a == b
        case .NE: return a != b
        case .GE: return a >= b
        case .GT: return a > b
        case .LE: return a <= b
        case .LT: return a < b
        }
    }
}
