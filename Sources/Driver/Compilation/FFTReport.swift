import Runtime

/// The FFT part of `nvgpu compile --report` (only when the program has an FFT): each cuFFT
/// step, and the generated exact-DFT kernels of the FFTs that stayed on them.
public struct FFTReport {
    public var executable: Executable

    public init(executable: Executable) { self.executable = executable }

    public var lines: [String] {
        let vendor = executable.allSteps.compactMap { step -> FFTCall? in
            if case .fft(let call) = step { return call }
            return nil
        }
        // Generated DFT kernels say so in their first comment line.
        let generated = executable.kernels.compactMap { kernel -> String? in
            let comment = kernel.source.split(separator: "\n").first {
                $0.hasPrefix("// \(kernel.entryPoint): ") && ($0.contains("DFT of length") || $0.contains("real inverse DFT"))
            }
            return comment.map { String($0.dropFirst(3)) }
        }
        guard !vendor.isEmpty || !generated.isEmpty else { return [] }
        var lines = ["ffts: cuFFT \(vendor.count), exact-DFT kernels \(generated.count)"]
        lines += vendor.map { "  " + $0.summary }
        lines += generated.map { "  generated " + $0 }
        return lines
    }
}
