import StableHLO

/// A family of ops computed by generated kernels of their own, fused with nothing
/// (`OperationClass.dedicated`): its op names and how one op of it becomes kernels.
///
/// Adding such a family is one file: a type conforming to `KernelFamily` (plus its kernel
/// template), listed in `KernelFamilies.all`. Classification, fusion planning, lowering and
/// `--report` follow from the registry.
protocol KernelFamily: Sendable {
    /// The ops the family computes (`stablehlo.sort`).
    static var operationNames: Set<String> { get }
    /// Whether the family takes `op` at all; an op it declines falls through to the other
    /// classifications (a `reduce` with a one-op body fuses instead). Defaults to true.
    static func accepts(_ op: Operation) -> Bool
    /// The kernels computing `op` (results bound by value; scratch buffers numbered from
    /// 0), or a `CodeGenError` saying why this form has none (the op then runs on the host
    /// with that reason).
    static func build(_ op: Operation, name: String) throws -> FusionKernels
}

extension KernelFamily {
    static func accepts(_ op: Operation) -> Bool { true }
}

/// Every family of dedicated kernels, looked up by op name.
enum KernelFamilies {
    /// The registry. A new family is added here.
    static let all: [any KernelFamily.Type] = [
        WindowReductionKernel.self, GeneralReductionKernel.self, SelectAndScatterKernel.self,
        SortKernel.self, TopKKernel.self, BitcastConvertKernel.self, RandomBitGeneratorKernel.self,
        OptimizationBarrierKernel.self, TriangularSolveKernel.self, CholeskyKernel.self, FFTKernel.self,
        IndexedKernels.self,
    ]

    /// Op name → family.
    static let byName: [String: any KernelFamily.Type] = {
        var table: [String: any KernelFamily.Type] = [:]
        for family in all { for name in family.operationNames { table[name] = family } }
        return table
    }()

    /// The family that takes `op`, if any.
    static func family(for op: Operation) -> (any KernelFamily.Type)? {
        guard let family = byName[op.name], family.accepts(op) else { return nil }
        return family
    }
}
