import Compiler
import Foundation
import StableHLO

/// `nvgpu-one-pass-variance`: a sum of squared deviations from the mean over the same
/// dimensions, `reduce_add(square(x - broadcast(reduce_add(x) / N)))` (what `jnp.var`,
/// `jnp.std` and batch normalization's statistics export), becomes one Welford reduction of
/// `x`: a variadic `reduce` of (count, mean, M2) whose body merges two partial moments
/// (Chan, Golub and LeVeque's pairwise update), so the kernel reads `x` once instead of once
/// for the mean and again for the deviations. Its M2 result takes the place of the sum of
/// squares; the plain sum a mean output still reads stays, and `nvgpu-merge-sibling-reduces`
/// joins it to the Welford reduction (one kernel, one read of `x`).
///
/// Applied where the two-pass form reads the input twice: a column view
/// (`ColumnReductionKernel.view`: statistics over N, H, W of NHWC, over the batch of a
/// `[batch, features]` matrix) or rows too long to stay on chip (over 32 768 elements);
/// shorter trailing-dimension rows keep the two-pass form, which `OnChipRowKernel` computes
/// from registers in one read.
/// The body's float arithmetic may meet partials in any grouping, as a float sum's does (the
/// op carries `nvgpu.reassociable`, which `VariadicReductionKernel` accepts): the result
/// differs from the two-pass one by rounding only. f32 and f64 inputs; counts are kept in
/// the input's type (exact to 2^24 elements a partial in f32). Off when
/// `NVGPU_ONE_PASS_VARIANCE=0`.
struct OnePassVariancePass: ReductionRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-one-pass-variance" }

    static var isEnabledByEnvironment: Bool { ProcessInfo.processInfo.environment["NVGPU_ONE_PASS_VARIANCE"] != "0" }

    /// `block` with its first sum of squared deviations replaced by a Welford reduction, or nil.
    static func rewritingFirst(_ block: Block, nextID: inout Int) -> Block? {
        let ops = block.operations
        var definition: [Int: StableHLO.Operation] = [:]
        for op in ops { for r in op.results { definition[r.id] = op } }
        for (i, op) in ops.enumerated() {
            guard let x = deviationInput(of: op, definition: definition) else { continue }
            let replacement = welford(replacing: op, input: x, nextID: &nextID)
            // Only where the variadic kernel takes it (else the two-pass form is faster).
            guard let reduce = replacement.last, reduce.name == "stablehlo.reduce",
                  VariadicReductionKernel.isCandidate(reduce) else { continue }
            // Its constants lead the block, so `nvgpu-merge-sibling-reduces` may move the
            // reduction up to the mean's sum.
            var out = Array(replacement.dropLast())
            out += ops[..<i]
            out.append(reduce)
            out += ops[(i + 1)...]
            return Block(arguments: block.arguments, operations: out)
        }
        return nil
    }

    /// `x` when `op` sums `(x - mean(x))²` over the dimensions its mean reduced, where the
    /// two-pass form reads `x` twice (`ReductionPattern.readsTwice`).
    static func deviationInput(of op: StableHLO.Operation, definition: [Int: StableHLO.Operation]) -> Value? {
        guard let dims = ReductionPattern.dimensions(of: op, combiner: .add, initial: 0, definition), let shape = op.operandTensorType(0)?.shape,
              ReductionPattern.readsTwice(shape, dims), let square = definition[op.operands[0].id] else { return nil }
        let deviation: Value
        if square.name == "chlo.square", square.operands.count == 1 {
            deviation = square.operands[0]
        } else if square.name == "stablehlo.multiply", square.operands.count == 2, square.operands[0] == square.operands[1] {
            deviation = square.operands[0]
        } else {
            return nil
        }
        guard let subtract = definition[deviation.id], subtract.name == "stablehlo.subtract",
              let meanValue = ReductionPattern.keptValue(broadcastTo: subtract.operands[1], shape: shape, dims: dims, definition)
        else { return nil }
        let x = subtract.operands[0]
        // mean = sum / N (or sum × 1/N).
        let count = Double(dims.map { shape[$0] }.reduce(1, *))
        guard let scale = definition[meanValue.id],
              scale.name == "stablehlo.divide" || scale.name == "stablehlo.multiply", scale.operands.count == 2,
              case .float(let format)? = scale.resultTensorType(0)?.elementType else { return nil }
        var sumValue: Value?
        for (s, c) in [(0, 1), (1, 0)] where scale.name == "stablehlo.multiply" || s == 0 {
            guard let constant = definition[scale.operands[c].id] else { continue }
            let wanted = scale.name == "stablehlo.divide" ? count : format.round(1 / count)
            if ReductionPattern.isSplat(constant, equalTo: wanted) { sumValue = scale.operands[s] }
        }
        guard let sumValue, let sum = definition[ReductionPattern.throughUnitReshapes(sumValue, definition).id],
              sum.operands.first == x, ReductionPattern.dimensions(of: sum, combiner: .add, initial: 0, definition) == dims else { return nil }
        return x
    }

    /// The ops that compute `sum` (a sum of squared deviations of `x`) as the M2 result of a
    /// Welford reduction of `x`: its constants, then the reduction, whose third result keeps
    /// `sum`'s value id (its readers are unchanged).
    static func welford(replacing sum: StableHLO.Operation, input x: Value, nextID: inout Int) -> [StableHLO.Operation] {
        guard let inputType = x.type.tensorType, let resultType = sum.resultTensorType(0),
              let dimensions = sum[attribute: "dimensions"] else { return [sum] }
        var r = ReductionBuilder(element: inputType.elementType, location: sum.location, nextID: nextID)
        defer { nextID = r.nextID }
        let (ones, onesOp) = r.constant(1, inputType)
        let (zeros, zerosOp) = r.constant(0, inputType)
        let (zero, zeroOp) = r.constant(0, r.scalar)
        // Body: (na, ma, Ma) and (nb, mb, Mb) → n = na + nb, δ = mb − ma, w = nb / max(n, 1),
        // mean = ma + δw, M2 = Ma + Mb + δ·δw·na. Two empty partials give (0, 0, 0).
        let arguments = (0..<6).map { _ in r.fresh(r.scalar) }
        let (na, ma, m2a, nb, mb, m2b) = (arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5])
        let one = r.bodyConstant(1)
        let n = r.apply("stablehlo.add", na, nb)
        let delta = r.apply("stablehlo.subtract", mb, ma)
        let weight = r.apply("stablehlo.divide", nb, r.apply("stablehlo.maximum", n, one))
        let step = r.apply("stablehlo.multiply", delta, weight)
        let mean = r.apply("stablehlo.add", ma, step)
        let spread = r.apply("stablehlo.multiply", r.apply("stablehlo.multiply", delta, step), na)
        let m2 = r.apply("stablehlo.add", r.apply("stablehlo.add", m2a, m2b), spread)
        let results = [r.fresh(resultType), r.fresh(resultType), sum.results[0]]
        let reduce = r.reduce([ones, x, zeros], initials: [zero, zero, zero], arguments: arguments, returned: [n, mean, m2],
                              results: results, dimensions: dimensions)
        return [onesOp, zerosOp, zeroOp, reduce]
    }
}
