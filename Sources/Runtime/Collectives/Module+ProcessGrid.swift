import StableHLO

extension Module {
    /// The process grid the module declares with `mhlo.num_replicas` and
    /// `mhlo.num_partitions` (each 1 when absent); throws when either is below 1.
    public func declaredProcessGrid() throws(CollectiveGroupError) -> ProcessGrid {
        func count(_ name: String) -> Int {
            guard let v = self[attribute: name]?.intValue else { return 1 }
            return Int(clamping: v)
        }
        return try ProcessGrid(replicas: count("mhlo.num_replicas"), partitions: count("mhlo.num_partitions"))
    }
}
