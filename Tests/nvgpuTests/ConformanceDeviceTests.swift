import Foundation
import Testing

/// `nvgpu conformance --device=...`, `--compile-only` and `--known-failures`, without a GPU:
/// no driver gives one clear line, `auto` falls back to the reference, compile-only builds
/// every case for sm_90 and says where each op would run, and the known-failures list
/// decides the exit status.
@Suite struct ConformanceDeviceTests {
    /// Environment with a driver path that cannot exist, so no test depends on the machine.
    static var noDriver: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["NVGPU_CUDA_DRIVER"] = "/nonexistent/libcuda.so.1"
        return environment
    }

    /// A `map` whose body is a loop (not elementwise: no CUDA kernel, a host fallback)
    /// checked on the host: each element doubled until it reaches 10.
    static let hostFallbackProgram = """
        func.func public @main() -> tensor<3xi32> {
          %0 = stablehlo.constant dense<[1, 2, 3]> : tensor<3xi32>
          %1 = "stablehlo.map"(%0) ({
            ^bb0(%a: tensor<i32>):
              %r = stablehlo.while(%v = %a) : tensor<i32>
              cond {
                %t = stablehlo.constant dense<10> : tensor<i32>
                %p = stablehlo.compare LT, %v, %t : (tensor<i32>, tensor<i32>) -> tensor<i1>
                stablehlo.return %p : tensor<i1>
              } do {
                %n = stablehlo.add %v, %v : tensor<i32>
                stablehlo.return %n : tensor<i32>
              }
              stablehlo.return %r : tensor<i32>
          }) {dimensions = array<i64: 0>} : (tensor<3xi32>) -> tensor<3xi32>
          %2 = stablehlo.constant dense<[16, 16, 12]> : tensor<3xi32>
          stablehlo.custom_call @check.expect_eq(%1, %2) {has_side_effect = true} : (tensor<3xi32>, tensor<3xi32>) -> ()
          return %1 : tensor<3xi32>
        }
        """

    /// A probe (host I/O, on the host by nature) of a value the GPU computed.
    static let probeProgram = """
        func.func public @main() -> tensor<2xi32> {
          %0 = stablehlo.constant dense<[1, 2]> : tensor<2xi32>
          %1 = stablehlo.add %0, %0 : tensor<2xi32>
          %2 = interpreter.probe %1, probe_id = "probe_sum" : tensor<2xi32>
          %3 = stablehlo.constant dense<[2, 4]> : tensor<2xi32>
          stablehlo.custom_call @check.expect_eq(%2, %3) {has_side_effect = true} : (tensor<2xi32>, tensor<2xi32>) -> ()
          return %2 : tensor<2xi32>
        }
        """

    static func makeSuite(withProbe: Bool = false) throws -> URL {
        let dir = try ConformanceCommandTests.makeSuite()
        try Data(hostFallbackProgram.utf8).write(to: dir.appendingPathComponent("testdata/sort_int32_3.mlir"))
        if withProbe {
            try Data(probeProgram.utf8).write(to: dir.appendingPathComponent("testdata/probe_int32_2.mlir"))
        }
        return dir
    }

    @Test func hostIOIsCountedApartFromFallbacks() throws {
        let suite = try Self.makeSuite(withProbe: true)
        defer { try? FileManager.default.removeItem(at: suite) }
        let json = suite.appendingPathComponent("compile.json")
        let result = try NVGPUProcess.run(["conformance", suite.path, "--filter", "testdata", "--compile-only", "--jobs", "2",
                                           "--json", json.path], in: NVGPUProcess.packageRoot, timeout: 180,
                                          environment: Self.noDriver)
        if result.stdout.contains("compile error") && result.stdout.contains("nvrtc")
            && ProcessInfo.processInfo.environment["NVGPU_REQUIRE_NVRTC"] != "1" {
            print("skipping: NVRTC is not installed (\(result.stdout))")
            return
        }
        #expect(result.stdout.contains("4 passed: 2 with every op on the device, 1 with every op on the device but host I/O"),
                "\(result.stdout)")
        let probe = try #require(try Self.outcomes(json)["testdata/probe_int32_2.mlir"])
        #expect(probe["placement"] as? String == "deviceWithHostIO")
    }

    static func outcomes(_ json: URL) throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: json)
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.compactMap { o in (o["name"] as? String).map { ($0, o) } })
    }

    @Test func cudaWithoutDriverFailsWithOneLine() throws {
        let suite = try Self.makeSuite()
        defer { try? FileManager.default.removeItem(at: suite) }
        let result = try NVGPUProcess.run(["conformance", suite.path, "--device=cuda"], environment: Self.noDriver)
        #expect(result.status == 1)
        #expect(!result.crashed)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: --device=cuda: no CUDA driver found (/nonexistent/libcuda.so.1)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func autoWithoutDriverRunsOnTheReference() throws {
        let suite = try Self.makeSuite()
        defer { try? FileManager.default.removeItem(at: suite) }
        let json = suite.appendingPathComponent("auto.json")
        let result = try NVGPUProcess.run(["conformance", suite.path, "--filter", "testdata", "--jobs", "2",
                                           "--json", json.path], timeout: 120, environment: Self.noDriver)
        #expect(result.stderr.contains("no CUDA driver found"), "\(result.stderr)")
        #expect(result.stderr.contains("running on the cpu reference backend"))
        #expect(result.stdout.hasSuffix("2 passed, 1 failed, 0 skipped\n"), "\(result.stdout)")
        #expect(!result.stdout.contains("on-dev"), "no placement column on the reference")
        let byName = try Self.outcomes(json)
        #expect(byName.values.allSatisfy { $0["placement"] == nil })
    }

    @Test func compileOnlySaysWhereOpsRun() throws {
        let suite = try Self.makeSuite()
        defer { try? FileManager.default.removeItem(at: suite) }
        let json = suite.appendingPathComponent("compile.json")
        let result = try NVGPUProcess.run(["conformance", suite.path, "--filter", "testdata", "--compile-only", "--jobs", "2",
                                           "--json", json.path], in: NVGPUProcess.packageRoot, timeout: 180,
                                          environment: Self.noDriver)
        if result.stdout.contains("compile error") && result.stdout.contains("nvrtc")
            && ProcessInfo.processInfo.environment["NVGPU_REQUIRE_NVRTC"] != "1" {
            print("skipping: NVRTC is not installed (\(result.stdout))")
            return
        }
        #expect(result.stderr.contains("compiling every case for the GPU (sm_90"), "\(result.stderr)")
        // Compiling checks nothing: the case whose check fails on the reference compiles too.
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.hasSuffix("3 passed, 0 failed, 0 skipped\n"), "\(result.stdout)")
        #expect(result.stdout.contains("3 passed: 2 with every op on the device, 1 with host fallbacks"), "\(result.stdout)")
        #expect(result.stdout.contains("no CUDA kernel for stablehlo.map yet: 1"), "\(result.stdout)")
        let byName = try Self.outcomes(json)
        let add = try #require(byName["testdata/add_int32_2_int32_2.mlir"])
        #expect(add["placement"] as? String == "device", "the check op on the host does not count as a fallback")
        #expect((add["hostFallbacks"] as? [String])?.isEmpty == true)
        let sort = try #require(byName["testdata/sort_int32_3.mlir"])
        #expect(sort["placement"] as? String == "hostFallback")
        #expect((sort["hostFallbacks"] as? [String])?.contains { $0.contains("stablehlo.map") } == true)
    }

    @Test func compileOnlyDoesNotGoWithCPU() throws {
        let result = try NVGPUProcess.run(["conformance", "/nonexistent", "--compile-only", "--device=cpu"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--compile-only compiles for the GPU"))
    }

    @Test func knownFailuresDecideTheExitStatus() throws {
        let suite = try Self.makeSuite()
        defer { try? FileManager.default.removeItem(at: suite) }
        let list = suite.appendingPathComponent("known.txt")
        func run(_ text: String) throws -> NVGPUProcess.Result {
            try Data(text.utf8).write(to: list)
            return try NVGPUProcess.run(["conformance", suite.path, "--filter", "testdata", "--device=cpu", "--jobs", "2",
                                         "--known-failures", list.path], timeout: 120)
        }
        let listed = try run("// reference run\ntestdata/add_uint8_2.mlir  the expected values are wrong on purpose\n")
        #expect(listed.status == 0, "\(listed.stdout)\n\(listed.stderr)")
        #expect(listed.stdout.contains("known failures: 1 failed as listed, 0 unexpected, 0 now pass"), "\(listed.stdout)")
        #expect(listed.stdout.hasSuffix("2 passed, 1 failed, 0 skipped\n"))

        let unlisted = try run("\n")
        #expect(unlisted.status == 1)
        #expect(unlisted.stdout.contains("unexpected failures (not in the known-failures list):"))
        #expect(unlisted.stdout.contains("testdata/add_uint8_2.mlir: check failed"), "\(unlisted.stdout)")
        #expect(unlisted.stderr.contains("1 failure(s) not in"))

        let stale = try run("testdata/add_uint8_2.mlir  wrong on purpose\ntestdata/sort_int32_3.mlir\tused to fail\n")
        #expect(stale.status == 0, "a listed case that passes does not fail the run")
        #expect(stale.stdout.contains("now passes (remove from the known-failures list):"))
        #expect(stale.stdout.contains("testdata/sort_int32_3.mlir  (listed: used to fail)"), "\(stale.stdout)")

        let malformed = try run("testdata/add_uint8_2.mlir\n")
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("known.txt:1: expected 'case-name  reason'"), "\(malformed.stderr)")
    }
}
