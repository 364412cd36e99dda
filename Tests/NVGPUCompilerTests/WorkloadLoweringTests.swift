import Foundation
import NVGPUCompiler
import Runtime
import Testing

/// Fusion decisions on the benchmark workloads: how many kernels, matmuls and host steps.
@Suite struct WorkloadLoweringTests {
    /// (workload, kernel launches, cuBLASLt matmuls, host steps).
    static let expectations: [(String, Int, Int, Int)] = [
        ("ew_chain_f32", 1, 0, 0),
        ("reduce_sum_f32", 2, 0, 0),
        ("softmax_f32", 1, 0, 0),
        ("layernorm_bf16", 1, 0, 0),
        ("matmul_bf16", 0, 1, 0),
        ("mlp_gelu_bf16", 0, 2, 0),
        ("attention_bf16", 1, 0, 0),
        ("conv3x3_relu_bf16", 1, 0, 0),
        ("gpt_block_bf16", 4, 4, 0),
    ]

    @Test(arguments: expectations.map { $0.0 })
    func workloadLowersToFewKernels(_ name: String) throws {
        let url = TestPrograms.workloadsDirectory.appendingPathComponent(name + ".mlir")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            print("skipping \(name): \(url.path) is absent")
            return
        }
        let (executable, report) = try TestPrograms.lower(text)
        if let dump = ProcessInfo.processInfo.environment["NVGPU_DUMP_KERNELS"], !dump.isEmpty {
            for kernel in executable.kernels {
                try kernel.source.write(toFile: "\(dump)/\(name)_\(kernel.entryPoint).cu", atomically: true, encoding: .utf8)
            }
            try executable.inspection().write(toFile: "\(dump)/\(name).txt", atomically: true, encoding: .utf8)
        }
        guard let expected = Self.expectations.first(where: { $0.0 == name }) else { return }
        print("\(name): \(TestPrograms.launches(executable)) launches, \(TestPrograms.matmuls(executable)) matmuls, \(TestPrograms.hostSteps(executable).count) host steps, arena \(executable.arenaBytes) bytes, \(report.rounds) planning rounds")
        #expect(TestPrograms.launches(executable) == expected.1, "\(executable.inspection())")
        #expect(TestPrograms.matmuls(executable) == expected.2)
        #expect(TestPrograms.hostSteps(executable).count == expected.3)
    }
}
