import CUDA
import Foundation
import Runtime
import StableHLO

/// The least time a program can take on a GPU: its bytes at the measured copy bandwidth,
/// or its matrix flops at the peak matrix rate, whichever is larger.
public struct PerformanceFloor: Sendable, Hashable, Codable {
    /// Input plus output bytes.
    public var bytes: Int
    /// dot_general and convolution flops (2 per multiply-add).
    public var flops: Double
    /// Device-to-device bandwidth in bytes per second (bytes read + written).
    public var bandwidth: Double
    /// Peak matrix rate in flops per second.
    public var matrixRate: Double

    public init(bytes: Int, flops: Double, bandwidth: Double, matrixRate: Double) {
        self.bytes = bytes
        self.flops = flops
        self.bandwidth = bandwidth
        self.matrixRate = matrixRate
    }

    /// Milliseconds to move `bytes`.
    public var memoryMilliseconds: Double { bandwidth > 0 ? Double(bytes) / bandwidth * 1e3 : 0 }
    /// Milliseconds for `flops`.
    public var computeMilliseconds: Double { matrixRate > 0 ? flops / matrixRate * 1e3 : 0 }
    /// The floor: the larger of the two.
    public var milliseconds: Double { max(memoryMilliseconds, computeMilliseconds) }
    /// What bounds it.
    public var bound: String { computeMilliseconds > memoryMilliseconds ? "flops" : "bytes" }
}

/// Counts the matrix flops of a module's entry (dot_general and convolution, recursing
/// into regions and called functions once per call site).
public enum MatrixFlops {
    /// Matrix rate in TFLOP/s by operand element type: 739 for bf16/f16 (an 8192³ cuBLAS
    /// bf16 matmul measured on an H100), 67 for f32 (the H100 SXM's FP32 peak).
    public static func defaultRate(for type: ElementType) -> Double {
        switch type {
        case .float(.bf16), .float(.f16): return 739e12
        default: return 67e12
        }
    }

    /// Flops of `function` in `module` and the element type of its largest contraction.
    public static func count(in module: Module, function: String) -> (flops: Double, dominantType: ElementType?) {
        var totals: [ElementType: Double] = [:]
        if let entry = module.function(named: function) {
            var visiting: Set<String> = [entry.name]
            accumulate(entry.body, module: module, into: &totals, visiting: &visiting)
        }
        let dominant = totals.max { $0.value < $1.value }?.key
        return (totals.values.reduce(0, +), dominant)
    }

    private static func accumulate(_ region: Region, module: Module, into totals: inout [ElementType: Double],
                                   visiting: inout Set<String>) {
        for block in region.blocks {
            for op in block.operations {
                if let (flops, type) = flops(of: op) { totals[type, default: 0] += flops }
                for sub in op.regions { accumulate(sub, module: module, into: &totals, visiting: &visiting) }
                if op.name == "func.call", case .symbolRef(let callee)? = op[attribute: "callee"],
                   let function = module.function(named: callee), !visiting.contains(callee) {
                    visiting.insert(callee)
                    accumulate(function.body, module: module, into: &totals, visiting: &visiting)
                    visiting.remove(callee)
                }
            }
        }
    }

    private static func flops(of op: StableHLO.Operation) -> (Double, ElementType)? {
        guard op.name == "stablehlo.dot_general" || op.name == "stablehlo.convolution" || op.name == "stablehlo.dot",
              op.operands.count >= 2, let lhs = op.operands[0].type.tensorType, let rhs = op.operands[1].type.tensorType,
              let result = op.results.first?.type.tensorType else { return nil }
        var outputs: Double = 1
        for extent in result.shape { outputs *= Double(max(extent, 0)) }
        switch op.name {
        case "stablehlo.dot_general":
            let contracting = op[attribute: "dot_dimension_numbers"]?[parameter: "lhs_contracting_dimensions"]?.intArray ?? []
            var depth: Double = 1
            for dimension in contracting where lhs.shape.indices.contains(Int(dimension)) {
                depth *= Double(lhs.shape[Int(dimension)])
            }
            return (2 * outputs * depth, lhs.elementType)
        case "stablehlo.dot":
            return (2 * outputs * Double(lhs.shape.last ?? 1), lhs.elementType)
        default:
            let numbers = op[attribute: "dimension_numbers"]
            let feature = numbers?[parameter: "kernel_output_feature_dimension"]
            let outputFeature = Int(feature?.intValue ?? feature?.intArray?.first ?? Int64(rhs.shape.count - 1))
            var kernelElements: Double = 1
            for (dimension, extent) in rhs.shape.enumerated() where dimension != outputFeature {
                kernelElements *= Double(extent)
            }
            return (2 * outputs * kernelElements, lhs.elementType)
        }
    }
}

/// Measures device-to-device copy bandwidth once per GPU (a 1 GiB `cuMemcpyDtoD`, best of
/// five) and caches it in `$NVGPU_CACHE_DIR` (default `~/.cache/nvgpu`).
public enum BandwidthMeasurement {
    /// Bytes read plus written per second.
    public static func bandwidth(queue: CUDAQueue, cacheDirectory: URL = defaultCacheDirectory) throws -> (bytesPerSecond: Double, cached: Bool) {
        let key = queue.deviceName.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let file = cacheDirectory.appendingPathComponent("bandwidth-\(String(key)).txt")
        if let text = try? String(contentsOf: file, encoding: .utf8),
           let value = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0 {
            return (value, true)
        }
        let size = 1 << 30
        let source = try queue.allocate(byteCount: size)
        defer { try? queue.deallocate(source) }
        let destination = try queue.allocate(byteCount: size)
        defer { try? queue.deallocate(destination) }
        try queue.stream.fillAsync(source.pointer, byte: 1, byteCount: size)
        try queue.copy(from: source.pointer, to: destination.pointer, byteCount: size)  // warm-up
        var best = Double.infinity
        for _ in 0..<5 {
            let start = try queue.recordMark()
            try queue.copy(from: source.pointer, to: destination.pointer, byteCount: size)
            let end = try queue.recordMark()
            best = min(best, try queue.elapsedMilliseconds(from: start, to: end))
            queue.releaseMarks()
        }
        let value = 2 * Double(size) / (best / 1e3)
        try? FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        try? String(value).write(to: file, atomically: true, encoding: .utf8)
        return (value, false)
    }

    /// `$NVGPU_CACHE_DIR`, else `~/.cache/nvgpu`.
    public static var defaultCacheDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["NVGPU_CACHE_DIR"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/nvgpu")
    }
}

/// Order statistics of a list of timings.
public struct TimingSummary: Sendable, Hashable, Codable {
    public var median: Double
    public var p10: Double
    public var p90: Double
    public var minimum: Double

    /// Nearest-rank percentiles of `samples` (which must not be empty).
    public init(_ samples: [Double]) {
        let sorted = samples.sorted()
        func rank(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((fraction * Double(sorted.count - 1)).rounded())
            return sorted[min(max(index, 0), sorted.count - 1)]
        }
        median = rank(0.5)
        p10 = rank(0.1)
        p90 = rank(0.9)
        minimum = sorted.first ?? 0
    }
}
