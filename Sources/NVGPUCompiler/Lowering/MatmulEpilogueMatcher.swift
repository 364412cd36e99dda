import Runtime
import StableHLO

/// Folds a bias add and a ReLU or tanh-GELU that follow a cuBLASLt-eligible `dot_general`
/// into the matmul's epilogue (the `nvgpu-matmul-epilogue-fusion` pass runs it on every
/// block).
///
/// Each fused chain becomes one `nvgpu.matmul_epilogue` op, placed where the chain's last op
/// was, whose result is the chain's final value:
///
/// ```
/// %r = "nvgpu.matmul_epilogue"(%a, %b, %bias) {epilogue = "biasRelu",
///        dot_dimension_numbers = #stablehlo.dot<...>, ...} : (...) -> tensor<...>
/// ```
///
/// Its operands are the product's two operands and, for the bias epilogues, the bias vector
/// (length n, added along the last dimension); its attributes are the `dot_general`'s plus
/// `epilogue`, a `MatmulCall.Epilogue` case name. The chain's ops, and the broadcasts and
/// literals only they read, are dropped. A chain is fused only when its intermediate values
/// have no other users.
enum MatmulEpilogueMatcher {
    /// The name of the fused op.
    static let operationName = "nvgpu.matmul_epilogue"
    /// The attribute that names the epilogue.
    static let epilogueAttribute = "epilogue"
    static let elementTypes: Set<String> = ["bf16", "f16", "f32"]

    /// The epilogue and bias of an `nvgpu.matmul_epilogue` op and its plain two-operand
    /// `dot_general` (nil for any other op); throws a `CodeGenError` at the op when the
    /// epilogue is unknown or the operands do not fit it.
    static func fusedEpilogue(of op: Operation) throws -> (epilogue: MatmulCall.Epilogue, bias: Value?, product: Operation)? {
        guard op.name == operationName else { return nil }
        guard let name = op[attribute: epilogueAttribute]?.stringValue, let epilogue = MatmulCall.Epilogue(rawValue: name),
              epilogue != .none else {
            throw CodeGenError("\(operationName): epilogue must be one of bias, relu, biasRelu, gelu, biasGelu", at: op.location)
        }
        let hasBias = [.bias, .biasRelu, .biasGelu].contains(epilogue)
        guard op.operands.count == (hasBias ? 3 : 2), op.results.count == 1, op.regions.isEmpty else {
            throw CodeGenError("\(operationName): epilogue \(name) takes \(hasBias ? 3 : 2) operands and has one result",
                               at: op.location)
        }
        var product = op
        product.name = "stablehlo.dot_general"
        product.operands = Array(op.operands.prefix(2))
        product[attribute: epilogueAttribute] = nil
        return (epilogue, hasBias ? op.operands[2] : nil, product)
    }

    /// `block` with every matched chain folded into an `nvgpu.matmul_epilogue` op.
    static func fusingEpilogues(into block: Block) -> Block {
        let graph = ValueGraph(block)
        var replacements: [Int: Operation] = [:]
        var removed = Set<Int>()
        // Every op a fused chain took (its dot included): a later dot whose chain reaches one
        // of them (`u·A + v·A`: both dots end in the same add) keeps its plain form.
        var claimed = Set<Int>()
        for (i, op) in block.operations.enumerated() where op.name == "stablehlo.dot_general" {
            guard !claimed.contains(i), let match = graph.match(dot: i), claimed.isDisjoint(with: match.chain) else { continue }
            if let bias = match.bias, let producer = graph.producer[bias.id], claimed.contains(producer) { continue }
            var fused = op
            fused.name = operationName
            fused.results = [match.result]
            if let bias = match.bias { fused.operands.append(bias) }
            fused.attributes.insert(NamedAttribute(epilogueAttribute, .string(match.epilogue.rawValue)), at: 0)
            guard let last = match.chain.max() else { continue }
            removed.formUnion(match.chain)
            removed.insert(i)
            removed.remove(last)
            claimed.formUnion(match.chain)
            claimed.insert(i)
            replacements[last] = fused
        }
        return graph.rewriting(block, replacing: replacements, removing: removed)
    }
}

/// A chain found after a `dot_general`: the ops it covers (not the dot), its final value,
/// the epilogue and the bias vector.
struct MatmulEpilogueMatch {
    var chain: Set<Int>
    var result: Value
    var epilogue: MatmulCall.Epilogue
    var bias: Value?
}

