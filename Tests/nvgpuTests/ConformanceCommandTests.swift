import Foundation
import Testing

/// `nvgpu conformance` on a small suite written here: passing, failing, hanging and
/// multi-device cases, split files, the table, the JSON and the exit status.
@Suite struct ConformanceCommandTests {
    static let program = """
        module @jit_main attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
          func.func public @main() -> tensor<2xi32> {
            %0 = stablehlo.constant dense<[1, 2]> : tensor<2xi32>
            %1 = stablehlo.add %0, %0 : tensor<2xi32>
            %2 = stablehlo.constant dense<[EXPECTED]> : tensor<2xi32>
            stablehlo.custom_call @check.expect_eq(%1, %2) {has_side_effect = true} : (tensor<2xi32>, tensor<2xi32>) -> ()
            return %1 : tensor<2xi32>
          }
        }
        """

    static let interpret = """
        // RUN: stablehlo-translate --interpret -split-input-file %s

        func.func @first() {
          %0 = stablehlo.constant dense<[1, 2]> : tensor<2xi64>
          %1 = stablehlo.add %0, %0 : tensor<2xi64>
          check.expect_eq_const %1, dense<[2, 4]> : tensor<2xi64>
          func.return
        }

        // -----

        func.func @forever() {
          %0 = stablehlo.constant dense<0> : tensor<i64>
          %1 = stablehlo.while(%iter = %0) : tensor<i64>
            cond {
              %true = stablehlo.constant dense<true> : tensor<i1>
              stablehlo.return %true : tensor<i1>
            } do {
              stablehlo.return %iter : tensor<i64>
            }
          func.return
        }

        // -----

        module attributes {mhlo.num_replicas = 2 : i32} {
          func.func @parallel() {
            func.return
          }
        }

        // -----

        func.func @broken() {
          %0 = stablehlo.constant dense<1> : tensor<i64>
          %1 = stablehlo.frobnicate %0 : tensor<i64>
          func.return
        }
        """

    static func makeSuite() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-suite-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("testdata"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.appendingPathComponent("interpret"), withIntermediateDirectories: true)
        try Data(program.replacingOccurrences(of: "EXPECTED", with: "2, 4").utf8)
            .write(to: dir.appendingPathComponent("testdata/add_int32_2_int32_2.mlir"))
        try Data(program.replacingOccurrences(of: "EXPECTED", with: "2, 5").utf8)
            .write(to: dir.appendingPathComponent("testdata/add_uint8_2.mlir"))
        try Data(interpret.utf8).write(to: dir.appendingPathComponent("interpret/mixed.mlir"))
        return dir
    }

    @Test func runsASmallSuite() throws {
        let suite = try Self.makeSuite()
        defer { try? FileManager.default.removeItem(at: suite) }
        let json = suite.appendingPathComponent("out.json")
        let start = Date()
        let result = try NVGPUProcess.run(["conformance", suite.path, "--timeout", "3", "--jobs", "2", "--json", json.path],
                                          timeout: 120)
        #expect(Date().timeIntervalSince(start) < 60)
        #expect(!result.crashed)
        #expect(result.status == 1, "failures give exit status 1")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.last == "2 passed, 3 failed, 1 skipped", "\(result.stdout)\n\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("add ") && $0.hasSuffix("      1       1       0") })
        #expect(lines.contains { $0.hasPrefix("mixed ") && $0.hasSuffix("      1       2       1") })
        #expect(result.stdout.contains("check failed: 1"))
        #expect(result.stdout.contains("timeout: 1"))
        let data = try Data(contentsOf: json)
        let outcomes = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(outcomes.count == 6)
        let byName = Dictionary(uniqueKeysWithValues: outcomes.compactMap { o in (o["name"] as? String).map { ($0, o) } })
        #expect(byName["interpret/mixed.mlir#2"]?["status"] as? String == "skipped")
        #expect(byName["interpret/mixed.mlir#1"]?["cause"] as? String == "timeout")
        let broken = byName["interpret/mixed.mlir#3"]?["message"] as? String ?? ""
        #expect(broken.contains("mixed.mlir:36:"), "the chunk keeps the file's line numbers: \(broken)")
    }

    /// Eight worker slots on 48 cases, half failing on purpose: every case reported once, with
    /// the right verdict (the pool's queue and outcome list under many threads).
    @Test func eightWorkerSlotsReportEveryCaseOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-pool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("testdata"), withIntermediateDirectories: true)
        for index in 0..<48 {
            let expected = index % 2 == 0 ? "2, 4" : "2, 5"
            try Data(Self.program.replacingOccurrences(of: "EXPECTED", with: expected).utf8)
                .write(to: dir.appendingPathComponent("testdata/case_\(index).mlir"))
        }
        let json = dir.appendingPathComponent("out.json")
        let result = try NVGPUProcess.run(["conformance", dir.path, "--device=cpu", "--jobs", "8", "--json", json.path], timeout: 240)
        #expect(!result.crashed)
        #expect(result.stdout.hasSuffix("24 passed, 24 failed, 0 skipped\n"), "\(result.stdout)\n\(result.stderr)")
        let outcomes = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [[String: Any]])
        let names = outcomes.compactMap { $0["name"] as? String }
        #expect(names.count == 48)
        #expect(Set(names).count == 48)
        for outcome in outcomes {
            let name = outcome["name"] as? String ?? ""
            let index = Int(name.split(separator: "_").last?.split(separator: ".").first ?? "") ?? -1
            #expect((outcome["status"] as? String == "passed") == (index % 2 == 0), "\(name)")
        }
    }

    @Test func floorDecidesTheExitStatus() throws {
        let suite = try Self.makeSuite()
        defer { try? FileManager.default.removeItem(at: suite) }
        let met = try NVGPUProcess.run(["conformance", suite.path, "--filter", "testdata", "--min-passed", "1"])
        #expect(met.status == 0)
        #expect(met.stdout.hasSuffix("1 passed, 1 failed, 0 skipped\n"))
        let missed = try NVGPUProcess.run(["conformance", suite.path, "--filter", "testdata", "--min-passed", "2"])
        #expect(missed.status == 1)
        #expect(missed.stderr.contains("1 passed, fewer than the expected 2"))
    }

    /// A failing case whose file upstream does not interpret (`RUN-DISABLED(reason)`) is
    /// listed with that reason; its failure still counts.
    @Test func namesCasesUpstreamDisables() throws {
        let suite = try Self.makeSuite()
        defer { try? FileManager.default.removeItem(at: suite) }
        let failing = suite.appendingPathComponent("testdata/add_uint8_2.mlir")
        let text = try String(contentsOf: failing, encoding: .utf8)
        try Data(("// RUN-DISABLED(inaccurate) stablehlo-opt -inline %s | stablehlo-translate --interpret\n" + text).utf8).write(to: failing)
        let result = try NVGPUProcess.run(["conformance", suite.path, "--filter", "testdata"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("failing cases upstream does not interpret either (RUN-DISABLED): 1 of 1"))
        #expect(result.stdout.contains("  testdata/add_uint8_2.mlir: inaccurate"))
    }

    @Test func missingSuiteCanBeAllowed() throws {
        let result = try NVGPUProcess.run(["conformance", "/nonexistent/suite", "--allow-missing"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("conformance suite not found at /nonexistent/suite (set NVGPU_CONFORMANCE_DIR)"))
        #expect(result.stdout == "0 passed, 0 failed, 0 skipped\n")
    }
}
