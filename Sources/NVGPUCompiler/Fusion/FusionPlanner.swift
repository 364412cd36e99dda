import StableHLO

/// One group of the entry function's ops that becomes one step (or a few kernel launches).
public struct FusionGroup: Hashable, Sendable {
    /// What the group turns into.
    public enum Kind: Hashable, Sendable {
        /// Generated CUDA kernels: elementwise/view ops and simple reductions.
        case fusion
        /// One `dot_general`.
        case matmul
        /// One `convolution`.
        case convolution
        /// One collective (NCCL), `replica_id` or `partition_id`.
        case collective
        /// One reduce_window, select_and_scatter or general reduce (its own kernels).
        case dedicated
        /// One `while`, `if` or `case` (a loop or branch step over its lowered regions).
        case control
        /// A connected region of ops run by the reference backend.
        case host(reason: String)
        /// A large literal uploaded once (no step).
        case constant
    }

    public var kind: Kind
    /// Indices into the entry block's operations, in program order.
    public var operations: [Int]
    /// Values read from outside the group, in first-use order.
    public var inputs: [Value]
    /// Values defined in the group and read outside it (or returned), in definition order.
    public var outputs: [Value]
}

/// How the planner may treat one op, tightened when a group fails to become a kernel.
public enum FusionPolicy: Hashable, Sendable {
    /// Fuse with producers and consumers.
    case free
    /// A reduction that may absorb its producers but no consumers.
    case sealed
    /// An op that fuses with nothing.
    case isolated
    /// Run on the host, with the reason.
    case host(String)
}

/// Groups the entry block's ops into fusions, matmuls, host regions and constants.
///
/// Fusible ops (elementwise, views, simple reductions) join the groups of the fusible ops
/// that produce their operands, so chains, softmax and layernorm become one group each;
/// host ops likewise join neighbouring host ops. A merge that would make a group depend
/// on itself through an op outside it is refused.
public struct FusionPlanner: Sendable {
    /// Literals with more elements than this are uploaded as buffers, not inlined.
    public static let inlineConstantLimit = 1024

    public var policies: [Int: FusionPolicy]
    /// Classes decided before planning, by op index (kernel-family ops, whose kernels were
    /// built once to decide); other ops are classified by `OperationClass(op)`.
    public var decided: [Int: OperationClass]

    public init(policies: [Int: FusionPolicy] = [:], decided: [Int: OperationClass] = [:]) {
        self.policies = policies
        self.decided = decided
    }

    /// The class of op `index` under the current policies.
    public func operationClass(_ op: Operation, index: Int) -> OperationClass {
        if case .host(let reason)? = policies[index] { return .host(reason: reason) }
        return decided[index] ?? OperationClass(op)
    }

