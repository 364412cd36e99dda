import Runtime

/// The convolution part of `nvgpu compile --report`: which path each convolution took —
/// cuDNN (with the filter transposes planned around it) or a generated kernel, and why.
public struct ConvolutionReport {
    public var executable: Executable

    public init(executable: Executable) { self.executable = executable }

    public var lines: [String] {
        let vendor = executable.allSteps.compactMap { step -> ConvolutionCall? in
            if case .convolution(let call) = step { return call }
            return nil
        }
        // Generated convolution kernels (one thread per output, depthwise or implicit GEMM) and
        // filter layouts say so in their first comment line.
        let kinds = ["convolution", "depthwise convolution", "implicit-GEMM convolution"]
        let generated = executable.kernels.compactMap { kernel -> String? in
            let comment = kernel.source.split(separator: "\n").first { line in
                kinds.contains { line.hasPrefix("// \(kernel.entryPoint): \($0)") }
            }
            return comment.map { String($0.dropFirst(3)) }
        }
        let layouts = executable.kernels.filter { $0.source.contains("// \($0.entryPoint): filter layout") }.count
        var lines = ["convolutions: \(vendor.count + generated.count) (cuDNN \(vendor.count), generated \(generated.count), filter transposes \(layouts))"]
        lines += vendor.map { "  " + $0.summary }
        lines += generated.map { "  generated " + $0 }
        return lines
    }
}
