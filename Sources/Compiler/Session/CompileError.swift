import StableHLO

/// A compilation problem that is not a parse or verify error of the input text: an unknown
/// plugin, target or pass name, an op no active plugin defines, a pass that failed.
///
/// Prints as `file:line:column: error: message` when it has a location, else `error: message`.
public struct CompileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String {
        guard let location, location != .unknown else { return "error: \(message)" }
        return "\(location): error: \(message)"
    }
}
