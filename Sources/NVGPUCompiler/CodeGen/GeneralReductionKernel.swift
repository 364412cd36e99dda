import StableHLO

/// A `reduce` whose body is more than one combining op (argmax/argmin: two inputs and a
/// compare/select body; any variadic reduction of scalar elementwise ops): one thread per
/// result element folds `body(acc..., element...)` from the init values over the reduced
/// dimensions in row-major order (the reference interpreter's order).
enum GeneralReductionKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.reduce"]

    /// Only reductions that do not fuse: a body other than one combining op, or a sum or
    /// product of a narrow float, which the reference rounds to the format at every step of
    /// its fold (so it is folded here, in the reference's order, not in a tree in `float`).
    static func accepts(_ op: Operation) -> Bool {
        switch OperationClass.simpleCombiner(op) {
        case nil: return true
        case .add?, .multiply?:
            return op.results.contains { $0.type.tensorType.flatMap { KernelElementType($0.elementType) }?.narrowFloatFormat != nil }
        default: return false
        }
    }

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count % 2 == 0, !op.operands.isEmpty, op.results.count == op.operands.count / 2 else {
            throw CodeGenError("reduce needs n inputs, n init values and n results", at: op.location)
        }
        let n = op.results.count
        let inputs = Array(op.operands[..<n]), inits = Array(op.operands[n...])
        let shape = try DedicatedKernels.shape(inputs[0], of: op)
        for v in inputs where try DedicatedKernels.shape(v, of: op) != shape {
            throw CodeGenError("reduce inputs have different shapes", at: op.location)
        }
        var types: [KernelElementType] = []
        for k in 0..<n {
            let input = try DedicatedKernels.elementType(inputs[k], of: op)
            let initial = try DedicatedKernels.elementType(inits[k], of: op)
            let result = try DedicatedKernels.elementType(op.results[k], of: op)
            guard input == initial, initial == result, try DedicatedKernels.shape(inits[k], of: op).isEmpty else {
                throw CodeGenError("reduce input \(inputs[k].type), init \(inits[k].type) and result \(op.results[k].type) differ in element type",
                                   at: op.location)
            }
            types.append(result)
        }
        let dims = try DedicatedKernels.ints(op, "dimensions").sorted()
        guard Set(dims).count == dims.count, dims.allSatisfy({ $0 >= 0 && $0 < shape.count }) else {
            throw CodeGenError("reduce dimensions \(dims) out of range for \(shape)", at: op.location)
        }
        let kept = shape.indices.filter { !dims.contains($0) }
        let resultShape = kept.map { shape[$0] }
        for r in op.results where try DedicatedKernels.shape(r, of: op) != resultShape {
            throw CodeGenError("reduce result \(r.type) does not match \(resultShape)", at: op.location)
        }
        guard let region = op.regions.first else { throw CodeGenError("reduce without a body", at: op.location) }
        let body = try ScalarRegion(region, of: op)
        let count = resultShape.reduce(1, *)
        guard count > 0 else { return FusionKernels(kernels: [], scratch: []) }

        let (parameters, bindings) = DedicatedKernels.reductionParameters(
            inputs: inputs, inits: inits, results: op.results, types: types)
        let strides = ElementIndex.strides(shape)
        var lines = DedicatedKernels.coordinates(of: "o", in: resultShape, prefix: "o", indent: "    ")
        let base = kept.enumerated().filter { shape[$0.element] != 1 }.map { "o\($0.offset) * \(strides[$0.element])" }
        lines.append("    const idx_t base = \(base.isEmpty ? "0" : base.joined(separator: " + "));")
        for k in 0..<n { lines.append("    \(types[k].compute) acc\(k) = \(types[k].load("init\(k)[0]"));") }
        let reducedShape = dims.map { shape[$0] }
        let reducedCount = reducedShape.reduce(1, *)
        lines.append("    for (idx_t r = 0; r < (idx_t)\(reducedCount); ++r) {")
        lines += DedicatedKernels.coordinates(of: "r", in: reducedShape, prefix: "r", indent: "      ")
        let offset = dims.enumerated().filter { shape[$0.element] != 1 }.map { "r\($0.offset) * \(strides[$0.element])" }
        lines.append("      const idx_t at = base\(offset.isEmpty ? "" : " + " + offset.joined(separator: " + "));")
        for k in 0..<n { lines.append("      const \(types[k].compute) e\(k) = \(types[k].load("in\(k)[at]"));") }
        let results = try body.emit(arguments: (0..<n).map { "acc\($0)" } + (0..<n).map { "e\($0)" },
                                    into: &lines, indent: "      ", prefix: "b")
        for k in 0..<n { lines.append("      acc\(k) = \(results[k]);") }
        lines.append("    }")
        for k in 0..<n { lines.append("    out\(k)[o] = \(types[k].store("acc\(k)"));") }
        let kernel = DedicatedKernels.kernel(
            name: name, comment: "\(name): reduce \(shape) over \(dims) with a \(n)-value body",
            parameters: parameters, bindings: bindings, count: count, body: lines, operation: op)
        return FusionKernels(kernels: [kernel], scratch: [])
    }
}
