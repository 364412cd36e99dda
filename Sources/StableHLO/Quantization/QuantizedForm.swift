/// How an op treats quantized tensors, as the StableHLO spec defines it. The verifier, the
/// reference interpreter and the compiler's lowering all follow this one table.
public enum QuantizedForm: Hashable, Sendable {
    /// The op moves stored integers (reshape, slice, gather, ...) or passes them to its
    /// regions (reduce, sort, while, ...), whose own ops do the arithmetic: it runs on the
    /// storage type and the quantization travels with the types.
    case storage
    /// The op computes (`add`, `dot_general`, `compare`, `uniform_quantize`, ...): every
    /// quantized operand is dequantized to its expressed type, the op runs on floats, and
    /// every quantized result is quantized (the spec's `dequantize_op_quantize`,
    /// `dequantize_compare`, `hybrid_dequantize_then_op`). `uniform_quantize` and
    /// `uniform_dequantize` are this form with the identity as the op.
    case dequantizeOpQuantize

    /// Ops that only move elements or call regions; everything else computes.
    static let storageOperations: Set<String> = [
        "stablehlo.broadcast_in_dim", "stablehlo.concatenate", "stablehlo.dynamic_slice",
        "stablehlo.dynamic_update_slice", "stablehlo.gather", "stablehlo.pad", "stablehlo.reshape",
        "stablehlo.reverse", "stablehlo.slice", "stablehlo.transpose", "stablehlo.bitcast_convert",
        "stablehlo.get_tuple_element", "stablehlo.tuple", "stablehlo.optimization_barrier",
        "stablehlo.all_gather", "stablehlo.all_to_all", "stablehlo.collective_permute",
        "stablehlo.collective_broadcast", "stablehlo.infeed", "stablehlo.outfeed", "stablehlo.send",
        "stablehlo.recv", "stablehlo.custom_call", "stablehlo.get_dimension_size",
        "stablehlo.dynamic_broadcast_in_dim", "stablehlo.dynamic_reshape", "stablehlo.real_dynamic_slice",
        "stablehlo.dynamic_pad", "stablehlo.dynamic_gather", "stablehlo.constant", "stablehlo.return",
        "func.return", "return", "func.call", "call", "stablehlo.composite", "interpreter.probe",
        "stablehlo.torch_index_select",
    ]

    /// The form of `op` on quantized tensors.
    public init(_ op: Operation) {
        if !op.regions.isEmpty || Self.storageOperations.contains(op.name) || op.name.hasPrefix("check.") {
            self = .storage
        } else {
            self = .dequantizeOpQuantize
        }
    }

    /// Whether any operand or result of `op` (not of its regions) is a quantized tensor.
    public static func involvesQuantizedTensors(_ op: Operation) -> Bool {
        op.operands.contains { $0.type.isQuantizedTensor } || op.results.contains { $0.type.isQuantizedTensor }
    }

    /// Whether `op` or anything nested in its regions has a quantized tensor type.
    public static func involvesQuantizedTensorsDeeply(_ op: Operation) -> Bool {
        if involvesQuantizedTensors(op) { return true }
        return op.regions.contains { region in
            region.blocks.contains { block in
                block.arguments.contains { $0.type.isQuantizedTensor }
                    || block.operations.contains(where: involvesQuantizedTensorsDeeply)
            }
        }
    }
}

extension IRType {
    /// Whether this is a quantized tensor, or a tuple holding one.
    public var isQuantizedTensor: Bool {
        switch self {
        case .tensor(let t): return t.isQuantized
        case .tuple(let items): return items.contains { $0.isQuantizedTensor }
        default: return false
        }
    }

    /// The type with every quantized tensor in it replaced by `transform` of it.
    public func replacingQuantizedTensors(_ transform: (TensorType) -> TensorType) -> IRType {
        switch self {
        case .tensor(let t) where t.isQuantized: return .tensor(transform(t))
        case .tuple(let items): return .tuple(items.map { $0.replacingQuantizedTensors(transform) })
        default: return self
        }
    }
}

extension Operation {
    /// The op with every quantized tensor type of its operands, results and (deeply) its
    /// regions replaced by `transform` of it: the op as its evaluation form sees it.
    public func replacingQuantizedTensors(_ transform: (TensorType) -> TensorType) -> Operation {
        var copy = self
        copy.operands = operands.map { Value(id: $0.id, type: $0.type.replacingQuantizedTensors(transform)) }
        copy.results = results.map { Value(id: $0.id, type: $0.type.replacingQuantizedTensors(transform)) }
        copy.regions = regions.map { region in
            Region(blocks: region.blocks.map { block in
                Block(arguments: block.arguments.map { Value(id: $0.id, type: $0.type.replacingQuantizedTensors(transform)) },
                      operations: block.operations.map { $0.replacingQuantizedTensors(transform) })
            })
        }
        return copy
    }
}
