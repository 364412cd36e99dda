import StableHLO

/// How the CUDA target treats one op of the entry function.
public enum OperationClass: Hashable, Sendable {
    /// Computed per element from its operands at the same index (add, exp, compare, convert, ...).
    case elementwise
    /// Reads its operand at a remapped index, or produces values from the index alone
    /// (broadcast_in_dim, reshape, transpose, slice, concatenate, reverse, iota, constant).
    case view
    /// A `reduce` of one input with a one-op body (add, multiply, max, min, and, or).
    case reduction(ReductionCombiner)
    /// A `reduce` whose body selects among its arguments (argmax, argmin), fused with its
    /// producers (`VariadicReductionKernel`); decided by the executable builder.
    case selectingReduction
    /// A `dot_general` (cuBLASLt, or a generated tiled GEMM).
    case matmul
    /// A `convolution` (cuDNN, or a generated kernel).
    case convolution
    /// A collective over the process grid, or `replica_id` / `partition_id` (NCCL steps).
    case collective
    /// An op of a kernel family (`KernelFamilies`: sort, gather/scatter, reduce_window,
    /// fft, ...): generated kernels of its own, fused with nothing.
    case dedicated
    /// A `while`, `if` or `case` whose regions become steps of a device loop or branch
    /// (`ControlFlowLowering`).
    case control
    /// `func.return`.
    case terminator
    /// Run by the reference backend on the host.
    case host(reason: String)

    /// Whether the op can be part of a generated kernel.
    public var isFusible: Bool {
        switch self {
        case .elementwise, .view, .reduction, .selectingReduction: return true
        default: return false
        }
    }
}

/// The body of a simple reduction: how two partial results combine.
public enum ReductionCombiner: String, Hashable, Sendable {
    case add, multiply, maximum, minimum, and, or
}

extension OperationClass {
    /// Elementwise ops the emitter has an expression for (whether a given element type has
    /// one is decided when the kernel is written).
    static let elementwiseNames: Set<String> = ExpressionTable.operationNames

    /// Index-remapping and index-generating ops the emitter supports.
    static let viewNames: Set<String> = [
        "stablehlo.broadcast_in_dim", "stablehlo.reshape", "stablehlo.transpose", "stablehlo.slice",
        "stablehlo.concatenate", "stablehlo.reverse", "stablehlo.iota", "stablehlo.constant",
        "stablehlo.pad",
    ]

    /// Classifies `op`; ops with types or attributes the generated code does not handle are
    /// `.host` with the reason.
    public init(_ op: Operation) {
        if op.name == "func.return" || op.name == "stablehlo.return" {
            self = .terminator
            return
        }
        let noKernel = OperationClass.host(reason: "no CUDA kernel for \(op.name) yet")
        let types = (op.operands + op.results).map(\.type)
        let allSupported = types.allSatisfy { type in
            guard let tensor = type.tensorType, tensor.isStatic else { return false }
            return KernelElementType(tensor.elementType) != nil
        }
        if ControlFlowLowering.operationNames.contains(op.name) {
            self = ControlFlowLowering.operationClass(op)
            return
        }
        if CollectiveLowering.operationNames.contains(op.name) {
            self = .collective
            return
        }
        if op.name == "stablehlo.dot_general" || op.name == AttentionMatcher.operationName
            || op.name == MatmulEpilogueMatcher.operationName {
            self = allSupported && op.regions.isEmpty ? .matmul : noKernel
            return
        }
        if KernelFamilies.family(for: op) != nil {
            self = DedicatedKernels.operationClass(op)
            return
        }
        if op.name == ConvolutionEpilogueMatcher.operationName {
            let plain = (try? ConvolutionEpilogueMatcher.fusedEpilogue(of: op))??.convolution
            self = allSupported && plain.flatMap({ try? ConvolutionGeometry($0) }) != nil ? .convolution : noKernel
            return
        }
        if op.name == "stablehlo.convolution" {
            self = allSupported && (try? ConvolutionGeometry(op)) != nil ? .convolution : noKernel
            return
        }
        guard allSupported, op.regions.isEmpty || op.name == "stablehlo.reduce" else {
            self = Self.elementwiseNames.contains(op.name) || Self.viewNames.contains(op.name)
                ? .host(reason: "no CUDA kernel for \(op.name) on these element types yet") : noKernel
            return
        }
        if Self.elementwiseNames.contains(op.name) {
            self = .elementwise
        } else if Self.viewNames.contains(op.name) {
            self = .view
        } else if op.name == "stablehlo.reduce", let combiner = Self.simpleCombiner(op) {
            self = .reduction(combiner)
        } else {
            self = noKernel
        }
    }

    /// The combiner of a one-input `reduce` whose body applies one op to its two arguments.
    static func simpleCombiner(_ op: Operation) -> ReductionCombiner? {
        guard op.operands.count == 2, op.results.count == 1, op.regions.count == 1,
              let block = op.regions[0].entry, block.arguments.count == 2,
              block.operations.count == 2 else { return nil }
        let apply = block.operations[0], ret = block.operations[1]
        guard ret.operands.count == 1, apply.results.count == 1, ret.operands[0] == apply.results[0],
              Set(apply.operands.map(\.id)) == Set(block.arguments.map(\.id)), apply.operands.count == 2
        else { return nil }
        let isBool = op.operandTensorType(0)?.elementType.isBool ?? false
        switch apply.name {
        case "stablehlo.add": return isBool ? .or : .add
        case "stablehlo.multiply": return isBool ? .and : .multiply
        case "stablehlo.maximum": return isBool ? .or : .maximum
        case "stablehlo.minimum": return isBool ? .and : .minimum
        case "stablehlo.and": return .and
        case "stablehlo.or": return .or
        default: return nil
        }
    }
}
