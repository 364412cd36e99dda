import Compiler
import Foundation
import StableHLO

/// `nvgpu-merge-sibling-reduces`: two `reduce` ops of one block over the same input shape
/// and dimensions, neither reading the other's results, at least one of them selecting
/// (argmax-style), become one variadic `reduce` whose body runs both bodies side by side:
/// the operands, initial values and results are concatenated, so one kernel reads the input
/// once (`jnp.max(x, 1)` next to `jnp.argmax(x, 1)`, an argmin next to an argmax). Each
/// result is what its own reduction computes: the bodies share no values. Merged only when
/// the result is a reduction `VariadicReductionKernel` takes, so no merge falls back to a
/// slower kernel; two simple reductions (sums, maxima) are merged at the fusion level
/// instead (`FusionGroup.mergingSiblingReductions`). Off when `NVGPU_SIBLING_REDUCTIONS=0`.
struct SiblingReduceMergePass: BlockRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-merge-sibling-reduces" }

    func rewrite(_ block: Block, nextID: inout Int) -> Block {
        var block = block
        for _ in 0..<32 {
            guard let merged = Self.mergingFirstPair(block) else { break }
            block = merged
        }
        return block
    }

    /// The input shape and sorted dimensions of a reduce, when it has one region and
    /// matching operand, initial-value and result counts.
    static func signature(_ op: StableHLO.Operation) -> [Int]? {
        guard op.name == "stablehlo.reduce", op.regions.count == 1, !op.operands.isEmpty,
              op.operands.count % 2 == 0, op.results.count == op.operands.count / 2,
              let shape = op.operandTensorType(0)?.shape else { return nil }
        let dims = (op[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
        return shape + [-1] + dims
    }

    /// `a` and `b` as one variadic reduce (results keep their values), or nil.
    static func merged(_ a: StableHLO.Operation, _ b: StableHLO.Operation) -> StableHLO.Operation? {
        guard let bodyA = a.regions.first?.entry, let bodyB = b.regions.first?.entry,
              let returnA = bodyA.operations.last, let returnB = bodyB.operations.last else { return nil }
        let na = a.results.count, nb = b.results.count
        guard bodyA.arguments.count == 2 * na, bodyB.arguments.count == 2 * nb,
              returnA.operands.count == na, returnB.operands.count == nb else { return nil }
        var op = a
        op.operands = Array(a.operands[..<na]) + Array(b.operands[..<nb]) + Array(a.operands[na...]) + Array(b.operands[nb...])
        op.results = a.results + b.results
        let arguments = Array(bodyA.arguments[..<na]) + Array(bodyB.arguments[..<nb])
            + Array(bodyA.arguments[na...]) + Array(bodyB.arguments[nb...])
        var ret = returnA
        ret.operands = returnA.operands + returnB.operands
        let operations = Array(bodyA.operations.dropLast()) + Array(bodyB.operations.dropLast()) + [ret]
        op.regions = [Region(blocks: [Block(arguments: arguments, operations: operations)])]
        // A body the compiler wrote to be reassociated (a Welford merge) stays so, joined.
        let key = VariadicReductionKernel.reassociableAttribute
        if a[attribute: key] != nil || b[attribute: key] != nil { op[attribute: key] = .bool(true) }
        return op
    }

    /// The block with its first mergeable pair merged, or nil when there is none.
    static func mergingFirstPair(_ block: Block) -> Block? {
        let ops = block.operations
        var position: [Int: Int] = [:]
        for (i, op) in ops.enumerated() { for r in op.results { position[r.id] = i } }
        let reduces = ops.indices.filter { signature(ops[$0]) != nil }
        for (x, i) in reduces.enumerated() {
            for j in reduces[(x + 1)...] where signature(ops[i]) == signature(ops[j]) {
                let a = ops[i], b = ops[j]
                guard OperationClass.simpleCombiner(a) == nil || OperationClass.simpleCombiner(b) == nil,
                      !dependsOn(j, i, ops: ops, position: position),
                      let combined = merged(a, b), VariadicReductionKernel.isCandidate(combined) else { continue }
                // Where the merged op can stand: at `j` when nothing between reads `a`'s
                // results, else at `i` when everything `b` reads (its body included) is
                // defined before `i`.
                let resultsA = Set(a.results.map(\.id))
                let readBetween = ops[(i + 1)..<j].contains { op in
                    op.operands.contains { resultsA.contains($0.id) } || usesInRegions(op, resultsA)
                }
                var out = ops
                if !readBetween {
                    out[j] = combined
                    out.remove(at: i)
                } else if b.operands.allSatisfy({ (position[$0.id] ?? -1) < i }),
                          !usesInRegions(b, Set(ops[i..<j].flatMap { $0.results.map(\.id) })) {
                    out[i] = combined
                    out.remove(at: j)
                } else {
                    continue
                }
                var result = block
                result.operations = out
                return result
            }
        }
        return nil
    }

    /// Whether op `j` reads, directly or through the ops between them, a result of op `i`.
    static func dependsOn(_ j: Int, _ i: Int, ops: [StableHLO.Operation], position: [Int: Int]) -> Bool {
        var derived = Set(ops[i].results.map(\.id))
        for k in (i + 1)..<j where ops[k].operands.contains(where: { derived.contains($0.id) }) || usesInRegions(ops[k], derived) {
            for r in ops[k].results { derived.insert(r.id) }
        }
        return ops[j].operands.contains { derived.contains($0.id) } || usesInRegions(ops[j], derived)
    }

    /// Whether a region of `op` reads one of `values` from the enclosing block.
    static func usesInRegions(_ op: StableHLO.Operation, _ values: Set<Int>) -> Bool {
        op.regions.contains { region in
            region.blocks.contains { block in
                block.operations.contains { inner in
                    inner.operands.contains { values.contains($0.id) } || usesInRegions(inner, values)
                }
            }
        }
    }
}
