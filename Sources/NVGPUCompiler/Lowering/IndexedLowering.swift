import Foundation
import Runtime
import StableHLO

/// The indexed ops (gather, scatter, dynamic_slice, dynamic_update_slice): each runs as one
/// generated kernel of its own (`CodeGen/Indexed`), or on the host with the reason its
/// form has no kernel.
public enum IndexedLowering {
    /// Ops with an indexed kernel.
    public static let operationNames: Set<String> = [
        "stablehlo.gather", "stablehlo.scatter", "stablehlo.dynamic_slice", "stablehlo.dynamic_update_slice",
    ]

    /// The kernel for `op` (one of `operationNames`), or the compile error saying why not.
    static func kernel(_ op: StableHLO.Operation, name: String) throws -> GeneratedKernel {
        switch op.name {
        case "stablehlo.gather": return try GatherKernel.build(op, name: name)
        case "stablehlo.scatter": return try ScatterKernel.build(op, name: name)
        case "stablehlo.dynamic_slice": return try DynamicSliceKernels.slice(op, name: name)
        case "stablehlo.dynamic_update_slice": return try DynamicSliceKernels.updateSlice(op, name: name)
        default: throw CodeGenError("\(op.name) is not an indexed op", at: op.location)
        }
    }

    /// `.indexing` when a kernel can be generated for `op`, else `.host` with the reason.
    static func operationClass(_ op: StableHLO.Operation) -> OperationClass {
        do {
            _ = try kernel(op, name: "probe")
            return .indexing
        } catch {
            let message = (error as? CodeGenError)?.message ?? "\(error)"
            return .host(reason: "no CUDA kernel for this \(op.name): \(message)")
        }
    }
}

extension Assembly {
    /// Adds the kernel launch of one indexed op; returns the kernel's name (none for an
    /// empty result).
    mutating func addIndexed(_ op: StableHLO.Operation, name: String) throws -> [String] {
        // Results get buffers even when no kernel writes them (empty tensors).
        for r in op.results { _ = try buffer(for: r, definedBy: op.name) }
        guard op.results.allSatisfy({ ($0.type.tensorType?.elementCount ?? 0) > 0 }) else { return [] }
        let kernel = try IndexedLowering.kernel(op, name: name)
        var arguments: [KernelLaunch.Argument] = []
        var touched: [Int] = []
        for binding in kernel.bindings {
            guard case .value(let v) = binding else {
                throw CodeGenError("\(op.name): an indexed kernel takes no scratch buffers", at: op.location)
            }
            let b = try buffer(for: v, definedBy: name)
            arguments.append(.buffer(b))
            touched.append(b)
        }
        steps.append(.launch(KernelLaunch(kernel: kernels.count, grid: kernel.grid, block: kernel.block,
                                          sharedMemoryBytes: kernel.sharedMemoryBytes, arguments: arguments)))
        kernels.append(KernelImage(entryPoint: kernel.name, binary: Data(), source: kernel.source))
        stepBuffers.append(touched)
        return [kernel.name]
    }
}
