import StableHLO

/// The dynamic-shape forms of broadcast, iota, pad, reshape and slice: the same index maps
/// as their static forms, with shapes and bounds read from operand tensors at run time.
enum DynamicShape {
    static func broadcastInDim(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let shape = try call.intOperand(1)
        guard Indexing.checkedCount(shape) != nil else { throw call.error("invalid output shape \(shape)") }
        return [try DataMovement.broadcast(operand, to: shape, dimensions: try call.ints("broadcast_dimensions"), call)]
    }

    static func iota(_ call: KernelCall) throws -> [RuntimeValue] {
        let shape = try call.intOperand(0)
        guard Indexing.checkedCount(shape) != nil else { throw call.error("invalid output shape \(shape)") }
        let dim = try call.int("iota_dimension")
        guard dim >= 0, dim < shape.count else { throw call.error("iota_dimension \(dim) out of range for rank \(shape.count)") }
        let type = TensorType(shape: shape, elementType: try call.resultType().elementType)
        return [.tensor(iota(type, dimension: dim))]
    }

    /// A tensor of `type` whose element at index `i` is `i[dimension]`.
    static func iota(_ type: TensorType, dimension: Int) -> Tensor {
        var strides = [Int](repeating: 0, count: type.shape.count)
        strides[dimension] = 1
        let values = Indexing.affineIndices(shape: type.shape, strides: strides, base: 0)
        switch type.elementType {
        case .float: return Tensor.rounded(type, floats: values.map { Double($0) })
        case .complex:
            var pairs = [Double](repeating: 0, count: 2 * values.count)
            for (i, v) in values.enumerated() { pairs[2 * i] = Double(v) }
            return Tensor.rounded(type, complexes: pairs)
        default: return Tensor.rounded(type, ints: values.map { Int64($0) })
        }
    }

    static func pad(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let value = try call.tensor(1)
        return [try DataMovement.pad(operand, with: value, low: try call.intOperand(2),
                                     high: try call.intOperand(3), interior: try call.intOperand(4), call)]
    }

    static func reshape(_ call: KernelCall) throws -> [RuntimeValue] {
        [try DataMovement.reshape(try call.tensor(0), to: try call.intOperand(1), call)]
    }

    static func realDynamicSlice(_ call: KernelCall) throws -> [RuntimeValue] {
        [try DataMovement.slice(try call.tensor(0), start: try call.intOperand(1), limit: try call.intOperand(2),
                                strides: try call.intOperand(3), call)]
    }
}
