import Runtime
import StableHLO

extension ReferenceProgram {
    /// Runs `function` as every process of `grid` at once (one thread each, meeting at
    /// every collective op). `inputs[i]` are the inputs of process `grid.processes[i]`
    /// (replica-major order); returns each process's results in the same order.
    public func invoke(function: String, grid: ProcessGrid, inputs: [[HostTensor]]) throws -> [[HostTensor]] {
        guard let f = module.function(named: function) else {
            let names = module.functions.map { "@" + $0.name }.joined(separator: ", ")
            throw RuntimeError("no function named @\(function) (the module has \(names.isEmpty ? "none" : names))")
        }
        guard inputs.count == grid.processCount else {
            throw RuntimeError("a \(grid) needs \(grid.processCount) input sets, got \(inputs.count)")
        }
        for (process, set) in zip(grid.processes, inputs) {
            do {
                try f.checkInputs(set)
            } catch {
                throw RuntimeError("process \(process): \(error)")
            }
        }
        let deadline = timeLimit.map { ContinuousClock.now + $0 }
        let arguments = try inputs.map { set in try set.map { RuntimeValue.tensor(try Tensor($0)) } }
        let execution = ProcessGridExecution(module: module, grid: grid, deadline: deadline)
        let results = try execution.run(programs: Array(repeating: function, count: grid.processCount),
                                        arguments: arguments, at: module.location)
        return try results.enumerated().map { i, values in
            try values.enumerated().map { k, v in
                guard let t = v.tensor else {
                    throw RuntimeError("result #\(k) of @\(function) in process \(grid.processes[i]) is not a tensor")
                }
                return t.hostTensor
            }
        }
    }
}
