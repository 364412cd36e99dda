import StableHLO

/// Generated kernels for `stablehlo.dynamic_pad` and `stablehlo.real_dynamic_slice` whose
/// padding or bounds are not constants (constant ones become `pad` and `slice` in the
/// `dynamic-to-static` pass): the result type is static, and each thread reads the small
/// config tensors (one entry per dimension) from device memory. Programs whose configs
/// contradict the result type are invalid (the reference reports them); the kernels still
/// never read outside the operand.
enum DynamicPadSliceKernels {
    /// `dynamic_pad(operand, value, low, high, interior)`: `result[o]` is
    /// `operand[(o - low) / (interior + 1)]` where that divides evenly and lands inside the
    /// operand, else the padding value (negative `low` drops leading elements).
    static func pad(_ op: Operation, name: String) throws -> GeneratedKernel {
        let (operand, type) = try IndexedSource.dataType(op.operandTensorType(0), role: "operand", op: op)
        let (result, _) = try IndexedSource.dataType(op.resultTensorType(0), role: "result", op: op)
        let describe = "stablehlo.dynamic_pad \(operand) -> \(result)"
        let rank = operand.rank
        guard op.operands.count == 5, op.results.count == 1, result.rank == rank, result.elementType == operand.elementType,
              op.operandTensorType(1) == TensorType(shape: [], elementType: operand.elementType) else {
            throw CodeGenError("\(describe): expects an operand, a scalar padding value of its type and three padding vectors", at: op.location)
        }
        let configs = try configTypes(op, first: 2, count: 3, rank: rank, describe: describe)
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        w.indent = 2
        IndexedSource.decode("i", shape: result.shape, prefix: "o", into: w)
        var inside: [String] = []
        for d in 0..<rank {
            w.emit("const long long t\(d) = (long long)o\(d) - nv_position(low[\(d)]);")
            w.emit("const long long s\(d) = nv_position(interior[\(d)]) + 1;")
            inside.append("s\(d) > 0 && t\(d) >= 0 && t\(d) % s\(d) == 0 && t\(d) / s\(d) < \(operand.shape[d])")
        }
        let source = IndexedSource.dot((0..<rank).map { "(idx_t)(t\($0) / s\($0))" }, ElementIndex.strides(operand.shape))
        if inside.isEmpty {
            w.emit("out[i] = operand[0];")
        } else {
            w.emit("out[i] = (\(inside.map { "(\($0))" }.joined(separator: " && "))) ? operand[\(source)] : value[0];")
        }
        return IndexedSource.kernel(
            name: name,
            parameters: ["const \(type.storage)* __restrict__ operand", "const \(type.storage)* __restrict__ value"]
                + zip(["low", "high", "interior"], configs).map { "const \($1.storage)* __restrict__ \($0)" }
                + ["\(type.storage)* __restrict__ out"],
            bindings: op.operands.map { .value($0) } + [.value(op.results[0])],
            total: result.elementCount, counts: [operand.elementCount],
            comment: "\(name): \(describe), padding read at run time, one thread per result element", op: op, body: w.lines)
    }

    /// `real_dynamic_slice(operand, start, limit, strides)`: `result[o] =
    /// operand[start + o * strides]`, each position clamped into the operand.
    static func slice(_ op: Operation, name: String) throws -> GeneratedKernel {
        let (operand, type) = try IndexedSource.dataType(op.operandTensorType(0), role: "operand", op: op)
        let (result, _) = try IndexedSource.dataType(op.resultTensorType(0), role: "result", op: op)
        let describe = "stablehlo.real_dynamic_slice \(operand) -> \(result)"
        let rank = operand.rank
        guard op.operands.count == 4, op.results.count == 1, result.rank == rank, result.elementType == operand.elementType,
              operand.elementCount > 0 || result.elementCount == 0 else {
            throw CodeGenError("\(describe): expects an operand and start, limit and stride vectors", at: op.location)
        }
        let configs = try configTypes(op, first: 1, count: 3, rank: rank, describe: describe)
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        w.indent = 2
        IndexedSource.decode("i", shape: result.shape, prefix: "o", into: w)
        var terms: [String] = []
        for d in 0..<rank {
            let n = operand.shape[d]
            // A valid stride above the dimension's size only ever takes element 0, so clamping
            // it to the size changes nothing and keeps the product far from overflow.
            w.emit("const long long p\(d) = nv_position(start[\(d)]) + (long long)o\(d) * nv_clamp_position(nv_position(strides[\(d)]), \(max(n, 1)));")
            terms.append("(idx_t)nv_clamp_position(p\(d), \(max(n - 1, 0)))")
        }
        w.emit("out[i] = operand[\(IndexedSource.dot(terms, ElementIndex.strides(operand.shape)))];")
        return IndexedSource.kernel(
            name: name,
            parameters: ["const \(type.storage)* __restrict__ operand"]
                + zip(["start", "limit", "strides"], configs).map { "const \($1.storage)* __restrict__ \($0)" }
                + ["\(type.storage)* __restrict__ out"],
            bindings: op.operands.map { .value($0) } + [.value(op.results[0])],
            total: result.elementCount, counts: [operand.elementCount],
            comment: "\(name): \(describe), bounds read at run time, one thread per result element", op: op, body: w.lines)
    }

    /// The element types of `count` config operands from `first` on: 1-d integer tensors
    /// with one entry per operand dimension.
    static func configTypes(_ op: Operation, first: Int, count: Int, rank: Int, describe: String) throws -> [KernelElementType] {
        try (first..<(first + count)).map { k in
            let t = op.operandTensorType(k)
            guard t?.shape == [rank] else {
                throw CodeGenError("\(describe): operand #\(k) is not a vector of \(rank) integers", at: op.location)
            }
            return try IndexedSource.positionType(t, role: "operand #\(k)", op: op)
        }
    }
}