    /// Plans `block` (the entry function's body): groups in an order that respects
    /// every dependency.
    public func plan(_ block: Block) -> [FusionGroup] {
        let ops = block.operations
        var producer: [Int: Int] = [:]
        for (i, op) in ops.enumerated() { for r in op.results { producer[r.id] = i } }
        var classes: [OperationClass] = []
        var isLargeConstant: [Bool] = []
        for (i, op) in ops.enumerated() {
            classes.append(operationClass(op, index: i))
            // Literals never merge: kernels inline small ones, large ones become buffers.
            isLargeConstant.append(op.name == "stablehlo.constant")
        }

        var parent = Array(ops.indices)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        // Groups each value transitively depends on (by raw root at the time; compared via find).
        var dependsOn: [Int: Set<Int>] = [:]
        func groupsBehind(_ v: Value) -> Set<Int> {
            guard let p = producer[v.id] else { return [] }
            return Set((dependsOn[v.id] ?? []).map(find)).union([find(p)])
        }
        func groupInputs(_ root: Int, members: [Int: [Int]]) -> [Value] {
            (members[root] ?? []).flatMap { Self.freeValues(of: ops[$0]) }
                .filter { v in producer[v.id].map { find($0) != root } ?? false }
        }
        var members: [Int: [Int]] = [:]
        // The reduction shapes (operand shape and reduced dimensions) in each group: a group's
        // kernels reduce one shape, so groups reducing different shapes never merge.
        var reductionShapes: [Int: Set<String>] = [:]

        for (i, op) in ops.enumerated() {
            let cls = classes[i]
            let policy = policies[i] ?? .free
            var candidates: [Int] = []
            if !isLargeConstant[i], policy != .isolated, cls != .terminator, cls != .matmul, cls != .convolution, cls != .collective, cls != .control {
                for v in Self.freeValues(of: op) {
                    guard let p = producer[v.id], !isLargeConstant[p] else { continue }
                    let pc = classes[p]
                    let pPolicy = policies[p] ?? .free
                    if pPolicy == .isolated { continue }
                    let compatible: Bool
                    switch (cls, pc) {
                    case (.host, .host): compatible = true
                    default:
                        compatible = cls.isFusible && pc.isFusible
                            && !(pPolicy == .sealed && Self.isReduction(pc))
                    }
                    if compatible, !candidates.contains(find(p)) { candidates.append(find(p)) }
                }
            }
            // Refuse candidates that would close a cycle through an outside op, or that reduce
            // another shape than the op or the candidates already accepted.
            var accepted: [Int] = []
            var shapes: Set<String> = Self.reductionShape(op, class: cls).map { [$0] } ?? []
            for c in candidates {
                let merged = shapes.union(reductionShapes[c] ?? [])
                if merged.count > 1 { continue }
                let trial = accepted + [c]
                let trialSet = Set(trial)
                var cyclic = false
                for v in Self.freeValues(of: op) {
                    guard let p = producer[v.id], !trialSet.contains(find(p)) else { continue }
                    if !groupsBehind(v).isDisjoint(with: trialSet) { cyclic = true; break }
                }
                if !cyclic {
                    for g in trial where !cyclic {
                        for v in groupInputs(g, members: members) where !trialSet.contains(find(producer[v.id] ?? g)) {
                            if !groupsBehind(v).isDisjoint(with: trialSet.subtracting([g])) { cyclic = true; break }
                        }
                    }
                }
                if !cyclic {
                    accepted.append(c)
                    shapes = merged
                }
            }
            var root = i
            members[i] = [i]
            for c in accepted {
                reductionShapes[c] = nil
                let cm = members.removeValue(forKey: c) ?? []
                let rm = members.removeValue(forKey: root) ?? []
                parent[c] = root
                parent[root] = root
                members[root] = cm + rm
            }
            root = find(i)
            reductionShapes[root] = shapes
            var behind = Set<Int>()
            for v in Self.freeValues(of: op) { behind.formUnion(groupsBehind(v)) }
            behind.remove(root)
            for r in op.results { dependsOn[r.id] = behind }
        }

        // Assemble groups.
        var users: [Int: [Int]] = [:]
        for (i, op) in ops.enumerated() {
            for v in Self.freeValues(of: op) { users[v.id, default: []].append(i) }
        }
        var groups: [Int: FusionGroup] = [:]
        for (root, list) in members {
            let sorted = list.sorted()
            if sorted.count == 1, classes[sorted[0]] == .terminator { continue }
            let kind: FusionGroup.Kind
            if sorted.count == 1, isLargeConstant[sorted[0]] {
                kind = .constant
            } else {
                switch classes[sorted[0]] {
                case .matmul: kind = .matmul
                case .convolution: kind = .convolution
                case .collective: kind = .collective
                case .dedicated: kind = .dedicated
                case .control: kind = .control
                case .host(let reason):
                    // Token joins only travel with the effect they order; name the others.
                    let all = Array(Set(sorted.compactMap { i -> String? in
                        if case .host = classes[i] { return ops[i].name } else { return nil }
                    })).sorted()
                    let tokenJoins: Set<String> = ["stablehlo.after_all", "stablehlo.create_token"]
                    let names = all.contains { !tokenJoins.contains($0) } ? all.filter { !tokenJoins.contains($0) } : all
                    kind = .host(reason: all.count > 1
                        ? "no CUDA kernel for " + names.joined(separator: ", ") + " yet" : reason)
                default: kind = .fusion
                }
            }
            let memberSet = Set(sorted)
            if kind == .constant, !Self.isLargeConstant(ops[sorted[0]]) {
                let consumers = users[ops[sorted[0]].results[0].id] ?? []
                if !consumers.isEmpty, consumers.allSatisfy({ classes[$0].isFusible }) { continue }
            }
            var inputs: [Value] = []
            for i in sorted {
                for v in Self.freeValues(of: ops[i]) where !inputs.contains(v) {
                    if let p = producer[v.id], memberSet.contains(p) { continue }
                    inputs.append(v)
                }
            }
            var outputs: [Value] = []
            for i in sorted {
                for r in ops[i].results where (users[r.id] ?? []).contains(where: { !memberSet.contains($0) }) {
                    outputs.append(r)
                }
            }
            groups[root] = FusionGroup(kind: kind, operations: sorted, inputs: inputs, outputs: outputs)
        }
        return Self.topologicallySorted(Array(groups.values), producer: producer)
    }

