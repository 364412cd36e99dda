import StableHLO

/// The iteration count of a `while` that the program fixes: a counted loop (`fori_loop`,
/// `scan`), whose condition is only `compare(i, K)` of a carried integer `i` against a
/// constant, whose body returns `i + S` for a constant step `S`, and whose `i` starts at a
/// constant. Knowing it, the runtime never evaluates the condition: it queues the body that
/// many times (no predicate read per iteration), unrolls it into a CUDA graph, or checks
/// the condition only every few iterations (`LoopStep.tripCount`).
///
/// Only exact counts are returned: every counter value the loop passes through must be
/// representable in the counter's type (no wrap-around), a loop that would never end gives
/// nil, and so does anything else in the condition (its ops would not run).
enum LoopTripCount {
    /// Counts above this are not recorded (the loop runs by its condition).
    static let limit: Int64 = 1 << 31

    /// The trip count of `op` (a `stablehlo.while`), or nil. `literal` finds the constant op
    /// defining a value of the enclosing block (the counter's initial value).
    static func of(_ op: Operation, literal: (Value) -> Operation?) -> Int? {
        guard op.regions.count == 2, let condition = op.regions[0].entry, let body = op.regions[1].entry,
              let returned = condition.operations.last?.operands, returned.count == 1,
              condition.operations.allSatisfy({ ["stablehlo.constant", "stablehlo.compare", "stablehlo.return"].contains($0.name) }),
              let compare = condition.operations.first(where: { $0.results.contains { $0.id == returned[0].id } }),
              compare.name == "stablehlo.compare", compare.operands.count == 2,
              case .enumCase(_, _, var direction)? = compare[attribute: "comparison_direction"] else { return nil }
        func constant(_ value: Value, in block: Block) -> Int64? {
            let defining = block.operations.first { $0.results.contains { $0.id == value.id } } ?? literal(value)
            guard let defining, defining.name == "stablehlo.constant", case .dense(let d)? = defining[attribute: "value"],
                  d.type.elementCount == 1, d.type.elementType.isInteger, let values = d.int64Values, values.count == 1 else { return nil }
            return values[0]
        }
        // Which operand is the counter (a condition argument) and which the bound.
        var counterIndex: Int?
        var bound: Int64?
        if let i = condition.arguments.firstIndex(where: { $0.id == compare.operands[0].id }) {
            counterIndex = i
            bound = constant(compare.operands[1], in: condition)
        } else if let i = condition.arguments.firstIndex(where: { $0.id == compare.operands[1].id }) {
            counterIndex = i
            bound = constant(compare.operands[0], in: condition)
            direction = ["LT": "GT", "LE": "GE", "GT": "LT", "GE": "LE"][direction] ?? direction
        }
        guard let c = counterIndex, let bound, c < op.operands.count, c < body.arguments.count,
              let type = op.operands[c].type.tensorType, type.rank == 0, let range = range(of: type.elementType),
              compareTypeMatches(compare, type.elementType) else { return nil }
        // The body's next counter: i + S.
        guard let next = body.operations.last?.operands, next.count == body.arguments.count,
              let add = body.operations.first(where: { $0.results.contains { $0.id == next[c].id } }),
              add.name == "stablehlo.add", add.operands.count == 2 else { return nil }
        let counter = body.arguments[c].id
        let step: Int64?
        if add.operands[0].id == counter {
            step = constant(add.operands[1], in: body)
        } else if add.operands[1].id == counter {
            step = constant(add.operands[0], in: body)
        } else {
            step = nil
        }
        guard let step, let start = literal(op.operands[c]).flatMap({ constant(op.operands[c], in: Block(operations: [$0])) })
        else { return nil }
        return count(start: start, step: step, bound: bound, direction: direction, range: range)
    }

    /// Iterations of `for (i = start; i <direction> bound; i += step)` when every value of
    /// `i` it reaches lies in `range`; nil when it never ends or leaves the range.
    static func count(start: Int64, step: Int64, bound: Int64, direction: String, range: ClosedRange<Int64>) -> Int? {
        guard range.contains(start), range.contains(bound) else { return nil }
        let holds: (Int64) -> Bool
        switch direction {
        case "LT": holds = { $0 < bound }
        case "LE": holds = { $0 <= bound }
        case "GT": holds = { $0 > bound }
        case "GE": holds = { $0 >= bound }
        case "NE": holds = { $0 != bound }
        default: return nil
        }
        guard holds(start) else { return 0 }
        guard step != 0 else { return nil }
        // The first i = start + n·step where the condition fails.
        let distance = bound.subtractingReportingOverflow(start)
        guard !distance.overflow else { return nil }
        var n: Int64
        switch direction {
        case "LT" where step > 0: n = (distance.partialValue + step - 1) / step
        case "LE" where step > 0: n = distance.partialValue / step + 1
        case "GT" where step < 0: n = (distance.partialValue + step + 1) / step
        case "GE" where step < 0: n = distance.partialValue / step + 1
        case "NE" where distance.partialValue % step == 0 && distance.partialValue / step > 0: n = distance.partialValue / step
        default: return nil
        }
        guard n > 0, n <= limit else { return nil }
        let last = step.multipliedReportingOverflow(by: n)
        guard !last.overflow else { return nil }
        let (end, overflow) = start.addingReportingOverflow(last.partialValue)
        guard !overflow, range.contains(end), !holds(end), holds(end - step) else { return nil }
        return Int(n)
    }

    /// The values an integer element type holds (unsigned 64-bit: those below 2⁶³).
    static func range(of type: ElementType) -> ClosedRange<Int64>? {
        switch type {
        case .si(let w) where w >= 2 && w <= 64: return w == 64 ? Int64.min...Int64.max : -(Int64(1) << (w - 1))...((Int64(1) << (w - 1)) - 1)
        case .ui(let w) where w >= 1 && w <= 64: return w == 64 ? 0...Int64.max : 0...((Int64(1) << w) - 1)
        default: return nil
        }
    }

    /// A compare of integers orders them as their type does (`SIGNED` on signed types,
    /// `UNSIGNED` on unsigned ones, or no `compare_type`).
    static func compareTypeMatches(_ compare: Operation, _ type: ElementType) -> Bool {
        guard case .enumCase(_, _, let kind)? = compare[attribute: "compare_type"] else { return true }
        if case .ui = type { return kind == "UNSIGNED" }
        return kind == "SIGNED"
    }
}
