import StableHLO

/// `stablehlo.sort`: several operands sorted together along `dimension` by a comparator
/// region of scalar elementwise ops (`ScalarRegion`), every other index an independent
/// segment. The permutation comes from `SegmentedSort` (the reference's stable merge sort,
/// comparison for comparison, so `is_stable` always holds and any comparator gives the
/// reference's order); each result is its operand's elements copied bit for bit in that order.
enum SortKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.sort"]

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard !op.operands.isEmpty, op.results.count == op.operands.count else {
            throw CodeGenError("sort needs n operands and n results", at: op.location)
        }
        let shape = try DedicatedKernels.shape(op.operands[0], of: op)
        var types: [KernelElementType] = []
        for (operand, result) in zip(op.operands, op.results) {
            let type = try DedicatedKernels.elementType(operand, of: op)
            guard try DedicatedKernels.elementType(result, of: op) == type,
                  try DedicatedKernels.shape(operand, of: op) == shape, try DedicatedKernels.shape(result, of: op) == shape else {
                throw CodeGenError("sort operand \(operand.type) and result \(result.type) must match the first operand's shape \(shape)",
                                   at: op.location)
            }
            types.append(type)
        }
        let rank = shape.count
        var dimension = Int(op[attribute: "dimension"]?.intValue ?? -1)
        if dimension < 0 { dimension += rank }
        guard rank == 0 || (0..<rank).contains(dimension) else {
            throw CodeGenError("sort dimension \(dimension) out of range for rank \(rank)", at: op.location)
        }
        guard op.regions.count == 1 else { throw CodeGenError("sort needs one comparator region", at: op.location) }
        let comparator = try ScalarRegion(op.regions[0], of: op)

        var inputs = SegmentedSort.Parameters(), outputs = SegmentedSort.Parameters()
        for (k, operand) in op.operands.enumerated() {
            inputs.append("const \(types[k].storage)* __restrict__ in\(k)", name: "in\(k)", binding: .value(operand))
        }
        for (k, result) in op.results.enumerated() {
            outputs.append("\(types[k].storage)* __restrict__ out\(k)", name: "out\(k)", binding: .value(result))
        }
        var less = ["__device__ __forceinline__ bool nv_sort_less(\(inputs.declarations.joined(separator: ", ")), long long a, long long b) {"]
        var arguments: [String] = []
        for k in types.indices {
            less.append("  const \(types[k].compute) a\(k) = \(types[k].load("in\(k)[a]"));")
            less.append("  const \(types[k].compute) b\(k) = \(types[k].load("in\(k)[b]"));")
            arguments += ["a\(k)", "b\(k)"]
        }
        let returned = try comparator.emit(arguments: arguments, into: &less, indent: "  ", prefix: "c")
        guard returned.count == 1, let value = comparator.block.operations.last?.operands.first,
              ScalarRegion.elementType(of: value)?.isBool == true else {
            throw CodeGenError("sort comparator must return one i1", at: op.location)
        }
        less += ["  return \(returned[0]);", "}"]

        let length = rank == 0 ? 1 : shape[dimension]
        let count = shape.reduce(1, *)
        let sort = SegmentedSort(
            name: name, operation: op, segments: length == 0 ? 0 : count / length, length: length,
            stride: rank == 0 ? 1 : ElementIndex.strides(shape)[dimension],
            inputs: inputs, lessFunction: less, outputs: outputs, written: length,
            write: types.indices.map { "out\($0)[at] = in\($0)[from];" },
            strictWeakOrder: ComparatorOrder.isStrictWeakOrder(op.regions[0]))
        return try sort.build()
    }
}