/// Producers and users of a block's values, with the pattern matchers over them.
struct ValueGraph {
    let operations: [Operation]
    /// Value id → index of its defining op.
    var producer: [Int: Int] = [:]
    /// Value id → indices of the ops that read it (the terminator included).
    var users: [Int: [Int]] = [:]

    init(_ block: Block) {
        operations = block.operations
        for (i, op) in operations.enumerated() {
            for r in op.results { producer[r.id] = i }
            for v in FusionPlanner.freeValues(of: op) { users[v.id, default: []].append(i) }
        }
    }

    /// The op defining `v` when it is named `name` and has one result.
    func defining(_ v: Value, _ name: String) -> (index: Int, op: Operation)? {
        guard let p = producer[v.id], operations[p].name == name, operations[p].results.count == 1 else { return nil }
        return (p, operations[p])
    }

    /// `v = name(x, other)` in either operand order where `x` satisfies `first`; returns the
    /// op index, what `first` returned and the other operand.
    func binary<T>(_ v: Value, _ name: String, _ first: (Value) -> T?) -> (Int, T, Value)? {
        guard let (p, op) = defining(v, name), op.operands.count == 2 else { return nil }
        if let t = first(op.operands[0]) { return (p, t, op.operands[1]) }
        if let t = first(op.operands[1]) { return (p, t, op.operands[0]) }
        return nil
    }

    /// Whether `v` is a splat literal (possibly broadcast) within bf16 rounding of `expected`.
    func isLiteral(_ v: Value, _ expected: Double) -> Bool {
        var v = v
        while let (_, op) = defining(v, "stablehlo.broadcast_in_dim") { v = op.operands[0] }
        guard let (_, op) = defining(v, "stablehlo.constant"), case .dense(let d)? = op[attribute: "value"],
              d.isSplat || d.type.elementCount == 1, case .float(let format) = d.type.elementType,
              !d.bytes.isEmpty else { return false }
        let x: Double = format.decode(d.rawBits(at: 0))
        return abs(x - expected) <= abs(expected) * 0x1p-8
    }

    /// The 1-D vector that `v` repeats along its last dimension (through broadcast_in_dim).
    func lastDimVector(_ v: Value) -> Value? {
        guard let shape = v.type.tensorType?.shape, let n = shape.last else { return nil }
        var current = v, axis = shape.count - 1
        while current.type.tensorType?.shape.count != 1 {
            guard let (_, op) = defining(current, "stablehlo.broadcast_in_dim"),
                  let dims = op[attribute: "broadcast_dimensions"]?.intArray,
                  let inner = op.operandTensorType(0)?.shape,
                  let k = dims.firstIndex(of: Int64(axis)), inner[k] == n,
                  inner.indices.allSatisfy({ $0 == k || inner[$0] == 1 }) else { return nil }
            current = op.operands[0]
            axis = k
        }
        return current.type.tensorType?.shape == [n] ? current : nil
    }

    /// Whether every user of each value of `values` is in `chain`.
    func onlyUsedWithin(_ chain: Set<Int>, _ values: [Value]) -> Bool {
        values.allSatisfy { (users[$0.id] ?? []).allSatisfy(chain.contains) }
    }

    /// The epilogue chain after the `dot_general` at `dot`, if cuBLASLt can run it.
    func match(dot: Int) -> MatmulEpilogueMatch? {
        let op = operations[dot]
        guard op.results.count == 1, let type = op.resultTensorType(0),
              MatmulEpilogueMatcher.elementTypes.contains(type.elementType.description),
              let shape = try? DotShape(op), shape.batch == 1,
              MatmulLowering.vendorCall(op, a: 0, b: 0, c: 0) != nil else { return nil }
        let product = op.results[0]
        var chain = Set<Int>()
        var x = product
        var bias: Value?
        if let only = users[product.id], only.count == 1, operations[only[0]].name == "stablehlo.add" {
            let add = operations[only[0]]
            let other = add.operands.first { $0 != product }
            // cuBLASLt adds bias[j] to column j of the n columns: the vector must run along
            // the whole of n (so not for a matrix-vector product, whose last dimension is m).
            if add.operands.count == 2, add.results.count == 1, let other, let vector = lastDimVector(other),
               vector.type.tensorType?.elementType == type.elementType, !shape.rhsFree.isEmpty,
               vector.type.tensorType?.shape == [shape.n] {
                chain.insert(only[0])
                bias = vector
                x = add.results[0]
            }
        }
        if let (activation, ops, y) = activation(of: x, avoiding: chain) {
            chain.formUnion(ops)
            let epilogue: MatmulCall.Epilogue = activation == .relu
                ? (bias == nil ? .relu : .biasRelu) : (bias == nil ? .gelu : .biasGelu)
            return MatmulEpilogueMatch(chain: chain, result: y, epilogue: epilogue, bias: bias)
        }
        guard bias != nil else { return nil }
        return MatmulEpilogueMatch(chain: chain, result: x, epilogue: .bias, bias: bias)
    }

