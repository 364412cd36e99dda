import Compiler
import Foundation
import StableHLO

/// `nvgpu-online-softmax`: the two reductions of a softmax, log-softmax or logsumexp over
/// the same dimensions — `m = reduce_max(x)` and `s = reduce_add(exp(x - broadcast(m)))`,
/// `m` optionally through `maximum(-inf, m)` as JAX writes it — become one reduction of `x`
/// that carries (max, sum of exponentials relative to it) and rescales a partial sum when a
/// larger maximum arrives (Milakov and Gimelshein's online normaliser), so the statistics
/// take one read of `x` instead of two. Its results keep both values' ids: every reader of
/// the maximum and of the sum is unchanged (the normalisation `exp(x - m) / s` reads `x`
/// again, as before).
///
/// Applied where the two-pass form reads `x` twice (`ReductionPattern.readsTwice`: columns,
/// rows longer than 32 768); rows that stay on chip are left to `OnChipRowKernel`. f32 and
/// f64. Special values give what the two-pass program gives: NaN propagates through the
/// maximum; a row holding +∞ sums NaN (∞ − ∞); `-inf` elements add nothing once a finite
/// maximum exists, and an all-`-inf` row gives NaN outputs as before (its sum is the count,
/// not NaN, so only a logsumexp read of it differs: −∞, the true value). The partial sums'
/// grouping and `exp` (the SFU's `ex2`) differ from the reference's by rounding only. Off
/// when `NVGPU_ONLINE_SOFTMAX=0`.
struct OnlineSoftmaxPass: ReductionRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-online-softmax" }

    static var isEnabledByEnvironment: Bool { ProcessInfo.processInfo.environment["NVGPU_ONLINE_SOFTMAX"] != "0" }

    /// `block` with its first max-and-sum-of-exponentials pair joined, or nil.
    static func rewritingFirst(_ block: Block, nextID: inout Int) -> Block? {
        let ops = block.operations
        var definition: [Int: StableHLO.Operation] = [:]
        var position: [Int: Int] = [:]
        for (i, op) in ops.enumerated() { for r in op.results { definition[r.id] = op; position[r.id] = i } }
        for (i, op) in ops.enumerated() {
            guard let (maximum, x) = statistics(of: op, definition), let m = position[maximum.results[0].id] else { continue }
            let (constants, joined) = online(maximum: maximum, sum: op, input: x, nextID: &nextID)
            guard VariadicReductionKernel.isCandidate(joined) else { continue }
            var out = constants
            for (k, o) in ops.enumerated() where k != i {
                out.append(k == m ? joined : o)
            }
            return Block(arguments: block.arguments, operations: out)
        }
        return nil
    }

    /// The maximum `reduce` and `x` when `op` sums `exp(x - m)` over the dimensions `m`, the
    /// maximum of `x`, reduced, where the two-pass form reads `x` twice.
    static func statistics(of op: StableHLO.Operation, _ definition: [Int: StableHLO.Operation]) -> (StableHLO.Operation, Value)? {
        guard let dims = ReductionPattern.dimensions(of: op, combiner: .add, initial: 0, definition),
              let shape = op.operandTensorType(0)?.shape, ReductionPattern.readsTwice(shape, dims),
              let exp = definition[op.operands[0].id], exp.name == "stablehlo.exponential",
              let subtract = definition[exp.operands[0].id], subtract.name == "stablehlo.subtract",
              var kept = ReductionPattern.keptValue(broadcastTo: subtract.operands[1], shape: shape, dims: dims, definition)
        else { return nil }
        let x = subtract.operands[0]
        // `maximum(-inf, m)` (either order) is `m`: NaN propagates through both.
        if let clamp = definition[kept.id], clamp.name == "stablehlo.maximum", clamp.operands.count == 2 {
            let negativeInfinity = { (v: Value) in definition[v.id].map { ReductionPattern.isSplat($0, equalTo: -.infinity) } ?? false }
            if negativeInfinity(clamp.operands[0]) {
                kept = ReductionPattern.throughUnitReshapes(clamp.operands[1], definition)
            } else if negativeInfinity(clamp.operands[1]) {
                kept = ReductionPattern.throughUnitReshapes(clamp.operands[0], definition)
            }
        }
        guard let maximum = definition[kept.id], maximum.operands.first == x,
              ReductionPattern.dimensions(of: maximum, combiner: .maximum, initial: -.infinity, definition) == dims,
              maximum.results.count == 1, x.type == op.operands[0].type else { return nil }
        return (maximum, x)
    }

    /// The constants (ones of `x`'s shape, the initial values) and the joined reduction of
    /// (`x`, 1) from (−∞, 0), whose results take `maximum`'s and `sum`'s value ids.
    static func online(maximum: StableHLO.Operation, sum: StableHLO.Operation, input x: Value,
                       nextID: inout Int) -> ([StableHLO.Operation], StableHLO.Operation) {
        guard let inputType = x.type.tensorType, let dimensions = sum[attribute: "dimensions"] else { return ([], sum) }
        var r = ReductionBuilder(element: inputType.elementType, location: sum.location, nextID: nextID)
        defer { nextID = r.nextID }
        let (ones, onesOp) = r.constant(1, inputType)
        let (lowest, lowestOp) = r.constant(-.infinity, r.scalar)
        let (zero, zeroOp) = r.constant(0, r.scalar)
        // Body: (ma, sa) and (mb, sb) → m = max(ma, mb), s = sa·e^(ma−m) + sb·e^(mb−m), where a
        // partial already at the maximum keeps its sum (−∞ partials add their counts, not NaN),
        // unless that maximum is +∞ (∞ − ∞ is NaN, as in the two-pass sum).
        let arguments = (0..<4).map { _ in r.fresh(r.scalar) }
        let (ma, sa, mb, sb) = (arguments[0], arguments[1], arguments[2], arguments[3])
        let infinity = r.bodyConstant(.infinity)
        let m = r.apply("stablehlo.maximum", ma, mb)
        let finite = r.compare("NE", m, infinity)
        func contribution(_ mk: Value, _ sk: Value) -> Value {
            let atMaximum = r.apply("stablehlo.and", r.compare("EQ", mk, m), finite)
            let scaled = r.apply("stablehlo.multiply", sk, r.apply("stablehlo.exponential", r.apply("stablehlo.subtract", mk, m)))
            return r.apply("stablehlo.select", atMaximum, sk, scaled)
        }
        let s = r.apply("stablehlo.add", contribution(ma, sa), contribution(mb, sb))
        let joined = r.reduce([x, ones], initials: [lowest, zero], arguments: [ma, sa, mb, sb], returned: [m, s],
                              results: [maximum.results[0], sum.results[0]], dimensions: dimensions)
        return ([onesOp, lowestOp, zeroOp], joined)
    }
}
