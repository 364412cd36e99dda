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
struct OnePassVariancePass: BlockRewritePass {
    var entry: String
    var isEnabled: Bool
    var name: String { "nvgpu-one-pass-variance" }

    static var isEnabledByEnvironment: Bool { ProcessInfo.processInfo.environment["NVGPU_ONE_PASS_VARIANCE"] != "0" }

    func rewrite(_ block: Block, nextID: inout Int) -> Block {
        var block = block
        for _ in 0..<64 {
            guard let rewritten = Self.rewritingFirst(block, nextID: &nextID) else { break }
            block = rewritten
        }
        return block
    }

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

    /// The sum's reduced dimensions, when `op` is a one-result `reduce` applying `add` from a
    /// zero initial value, of an f32 or f64 tensor.
    static func sumDimensions(_ op: StableHLO.Operation, definition: [Int: StableHLO.Operation]) -> [Int]? {
        guard op.name == "stablehlo.reduce", OperationClass.simpleCombiner(op) == .add,
              let type = op.operandTensorType(0), type.elementType == .float(.f32) || type.elementType == .float(.f64),
              let initial = definition[op.operands[1].id], isSplat(initial, equalTo: 0) else { return nil }
        return (op[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
    }

    /// `x` when `op` sums `(x - mean(x))²` over the dimensions its mean reduced, with the
    /// deviations' reduction a column view.
    static func deviationInput(of op: StableHLO.Operation, definition: [Int: StableHLO.Operation]) -> Value? {
        guard let dims = sumDimensions(op, definition: definition), let shape = op.operandTensorType(0)?.shape,
              readsTwice(shape, dims), let square = definition[op.operands[0].id] else { return nil }
        let deviation: Value
        if square.name == "chlo.square", square.operands.count == 1 {
            deviation = square.operands[0]
        } else if square.name == "stablehlo.multiply", square.operands.count == 2, square.operands[0] == square.operands[1] {
            deviation = square.operands[0]
        } else {
            return nil
        }
        guard let subtract = definition[deviation.id], subtract.name == "stablehlo.subtract",
              let broadcast = definition[subtract.operands[1].id], broadcast.name == "stablehlo.broadcast_in_dim",
              broadcast.resultTensorType(0)?.shape == shape, let meanShape = broadcast.operandTensorType(0)?.shape else { return nil }
        let x = subtract.operands[0]
        // The mean's non-unit dimensions land on the kept non-unit dimensions, in order.
        let targets = (broadcast[attribute: "broadcast_dimensions"]?.intArray ?? []).map { Int($0) }
        guard targets.count == meanShape.count else { return nil }
        let kept = shape.indices.filter { !dims.contains($0) && shape[$0] != 1 }
        guard meanShape.indices.filter({ meanShape[$0] != 1 }).map({ targets[$0] }) == kept else { return nil }
        // mean = sum / N (or sum × 1/N), through reshapes that only add or drop unit dimensions.
        let count = Double(dims.map { shape[$0] }.reduce(1, *))
        guard let scale = definition[throughReshapes(broadcast.operands[0], definition).id],
              scale.name == "stablehlo.divide" || scale.name == "stablehlo.multiply", scale.operands.count == 2,
              case .float(let format)? = scale.resultTensorType(0)?.elementType else { return nil }
        var sumValue: Value?
        for (s, c) in [(0, 1), (1, 0)] where scale.name == "stablehlo.multiply" || s == 0 {
            guard let constant = definition[scale.operands[c].id] else { continue }
            let wanted = scale.name == "stablehlo.divide" ? count : format.round(1 / count)
            if isSplat(constant, equalTo: wanted) { sumValue = scale.operands[s] }
        }
        guard let sumValue, let sum = definition[throughReshapes(sumValue, definition).id],
              sum.operands.first == x, sumDimensions(sum, definition: definition) == dims else { return nil }
        return x
    }

    /// Whether the two-pass form of a reduction of `shape` over `dims` reads the input twice:
    /// a column view, or rows too long to stay on chip (`OnChipRowKernel`).
    static func readsTwice(_ shape: [Int], _ dims: [Int]) -> Bool {
        if ColumnReductionKernel.view(shape, reducing: dims) != nil { return true }
        guard let (_, columns) = VariadicReductionKernel.rowView(shape, dims) else { return false }
        return OnChipRowKernel.geometry(columns: columns, widestBytes: 4) == nil
            && OnChipRowKernel.geometry(columns: columns, widestBytes: 2) == nil
    }

    /// `value` followed back through `reshape`s that keep its non-unit dimensions.
    static func throughReshapes(_ value: Value, _ definition: [Int: StableHLO.Operation]) -> Value {
        var v = value
        while let op = definition[v.id], op.name == "stablehlo.reshape",
              let from = op.operandTensorType(0)?.shape, let to = op.resultTensorType(0)?.shape,
              from.filter({ $0 != 1 }) == to.filter({ $0 != 1 }) {
            v = op.operands[0]
        }
        return v
    }

    /// Whether `op` is a constant whose every element is `value`.
    static func isSplat(_ op: StableHLO.Operation, equalTo value: Double) -> Bool {
        guard op.name == "stablehlo.constant", case .dense(let d)? = op[attribute: "value"],
              case .float(let format) = d.type.elementType, d.type.elementCount > 0 else { return false }
        let size = d.type.elementType.storageBytes
        guard d.bytes.count >= size else { return false }
        let first = format.decode(d.rawBits(at: 0))
        guard first == value else { return false }
        if d.isSplat { return true }
        return (1..<d.type.elementCount).allSatisfy { format.decode(d.rawBits(at: $0)) == value }
    }

    /// The ops that compute `sum` (a sum of squared deviations of `x`) as the M2 result of a
    /// Welford reduction of `x`: its constants, then the reduction, whose third result keeps
    /// `sum`'s value id (its readers are unchanged).
    static func welford(replacing sum: StableHLO.Operation, input x: Value, nextID: inout Int) -> [StableHLO.Operation] {
        guard let inputType = x.type.tensorType, let resultType = sum.resultTensorType(0),
              case .float(let format) = inputType.elementType else { return [sum] }
        let element = inputType.elementType
        let location = sum.location
        func fresh(_ type: TensorType) -> Value {
            defer { nextID += 1 }
            return Value(id: nextID, type: .tensor(type))
        }
        func constant(_ value: Double, _ type: TensorType) -> (Value, StableHLO.Operation) {
            let v = fresh(type)
            let elements = DenseElements(type: type, littleEndianWords: [format.encode(value)], isSplat: true)
            return (v, StableHLO.Operation(name: "stablehlo.constant", results: [v],
                                           attributes: [NamedAttribute("value", .dense(elements))], location: location))
        }
        let scalar = TensorType(shape: [], elementType: element)
        let (ones, onesOp) = constant(1, inputType)
        let (zeros, zerosOp) = constant(0, inputType)
        let (zero, zeroOp) = constant(0, scalar)

        // Body: (na, ma, Ma) and (nb, mb, Mb) → n = na + nb, δ = mb − ma, w = nb / max(n, 1),
        // mean = ma + δw, M2 = Ma + Mb + δ·δw·na. Two empty partials give (0, 0, 0).
        let arguments = (0..<6).map { _ in fresh(scalar) }
        let (na, ma, m2a, nb, mb, m2b) = (arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5])
        var body: [StableHLO.Operation] = []
        func apply(_ name: String, _ a: Value, _ b: Value) -> Value {
            let r = fresh(scalar)
            body.append(StableHLO.Operation(name: name, operands: [a, b], results: [r], location: location))
            return r
        }
        let (one, oneOp) = constant(1, scalar)
        body.append(oneOp)
        let n = apply("stablehlo.add", na, nb)
        let delta = apply("stablehlo.subtract", mb, ma)
        let weight = apply("stablehlo.divide", nb, apply("stablehlo.maximum", n, one))
        let step = apply("stablehlo.multiply", delta, weight)
        let mean = apply("stablehlo.add", ma, step)
        let spread = apply("stablehlo.multiply", apply("stablehlo.multiply", delta, step), na)
        let m2 = apply("stablehlo.add", apply("stablehlo.add", m2a, m2b), spread)
        body.append(StableHLO.Operation(name: "stablehlo.return", operands: [n, mean, m2], location: location))

        var attributes = sum.attributes.filter { $0.name == "dimensions" }
        attributes.append(NamedAttribute(VariadicReductionKernel.reassociableAttribute, .bool(true)))
        let reduce = StableHLO.Operation(
            name: "stablehlo.reduce", operands: [ones, x, zeros, zero, zero, zero],
            results: [fresh(resultType), fresh(resultType), sum.results[0]], attributes: attributes,
            regions: [Region(blocks: [Block(arguments: arguments, operations: body)])], location: location)
        return [onesOp, zerosOp, zeroOp, reduce]
    }
}
