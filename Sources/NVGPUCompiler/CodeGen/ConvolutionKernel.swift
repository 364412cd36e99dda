import StableHLO

/// A generated kernel for any `stablehlo.convolution` the spec allows: every dimension
/// layout and spatial rank, strides, (negative) padding, lhs and rhs dilation, window
/// reversal, feature and batch groups, and every element type `KernelElementType` has.
///
/// One thread computes one output element (a grid-stride loop over the output in its
/// row-major order): it walks the window, skips taps that land in padding or between
/// dilated input elements, and accumulates the products in the result's compute type
/// (`float` for bf16/f16, as the tensor cores do) before rounding once. It is the
/// `--no-vendor-libs` path and the fallback for what cuDNN does not take.
enum ConvolutionKernel {
    static let block = 256

    static func build(_ op: Operation, name: String, note: String = "") throws -> GeneratedKernel {
        let g = try ConvolutionGeometry(op)
        guard let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let result = op.resultTensorType(0),
              let lt = KernelElementType(lhs.elementType), let rt = KernelElementType(rhs.elementType),
              let ot = KernelElementType(result.elementType) else {
            throw CodeGenError("stablehlo.convolution on element types without CUDA element types", at: op.location)
        }
        guard result.elementCount > 0 else {
            throw CodeGenError("stablehlo.convolution with an empty result needs no kernel", at: op.location)
        }
        let s = g.spatialRank
        let inStrides = ElementIndex.strides(g.inputShape)
        let kStrides = ElementIndex.strides(g.kernelShape)
        let outShape = g.outputShape
        let total = result.elementCount
        let perGroup = g.outputFeatures / g.featureGroups
        let perBatchGroup = g.outputFeatures / g.batchGroups
        let outBatch = g.batch / g.batchGroups
        let ki = g.kernelInputFeatures
        let ct = ot.compute
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")

        func toResult(_ x: String, from source: KernelElementType) -> String {
            source.compute == ot.compute ? x : ExpressionTable.conversion(x, from: source, to: ot)
        }
        let zero = ot.isBool ? "false" : "((\(ct))0)"
        let accumulate: String
        if ot.isBool { accumulate = "acc = acc || (a && b);" }
        else if ot.isFloat { accumulate = "acc += a * b;" }
        else if ot.isComplex { accumulate = "acc = nv_cmac(acc, a, b);" }
        else { accumulate = "acc = nv_iadd(acc, nv_imul(a, b));" }

        w.emit("for (idx_t i = (idx_t)blockIdx.x * \(block) + threadIdx.x; i < (idx_t)\(total); i += (idx_t)gridDim.x * \(block)) {")
        w.emit("  idx_t r = i;")
        // Row-major decode of the output index, innermost dimension first.
        for d in outShape.indices.reversed() {
            w.emit("  const idx_t o\(d) = r % \(outShape[d]); r /= \(outShape[d]);")
        }
        w.emit("  const idx_t ob = o\(g.outputBatch), oc = o\(g.outputFeature);")
        w.emit("  const idx_t n = (oc / \(perBatchGroup)) * \(outBatch) + ob;")
        w.emit("  const idx_t inBase = n * \(inStrides[g.inputBatch]) + (oc / \(perGroup)) * \(ki * inStrides[g.inputFeature]);")
        w.emit("  const idx_t kBase = oc * \(kStrides[g.kernelOutput]);")
        w.emit("  \(ct) acc = \(zero);")
        if ot.narrowFloatFormat != nil {
            emitNarrowFloatWindow(w, geometry: g, lhs: lt, rhs: rt, result: ot, toResult: toResult)
        } else {
            var indent = "  "
            for d in 0..<s {
                let window = g.windowSizes[d], dilation = g.lhsDilation[d]
                w.emit("\(indent)for (idx_t k\(d) = 0; k\(d) < \(window); ++k\(d)) {")
                indent += "  "
                w.emit("\(indent)idx_t x\(d) = o\(g.outputSpatial[d]) * \(g.strides[d]) + k\(d) * \(g.rhsDilation[d]) - (\(g.padding[d].low));")
                if dilation == 1 {
                    w.emit("\(indent)if (x\(d) < 0 || x\(d) >= \(g.inputSizes[d])) continue;")
                } else {
                    w.emit("\(indent)if (x\(d) < 0 || x\(d) % \(dilation) != 0) continue;")
                    w.emit("\(indent)x\(d) /= \(dilation);")
                    w.emit("\(indent)if (x\(d) >= \(g.inputSizes[d])) continue;")
                }
            }
            let inSpatial = (0..<s).map { "x\($0) * \(inStrides[g.inputSpatial[$0]])" }
            let kSpatial = (0..<s).map { d -> String in
                let tap = g.reversal[d] ? "(\(g.windowSizes[d] - 1) - k\(d))" : "k\(d)"
                return "\(tap) * \(kStrides[g.kernelSpatial[d]])"
            }
            w.emit("\(indent)const idx_t inAt = inBase" + inSpatial.map { " + " + $0 }.joined() + ";")
            w.emit("\(indent)const idx_t kAt = kBase" + kSpatial.map { " + " + $0 }.joined() + ";")
            w.emit("\(indent)for (idx_t c = 0; c < \(ki); ++c) {")
            w.emit("\(indent)  const \(ct) a = \(toResult(lt.load("lhs[inAt + c * \(inStrides[g.inputFeature])]"), from: lt));")
            w.emit("\(indent)  const \(ct) b = \(toResult(rt.load("rhs[kAt + c * \(kStrides[g.kernelInput])]"), from: rt));")
            w.emit("\(indent)  \(accumulate)")
            w.emit("\(indent)}")
            for _ in 0..<s {
                indent.removeLast(2)
                w.emit("\(indent)}")
            }
        }
        w.emit("  out[i] = \(ot.storeRounded("acc"));")
        w.emit("}")

        let blocks = min((total + block - 1) / block, LaunchLimits.maxLoopBlocks * 4)
        let counts = [lhs.elementCount, rhs.elementCount, total + block * blocks]
        let header = KernelSource.header(
            name: name,
            parameters: ["const \(lt.storage)* __restrict__ lhs", "const \(rt.storage)* __restrict__ rhs", "\(ot.storage)* __restrict__ out"],
            block: block, indexType: KernelSource.indexType(for: counts),
            comment: "\(name): convolution \(lhs) x \(rhs) -> \(result), one thread per output element" + note)
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: [], function: header + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: [.value(op.operands[0]), .value(op.operands[1]), .value(op.results[0])],
            operationNames: [op.name])
    }
}
