import Foundation
import Runtime

/// `nvgpu compile --report`: kernels, host fallbacks with reasons, the arena.
public struct ExecutableReport {
    public var compiled: CompiledExecutable

    public init(_ compiled: CompiledExecutable) { self.compiled = compiled }

    public var text: String {
        let executable = compiled.executable
        var lines = ["compiled @\(executable.entry) for \(executable.target) \(executable.architecture) in \(String(format: "%.2f", compiled.seconds)) s"]
        lines.append("arena: \(ByteCount(executable.arenaBytes)) (\(executable.buffers.count) buffers)")
        lines.append("kernels: \(executable.kernels.count)")
        for (index, kernel) in executable.kernels.enumerated() {
            let launches = executable.allSteps.filter { $0.kernelLaunch?.kernel == index }.count
            let sourceLines = kernel.source.split(separator: "\n").count
            lines.append("  k\(index) \(kernel.entryPoint): \(kernel.format) \(ByteCount(kernel.binary.count)), \(sourceLines) source lines, launched \(launches)x")
        }
        let matmuls = executable.allSteps.compactMap { if case .matmul(let m) = $0 { return m }; return nil }
        lines.append("vendor matmuls (cuBLASLt): \(matmuls.count)")
        for call in matmuls {
            lines.append("  " + ExecutionStep.matmul(call).summary)
        }
        lines += ConvolutionReport(executable: executable).lines
        lines += FFTReport(executable: executable).lines
        let attentions = executable.allSteps.compactMap { if case .attention(let a) = $0 { return a }; return nil }
        if !attentions.isEmpty {
            lines.append("fused attention offered to cuDNN: \(attentions.count) (the kernel; with NVGPU_ATTENTION_ENGINE=auto, cuDNN's engine where the first run times it faster)")
            lines += attentions.map { "  \($0.summary), kernel k\($0.kernel.kernel)" }
        }
        let controls = executable.allSteps.compactMap { step -> String? in
            switch step {
            case .loop(let loop):
                return "  while: \(loop.carried.count) carried, condition \(loop.condition.count) step(s), body \(loop.body.count) step(s)"
                    + (loop.tripCount.map { ", counted: \($0) trips (the body is queued or unrolled in a graph, the condition never evaluated)" } ?? "")
            case .branch(let branch):
                return "  \(branch.selectorKind == .predicate ? "if" : "case"): \(branch.branches.count) branches"
            default: return nil
            }
        }
        if !controls.isEmpty {
            lines.append("device control flow: \(controls.count) (a CUDA graph conditional node each where the driver has them, CUDA 12.8+; else run from the host, one scalar read per iteration)")
            lines += controls
        }
        let hosts = executable.allSteps.compactMap { if case .host(let h) = $0 { return h }; return nil }
        lines.append("host fallbacks: \(hosts.count)")
        for call in hosts {
            lines.append("  host program \(call.program) @\(call.function): \(call.reason)")
        }
        if let remarks = executable.remarks, !remarks.isEmpty {
            lines.append("remarks: \(remarks.count)")
            lines += remarks.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}

/// A byte count for people: `512 B`, `3.0 MiB`.
public struct ByteCount: CustomStringConvertible {
    public var bytes: Int
    public init(_ bytes: Int) { self.bytes = bytes }

    public var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
