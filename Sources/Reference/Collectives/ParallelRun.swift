import Runtime
import StableHLO

/// `interpreter.run_parallel`: how the interpreter tests start a process grid.
///
/// `programs = [[@f, @g], [@h, @i]]` names one function per process: the outer list runs
/// over replicas, the inner over partitions. The operands are dealt out to the processes
/// in that order, each taking as many as its function has parameters; the results are
/// every process's results, one process after another. `infeed = [@q0, @q1, ...]` names
/// the functions that feed `stablehlo.infeed`, one per infeed op executed.
enum ParallelRun {
    static func runParallel(_ call: KernelCall) throws -> [RuntimeValue] {
        let names = try programs(call)
        guard let partitions = names.first?.count, partitions > 0 else { throw call.error("programs is empty") }
        guard names.allSatisfy({ $0.count == partitions }) else {
            throw call.error("every replica needs \(partitions) programs, got \(names.map(\.count))")
        }
        let grid: ProcessGrid
        do {
            grid = try ProcessGrid(replicas: names.count, partitions: partitions)
        } catch {
            throw call.error("\(error)")
        }
        let flat = names.flatMap { $0 }
        let module = call.interpreter.module
        var arguments: [[RuntimeValue]] = []
        var next = 0
        for name in flat {
            guard let f = module.function(named: name) else { throw call.error("no function named @\(name)") }
            let count = f.inputTypes.count
            guard next + count <= call.operands.count else {
                throw call.error("the programs take more than the \(call.operands.count) operands given")
            }
            arguments.append(Array(call.operands[next..<(next + count)]))
            next += count
        }
        guard next == call.operands.count else {
            throw call.error("the programs take \(next) operands, \(call.operands.count) given")
        }
        let infeed = try call.op[attribute: "infeed"].map { InfeedQueue(functions: try symbols($0, "infeed", call)) }
        var execution = ProcessGridExecution(module: module, grid: grid, deadline: call.interpreter.deadline)
        execution.probeLog = call.interpreter.probeLog
        execution.output = call.interpreter.output
        let results = try execution.run(programs: flat, arguments: arguments, infeed: infeed, at: call.op.location)
        let joined = results.flatMap { $0 }
        guard joined.count == call.op.results.count else {
            throw call.error("the programs return \(joined.count) values, the op has \(call.op.results.count) results")
        }
        return joined
    }

    /// `programs`: a list of lists of function references.
    static func programs(_ call: KernelCall) throws -> [[String]] {
        guard case .array(let rows)? = call.op[attribute: "programs"] else {
            throw call.error("'programs' must be a list of lists of functions")
        }
        return try rows.map { try symbols($0, "programs", call) }
    }

    static func symbols(_ attribute: Attribute, _ name: String, _ call: KernelCall) throws -> [String] {
        guard case .array(let items) = attribute else { throw call.error("'\(name)' must be a list of functions") }
        return try items.map { item in
            guard case .symbolRef(let s) = item else { throw call.error("'\(name)' must hold function references (@f)") }
            return s
        }
    }
}
