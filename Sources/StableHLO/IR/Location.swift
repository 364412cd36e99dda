/// A position in an input file, 1-based, as diagnostics print it: `file:line:column`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// Used for IR built in code, with no source text behind it.
    public static let unknown = SourceLocation(file: "<unknown>", line: 0, column: 0)

    public var description: String { "\(file):\(line):\(column)" }
}

/// An error about the input program: where it is and what is wrong.
///
/// Prints as one line, `file:line:column: error: message`, the way compilers do.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which stage found the problem.
    public enum Stage: String, Sendable { case parse, verify, run }

    public var stage: Stage
    public var location: SourceLocation
    public var message: String

    public init(_ stage: Stage, at location: SourceLocation, _ message: String) {
        self.stage = stage
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): error: \(message)" }
}
