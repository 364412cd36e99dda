import StableHLO

/// Generated kernels for `stablehlo.dynamic_slice` and `stablehlo.dynamic_update_slice`:
/// one thread per result element; each start index (a 0-d tensor) is clamped to
/// `0...dim - size` so the block fits, as the spec and the reference do.
enum DynamicSliceKernels {
    /// `dynamic_slice(operand, starts...)`: `result[o] = operand[clamp(start) + o]`.
    static func slice(_ op: Operation, name: String) throws -> GeneratedKernel {
        let (operand, type) = try IndexedSource.dataType(op.operandTensorType(0), role: "operand", op: op)
        let (result, _) = try IndexedSource.dataType(op.resultTensorType(0), role: "result", op: op)
        let describe = "stablehlo.dynamic_slice \(operand) -> \(result)"
        let shape = operand.shape, rank = shape.count
        guard let sizes = op[attribute: "slice_sizes"]?.intArray.map({ $0.map { Int($0) } }),
              op.operands.count == 1 + rank, op.results.count == 1, sizes == result.shape,
              result.elementType == operand.elementType, zip(sizes, shape).allSatisfy({ $0 >= 0 && $0 <= $1 }) else {
            throw CodeGenError("\(describe): expects one start index per dimension and slice_sizes equal to the result shape", at: op.location)
        }
        let startTypes = try startIndexTypes(op, first: 1, rank: rank, describe: describe)
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        w.indent = 2
        IndexedSource.decode("i", shape: result.shape, prefix: "o", into: w)
        let terms = (0..<rank).map { d in "((idx_t)nv_clamp_position(nv_position(start\(d)[0]), \(shape[d] - sizes[d])) + o\(d))" }
        w.emit("out[i] = operand[\(IndexedSource.dot(terms, ElementIndex.strides(shape)))];")
        return IndexedSource.kernel(
            name: name,
            parameters: ["const \(type.storage)* __restrict__ operand"]
                + startTypes.enumerated().map { "const \($0.element.storage)* __restrict__ start\($0.offset)" }
                + ["\(type.storage)* __restrict__ out"],
            bindings: op.operands.map { .value($0) } + [.value(op.results[0])],
            total: result.elementCount, counts: [operand.elementCount],
            comment: "\(name): \(describe), one thread per result element", op: op, body: w.lines)
    }

    /// `dynamic_update_slice(operand, update, starts...)`: the operand, with the update's
    /// block at the clamped starts.
    static func updateSlice(_ op: Operation, name: String) throws -> GeneratedKernel {
        let (operand, type, update, startTypes, describe) = try updateOperands(op, suffix: "")
        let shape = operand.shape, rank = shape.count
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        w.indent = 2
        IndexedSource.decode("i", shape: shape, prefix: "o", into: w)
        var inside: [String] = []
        for d in 0..<rank {
            w.emit("const long long t\(d) = (long long)o\(d) - nv_clamp_position(nv_position(start\(d)[0]), \(shape[d] - update.shape[d]));")
            inside.append("t\(d) >= 0 && t\(d) < \(update.shape[d])")
        }
        let u = IndexedSource.dot((0..<rank).map { "(idx_t)t\($0)" }, ElementIndex.strides(update.shape))
        if update.elementCount == 0 {
            w.emit("out[i] = operand[i];")
        } else {
            w.emit("out[i] = (\(inside.isEmpty ? "true" : inside.joined(separator: " && "))) ? update[\(u)] : operand[i];")
        }
        return IndexedSource.kernel(
            name: name,
            parameters: ["const \(type.storage)* __restrict__ operand", "const \(type.storage)* __restrict__ update"]
                + startTypes.enumerated().map { "const \($0.element.storage)* __restrict__ start\($0.offset)" }
                + ["\(type.storage)* __restrict__ out"],
            bindings: op.operands.map { .value($0) } + [.value(op.results[0])],
            total: operand.elementCount, counts: [operand.elementCount, update.elementCount],
            comment: "\(name): \(describe), one thread per result element", op: op, body: w.lines)
    }

    /// `dynamic_update_slice` whose result is its operand's buffer (a loop-carried value
    /// updated in place, `CarriedInPlace`): one thread per update element stores it at the
    /// clamped starts; the rest of the buffer is left as it is. Binds the update, the
    /// starts and the result (not the operand).
    static func updateSliceInPlace(_ op: Operation, name: String) throws -> GeneratedKernel {
        let (operand, type, update, startTypes, describe) = try updateOperands(op, suffix: " in place")
        let shape = operand.shape, rank = shape.count
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")
        w.indent = 2
        IndexedSource.decode("i", shape: update.shape, prefix: "u", into: w)
        var position: [String] = []
        for d in 0..<rank {
            w.emit("const long long p\(d) = (long long)u\(d) + nv_clamp_position(nv_position(start\(d)[0]), \(shape[d] - update.shape[d]));")
            position.append("(idx_t)p\(d)")
        }
        w.emit("out[\(IndexedSource.dot(position, ElementIndex.strides(shape)))] = update[i];")
        return IndexedSource.kernel(
            name: name,
            parameters: ["const \(type.storage)* __restrict__ update"]
                + startTypes.enumerated().map { "const \($0.element.storage)* __restrict__ start\($0.offset)" }
                + ["\(type.storage)* __restrict__ out"],
            bindings: op.operands.dropFirst().map { .value($0) } + [.value(op.results[0])],
            total: update.elementCount, counts: [operand.elementCount, update.elementCount],
            comment: "\(name): \(describe), one thread per update element", op: op, body: w.lines)
    }

    /// A `dynamic_update_slice`'s operand and update types (checked to fit), its start-index
    /// types and its description for errors and comments.
    static func updateOperands(_ op: Operation, suffix: String) throws
        -> (operand: TensorType, type: KernelElementType, update: TensorType, startTypes: [KernelElementType], describe: String)
    {
        let (operand, type) = try IndexedSource.dataType(op.operandTensorType(0), role: "operand", op: op)
        guard op.operands.count >= 2 else {
            throw CodeGenError("stablehlo.dynamic_update_slice expects an operand, an update and start indices", at: op.location)
        }
        let (update, _) = try IndexedSource.dataType(op.operandTensorType(1), role: "update", op: op)
        let describe = "stablehlo.dynamic_update_slice \(operand), \(update)" + suffix
        let shape = operand.shape, rank = shape.count
        guard op.operands.count == 2 + rank, op.results.count == 1, op.resultTensorType(0) == operand,
              update.elementType == operand.elementType, update.shape.count == rank,
              zip(update.shape, shape).allSatisfy({ $0 <= $1 }) else {
            throw CodeGenError("\(describe): expects an update that fits the operand and one start index per dimension", at: op.location)
        }
        return (operand, type, update, try startIndexTypes(op, first: 2, rank: rank, describe: describe), describe)
    }

    /// The element types of the `rank` scalar start-index operands from `first` on.
    static func startIndexTypes(_ op: Operation, first: Int, rank: Int, describe: String) throws -> [KernelElementType] {
        try (0..<rank).map { d in
            let t = op.operandTensorType(first + d)
            guard t?.shape.isEmpty == true else {
                throw CodeGenError("\(describe): start index #\(d) is not a 0-d tensor", at: op.location)
            }
            return try IndexedSource.positionType(t, role: "start index #\(d)", op: op)
        }
    }
}
