import Runtime

/// Totals `nvgpu inspect` prints under the listing.
public struct ExecutableSizes {
    public var executable: Executable
    public init(_ executable: Executable) { self.executable = executable }

    public var inputBytes: Int { executable.inputs.reduce(0) { $0 + executable.buffers[$1].byteSize } }
    public var outputBytes: Int { executable.outputs.reduce(0) { $0 + executable.buffers[$1].byteSize } }

    public var text: String {
        let constantBytes = executable.constants.reduce(0) { $0 + $1.bytes.count }
        let cubinBytes = executable.kernels.reduce(0) { $0 + $1.binary.count }
        var counts: [String: Int] = [:]
        for step in executable.allSteps {
            switch step {
            case .launch: counts["launch", default: 0] += 1
            case .matmul: counts["matmul", default: 0] += 1
            case .host: counts["host", default: 0] += 1
            case .copy: counts["copy", default: 0] += 1
            case .collective: counts["collective", default: 0] += 1
            case .convolution: counts["convolution", default: 0] += 1
            case .fft: counts["fft", default: 0] += 1
            case .attention: counts["attention", default: 0] += 1
            case .loop: counts["loop", default: 0] += 1
            case .branch: counts["branch", default: 0] += 1
            }
        }
        let steps = ["launch", "matmul", "convolution", "attention", "fft", "collective", "host", "copy", "loop", "branch"].filter { !["attention", "fft", "loop", "branch"].contains($0) || counts[$0] != nil }.map { "\(counts[$0, default: 0]) \($0)" }.joined(separator: ", ")
        return """
            sizes: inputs \(ByteCount(inputBytes)), outputs \(ByteCount(outputBytes)), arena \(ByteCount(executable.arenaBytes)), \
            constants \(ByteCount(constantBytes)), cubins \(ByteCount(cubinBytes))
            steps: \(steps)
            """
    }
}
