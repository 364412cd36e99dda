import Foundation
import StableHLO

extension FusionGroup {
    /// `groups` with sibling reductions merged: two fusion groups that reduce the same
    /// dimensions of the same shape with simple combiners (add, max, ...), read a common
    /// input of that shape, and do not depend on each other (no path between them through
    /// other groups) become one group, so one kernel reads the shared input once and keeps
    /// every reduction's accumulator (a mean and a mean of squares, a row max and a row sum).
    /// Groups holding an op sent to the host after failed builds are left alone; sealed and
    /// isolated reductions may merge (they gain no consumers), and a merge that does not
    /// build is planned again without merges (`ExecutableBuilder.lowerBlock`).
    /// `NVGPU_SIBLING_REDUCTIONS=0` turns it off.
    static func mergingSiblingReductions(_ groups: [FusionGroup], block: Block, policies: [Int: FusionPolicy]) -> [FusionGroup] {
        guard !siblingMergeDisabled else { return groups }
        var groups = groups
        let ops = block.operations
        var producer: [Int: Int] = [:]
        for (i, op) in ops.enumerated() { for r in op.results { producer[r.id] = i } }
        for _ in 0..<64 {
            guard let (a, b) = firstSiblingPair(groups, ops: ops, producer: producer, policies: policies) else { break }
            var merged = groups[a]
            let members = Set(groups[a].operations + groups[b].operations)
            merged.operations = members.sorted()
            var inputs: [Value] = []
            for v in groups[a].inputs + groups[b].inputs where !inputs.contains(v) {
                if let p = producer[v.id], members.contains(p) { continue }
                inputs.append(v)
            }
            merged.inputs = inputs
            merged.outputs = (groups[a].outputs + groups[b].outputs).sorted { (producer[$0.id] ?? 0) < (producer[$1.id] ?? 0) }
            groups[a] = merged
            groups.remove(at: b)
            groups = FusionPlanner.topologicallySorted(groups, producer: producer)
        }
        return groups
    }

    static let siblingMergeDisabled = ProcessInfo.processInfo.environment["NVGPU_SIBLING_REDUCTIONS"] == "0"

    /// The reduced shape and dimensions every reduction of a fusion group shares, or nil
    /// (no reduction, a non-simple combiner, mixed shapes, an op on the host).
    private static func reductionSignature(_ group: FusionGroup, ops: [StableHLO.Operation], policies: [Int: FusionPolicy]) -> [Int]? {
        guard group.kind == .fusion else { return nil }
        var signature: [Int]?
        for i in group.operations {
            if case .host? = policies[i] { return nil }
            let op = ops[i]
            guard op.name == "stablehlo.reduce" else { continue }
            guard OperationClass.simpleCombiner(op) != nil, let shape = op.operandTensorType(0)?.shape else { return nil }
            let dims = (op[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
            let key = shape + [-1] + dims
            if let signature, signature != key { return nil }
            signature = key
        }
        return signature
    }

    /// The first pair (a < b) of mergeable sibling groups.
    private static func firstSiblingPair(_ groups: [FusionGroup], ops: [StableHLO.Operation], producer: [Int: Int],
                                         policies: [Int: FusionPolicy]) -> (Int, Int)? {
        let signatures = groups.map { reductionSignature($0, ops: ops, policies: policies) }
        var owner: [Int: Int] = [:]
        for (g, group) in groups.enumerated() { for i in group.operations { owner[i] = g } }
        var consumers: [[Int]] = Array(repeating: [], count: groups.count)
        for (g, group) in groups.enumerated() {
            for v in group.inputs {
                if let p = producer[v.id], let o = owner[p], o != g { consumers[o].append(g) }
            }
        }
        func reaches(_ from: Int, _ to: Int) -> Bool {
            var seen: Set<Int> = [from]
            var stack = [from]
            while let g = stack.popLast() {
                for c in consumers[g] where seen.insert(c).inserted {
                    if c == to { return true }
                    stack.append(c)
                }
            }
            return false
        }
        for a in groups.indices {
            guard let signature = signatures[a], let separator = signature.firstIndex(of: -1) else { continue }
            let elements = signature[..<separator].reduce(1, *)
            let large = Set(groups[a].inputs.filter { $0.type.tensorType?.elementCount == elements }.map(\.id))
            guard !large.isEmpty else { continue }
            for b in (a + 1)..<groups.count where signatures[b] == signature {
                guard groups[b].inputs.contains(where: { large.contains($0.id) }), !reaches(a, b), !reaches(b, a) else { continue }
                return (a, b)
            }
        }
        return nil
    }
}
