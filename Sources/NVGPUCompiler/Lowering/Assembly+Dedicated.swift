import StableHLO

extension Assembly {
    /// Adds the kernels of a `reduce_window`, `select_and_scatter` or general `reduce`
    /// (`DedicatedKernels`); returns their names.
    mutating func addDedicated(_ op: StableHLO.Operation, group: FusionGroup, name: String) throws -> [String] {
        let planned = try DedicatedKernels.build(op, name: name)
        try addKernels(planned, group: group)
        return planned.kernels.map(\.name)
    }
}
