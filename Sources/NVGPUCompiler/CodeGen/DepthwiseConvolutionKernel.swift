import Foundation
import StableHLO

/// A generated kernel for grouped convolutions with few input features per group —
/// depthwise (one) and channel-multiplier convolutions — in any dimension layout and
/// spatial rank, f64/f32/f16/bf16.
///
/// cuDNN runs these as many tiny GEMMs that cannot fill the tensor cores (a 3×3 depthwise
/// bf16 convolution over 32×56×56×384 measured 2.1 ms through cuDNN on the H100 against a
/// memory floor of 0.05 ms): the work is a few multiply-adds per element moved, so a plain
/// streaming kernel is the right tool. Each thread computes `vector` consecutive outputs
/// along the result's innermost dimension, so neighbouring threads read neighbouring inputs
/// in either layout (channels in NHWC, columns in NCHW) and, when that dimension is not the
/// feature, one filter tap serves all of them. The window is unrolled; taps in padding are
/// skipped. Products are summed in the reference backend's order (input feature, then
/// window position row-major); f32 and f64 round each product and sum like the reference
/// (no FMA contraction), so those results are bit for bit the same; f16/bf16 accumulate in
/// f32 and round once.
///
/// `NVGPU_DEPTHWISE_KERNEL=0` sends these convolutions back to cuDNN (or, without vendor
/// libraries, to the one-thread-per-output `ConvolutionKernel`).
enum DepthwiseConvolutionKernel {
    static let block = 256
    /// The most input features per group this kernel takes.
    static let maxGroupFeatures = 4
    /// The most window taps it unrolls.
    static let maxTaps = 256

    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_DEPTHWISE_KERNEL"] != "0" }

    /// Why this kernel runs `g` rather than cuDNN, or nil when it does not take `g`.
    static func preference(_ g: ConvolutionGeometry) -> String? {
        guard isEnabled, takes(g) else { return nil }
        return "\(g.kernelInputFeatures) input feature\(g.kernelInputFeatures == 1 ? "" : "s") per group of \(g.featureGroups): generated depthwise kernel"
    }

    static func takes(_ g: ConvolutionGeometry) -> Bool {
        g.featureGroups > 1 && g.batchGroups == 1 && g.kernelInputFeatures <= maxGroupFeatures
            && g.lhsDilation.allSatisfy { $0 == 1 } && g.windowSizes.reduce(1, *) <= maxTaps
    }

