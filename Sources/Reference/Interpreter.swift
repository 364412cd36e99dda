import Foundation
import Runtime
import StableHLO

/// The reference interpreter: runs a module's functions op by op on the host CPU,
/// exactly as the StableHLO spec defines each op.
public final class Interpreter {
    public let module: Module
    /// When set, a run that passes this instant stops with `InterpreterError.timedOut`.
    public var deadline: ContinuousClock.Instant?
    /// Receives `check.*` results and `interpreter.probe` values (for reporting).
    public var checkCount = 0
    /// Where `interpreter.probe` records values (shared when given to `init`).
    public let probeLog: ProbeLog
    /// Where `interpreter.print` writes.
    public let output: InterpreterOutput
    /// Values recorded by `interpreter.probe`, by probe id, in execution order.
    public var probes: [String: [Tensor]] { probeLog.all }
    /// The process this interpreter runs as in a grid run (nil: a 1×1 grid).
    var process: ProcessContext?
    private let functions: [String: Function]
    /// Host memory each op's results are checked against before it runs.
    let memoryBudget: HostMemoryBudget

    public init(module: Module, deadline: ContinuousClock.Instant? = nil, probeLog: ProbeLog = ProbeLog(),
                output: InterpreterOutput = .standardOutput) {
        self.module = module
        self.deadline = deadline
        self.probeLog = probeLog
        self.output = output
        var fs: [String: Function] = [:]
        for f in module.functions where fs[f.name] == nil { fs[f.name] = f }
        self.functions = fs
        self.memoryBudget = HostMemoryBudget.current(environment: ProcessInfo.processInfo.environment)
    }

    /// Runs function `name` on `inputs` and returns its results.
    public func run(_ name: String = "main", inputs: [Tensor]) throws -> [Tensor] {
        let results = try call(name, inputs.map { .tensor($0) }, at: module.location)
        return try results.enumerated().map { i, v in
            guard let t = v.tensor else {
                throw InterpreterError.failed(Diagnostic(.run, at: module.location, "result #\(i) of @\(name) is not a tensor"))
            }
            return t
        }
    }

    /// Calls function `name` with `arguments`.
    func call(_ name: String, _ arguments: [RuntimeValue], at location: SourceLocation) throws -> [RuntimeValue] {
        guard let f = functions[name] else {
            throw InterpreterError.failed(Diagnostic(.run, at: location, "no function named @\(name)"))
        }
        guard f.inputTypes.count == arguments.count else {
            throw InterpreterError.failed(Diagnostic(.run, at: location,
                "@\(name) takes \(f.inputTypes.count) arguments, got \(arguments.count)"))
        }
        guard !f.body.blocks.isEmpty else {
            throw InterpreterError.failed(Diagnostic(.run, at: f.location, "@\(name) has no body"))
        }
        return try evaluate(f.body, arguments, parent: nil)
    }

    /// Runs a single-block region: binds its arguments, executes each op, and returns the
    /// operands of the terminator (`stablehlo.return`, `func.return`).
    func evaluate(_ region: Region, _ arguments: [RuntimeValue], parent: Scope?) throws -> [RuntimeValue] {
        guard let block = region.blocks.first else { return [] }
        let env = Scope(parent: parent)
        guard block.arguments.count == arguments.count else {
            throw InterpreterError.failed(Diagnostic(.run, at: block.operations.first?.location ?? .unknown,
                "region takes \(block.arguments.count) arguments, got \(arguments.count)"))
        }
        for (a, v) in zip(block.arguments, arguments) { env[a] = v }
        for op in block.operations {
            if let deadline, ContinuousClock.now > deadline {
                throw InterpreterError.timedOut(location: op.location)
            }
            let inputs = try op.operands.map { v -> RuntimeValue in
                guard let value = env[v] else {
                    throw InterpreterError.failed(Diagnostic(.run, at: op.location, "\(op.name): operand %\(v.id) has no value"))
                }
                return value
            }
            if op.name == "stablehlo.return" || op.name == "func.return" || op.name == "return" {
                return inputs
            }
            try memoryBudget.check(op)
            let outputs: [RuntimeValue]
            if QuantizedForm.involvesQuantizedTensors(op) {
                outputs = try QuantizedEvaluation.run(op, inputs, interpreter: self, scope: env)
            } else {
                guard let kernel = KernelRegistry.table[op.name] else {
                    throw InterpreterError.unsupportedOperation(name: op.name, location: op.location)
                }
                outputs = try kernel(KernelCall(op: op, operands: inputs, interpreter: self, scope: env))
            }
            guard outputs.count == op.results.count else {
                throw InterpreterError.failed(Diagnostic(.run, at: op.location,
                    "\(op.name): produced \(outputs.count) results, expected \(op.results.count)"))
            }
            for (r, v) in zip(op.results, outputs) { env[r] = v }
        }
        return []
    }
}

/// Values bound in the region being evaluated, by value id. Regions of `while`, `if`,
/// `case`, `reduce`, ... may read values of the regions around them, so each scope links to
/// the one it is nested in; a function call starts a fresh chain.
final class Scope {
    private var values: [Int: RuntimeValue] = [:]
    private let parent: Scope?

    init(parent: Scope?) { self.parent = parent }

    subscript(_ v: Value) -> RuntimeValue? {
        get {
            var s: Scope? = self
            while let cur = s {
                if let found = cur.values[v.id] { return found }
                s = cur.parent
            }
            return nil
        }
        set { values[v.id] = newValue }
    }
}
