import Foundation

/// The conformance suite on disk: `DIR/testdata/*.mlir` and `DIR/interpret/*.mlir`.
public struct ConformanceSuite: Sendable {
    public var directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The directory named by `NVGPU_CONFORMANCE_DIR`, else `../shared/conformance`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["NVGPU_CONFORMANCE_DIR"], !dir.isEmpty { return dir }
        return "../shared/conformance"
    }

    /// Whether the directory holds a suite (a `testdata` or `interpret` folder).
    public var exists: Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: directory + "/testdata") || fm.fileExists(atPath: directory + "/interpret")
    }

    /// Every case, in a stable order, keeping those whose name contains `filter`.
    public func cases(filter: String? = nil) throws -> [ConformanceCase] {
        var out: [ConformanceCase] = []
        for file in try mlirFiles(in: "testdata") {
            let name = "testdata/" + file
            let path = directory + "/" + name
            let head = Self.head(of: path)
            out.append(ConformanceCase(name: name, family: Self.family(ofProgram: file), kind: .program,
                                       path: path, upstreamDisabled: ConformanceCase.upstreamDisabledReason(in: head[...])))
        }
        for file in try mlirFiles(in: "interpret") {
            let path = directory + "/interpret/" + file
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            let disabled = ConformanceCase.upstreamDisabledReason(in: text[...])
            let chunks = SplitInput.chunks(of: text)
            let family = String(file.dropLast(5))
            for (i, chunk) in chunks.enumerated() {
                out.append(ConformanceCase(name: "interpret/\(file)#\(i)", family: family, kind: .chunk,
                                           path: path, chunkIndex: i, firstLine: chunk.firstLine,
                                           upstreamDisabled: disabled))
            }
        }
        guard let filter, !filter.isEmpty else { return out }
        return out.filter { $0.name.contains(filter) }
    }

    /// The first 4 KiB of a file (its RUN lines), or "" when it cannot be read.
    static func head(of path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 4096)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private func mlirFiles(in folder: String) throws -> [String] {
        let path = directory + "/" + folder
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".mlir") }.sorted()
    }

    /// The family of a JAX-exported program: its file name up to the first dtype or
    /// number token (`scatter_add_float32_1_2_3_...` → `scatter_add`).
    public static func family(ofProgram file: String) -> String {
        let stem = file.hasSuffix(".mlir") ? String(file.dropLast(5)) : file
        var words: [Substring] = []
        for word in stem.split(separator: "_") {
            if isDTypeOrNumber(word) { break }
            words.append(word)
        }
        return words.isEmpty ? stem : words.joined(separator: "_")
    }

    private static func isDTypeOrNumber(_ word: Substring) -> Bool {
        if word.allSatisfy(\.isNumber) { return true }
        if word == "bool" { return true }
        for prefix in ["int", "uint", "float", "bfloat", "complex"] where word.hasPrefix(prefix) {
            let rest = word.dropFirst(prefix.count)
            if let digit = rest.first, digit.isNumber { return true }
        }
        return false
    }
}

/// Splits a file at `// -----` lines, the way `-split-input-file` does.
public enum SplitInput {
    /// One chunk: its text and the 1-based line it starts on.
    public struct Chunk: Hashable, Sendable {
        public var text: String
        public var firstLine: Int
    }

    public static func chunks(of text: String) -> [Chunk] {
        var chunks: [Chunk] = []
        var current: [Substring] = []
        var start = 1
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.trimmingCharacters(in: .whitespaces) == "// -----" {
                chunks.append(Chunk(text: current.joined(separator: "\n"), firstLine: start))
                current = []
                start = lineNumber + 1
            } else {
                current.append(line)
            }
        }
        chunks.append(Chunk(text: current.joined(separator: "\n"), firstLine: start))
        return chunks
    }
}
