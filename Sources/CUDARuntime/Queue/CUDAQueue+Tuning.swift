import CUDA
import Foundation
import Runtime

/// First-run tuning of vendor-library choices: cuBLASLt's algorithm among the heuristic's
/// best few, and cuDNN's fused attention against the compiler's kernel. Each is timed once
/// per shape on the step's own buffers (a warm-up, then the median of a few runs) and the
/// winner is stored in the kernel cache's trusted directory (`KernelCache.storeChoice`),
/// keyed by the device, the library version and the problem, so later processes start
/// with it. `NVGPU_TUNING=0` keeps the heuristic's first choice and never times.
enum Tuning {
    /// cuBLASLt algorithms timed per GEMM shape.
    static let matmulCandidates = 4
    /// Timed runs per candidate.
    static let timedRuns = 5

    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_TUNING"] != "0" }

    /// Where choices are kept across processes (`NVGPU_CACHE_DIR`, else the user's cache).
    static let cache = KernelCache.standard()
}

extension CUDAQueue {
    /// Whether work queued now runs (not captured into a graph), so it can be timed.
    var canTime: Bool { captureStack.isEmpty && !stream.isCapturing }

    /// The median milliseconds of `Tuning.timedRuns` runs of `body` on the queue's stream,
    /// after one untimed run.
    func medianMilliseconds(_ body: () throws -> Void) throws -> Double {
        try body()
        let start = try CUDAEvent(context: context), end = try CUDAEvent(context: context)
        var times: [Double] = []
        for _ in 0..<Tuning.timedRuns {
            try start.record(on: stream)
            try body()
            try end.record(on: stream)
            try end.synchronize()
            times.append(try end.elapsedMilliseconds(since: start))
        }
        return times.sorted()[times.count / 2]
    }

    /// Picks `plan`'s cuBLASLt algorithm: the stored choice for this shape, else the fastest
    /// candidate timed on `operands` (then stored).
    func tuneMatmul(_ plan: BatchedMatmul, operands: MatmulOperands, workspace: DevicePointer?) throws {
        guard Tuning.isEnabled, plan.candidateCount > 1 else { return }
        let key = "gemm-v1|\(deviceName)|cublasLt \(plan.handle.library.version)|\(plan.plan)|bias \(plan.plan.biasType.map { "\($0)" } ?? "none")"
        if let stored = Tuning.cache.choice(forKey: key), stored < plan.candidateCount {
            plan.select(candidate: stored)
            return
        }
        guard canTime else { return }
        var best: (index: Int, time: Double)?
        for index in 0..<plan.candidateCount {
            plan.select(candidate: index)
            // A candidate that fails to run is skipped (cuBLASLt may refuse one at run time).
            guard let time = try? medianMilliseconds({
                try plan.run(a: operands.a, b: operands.b, c: operands.c, bias: operands.bias, workspace: workspace,
                             stream: stream)
            }) else { continue }
            if best.map({ time < $0.time }) ?? true { best = (index, time) }
        }
        plan.select(candidate: best?.index ?? 0)
        if let best { try? Tuning.cache.storeChoice(best.index, forKey: key) }
    }
}
