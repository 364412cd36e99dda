import Compiler
import Foundation
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// With `NVGPU_KERNEL_SOURCE_DUMP=DIR`: writes every generated kernel's source (and each
/// executable's steps and launch shapes) for the shared conformance programs and workloads
/// to DIR, one file per case, lowered as `--compile-only` does but without NVRTC, so a
/// code-generation refactor can be diffed before and after. Does nothing otherwise.
@Suite struct KernelSourceDumpTests {
    @Test func dumpEveryKernelSource() throws {
        guard let dump = ProcessInfo.processInfo.environment["NVGPU_KERNEL_SOURCE_DUMP"], !dump.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
        var cases: [(name: String, text: String, entries: [String]?)] = []
        for url in TestPrograms.mlirFiles(in: TestPrograms.conformanceDirectory.appendingPathComponent("testdata")) {
            cases.append(("testdata__" + url.lastPathComponent, (try? String(contentsOf: url, encoding: .utf8)) ?? "", ["main"]))
        }
        for url in TestPrograms.mlirFiles(in: TestPrograms.conformanceDirectory.appendingPathComponent("interpret")) {
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            for (k, chunk) in text.components(separatedBy: "\n// -----\n").enumerated() {
                cases.append(("interpret__\(url.lastPathComponent)__\(k)", chunk, nil))
            }
        }
        for url in TestPrograms.mlirFiles(in: TestPrograms.workloadsDirectory) {
            cases.append(("workload__" + url.lastPathComponent, (try? String(contentsOf: url, encoding: .utf8)) ?? "", ["main"]))
        }
        let registry = try PluginRegistry(plugins: [NVGPUPlugin()])
        let session = try CompilerSession(registry: registry)
        for c in cases {
            var out = ""
            do {
                let module = try Module.parse(c.text, file: c.name)
                let entries = c.entries ?? module.functions.filter { $0.inputTypes.isEmpty && !$0.body.blocks.isEmpty }.map(\.name)
                for entry in entries {
                    out += "=== @\(entry)\n"
                    let options = CompileOptions(entry: entry, architecture: "sm_90", useVendorLibraries: true,
                                                 foldsConstants: false, allowsTF32: false)
                    do {
                        let lowered = try session.lower(module, target: "cuda", options: options)
                        let (executable, _) = try ExecutableBuilder(options: options).build(lowered)
                        out += executable.inspection() + "\n"
                        for kernel in executable.kernels {
                            out += "--- \(kernel.entryPoint)\n\(kernel.source)\n"
                        }
                    } catch {
                        out += "error: \(error)\n"
                    }
                }
            } catch {
                out += "parse error: \(error)\n"
            }
            try out.write(toFile: "\(dump)/\(c.name).txt", atomically: true, encoding: .utf8)
        }
    }
}