    /// The kernel for `op`, or nil when it is not a grouped convolution this kernel takes.
    static func build(_ op: StableHLO.Operation, name: String, note: String = "") throws -> GeneratedKernel? {
        guard isEnabled else { return nil }
        let g = try ConvolutionGeometry(op)
        let floats: Set<ElementType> = [.float(.f64), .float(.f32), .float(.f16), .float(.bf16)]
        guard takes(g), let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let result = op.resultTensorType(0),
              floats.contains(lhs.elementType), floats.contains(rhs.elementType), floats.contains(result.elementType),
              let lt = KernelElementType(lhs.elementType), let rt = KernelElementType(rhs.elementType),
              let ot = KernelElementType(result.elementType), result.elementCount > 0 else { return nil }
        let s = g.spatialRank
        let outShape = g.outputShape
        let last = outShape.count - 1
        let vector = [4, 2, 1].first { outShape[last] % $0 == 0 } ?? 1
        let inStrides = ElementIndex.strides(g.inputShape)
        let kStrides = ElementIndex.strides(g.kernelShape)
        let ki = g.kernelInputFeatures
        let perGroup = g.outputFeatures / g.featureGroups
        let ct = ot.compute
        let exact = ct == "double" ? ("__dadd_rn", "__dmul_rn") : ("__fadd_rn", "__fmul_rn")
        let total = result.elementCount
        let threads = total / vector
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")

        func toCompute(_ x: String, from source: KernelElementType) -> String {
            source.compute == ct ? x : ExpressionTable.conversion(x, from: source, to: ot)
        }
        w.emit("for (idx_t t = (idx_t)blockIdx.x * \(block) + threadIdx.x; t < (idx_t)\(threads); t += (idx_t)gridDim.x * \(block)) {")
        w.emit("  idx_t r = t;")
        w.emit("  const idx_t o\(last) = (r % \(outShape[last] / vector)) * \(vector); r /= \(outShape[last] / vector);")
        for d in outShape.indices.reversed() where d != last {
            w.emit("  const idx_t o\(d) = r % \(outShape[d]); r /= \(outShape[d]);")
        }
        // Per output v: its feature, and the input base (batch + the group's first feature).
        let varies = { (d: Int) in d == last }
        for v in 0..<vector {
            let oc = varies(g.outputFeature) ? "(o\(g.outputFeature) + \(v))" : "o\(g.outputFeature)"
            let ob = varies(g.outputBatch) ? "(o\(g.outputBatch) + \(v))" : "o\(g.outputBatch)"
            w.emit("  const idx_t oc\(v) = \(oc);")
            w.emit("  const idx_t base\(v) = \(ob) * \(inStrides[g.inputBatch]) + (oc\(v) / \(perGroup)) * \(ki * inStrides[g.inputFeature]);")
            w.emit("  \(ct) acc\(v) = 0;")
        }
        let sharedFilter = !varies(g.outputFeature)
        w.emit("  for (int c = 0; c < \(ki); ++c) {")
        var indent = "    "
        for d in 0..<s {
            w.emit("\(indent)#pragma unroll")
            w.emit("\(indent)for (int k\(d) = 0; k\(d) < \(g.windowSizes[d]); ++k\(d)) {")
            indent += "  "
        }
        let tap = (0..<s).map { d -> String in
            let k = g.reversal[d] ? "(\(g.windowSizes[d] - 1) - k\(d))" : "k\(d)"
            return " + \(k) * \(kStrides[g.kernelSpatial[d]])"
        }.joined()
        let filterAt = { (v: Int) in "oc\(v) * \(kStrides[g.kernelOutput]) + c * \(kStrides[g.kernelInput])" + tap }
        if sharedFilter {
            w.emit("\(indent)const \(ct) f = \(toCompute(rt.load("rhs[\(filterAt(0))]"), from: rt));")
        }
        for v in 0..<vector {
            var conditions: [String] = []
            var offsets: [String] = []
            for d in 0..<s {
                let o = g.outputSpatial[d]
                let position = varies(o) ? "(o\(o) + \(v))" : "o\(o)"
                let x = "\(position) * \(g.strides[d]) + k\(d) * \(g.rhsDilation[d]) - (\(g.padding[d].low))"
                w.emit("\(indent)const idx_t x\(d)_\(v) = \(x);")
                conditions.append("x\(d)_\(v) >= 0 && x\(d)_\(v) < \(g.inputSizes[d])")
                offsets.append(" + x\(d)_\(v) * \(inStrides[g.inputSpatial[d]])")
            }
            let input = "lhs[base\(v) + c * \(inStrides[g.inputFeature])\(offsets.joined())]"
            w.emit("\(indent)if (\(conditions.isEmpty ? "true" : conditions.joined(separator: " && "))) {")
            w.emit("\(indent)  const \(ct) a = \(toCompute(lt.load(input), from: lt));")
            let f = sharedFilter ? "f" : toCompute(rt.load("rhs[\(filterAt(v))]"), from: rt)
            if result.elementType == .float(.f32) || result.elementType == .float(.f64) {
                w.emit("\(indent)  acc\(v) = \(exact.0)(acc\(v), \(exact.1)(a, \(f)));")
            } else {
                w.emit("\(indent)  acc\(v) += a * \(f);")
            }
            w.emit("\(indent)}")
        }
        for _ in 0..<s {
            indent.removeLast(2)
            w.emit("\(indent)}")
        }
        w.emit("  }")
        for v in 0..<vector {
            w.emit("  out[t * \(vector) + \(v)] = \(ot.store(ot.rounded("acc\(v)")));")
        }
        w.emit("}")

        let blocks = max(1, min((threads + block - 1) / block, LaunchLimits.maxLoopBlocks * 4))
        let counts = [lhs.elementCount, rhs.elementCount, total + vector * block * blocks]
        let header = KernelSource.header(
            name: name,
            parameters: ["const \(lt.storage)* __restrict__ lhs", "const \(rt.storage)* __restrict__ rhs", "\(ot.storage)* __restrict__ out"],
            block: block, indexType: KernelSource.indexType(for: counts),
            comment: "\(name): depthwise convolution \(lhs) x \(rhs) -> \(result), \(vector) output\(vector == 1 ? "" : "s") per thread" + note)
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: [], function: header + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: [.value(op.operands[0]), .value(op.operands[1]), .value(op.results[0])],
            operationNames: [op.name])
    }
}