    /// Orders groups so that every group follows the groups it reads from (ties: earliest op).
    static func topologicallySorted(_ groups: [FusionGroup], producer: [Int: Int]) -> [FusionGroup] {
        var owner: [Int: Int] = [:]
        for (g, group) in groups.enumerated() { for i in group.operations { owner[i] = g } }
        var pending = Array(groups.indices).sorted { groups[$0].operations[0] < groups[$1].operations[0] }
        var done = Set<Int>()
        var result: [FusionGroup] = []
        while !pending.isEmpty {
            guard let next = pending.firstIndex(where: { g in
                groups[g].inputs.allSatisfy { v in
                    guard let p = producer[v.id], let o = owner[p] else { return true }
                    return done.contains(o)
                }
            }) else {
                // Unreachable for an acyclic plan; keep program order rather than loop.
                result += pending.map { groups[$0] }
                break
            }
            let g = pending.remove(at: next)
            done.insert(g)
            result.append(groups[g])
        }
        return result
    }

    /// The shape a reduction reduces (its first operand's shape and its dimensions), as a key.
    static func reductionShape(_ op: Operation, class c: OperationClass) -> String? {
        guard isReduction(c), let shape = op.operandTensorType(0)?.shape else { return nil }
        let dims = (op[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
        return "\(shape)/\(dims)"
    }

    static func isReduction(_ c: OperationClass) -> Bool {
        if case .reduction = c { return true }
        if case .selectingReduction = c { return true }
        return false
    }

    /// A literal too big to inline into kernel source.
    static func isLargeConstant(_ op: Operation) -> Bool {
        op.name == "stablehlo.constant" && !isSplatConstant(op)
            && (op.resultTensorType(0)?.elementCount ?? 0) > inlineConstantLimit
    }

    static func isSplatConstant(_ op: Operation) -> Bool {
        if case .dense(let d)? = op[attribute: "value"] { return d.isSplat }
        return false
    }

    /// Operands of `op` plus values its regions read from outside them.
    static func freeValues(of op: Operation) -> [Value] {
        var result = op.operands
        var defined = Set<Int>()
        func collectDefined(_ region: Region) {
            for block in region.blocks {
                for a in block.arguments { defined.insert(a.id) }
                for inner in block.operations {
                    for r in inner.results { defined.insert(r.id) }
                    inner.regions.forEach(collectDefined)
                }
            }
        }
        op.regions.forEach(collectDefined)
        func collectUses(_ region: Region) {
            for block in region.blocks {
                for inner in block.operations {
                    for v in inner.operands where !defined.contains(v.id) && !result.contains(v) { result.append(v) }
                    inner.regions.forEach(collectUses)
                }
            }
        }
        op.regions.forEach(collectUses)
        return result
    }
}
