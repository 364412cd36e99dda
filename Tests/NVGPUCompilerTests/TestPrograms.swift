import Compiler
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO

/// Where the shared data lives and helpers to lower programs in tests.
enum TestPrograms {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var workloadsDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["NVGPU_WORKLOADS_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent("../shared/workloads").standardized
    }

    static var conformanceDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["NVGPU_CONFORMANCE_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent("../shared/conformance").standardized
    }

    /// `.mlir` files in `directory`, sorted.
    static func mlirFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".mlir") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Lowers `text` as the CUDA target does after the standard passes: the target's passes
    /// (`CUDATarget.rewritten`), then `ExecutableBuilder.build`.
    static func lower(_ text: String, vendor: Bool = true) throws -> (Executable, LoweringReport) {
        let options = CompileOptions(useVendorLibraries: vendor)
        let module = try CUDATarget.rewritten(Module.parse(text, file: "test.mlir"), options: options)
        return try ExecutableBuilder(options: options).build(module)
    }

    /// Kernel launches, counting an attention step (cuDNN or its kernel) as one.
    static func launches(_ e: Executable) -> Int {
        e.steps.filter { $0.kernelLaunch != nil }.count
    }
    static func matmuls(_ e: Executable) -> Int {
        e.steps.filter { if case .matmul = $0 { return true } else { return false } }.count
    }
    static func hostSteps(_ e: Executable) -> [HostCall] {
        e.steps.compactMap { if case .host(let h) = $0 { return h } else { return nil } }
    }
}
