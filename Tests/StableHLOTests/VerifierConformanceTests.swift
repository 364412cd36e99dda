import Foundation
import Testing
@testable import StableHLO

/// Parses `text` the way the conformance runner does.
func parseForVerifier(_ text: String, file: String, firstLine: Int = 1) throws -> Module {
    try Module.parse(text, file: file, firstLine: firstLine)
}

/// One program of the conformance data: a `testdata` file or one `// -----` chunk of an
/// `interpret` file, with the line it starts on.
struct ConformanceProgram {
    var file: String
    var firstLine: Int
    var text: String

    /// The conformance directory (`NVGPU_CONFORMANCE_DIR`, else `../shared/conformance`
    /// beside the package), or nil when absent.
    static var directory: URL? {
        let fileManager = FileManager.default
        if let path = ProcessInfo.processInfo.environment["NVGPU_CONFORMANCE_DIR"] {
            return fileManager.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
        }
        let package = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = package.deletingLastPathComponent().appendingPathComponent("shared/conformance")
        return fileManager.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// Every program under `directory`: `testdata/*.mlir` whole, `interpret/*.mlir` split.
    static func all(in directory: URL) throws -> [ConformanceProgram] {
        var programs: [ConformanceProgram] = []
        for sub in ["testdata", "interpret"] {
            let folder = directory.appendingPathComponent(sub)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".mlir") {
                let path = folder.appendingPathComponent(name).path
                let text = try String(contentsOfFile: path, encoding: .utf8)
                programs += sub == "interpret" ? split(text, file: path) : [ConformanceProgram(file: path, firstLine: 1, text: text)]
            }
        }
        return programs
    }

    /// Splits at lines that are exactly `// -----`.
    static func split(_ text: String, file: String) -> [ConformanceProgram] {
        var chunks: [ConformanceProgram] = []
        var current: [Substring] = []
        var start = 1
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces) == "// -----" {
                chunks.append(ConformanceProgram(file: file, firstLine: start, text: current.joined(separator: "\n")))
                current = []
                start = i + 2
            } else {
                current.append(line)
            }
        }
        chunks.append(ConformanceProgram(file: file, firstLine: start, text: current.joined(separator: "\n")))
        return chunks
    }
}

@Suite struct VerifierConformanceTests {
    /// Every valid conformance program verifies cleanly (programs the parser rejects are
    /// counted and printed, not judged: they are the parser's business).
    @Test func acceptsEveryConformanceProgram() throws {
        guard let directory = ConformanceProgram.directory else {
            print("VerifierConformanceTests: skipped, no conformance data (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        let programs = try ConformanceProgram.all(in: directory)
        var verified = 0
        var unparsed: [String] = []
        var rejected: [String] = []
        var verifyTime = Duration.zero
        let clock = ContinuousClock()
        for program in programs {
            let module: Module
            do {
                module = try parseForVerifier(program.text, file: program.file, firstLine: program.firstLine)
            } catch {
                unparsed.append("\(program.file):\(program.firstLine): \(error)")
                continue
            }
            let start = clock.now
            let diagnostics = module.verifyAll()
            verifyTime += clock.now - start
            if diagnostics.isEmpty { verified += 1 } else { rejected += diagnostics.map(\.description) }
        }
        print("VerifierConformanceTests: \(programs.count) programs, \(verified) verified, \(rejected.count) diagnostics, \(unparsed.count) not parsed; verification took \(verifyTime)")
        for line in unparsed.prefix(20) { print("  not parsed: \(line)") }
        #expect(programs.count > 0)
        #expect(rejected.isEmpty, "false positives:\n\(rejected.prefix(50).joined(separator: "\n"))")
    }
}
