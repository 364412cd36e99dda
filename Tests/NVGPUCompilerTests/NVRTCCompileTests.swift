import CUDA
import Foundation
import NVGPUCompiler
import Runtime
import Testing

/// Every kernel generated for the workloads and the conformance programs compiles with
/// NVRTC for sm_90. Skips (loudly) without NVRTC unless `NVGPU_REQUIRE_NVRTC=1`.
@Suite struct NVRTCCompileTests {
    static func compiler() throws -> NVRTC? {
        do {
            return try NVRTC.load()
        } catch {
            if ProcessInfo.processInfo.environment["NVGPU_REQUIRE_NVRTC"] == "1" { throw error }
            print("SKIPPED: NVRTC not found (\(error)); install nvidia-cuda-nvrtc into .venv")
            return nil
        }
    }

    /// Lowers every program, compiles the distinct kernel sources, and reports failures.
    static func compileKernels(of files: [URL], label: String, compiler: NVRTC) throws -> (programs: Int, kernels: Int, failures: [String]) {
        var sources: [String: String] = [:]
        var lowered = 0
        var failures: [String] = []
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            let executable: Executable
            do {
                executable = try TestPrograms.lower(text).0
            } catch {
                continue  // Not ours to judge: the parser/verifier tests cover bad programs.
            }
            lowered += 1
            for kernel in executable.kernels where sources[kernel.source] == nil {
                sources[kernel.source] = file.lastPathComponent + ":" + kernel.entryPoint
            }
        }
        let programs = sources.map { (name: $0.value.replacingOccurrences(of: ":", with: "_"), source: $0.key) }
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        let start = Date()
        let results = KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: compiler, cache: cache)
        for (program, result) in zip(programs, results) {
            if case .failure(let error) = result {
                failures.append("\(program.name): \(error.log.prefix(1500))")
            }
        }
        print("\(label): \(lowered) programs lowered, \(programs.count) distinct kernels, \(programs.count - failures.count) compiled for sm_90, \(failures.count) failed (\(String(format: "%.1f", Date().timeIntervalSince(start))) s, cache \(cache.statistics))")
        return (lowered, programs.count, failures)
    }

    @Test func workloadKernelsCompile() throws {
        guard let nvrtc = try Self.compiler() else { return }
        let files = TestPrograms.mlirFiles(in: TestPrograms.workloadsDirectory)
        guard !files.isEmpty else {
            print("SKIPPED: no workloads in \(TestPrograms.workloadsDirectory.path)")
            return
        }
        let result = try Self.compileKernels(of: files, label: "workloads", compiler: nvrtc)
        #expect(result.kernels > 0)
        #expect(result.failures.isEmpty, "\(result.failures.joined(separator: "\n\n"))")
    }

    @Test func conformanceKernelsCompile() throws {
        guard let nvrtc = try Self.compiler() else { return }
        let files = TestPrograms.mlirFiles(in: TestPrograms.conformanceDirectory.appendingPathComponent("testdata"))
        guard !files.isEmpty else {
            print("SKIPPED: no conformance programs in \(TestPrograms.conformanceDirectory.path) (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        let result = try Self.compileKernels(of: files, label: "conformance", compiler: nvrtc)
        #expect(result.kernels > 0)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5).joined(separator: "\n\n"))")
    }
}
