import Foundation

/// Where `interpreter.print` writes: standard output by default. Writes are whole (one
/// printed value at a time), so the processes of a grid never interleave their output.
public final class InterpreterOutput: @unchecked Sendable {
    private let lock = NSLock()
    private let sink: @Sendable (String) -> Void

    /// Writes `text` with `sink`.
    public init(sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    /// Standard output.
    public static let standardOutput = InterpreterOutput { text in
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `text` whole.
    public func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        sink(text)
    }
}
