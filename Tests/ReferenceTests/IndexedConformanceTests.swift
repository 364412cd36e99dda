import Foundation
import Reference
import StableHLO
import Testing

/// Runs the JAX-exported conformance programs of the indexed ops (gather, scatter,
/// select_and_scatter, dynamic_slice, dynamic_update_slice): each `main` checks its own
/// result with `check.expect_*`.
@Suite("Indexed: conformance testdata")
struct IndexedConformanceTests {
    static let prefixes = ["gather_", "scatter_", "select_and_scatter_", "dynamic_slice_", "dynamic_update_slice_"]

    /// `$NVGPU_CONFORMANCE_DIR/testdata`, defaulting to `../shared/conformance/testdata`.
    static var testdata: URL? {
        let root = ProcessInfo.processInfo.environment["NVGPU_CONFORMANCE_DIR"] ?? "../shared/conformance"
        let url = URL(fileURLWithPath: root).appendingPathComponent("testdata")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static var programs: [URL] {
        guard let dir = testdata,
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path)
        else { return [] }
        return names.filter { name in name.hasSuffix(".mlir") && prefixes.contains { name.hasPrefix($0) } }
            .sorted().map { dir.appendingPathComponent($0) }
    }

    @Test("every indexed-op program passes", .enabled(if: testdata != nil, "conformance data not found"))
    func allPrograms() throws {
        let programs = Self.programs
        var failures: [String] = []
        let clock = ContinuousClock()
        let start = clock.now
        var slowest: (Duration, String) = (.zero, "")
        for url in programs {
            let programStart = clock.now
            do {
                let text = try String(contentsOf: url, encoding: .utf8)
                let module = try Module.parse(text, file: url.lastPathComponent)
                _ = try Interpreter(module: module).run("main", inputs: [])
            } catch {
                failures.append("\(url.lastPathComponent): \(error)")
            }
            let took = clock.now - programStart
            if took > slowest.0 { slowest = (took, url.lastPathComponent) }
        }
        let elapsed = clock.now - start
        print("indexed conformance: \(programs.count - failures.count)/\(programs.count) passed in \(elapsed); slowest \(slowest.1) \(slowest.0)")
        #expect(programs.count > 600)
        if !failures.isEmpty {
            let summary = failures.prefix(30).joined(separator: "\n")
            Issue.record("\(failures.count) of \(programs.count) failed:\n\(summary)")
        }
    }
}

extension IndexedConformanceTests {
    /// The interpreter test files of these ops: cases split by `// -----`, each function run
    /// with no arguments and checked by `check.expect_*_const`.
    static let interpreterFiles = ["scatter.mlir", "select_and_scatter.mlir", "dynamic_update_slice.mlir"]

    @Test("interpreter test cases pass", .enabled(if: testdata != nil, "conformance data not found"))
    func interpreterCases() throws {
        let dir = try #require(Self.testdata).deletingLastPathComponent().appendingPathComponent("interpret")
        var cases = 0
        for name in Self.interpreterFiles {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            var line = 1
            for chunk in text.components(separatedBy: "// -----") {
                defer { line += chunk.filter { $0 == "\n" }.count }
                let module = try Module.parse(chunk, file: name, firstLine: line)
                for function in module.functions where function.inputTypes.isEmpty {
                    cases += 1
                    do {
                        _ = try Interpreter(module: module).run(function.name, inputs: [])
                    } catch {
                        Issue.record("\(name) @\(function.name): \(error)")
                    }
                }
            }
        }
        #expect(cases >= 4)
    }
}
