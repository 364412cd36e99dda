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

    static var programs: [String] {
        let folder = TestPrograms.packageRoot.appendingPathComponent("bench/suite/attention")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".mlir") }.map { String($0.dropLast(5)) }.sorted()
    }

    @Test func suiteHasEveryVariant() {
        #expect(Self.programs.count >= 12, "\(Self.programs)")
    }

    @Test(arguments: programs)
    func workloadIsOneLaunch(_ name: String) throws {
        let url = TestPrograms.packageRoot.appendingPathComponent("bench/suite/attention/\(name).mlir")
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
