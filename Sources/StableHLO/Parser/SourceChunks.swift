/// A piece of an MLIR file between `// -----` separator lines, as `-split-input-file`
/// tools and the StableHLO interpreter tests use them.
public struct SourceChunk: Hashable, Sendable {
    /// The line number of the chunk's first line in the whole file (1-based).
    public var firstLine: Int
    /// The chunk's text, without the separator lines.
    public var text: String

    public init(firstLine: Int, text: String) {
        self.firstLine = firstLine
        self.text = text
    }

    /// Splits `text` at lines that are exactly `// -----` (surrounding spaces allowed).
    /// A file without separators is one chunk. Parse each with
    /// `Module.parse(chunk.text, file: file, firstLine: chunk.firstLine)`.
    public static func split(_ text: String) -> [SourceChunk] {
        var chunks: [SourceChunk] = []
        var current: [Substring] = []
        var firstLine = 1
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if isSeparator(line) {
                chunks.append(SourceChunk(firstLine: firstLine, text: current.joined(separator: "\n")))
                current = []
                firstLine = lineNumber + 1
            } else {
                current.append(line)
            }
        }
        chunks.append(SourceChunk(firstLine: firstLine, text: current.joined(separator: "\n")))
        return chunks
    }

    private static func isSeparator(_ line: Substring) -> Bool {
        var s = line[...]
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return s == "// -----"
    }
}