    /// ReLU (`maximum(x, 0)`) or tanh-GELU
    /// (`x * (0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x*x*x))))`) of `x`, when every
    /// user of `x` and of the intermediates is part of it: the kind, its ops and its result.
    func activation(of x: Value, avoiding: Set<Int>) -> (MatmulCall.Epilogue, Set<Int>, Value)? {
        for u in users[x.id] ?? [] where operations[u].results.count == 1 {
            let y = operations[u].results[0]
            if let (p, _, zero) = binary(y, "stablehlo.maximum", { $0 == x ? () : nil }),
               isLiteral(zero, 0), onlyUsedWithin([p], [x]) {
                return (.relu, [p], y)
            }
            if let ops = gelu(y, of: x), onlyUsedWithin(ops, [x] + ops.flatMap { operations[$0].results }.filter { $0 != y }) {
                return (.gelu, ops, y)
            }
        }
        return nil
    }

    /// The ops of a tanh-GELU of `x` whose result is `y`, in the workload's form.
    func gelu(_ y: Value, of x: Value) -> Set<Int>? {
        let isX: (Value) -> Void? = { $0 == x ? () : nil }
        guard let (outer, _, half) = binary(y, "stablehlo.multiply", isX),
              let (scale, _, onePlus) = binary(half, "stablehlo.multiply", { self.isLiteral($0, 0.5) ? () : nil }),
              let (shift, _, t) = binary(onePlus, "stablehlo.add", { self.isLiteral($0, 1) ? () : nil }),
              let (tanh, tanhOp) = defining(t, "stablehlo.tanh"),
              let (inner, _, sum) = binary(tanhOp.operands[0], "stablehlo.multiply",
                                           { self.isLiteral($0, 0.7978845608028654) ? () : nil }),
              let (plus, _, cubic) = binary(sum, "stablehlo.add", isX),
              let (weight, _, cube) = binary(cubic, "stablehlo.multiply", { self.isLiteral($0, 0.044715) ? () : nil }),
              let (cubeOp, square, xAgain) = binary(cube, "stablehlo.multiply", { (v: Value) -> Int? in
                  self.binary(v, "stablehlo.multiply", isX).flatMap { $0.2 == x ? $0.0 : nil }
              }),
              xAgain == x
        else { return nil }
        return [outer, scale, shift, tanh, inner, plus, weight, cubeOp, square]
    }

    /// `block` with each op index in `replacements` replaced by its fused op, the ops in
    /// `removed` dropped, and the broadcasts and literals only those ops read dropped too.
    func rewriting(_ block: Block, replacing replacements: [Int: Operation], removing removed: Set<Int>) -> Block {
        guard !replacements.isEmpty else { return block }
        var removed = removed
        removeDeadViews(after: &removed, needed: Set(replacements.values.flatMap { $0.operands.map(\.id) }))
        var result = block
        result.operations = block.operations.enumerated().compactMap { i, op in
            if let fused = replacements[i] { return fused }
            return removed.contains(i) ? nil : op
        }
        return result
    }

    /// Adds to `removed` the broadcasts and literals whose every user is removed, until none
    /// is left; ops defining a value in `needed` (ids the fused matmuls read) stay.
    func removeDeadViews(after removed: inout Set<Int>, needed: Set<Int>) {
        let views: Set<String> = ["stablehlo.broadcast_in_dim", "stablehlo.constant", "stablehlo.reshape"]
        var changed = true
        while changed {
            changed = false
            for (i, op) in operations.enumerated().reversed() where !removed.contains(i) && views.contains(op.name) {
                let readers = op.results.flatMap { users[$0.id] ?? [] }
                guard !readers.isEmpty, readers.allSatisfy(removed.contains),
                      !op.results.contains(where: { needed.contains($0.id) }) else { continue }
                removed.insert(i)
                changed = true
            }
        }
    }
}
