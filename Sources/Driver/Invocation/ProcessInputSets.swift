import Runtime
import StableHLO

/// `nvgpu run --input ...` for a program that runs as several processes: the inputs of
/// every process one after another, in flattened-id order (`replica_id * num_partitions +
/// partition_id`), or a single set that every process gets.
public enum ProcessInputSets {
    /// Splits `arguments` into `processCount` sets of `types.count` tensors each.
    /// `function` names the entry point in errors.
    public static func split(_ arguments: [InputArgument], types: [TensorType?], processCount: Int,
                             function: String) throws -> [[HostTensor]] {
        let n = types.count
        guard arguments.count == n * processCount || arguments.count == n else {
            throw RuntimeError("@\(function) takes \(n) input\(n == 1 ? "" : "s") per process and runs as \(processCount) processes: "
                + "give \(n * processCount) --input (all of process 0's, then process 1's, ...) or \(n) for every process, "
                + "got \(arguments.count)")
        }
        let tensors = try arguments.enumerated().map { index, argument throws(InputError) in
            try argument.load(expected: n == 0 ? nil : types[index % n])
        }
        if tensors.count == n { return Array(repeating: tensors, count: processCount) }
        return (0..<processCount).map { (process: Int) -> [HostTensor] in
            let start: Int = process * n
            return Array(tensors[start..<(start + n)])
        }
    }
}
