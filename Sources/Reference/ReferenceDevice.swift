import Runtime
import StableHLO

/// The CPU reference backend as a `Device`: programs run in the spec-exact interpreter.
public struct ReferenceDevice: Device {
    /// Time budget for each invocation; nil for none.
    public var timeLimit: Duration?

    public init(timeLimit: Duration? = nil) {
        self.timeLimit = timeLimit
    }

    public var platform: String { "cpu" }
    public var name: String { "CPU reference interpreter" }

    public func load(_ module: Module) throws -> any LoadedProgram {
        ReferenceProgram(module: module, timeLimit: timeLimit)
    }
}

/// A module loaded on the reference backend. Each invocation gets a fresh interpreter, so
/// a program can be invoked from several threads at once.
public struct ReferenceProgram: LoadedProgram {
    public let module: Module
    public let timeLimit: Duration?
    /// Where `interpreter.probe` records, shared by every invocation when set (the host
    /// steps of one program); each invocation gets a fresh log when nil.
    public let probeLog: ProbeLog?

    public init(module: Module, timeLimit: Duration? = nil, probeLog: ProbeLog? = nil) {
        self.module = module
        self.timeLimit = timeLimit
        self.probeLog = probeLog
    }

    /// Checks `inputs` against the signature of `function`, runs it and returns its results.
    public func invoke(function: String, inputs: [HostTensor]) throws -> [HostTensor] {
        guard let f = module.function(named: function) else {
            let names = module.functions.map { "@" + $0.name }.joined(separator: ", ")
            throw RuntimeError("no function named @\(function) (the module has \(names.isEmpty ? "none" : names))")
        }
        try f.checkInputs(inputs)
        let deadline = timeLimit.map { ContinuousClock.now + $0 }
        let interpreter = Interpreter(module: module, deadline: deadline, probeLog: probeLog ?? ProbeLog())
        let results = try interpreter.run(function, inputs: try inputs.map(Tensor.init))
        return results.map(\.hostTensor)
    }
}
