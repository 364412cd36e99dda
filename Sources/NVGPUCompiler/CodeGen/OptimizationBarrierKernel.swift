import StableHLO

/// `stablehlo.optimization_barrier`: the identity on its operands. Each tensor operand is
/// copied to its result by a byte-copy kernel (the barrier's results get buffers of their
/// own, so nothing computed after the barrier is moved before it). Tokens and tuples have
/// no device buffer, so a barrier over them stays on the host.
enum OptimizationBarrierKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.optimization_barrier"]

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count == op.results.count else {
            throw CodeGenError("optimization_barrier needs as many results as operands", at: op.location)
        }
        var kernels: [GeneratedKernel] = []
        for (k, (operand, result)) in zip(op.operands, op.results).enumerated() {
            guard let type = operand.type.tensorType, type.isStatic, result.type == operand.type else {
                throw CodeGenError("optimization_barrier operand \(operand.type) has no device buffer", at: op.location)
            }
            let bytes = type.elementCount * type.elementType.storageBytes
            guard bytes > 0 else { continue }
            kernels.append(BitcastConvertKernel.byteCopy(name: "\(name)_\(k)", from: operand, to: result, bytes: bytes, of: op))
        }
        return FusionKernels(kernels: kernels, scratch: [])
    }
}
