import StableHLO

/// What an SSA value holds while the interpreter runs.
public enum RuntimeValue: Hashable, Sendable {
    case tensor(Tensor)
    case token
    case tuple([RuntimeValue])

    public var tensor: Tensor? {
        if case .tensor(let t) = self { return t }
        return nil
    }
}

/// Why the interpreter stopped.
public enum InterpreterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// An op the reference backend does not run yet.
    case unsupportedOperation(name: String, location: SourceLocation)
    /// A `check.*` assertion did not hold.
    case checkFailed(message: String, location: SourceLocation)
    /// The program is invalid or an op failed at run time.
    case failed(Diagnostic)
    /// The run went past its deadline.
    case timedOut(location: SourceLocation)

    public var description: String {
        switch self {
        case .unsupportedOperation(let name, let loc):
            return "\(loc): error: the reference backend does not run '\(name)' yet"
        case .checkFailed(let message, let loc): return "\(loc): error: check failed: \(message)"
        case .failed(let d): return d.description
        case .timedOut(let loc): return "\(loc): error: time budget exceeded"
        }
    }
}
