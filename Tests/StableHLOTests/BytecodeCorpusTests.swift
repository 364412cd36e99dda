import Foundation
import Testing
@testable import StableHLO

/// Reads every artifact that `tools/export_bytecode.py` wrote into `NVGPU_BYTECODE_DIR`
/// and compares it with the text parse of the same program (both normalised, see
/// `BytecodeNormalization`): exactly with the artifact's round-trip text (what jaxlib
/// reads back), and, for the record, with the original input text (which differs where
/// the StableHLO -> VHLO conversion folded or hoisted constants).
@Suite struct BytecodeCorpusTests {
    struct Entry {
        var bytecode: String
        var text: String
        var roundTrip: String
    }

    static var directory: String? { ProcessInfo.processInfo.environment["NVGPU_BYTECODE_DIR"] }

    static func entries(_ dir: String) throws -> [Entry] {
        let manifest = try String(contentsOfFile: dir + "/manifest.tsv", encoding: .utf8)
        return manifest.split(separator: "\n").compactMap { line in
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count >= 2 else { return nil }
            return Entry(bytecode: cols[0], text: cols[1], roundTrip: cols.count > 2 ? cols[2] : "")
        }
    }

    @Test(.enabled(if: directory != nil, "SKIPPED: set NVGPU_BYTECODE_DIR to a folder written by tools/export_bytecode.py"))
    func corpusReadsEqualToText() throws {
        guard let dir = Self.directory else { return }
        let entries = try Self.entries(dir)
        #expect(!entries.isEmpty, "no entries in \(dir)/manifest.tsv")
        var read = 0, equalRoundTrip = 0, equalOriginal = 0, textFailures = 0, sameValueIDs = 0, identical = 0
        var issues = 0
        var mismatchesByOp: [String: Int] = [:]
        for e in entries {
            let name = (e.bytecode as NSString).lastPathComponent
            let module: Module
            do {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: e.bytecode)))
                module = BytecodeNormalization.normalize(try Module.parse(bytecode: bytes, file: name))
                read += 1
            } catch {
                issues += 1
                if issues <= 30 { Issue.record("\(name): \(error)") }
                continue
            }
            if let original = try? Module.parse(String(contentsOfFile: e.text, encoding: .utf8), file: e.text) {
                let normalized = BytecodeNormalization.normalize(original)
                if normalized == module {
                    equalOriginal += 1
                } else if ProcessInfo.processInfo.environment["NVGPU_BYTECODE_VERBOSE"] != nil {
                    print("\(name) differs from its original text at \(BytecodeNormalization.firstDifference(module, normalized))")
                }
            }
            guard !e.roundTrip.isEmpty, var rt = try? String(contentsOfFile: e.roundTrip, encoding: .utf8) else { continue }
            // The text parser has no `tf32` (a dot algorithm type): compare those as f32.
            rt = BytecodeNormalization.replacingTF32(rt)
            let expected: Module
            do {
                expected = BytecodeNormalization.normalize(try Module.parse(rt, file: e.roundTrip))
            } catch {
                textFailures += 1
                if ProcessInfo.processInfo.environment["NVGPU_BYTECODE_VERBOSE"] != nil {
                    print("\(name): the text parser rejects the round-trip text: \(error)")
                }
                continue
            }
            if expected == module {
                equalRoundTrip += 1
                if let raw = try? Module.parse(rt, file: e.roundTrip), let bytes = try? Data(contentsOf: URL(fileURLWithPath: e.bytecode)),
                   let read = try? Module.parse(bytecode: [UInt8](bytes), file: name),
                   BytecodeNormalization.normalize(raw, renumbering: false) == BytecodeNormalization.normalize(read, renumbering: false) {
                    sameValueIDs += 1
                    let x = BytecodeNormalization.droppingLocations(read), y = BytecodeNormalization.droppingLocations(raw)
                    if x == y {
                        identical += 1
                    } else if ProcessInfo.processInfo.environment["NVGPU_BYTECODE_VERBOSE"] != nil {
                        print("\(name) is not identical to its round-trip text at \(BytecodeNormalization.firstDifference(x, y))")
                    }
                }
            } else {
                let difference = BytecodeNormalization.firstDifference(module, expected)
                let op = difference.split(separator: "\n").dropFirst().first.flatMap { line in
                    line.split(separator: "\"").dropFirst().first.map(String.init)
                } ?? "?"
                mismatchesByOp[op, default: 0] += 1
                issues += 1
                if issues <= 30 { Issue.record("\(name) differs from its round-trip text at \(difference)") }
            }
        }
        let summary = "BytecodeCorpusTests: \(entries.count) artifacts, \(read) read, "
            + "\(equalRoundTrip) equal to their round-trip text (\(sameValueIDs) with identical value ids, \(identical) identical but for locations), "
            + "\(equalOriginal) equal to their original text, "
            + "\(textFailures) round-trip texts the text parser rejects; mismatches by op: \(mismatchesByOp.sorted { $0.value > $1.value })"
        print(summary)
    }
}
