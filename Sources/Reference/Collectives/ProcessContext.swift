import Foundation
import Runtime
import StableHLO

/// The process an interpreter runs as: its place in the grid, the grid's rendezvous,
/// and the infeed/outfeed streams. Used only from that process's own thread.
final class ProcessContext: @unchecked Sendable {
    let grid: ProcessGrid
    let process: ProcessID
    let rendezvous: Rendezvous
    let infeed: InfeedQueue?
    /// Tensors written by `stablehlo.outfeed`, one entry per op executed.
    private(set) var outfeed: [[Tensor]] = []
    /// How many meetings this process has had with each member set.
    private var sequences: [[ProcessID]: Int] = [:]

    init(grid: ProcessGrid, process: ProcessID, rendezvous: Rendezvous, infeed: InfeedQueue?) {
        self.grid = grid
        self.process = process
        self.rendezvous = rendezvous
        self.infeed = infeed
    }

    /// The context of a program run on its own: a 1×1 grid.
    static func single(deadline: ContinuousClock.Instant?) -> ProcessContext {
        let grid = ProcessGrid.single
        return ProcessContext(grid: grid, process: ProcessID(replica: 0, partition: 0),
                              rendezvous: Rendezvous(grid: grid, deadline: deadline), infeed: nil)
    }

    /// Sends `values` to the other processes of `group` (the op's group, in its order) and
    /// returns every member's values in group order; `members` (default: the group) is who
    /// must meet.
    func exchange(_ call: KernelCall, group: [ProcessID], members: [ProcessID]? = nil,
                  values: [RuntimeValue]) throws -> [[RuntimeValue]] {
        let sorted = (members ?? group).sorted()
        let sequence = sequences[sorted, default: 0]
        sequences[sorted] = sequence + 1
        let arrival = Rendezvous.Arrival(opName: call.op.name, location: call.op.location, group: group, values: values)
        let byProcess: [ProcessID: [RuntimeValue]]
        do {
            byProcess = try rendezvous.exchange(process, key: .init(members: sorted, sequence: sequence), arrival)
        } catch let failure as CollectiveFailure {
            throw call.error(failure.message)
        }
        return try sorted.isEmpty ? [] : group.map { p in
            guard let v = byProcess[p] else { throw call.error("process \(p) sent nothing") }
            return v
        }
    }

    /// `send` on `channel`; errors become located run errors.
    func send(_ call: KernelCall, channel: Int64, values: [RuntimeValue]) throws {
        do {
            try rendezvous.send(process, channel: channel, values)
        } catch let failure as CollectiveFailure {
            throw call.error(failure.message)
        }
    }

    /// `recv` on `channel`; errors become located run errors.
    func receive(_ call: KernelCall, channel: Int64) throws -> [RuntimeValue] {
        do {
            return try rendezvous.receive(process, channel: channel, opName: call.op.name, location: call.op.location)
        } catch let failure as CollectiveFailure {
            throw call.error(failure.message)
        }
    }

    func recordOutfeed(_ tensors: [Tensor]) { outfeed.append(tensors) }
}

/// The functions named by `interpreter.run_parallel`'s `infeed` attribute: each
/// `stablehlo.infeed` (in any process) takes the next one and yields its results.
final class InfeedQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var functions: [String]

    init(functions: [String]) { self.functions = functions }

    /// The next function's name, or nil when the queue is empty.
    func next() -> String? {
        lock.lock()
        defer { lock.unlock() }
        return functions.isEmpty ? nil : functions.removeFirst()
    }
}

extension KernelCall {
    /// The process this op runs in (a 1×1 grid outside a grid run).
    var processContext: ProcessContext {
        interpreter.process ?? ProcessContext.single(deadline: interpreter.deadline)
    }
}

/// Runs one function per process of a grid, each on its own thread with its own
/// interpreter, and collects their results.
struct ProcessGridExecution {
    let module: Module
    let grid: ProcessGrid
    let deadline: ContinuousClock.Instant?
    /// Shared by every process's interpreter.
    var probeLog = ProbeLog()
    var output = InterpreterOutput.standardOutput

    /// Per-process stack size: the interpreter recurses through regions and calls.
    static let stackSize = 16 << 20

    /// Runs `programs[i]` on `arguments[i]` as process `grid.processes[i]`; returns each
    /// process's results in the same order, or the error that best explains a failure
    /// (a process's own error before a collective failure it caused elsewhere).
    func run(programs: [String], arguments: [[RuntimeValue]], infeed: InfeedQueue? = nil,
             at location: SourceLocation) throws -> [[RuntimeValue]] {
        let processes = grid.processes
        guard programs.count == processes.count, arguments.count == processes.count else {
            throw InterpreterError.failed(Diagnostic(.run, at: location,
                "\(grid) needs \(processes.count) programs and argument lists, got \(programs.count) and \(arguments.count)"))
        }
        let rendezvous = Rendezvous(grid: grid, deadline: deadline)
        let outcomes = OutcomeBox(count: processes.count)
        let done = DispatchSemaphore(value: 0)
        for (i, process) in processes.enumerated() {
            let context = ProcessContext(grid: grid, process: process, rendezvous: rendezvous, infeed: infeed)
            let module = self.module, deadline = self.deadline, probeLog = self.probeLog, output = self.output
            let name = programs[i], args = arguments[i]
            let thread = Thread {
                let interpreter = Interpreter(module: module, deadline: deadline, probeLog: probeLog, output: output)
                interpreter.process = context
                let outcome: Result<[RuntimeValue], any Error>
                do {
                    outcome = .success(try interpreter.call(name, args, at: location))
                } catch {
                    outcome = .failure(error)
                }
                if case .failure = outcome {
                    rendezvous.finish(process, failed: true)
                } else {
                    rendezvous.finish(process, failed: false)
                }
                outcomes.set(i, outcome)
                done.signal()
            }
            thread.stackSize = Self.stackSize
            thread.start()
        }
        for _ in processes { done.wait() }
        var results: [[RuntimeValue]] = []
        var failures: [(rank: Int, index: Int, error: any Error)] = []
        for (i, outcome) in outcomes.all.enumerated() {
            switch outcome {
            case .success(let values)?: results.append(values)
            case .failure(let error)?: failures.append((rendezvous.blameRank(of: processes[i]), i, error))
            case nil:
                failures.append((3, i, InterpreterError.failed(Diagnostic(.run, at: location, "process \(processes[i]) did not report"))))
            }
        }
        if let worst = failures.min(by: { ($0.rank, $0.index) < ($1.rank, $1.index) }) {
            throw Self.locate(worst.error, in: processes[worst.index])
        }
        return results
    }

    /// `error` with the process it happened in named in its message.
    static func locate(_ error: any Error, in process: ProcessID) -> any Error {
        guard case InterpreterError.failed(let d) = error else { return error }
        return InterpreterError.failed(Diagnostic(d.stage, at: d.location, "\(d.message) [in process \(process)]"))
    }
}

/// Per-process outcomes written by the worker threads.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [Result<[RuntimeValue], any Error>?]

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ outcome: Result<[RuntimeValue], any Error>) {
        lock.lock()
        outcomes[i] = outcome
        lock.unlock()
    }

    var all: [Result<[RuntimeValue], any Error>?] {
        lock.lock()
        defer { lock.unlock() }
        return outcomes
    }
}
