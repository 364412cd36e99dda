import Compiler
import Foundation
import StableHLO
import Testing

/// The benchmark workloads (JAX-exported models) go through the standard pipeline, verifying
/// after every pass; the op count must not grow and nothing large may be folded.
@Suite("Standard pipeline on the benchmark workloads")
struct StandardPipelineWorkloadTests {
    /// `NVGPU_WORKLOADS_DIR`, defaulting to `../shared/workloads`.
    static var workloadDirectory: String {
        ProcessInfo.processInfo.environment["NVGPU_WORKLOADS_DIR"] ?? "../shared/workloads"
    }

    static var workloads: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workloadDirectory)) ?? []
        return names.filter { $0.hasSuffix(".mlir") }.sorted()
    }

    @Test("every workload lowers, verifies after each pass and does not grow")
    func lowersWorkloads() throws {
        guard !Self.workloads.isEmpty else {
            print("skipped: no workloads under \(Self.workloadDirectory) (set NVGPU_WORKLOADS_DIR)")
            return
        }
        var session = try CompilerSession(registry: try PluginRegistry())
        session.verifiesAfterEachPass = true
        for name in Self.workloads {
            let path = Self.workloadDirectory + "/" + name
            let module = try Module.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
            let start = ContinuousClock.now
            let lowered = try session.lower(module, target: "cpu")
            let elapsed = ContinuousClock.now - start
            let before = StandardPipelineConformanceTests.operationCount(module)
            let after = StandardPipelineConformanceTests.operationCount(lowered)
            print("\(name): \(before) → \(after) ops in \(elapsed)")
            #expect(after <= before, "\(name) grew from \(before) to \(after) ops")
            let largestConstant = Self.largestConstant(in: lowered)
            #expect(largestConstant <= 1 << 16, "\(name) holds a constant of \(largestConstant) elements")
        }
    }

    /// The element count of the largest non-splat constant.
    static func largestConstant(in module: Module) -> Int {
        var largest = 0
        func visit(_ region: Region) {
            for block in region.blocks {
                for op in block.operations {
                    if case .dense(let elements)? = op[attribute: "value"], !elements.isSplat {
                        largest = max(largest, elements.type.elementCount)
                    }
                    op.regions.forEach(visit)
                }
            }
        }
        module.functions.forEach { visit($0.body) }
        return largest
    }
}
