import Compiler
import Foundation
import StableHLO

/// `nvgpu-duplicate-cheap-producers`: gives every user of a cheap producer its own copy, so
/// that each fusion recomputes it from the program's inputs instead of one fusion writing it
/// to memory for the others to read back. A cheap producer is a `convert`,
/// `broadcast_in_dim` or `reshape` whose operands come from outside the block, from
/// constants, or from other cheap producers (the whole chain is copied): `jnp.var` of bf16
/// activations converts them to f32 once for the mean and once more for the squared
/// deviations — without this, the f32 copy (twice the input's bytes) is written and read
/// twice. The first user keeps the original; uses inside nested regions are left alone.
/// Off when `NVGPU_DUPLICATE_PRODUCERS=0`.
struct DuplicateCheapProducersPass: BlockRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-duplicate-cheap-producers" }

    static var isEnabledByEnvironment: Bool { ProcessInfo.processInfo.environment["NVGPU_DUPLICATE_PRODUCERS"] != "0" }

    static let cheapNames: Set<String> = ["stablehlo.convert", "stablehlo.broadcast_in_dim", "stablehlo.reshape"]

    func rewrite(_ block: Block, nextID: inout Int) -> Block {
        var producer: [Int: StableHLO.Operation] = [:]
        var uses: [Int: Int] = [:]
        for op in block.operations {
            for r in op.results { producer[r.id] = op }
            for v in op.operands { uses[v.id, default: 0] += 1 }
        }
        var cheap: [Int: Bool] = [:]
        func isCheap(_ v: Value) -> Bool {
            guard let op = producer[v.id] else { return false }
            if let known = cheap[v.id] { return known }
            cheap[v.id] = false  // no cycles in SSA; this only guards the recursion
            let result = Self.cheapNames.contains(op.name) && op.results.count == 1 && op.regions.isEmpty
                && op.operands.allSatisfy { operand in
                    guard let p = producer[operand.id] else { return true }  // from outside the block
                    return p.name == "stablehlo.constant" || isCheap(operand)
                }
            cheap[v.id] = result
            return result
        }
        var seen: Set<Int> = []
        var operations: [StableHLO.Operation] = []
        operations.reserveCapacity(block.operations.count)
        // A copy of `v`'s cheap chain ahead of the current op; returns the copy's value.
        func copy(_ v: Value) -> Value {
            guard let op = producer[v.id], op.name != "stablehlo.constant", isCheap(v) else { return v }
            var clone = op
            clone.operands = op.operands.map(copy)
            clone.results = [Value(id: nextID, type: v.type)]
            nextID += 1
            operations.append(clone)
            return clone.results[0]
        }
        for var op in block.operations {
            var replaced: [Int: Value] = [:]  // one copy per op, however often it reads the value
            for (k, v) in op.operands.enumerated() where (uses[v.id] ?? 0) > 1 && isCheap(v) {
                if let r = replaced[v.id] {
                    op.operands[k] = r
                } else if seen.insert(v.id).inserted {
                    replaced[v.id] = v  // the first user keeps the original
                } else {
                    let c = copy(v)
                    replaced[v.id] = c
                    op.operands[k] = c
                }
            }
            operations.append(op)
        }
        var result = block
        result.operations = operations
        return result
    }
}
