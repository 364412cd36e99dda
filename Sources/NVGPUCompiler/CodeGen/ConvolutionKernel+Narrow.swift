import StableHLO

extension ConvolutionKernel {
    /// The window loops for a narrow float result, in the reference's order: input feature
    /// outermost, then the kernel positions row-major, every tap included (one in padding
    /// or between dilated input elements multiplies a zero input), each product and each
    /// partial sum rounded to the format, as the reference's im2col product does.
    static func emitNarrowFloatWindow(_ w: KernelBodyWriter, geometry g: ConvolutionGeometry,
                                      lhs lt: KernelElementType, rhs rt: KernelElementType, result ot: KernelElementType,
                                      toResult: (String, KernelElementType) -> String) {
        let s = g.spatialRank
        let inStrides = ElementIndex.strides(g.inputShape)
        let kStrides = ElementIndex.strides(g.kernelShape)
        let ct = ot.compute
        w.emit("  for (idx_t c = 0; c < \(g.kernelInputFeatures); ++c) {")
        var indent = "    "
        var valid = "true"
        for d in 0..<s {
            let dilation = g.lhsDilation[d]
            w.emit("\(indent)for (idx_t k\(d) = 0; k\(d) < \(g.windowSizes[d]); ++k\(d)) {")
            indent += "  "
            w.emit("\(indent)const idx_t x\(d) = o\(g.outputSpatial[d]) * \(g.strides[d]) + k\(d) * \(g.rhsDilation[d]) - (\(g.padding[d].low));")
            let divisible = dilation == 1 ? "" : " && x\(d) % \(dilation) == 0"
            w.emit("\(indent)const bool v\(d) = \(valid) && x\(d) >= 0\(divisible) && x\(d) / \(dilation) < \(g.inputSizes[d]);")
            valid = "v\(d)"
        }
        let inSpatial = (0..<s).map { d in " + (x\(d) / \(g.lhsDilation[d])) * \(inStrides[g.inputSpatial[d]])" }.joined()
        let kSpatial = (0..<s).map { d -> String in
            let tap = g.reversal[d] ? "(\(g.windowSizes[d] - 1) - k\(d))" : "k\(d)"
            return " + \(tap) * \(kStrides[g.kernelSpatial[d]])"
        }.joined()
        let load = toResult(lt.load("lhs[inBase + c * \(inStrides[g.inputFeature])\(inSpatial)]"), lt)
        w.emit("\(indent)const \(ct) a = \(valid) ? \(load) : ((\(ct))0);")
        w.emit("\(indent)const \(ct) b = \(toResult(rt.load("rhs[kBase + c * \(kStrides[g.kernelInput])\(kSpatial)]"), rt));")
        w.emit("\(indent)acc = \(ot.rounded("(double)acc + (double)\(ot.rounded("(double)a * (double)b"))"));")
        for _ in 0..<s {
            indent.removeLast(2)
            w.emit("\(indent)}")
        }
        w.emit("  }")
    }
}
