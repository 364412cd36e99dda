import Foundation
@testable import StableHLO

/// One `// -----`-separated chunk of a conformance file.
struct CorpusChunk: Sendable {
    var file: String
    var firstLine: Int
    var text: String
}

/// Finds and splits the conformance corpus (`NVGPU_CONFORMANCE_DIR`, default `../shared/conformance`).
enum ConformanceCorpus {
    /// The corpus root, or nil when it is absent.
    static var directory: URL? {
        let env = ProcessInfo.processInfo.environment["NVGPU_CONFORMANCE_DIR"]
        let candidates = [env, "../shared/conformance", "/work/shared/conformance"].compactMap { $0 }
        for path in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                return URL(fileURLWithPath: path)
            }
        }
        return nil
    }

    /// Every `.mlir` file under `testdata/` and `interpret/`, sorted.
    static func files() -> [URL] {
        guard let root = directory else { return [] }
        var out: [URL] = []
        for sub in ["testdata", "interpret"] {
            let dir = root.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".mlir") {
                out.append(dir.appendingPathComponent(name))
            }
        }
        return out
    }

    /// Splits a file's text at `// -----` lines (with `SourceChunk.split`).
    static func chunks(of text: String, file: String) -> [CorpusChunk] {
        SourceChunk.split(text).map { CorpusChunk(file: file, firstLine: $0.firstLine, text: $0.text) }
    }
}
