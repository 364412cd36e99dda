import Foundation
import Testing
@testable import StableHLO

/// Parses every chunk of the conformance corpus, prints it, parses the print, and checks
/// that printing is a fixed point and that the reparsed module equals the original.
@Suite struct CorpusRoundTripTests {
    @Test func everyChunkParsesAndRoundTrips() throws {
        let files = ConformanceCorpus.files()
        guard !files.isEmpty else {
            print("conformance corpus not found (set NVGPU_CONFORMANCE_DIR); skipping the round-trip test")
            return
        }
        var failures: [String] = []
        var chunkCount = 0
        var byteCount = 0
        let clock = ContinuousClock()
        var parseTime: Duration = .zero
        for url in files {
            let text = try String(contentsOf: url, encoding: .utf8)
            for chunk in ConformanceCorpus.chunks(of: text, file: url.lastPathComponent) {
                chunkCount += 1
                byteCount += chunk.text.utf8.count
                let start = clock.now
                let module: Module
                do {
                    module = try Module.parse(chunk.text, file: chunk.file, firstLine: chunk.firstLine)
                } catch {
                    failures.append("parse: \(error)")
                    continue
                }
                parseTime += clock.now - start
                let printed = module.text
                do {
                    let reparsed = try Module.parse(printed, file: "printed:\(chunk.file):\(chunk.firstLine)")
                    if reparsed.text != printed {
                        failures.append("\(chunk.file):\(chunk.firstLine): print(parse(print(m))) != print(m)")
                    } else if reparsed.withoutLocations != module.withoutLocations {
                        failures.append("\(chunk.file):\(chunk.firstLine): the reparsed module differs from the original")
                    }
                } catch {
                    failures.append("reparse of \(chunk.file):\(chunk.firstLine): \(error)")
                }
            }
        }
        print("corpus: \(files.count) files, \(chunkCount) chunks, \(byteCount) bytes parsed in \(parseTime); \(failures.count) failures")
        for f in failures.prefix(50) { print("  " + f) }
        #expect(failures.isEmpty)
    }
}

extension Module {
    /// The module with every source location set to `.unknown`.
    var withoutLocations: Module {
        var m = self
        m.location = .unknown
        m.functions = functions.map { f in
            var f = f
            f.location = .unknown
            f.body = f.body.withoutLocations
            return f
        }
        return m
    }
}

extension Region {
    var withoutLocations: Region {
        Region(blocks: blocks.map { b in
            Block(arguments: b.arguments, operations: b.operations.map { op in
                var op = op
                op.location = .unknown
                op.regions = op.regions.map(\.withoutLocations)
                return op
            })
        })
    }
}
