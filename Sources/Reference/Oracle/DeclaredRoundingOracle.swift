import Runtime
import StableHLO

/// The program's own rounding, without any implementation's: every op computed in f64 (as in
/// `PromotedOracle`), and each float result of each op rounded to the type the program
/// declares for it before the next op reads it.
///
/// This is what an ideal GPU implementation computes: it accumulates a bf16 `dot_general`
/// or `reduce` in higher precision (unlike the spec-exact reference, which accumulates in the
/// declared type), but it cannot avoid the rounding points the program itself asks for —
/// a bf16 program rounds every intermediate to bf16. Its distance from `PromotedOracle`
/// is the error that belongs to the program and its inputs rather than to the device: for
/// example a residual add `a + b` with `a ≈ -b ≈ 1000` in bf16 carries an absolute error of
/// a bf16 ulp of 1000 (4) in a result near 0, and a softmax over unscaled bf16 logits of
/// ±100 (ulp 0.5) moves its weights by e^±0.25. `nvgpu bench --check` measures it when a GPU
/// result misses the per-dtype bounds, and widens the bounds to twice this error.
///
/// Reductions (`reduce` bodies and the other computations an op applies element by element)
/// are not rounded inside: an accumulation is one op whose result is rounded once. Bodies of
/// `while`, `if` and `case` are rounded op by op like the function body.
public struct DeclaredRoundingOracle: Sendable {
    public let original: Module
    /// The f64 program with a round trip through each declared float type after every op.
    public let rounded: Module

    public init(_ module: Module) {
        original = module
        let promoted = PromotedOracle(module).promoted
        var ids = FreshValueIDs(after: module)
        var m = promoted
        m.functions = zip(module.functions, promoted.functions).map { declared, wide in
            var f = wide
            f.body = Self.round(declared: declared.body, wide: wide.body, ids: &ids)
            return f
        }
        rounded = m
    }

    /// Runs `function` and rounds its results to the original result types.
    public func invoke(function name: String, inputs: [HostTensor], timeLimit: Duration?) throws -> [HostTensor] {
        guard let f = original.function(named: name) else {
            throw RuntimeError("no function named @\(name)")
        }
        let deadline = timeLimit.map { ContinuousClock.now + $0 }
        let wideInputs = try inputs.map { try PromotedOracle.widen(Tensor($0)) }
        let results = try Interpreter(module: rounded, deadline: deadline).run(name, inputs: wideInputs)
        return try zip(results, f.resultTypes).map { result, declared in
            guard let type = declared.tensorType else { throw RuntimeError("result of @\(name) is not a tensor") }
            return PromotedOracle.narrow(result, to: type).hostTensor
        }
    }

    /// Ops whose regions are control flow (their bodies run op by op, so each op rounds).
    static let controlFlow: Set<String> = ["stablehlo.while", "stablehlo.if", "stablehlo.case"]

    /// `wide` (the promoted copy of `declared`) with round trips inserted after each op.
    static func round(declared: Region, wide: Region, ids: inout FreshValueIDs) -> Region {
        Region(blocks: zip(declared.blocks, wide.blocks).map { declaredBlock, wideBlock in
            var operations: [Operation] = []
            for (declaredOp, wideOp) in zip(declaredBlock.operations, wideBlock.operations) {
                var op = wideOp
                if controlFlow.contains(op.name) {
                    op.regions = zip(declaredOp.regions, wideOp.regions).map { round(declared: $0, wide: $1, ids: &ids) }
                }
                var roundTrips: [Operation] = []
                for (index, (declaredResult, wideResult)) in zip(declaredOp.results, op.results).enumerated() {
                    guard let narrow = declaredResult.type.tensorType, narrow != wideResult.type.tensorType else { continue }
                    // The op now defines a fresh value; the round trip redefines the original
                    // id, so every later reader sees the rounded value.
                    let exact = Value(id: ids.next(), type: wideResult.type)
                    let narrowed = Value(id: ids.next(), type: .tensor(narrow))
                    op.results[index] = exact
                    roundTrips.append(Operation(name: "stablehlo.convert", operands: [exact], results: [narrowed]))
                    roundTrips.append(Operation(name: "stablehlo.convert", operands: [narrowed], results: [wideResult]))
                }
                operations.append(op)
                operations += roundTrips
            }
            return Block(arguments: wideBlock.arguments, operations: operations)
        })
    }
}

/// Value ids no function of a module uses yet.
struct FreshValueIDs {
    private var nextID: Int

    init(after module: Module) {
        var largest = 0
        func visit(_ region: Region) {
            for block in region.blocks {
                for argument in block.arguments { largest = max(largest, argument.id) }
                for op in block.operations {
                    for value in op.operands + op.results { largest = max(largest, value.id) }
                    op.regions.forEach(visit)
                }
            }
        }
        module.functions.forEach { visit($0.body) }
        nextID = largest + 1
    }

    mutating func next() -> Int {
        defer { nextID += 1 }
        return nextID
    }
}
