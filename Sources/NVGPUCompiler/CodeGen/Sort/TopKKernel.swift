import StableHLO

/// `chlo.top_k`: the `k` largest elements along the last dimension, largest first, and
/// their `i32` indices, as the reference computes them: each row stably sorted by
/// "greater" (`SegmentedSort`, the reference's merge sort), so ties keep index order;
/// floats are ordered by IEEE totalOrder as the reference orders its `Double`s
/// (-NaN < -inf < -0 < +0 < inf < NaN; bf16/f16 NaNs all read as +NaN).
enum TopKKernel: KernelFamily {
    static let operationNames: Set<String> = ["chlo.top_k"]

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count == 1, op.results.count == 2 else {
            throw CodeGenError("top_k needs one operand and two results", at: op.location)
        }
        let operand = op.operands[0]
        let type = try DedicatedKernels.elementType(operand, of: op)
        guard type.isFloat || type.isInteger else {
            throw CodeGenError("top_k on \(operand.type) is not ordered", at: op.location)
        }
        let shape = try DedicatedKernels.shape(operand, of: op)
        guard let length = shape.last else { throw CodeGenError("top_k operand must have rank >= 1", at: op.location) }
        guard let k = op[attribute: "k"]?.intValue.map(Int.init), k >= 0, k <= length else {
            throw CodeGenError("top_k k must be in 0...\(length)", at: op.location)
        }
        var resultShape = shape
        resultShape[shape.count - 1] = k
        guard try DedicatedKernels.elementType(op.results[0], of: op) == type,
              try DedicatedKernels.shape(op.results[0], of: op) == resultShape,
              try DedicatedKernels.shape(op.results[1], of: op) == resultShape,
              op.results[1].type.tensorType?.elementType == .si(32) else {
            throw CodeGenError("top_k results must be \(resultShape) of \(operand.type) and of i32, got \(op.results[0].type), \(op.results[1].type)",
                               at: op.location)
        }

        var inputs = SegmentedSort.Parameters(), outputs = SegmentedSort.Parameters()
        inputs.append("const \(type.storage)* __restrict__ in0", name: "in0", binding: .value(operand))
        outputs.append("\(type.storage)* __restrict__ values", name: "values", binding: .value(op.results[0]))
        outputs.append("int* __restrict__ indices", name: "indices", binding: .value(op.results[1]))
        let key: (String) -> String
        if type.isFloat {
            guard let function = ExpressionTable.totalOrderKey(type) else {
                throw CodeGenError("top_k on \(operand.type) has no total order", at: op.location)
            }
            key = { "\(function)(\(type.load("in0[\($0)]")))" }
        } else {
            key = { "in0[\($0)]" }
        }
        let less = [
            "__device__ __forceinline__ bool nv_sort_less(const \(type.storage)* __restrict__ in0, long long a, long long b) {",
            "  return \(key("a")) > \(key("b"));",
            "}",
        ]
        let count = shape.reduce(1, *)
        let sort = SegmentedSort(
            name: name, operation: op, segments: length == 0 ? 0 : count / length, length: length, stride: 1,
            inputs: inputs, lessFunction: less, outputs: outputs, written: k,
            write: ["values[s * \(k) + i] = in0[from];", "indices[s * \(k) + i] = p;"], strictWeakOrder: true)
        return try sort.build()
    }
}
