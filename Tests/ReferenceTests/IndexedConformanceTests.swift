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
        for url in programs {
            do {
                let text = try String(contentsOf: url, encoding: .utf8)
                let module = try Module.parse(text, file: url.lastPathComponent)
                _ = try Interpreter(module: module).run("main", inputs: [])
            } catch {
                failures.append("\(url.lastPathComponent): \(error)")
            }
        }
        let elapsed = clock.now - start
        print("indexed conformance: \(programs.count - failures.count)/\(programs.count) passed in \(elapsed)")
        #expect(programs.count > 600)
        if !failures.isEmpty {
            let summary = failures.prefix(30).joined(separator: "\n")
            Issue.record("\(failures.count) of \(programs.count) failed:\n\(summary)")
        }
    }
}
