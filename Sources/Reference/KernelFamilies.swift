/// The op-family tables merged into `KernelRegistry.table`. Add a family here when you
/// add its file.
extension KernelRegistry {
    static var familyTables: [[String: Kernel]] {
        [
            // ElementwiseKernels.table, StructuralKernels.table, CheckKernels.table, ...
            StructuralKernels.table,
            IndexedKernels.table,
            ElementwiseKernels.table,
            CheckKernels.table,
            CollectiveKernels.table,
        ]
    }
}
