import StableHLO

/// The indexed ops (gather, scatter, dynamic_slice, dynamic_update_slice, and dynamic_pad /
/// real_dynamic_slice with run-time configs) as one kernel family: each op runs as one
/// generated kernel of its own (`GatherKernel`, `ScatterKernel`, `DynamicSliceKernels`,
/// `DynamicPadSliceKernels`), or on the host with the reason its form has no
/// kernel. A result with no elements needs no kernel.
enum IndexedKernels: KernelFamily {
    static let operationNames: Set<String> = [
        "stablehlo.gather", "stablehlo.scatter", "stablehlo.dynamic_slice", "stablehlo.dynamic_update_slice",
        "stablehlo.dynamic_pad", "stablehlo.real_dynamic_slice",
    ]

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        let kernel: GeneratedKernel
        switch op.name {
        case "stablehlo.gather": kernel = try GatherKernel.build(op, name: name)
        case "stablehlo.scatter": kernel = try ScatterKernel.build(op, name: name)
        case "stablehlo.dynamic_slice": kernel = try DynamicSliceKernels.slice(op, name: name)
        case "stablehlo.dynamic_update_slice": kernel = try DynamicSliceKernels.updateSlice(op, name: name)
        case "stablehlo.dynamic_pad": kernel = try DynamicPadSliceKernels.pad(op, name: name)
        case "stablehlo.real_dynamic_slice": kernel = try DynamicPadSliceKernels.slice(op, name: name)
        default: throw CodeGenError("\(op.name) is not an indexed op", at: op.location)
        }
        guard kernel.bindings.allSatisfy({ if case .value = $0 { return true } else { return false } }) else {
            throw CodeGenError("\(op.name): an indexed kernel takes no scratch buffers", at: op.location)
        }
        let empty = op.results.contains { ($0.type.tensorType?.elementCount ?? 0) == 0 }
        return FusionKernels(kernels: empty ? [] : [kernel], scratch: [])
    }
}
