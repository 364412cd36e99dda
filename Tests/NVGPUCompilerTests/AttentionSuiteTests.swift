import Compiler
import Foundation
@testable import NVGPUCompiler
import StableHLO
import Testing

/// The attention workloads of the benchmark suite (`bench/suite/attention`, exported from JAX
/// by its `export_and_time_jax.py`) each compile to one fused attention launch, as
/// `nvgpu compile` runs them; the ones listed in `unfused` say why they are not.
@Suite struct AttentionSuiteTests {
    /// Workloads not fused yet, and a phrase of the `--report` remark that says why.
    static let unfused: [String: String] = [:]

    /// The suite's programs, and the same at check-sized shapes (`tests/attention/suite_small`,
    /// from its `export-small`), as paths from the package root.
    static var programs: [String] {
        ["bench/suite/attention", "tests/attention/suite_small"].flatMap { folder in
            let names = (try? FileManager.default.contentsOfDirectory(
                atPath: TestPrograms.packageRoot.appendingPathComponent(folder).path)) ?? []
            return names.filter { $0.hasSuffix(".mlir") }.sorted().map { "\(folder)/\($0)" }
        }
    }

    @Test func suiteHasEveryVariant() {
        #expect(Self.programs.filter { $0.hasPrefix("bench/") }.count >= 12, "\(Self.programs)")
        #expect(Self.programs.filter { $0.hasPrefix("tests/") }.count == Self.programs.filter { $0.hasPrefix("bench/") }.count)
    }

    @Test(arguments: programs)
    func workloadIsOneLaunch(_ path: String) throws {
        let name = String(path.split(separator: "/").last?.dropLast(5) ?? "")
        let url = TestPrograms.packageRoot.appendingPathComponent(path)
        var module = try Module.parse(try String(contentsOf: url, encoding: .utf8), file: "\(name).mlir")
        try Pipeline.standard.run(on: &module)
        let options = CompileOptions(useVendorLibraries: true)
        let (executable, _) = try ExecutableBuilder(options: options).build(CUDATarget.rewritten(module, options: options))
        if let reason = Self.unfused[name] {
            #expect(AttentionFusionTests.attentionLaunches(executable).isEmpty, "\(name) is fused now: update `unfused`")
            #expect(executable.remarks?.contains { $0.contains(reason) } == true, "\(executable.remarks ?? [])")
            return
        }
        #expect(executable.steps.count == 1, "\(name): \(executable.inspection())")
        #expect(AttentionFusionTests.attentionLaunches(executable).count == 1, "\(name)")
    }
}
