import Foundation
import StableHLO

/// A generated kernel for grouped convolutions with few input features per group —
/// depthwise (one) and channel-multiplier convolutions — in any dimension layout and
/// spatial rank, f64/f32/f16/bf16.
///
/// cuDNN runs these as many tiny GEMMs that cannot fill the tensor cores (a 3×3 depthwise
/// bf16 convolution over 32×56×56×384 measured 2.1 ms through cuDNN on the H100 against a
/// memory floor of 0.05 ms): the work is a few multiply-adds per element moved, so a plain
/// streaming kernel is the right tool. Each thread computes consecutive outputs along the
/// result's innermost dimension (`Shape`: 16-byte channel vectors, column spans or the
/// general shape), so neighbouring threads read neighbouring inputs in either layout and,
/// when that dimension is not the feature, one filter tap serves all of them. The window is
/// unrolled; taps in padding are skipped, or summed as zeros in column spans (as the
/// reference sums them). Products are summed in the reference backend's order (input
/// feature, then window position row-major); f32 and f64 round each product and sum like the
/// reference (no FMA contraction), so those results are bit for bit the same; f16/bf16
/// accumulate in f32 and round once.
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
    /// `NVGPU_DEPTHWISE_SPAN=0` keeps one position a thread in channels-last layouts.
    static var spansEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_DEPTHWISE_SPAN"] != "0" }
    /// `NVGPU_DEPTHWISE_ROWS=0` keeps one output row a thread in channels-first layouts.
    static var rowsEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_DEPTHWISE_ROWS"] != "0" }

    /// `NVGPU_DEPTHWISE_CHUNKS=0` reads channels-first input columns one element at a time
    /// instead of in aligned 16-byte chunks, for comparison.
    static var chunkedSpansEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_DEPTHWISE_CHUNKS"] != "0" }

    /// How a thread's outputs lie.
    enum Shape: Equatable {
        /// 16 bytes of neighbouring channels of a depthwise convolution (one feature per
        /// group, multiplier one) whose input features and filter output features are
        /// innermost: one vector load of inputs and one of filter taps per window position.
        case channels(Int)
        /// `.channels` for `positions` neighbouring outputs along the innermost spatial
        /// dimension (the one just outside the channels: W of NHWC): the input columns their
        /// windows share are loaded once per outer tap (a 3×3 window over 4 positions: 6
        /// column loads for 4 outputs, not 12), and each filter tap serves every position.
        case channelSpan(Int, positions: Int)
        /// Neighbouring positions along the innermost spatial dimension (channels-first):
        /// the input span they share is loaded once per feature and outer tap.
        case columns(Int)
        /// `.columns` for `rows` neighbouring output rows (H of NCHW, just outside W): each
        /// input row their windows cover is loaded once and serves every output row whose
        /// window holds it (a 7×7 window over 4 rows: 10 row loads for 4 rows of outputs,
        /// not 28), with the filter taps held in registers.
        case columnRows(Int, rows: Int)
        /// Anything else: up to 4 outputs along the innermost dimension, each tap loaded
        /// for each output.
        case general(Int)

        var vector: Int {
            switch self { case .channels(let v), .channelSpan(let v, _), .columns(let v), .columnRows(let v, _), .general(let v): return v }
        }

        static func choose(_ g: ConvolutionGeometry, lt: KernelElementType, rt: KernelElementType, ot: KernelElementType,
                           inStrides: [Int], kStrides: [Int]) -> Shape {
            let out = g.outputShape
            let last = out.count - 1
            let bytes = lt.byteWidth
            if last == g.outputFeature, g.kernelInputFeatures == 1, g.outputFeatures == g.featureGroups,
               inStrides[g.inputFeature] == 1, kStrides[g.kernelOutput] == 1, rt.byteWidth == bytes, ot.byteWidth == bytes,
               16 % bytes == 0, out[last] % (16 / bytes) == 0 {
                if spansEnabled, let w = g.outputSpatial.last, w == last - 1,
                   let positions = [4, 2].first(where: { out[w] % $0 == 0 }) {
                    return .channelSpan(16 / bytes, positions: positions)
                }
                return .channels(16 / bytes)
            }
            if let d = g.outputSpatial.last, last == d, inStrides[g.inputSpatial[g.spatialRank - 1]] == 1 {
                let vector = [8, 4, 2, 1].first { out[last] % $0 == 0 } ?? 1
                if rowsEnabled, g.spatialRank == 2, g.outputSpatial[0] == last - 1,
                   let rows = [4, 2].first(where: { out[last - 1] % $0 == 0 }) {
                    return .columnRows(vector, rows: rows)
                }
                return .columns(vector)
            }
            return .general([4, 2, 1].first { out[last] % $0 == 0 } ?? 1)
        }
    }

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
        let inStrides = ElementIndex.strides(g.inputShape)
        let kStrides = ElementIndex.strides(g.kernelShape)
        let ki = g.kernelInputFeatures
        let perGroup = g.outputFeatures / g.featureGroups
        let shape = Shape.choose(g, lt: lt, rt: rt, ot: ot, inStrides: inStrides, kStrides: kStrides)
        let vector = shape.vector
        let ct = ot.compute
        let exact = result.elementType == .float(.f32) || result.elementType == .float(.f64)
        let (add, multiply) = ct == "double" ? ("__dadd_rn", "__dmul_rn") : ("__fadd_rn", "__fmul_rn")
        let total = result.elementCount
        let positions: Int
        switch shape {
        case .channelSpan(_, let p), .columnRows(_, let p): positions = p
        default: positions = 1
        }
        let threads = total / (vector * positions)
        let w = KernelBodyWriter(definitions: [:], literals: [:], parameters: [:], indexType: "idx_t")

        func toCompute(_ x: String, from source: KernelElementType) -> String {
            source.compute == ct ? x : ExpressionTable.conversion(x, from: source, to: ot)
        }
        func accumulate(_ v: Int, _ a: String, _ f: String) -> String {
            exact ? "acc\(v) = \(add)(acc\(v), \(multiply)(\(a), \(f)));" : "acc\(v) += \(a) * \(f);"
        }
        func tap(_ d: Int, _ k: String) -> String {
            " + " + (g.reversal[d] ? "(\(g.windowSizes[d] - 1) - \(k))" : k) + " * \(kStrides[g.kernelSpatial[d]])"
        }
        func position(_ d: Int, _ o: String, _ k: String) -> String {
            "\(o) * \(g.strides[d]) + \(k) * \(g.rhsDilation[d]) - (\(g.padding[d].low))"
        }
        w.emit("for (idx_t t = (idx_t)blockIdx.x * \(block) + threadIdx.x; t < (idx_t)\(threads); t += (idx_t)gridDim.x * \(block)) {")
        w.emit("  idx_t r = t;")
        w.emit("  const idx_t o\(last) = (r % \(outShape[last] / vector)) * \(vector); r /= \(outShape[last] / vector);")
        let spanDimension = positions > 1 ? last - 1 : -1
        if positions > 1 {
            w.emit("  const idx_t o\(spanDimension) = (r % \(outShape[spanDimension] / positions)) * \(positions); r /= \(outShape[spanDimension] / positions);")
        }
        for d in outShape.indices.reversed() where d != last && d != spanDimension {
            w.emit("  const idx_t o\(d) = r % \(outShape[d]); r /= \(outShape[d]);")
        }
        for p in 0..<positions {
            for v in 0..<vector { w.emit("  \(ct) acc\(p == 0 ? "" : "\(p)_")\(v) = 0;") }
        }
        var indent = "  "
        func open(_ line: String) {
            w.emit(indent + line)
            indent += "  "
        }
        func close() {
            indent.removeLast(2)
            w.emit(indent + "}")
        }
        /// Opens an unrolled loop over the window taps of each spatial dimension in `dims`,
        /// each with its input position `x{d}` and a bounds check (padding taps are skipped);
        /// returns the input offset of those positions. Closed by two `close()` per dimension.
        func openTaps(_ dims: Range<Int>) -> String {
            for d in dims {
                w.emit(indent + "#pragma unroll")
                open("for (int k\(d) = 0; k\(d) < \(g.windowSizes[d]); ++k\(d)) {")
                w.emit(indent + "const idx_t x\(d) = \(position(d, "o\(g.outputSpatial[d])", "k\(d)"));")
                open("if (x\(d) >= 0 && x\(d) < \(g.inputSizes[d])) {")
            }
            return dims.map { " + x\($0) * \(inStrides[g.inputSpatial[$0]])" }.joined()
        }
        /// Element `v` of the 16-byte vector `vector`: 16-bit elements straight from its 32-bit
        /// words (a shift or a mask once converted, where a byte view costs an extract too),
        /// others through the element view `view` (see `declareLanes`).
        func lane(_ v: Int, _ view: String, of vector: String, _ type: KernelElementType) -> String {
            guard type.byteWidth == 2 else { return "\(view)[\(v)]" }
            let word = "\(vector).\(["x", "y", "z", "w"][v / 2])"
            return v % 2 == 0 ? "(\(type.storage))(\(word) & 0xffffu)" : "(\(type.storage))(\(word) >> 16)"
        }
        func declareLanes(_ view: String, of vector: String, _ type: KernelElementType, indent extra: String = "") {
            guard type.byteWidth != 2 else { return }
            w.emit(indent + extra + "const \(type.storage)* \(view) = (const \(type.storage)*)&\(vector);")
        }
        /// Declares `xin[span]`, the input columns `first ..< first + span` of `row` along
        /// spatial dimension `d`, zero outside the input. Through aligned 16-byte loads when the
        /// columns are the input's minor dimension, a whole number of 16-byte chunks long, and
        /// `first`'s offset in its chunk is the same for every thread (neighbouring threads
        /// then read neighbouring chunks: coalesced, where one load per column is not); else
        /// one load per column.
        func emitSpan(row: String, first: String, span: Int, dimension d: Int) {
            let bytes = lt.byteWidth, chunk = 16 / max(bytes, 1)
            guard chunkedSpansEnabled, bytes == 2 || lt.storage == "float", inStrides[g.inputSpatial[d]] == 1,
                  g.inputSizes[d] % chunk == 0, (vector * g.strides[d]) % chunk == 0 else {
                w.emit(indent + "\(ct) xin[\(span)];")
                w.emit(indent + "#pragma unroll")
                w.emit(indent + "for (int j = 0; j < \(span); ++j) {")
                w.emit(indent + "  const idx_t x = \(first) + j;")
                w.emit(indent + "  xin[j] = (x >= 0 && x < \(g.inputSizes[d])) ? \(toCompute(lt.load("lhs[\(row) + x * \(inStrides[g.inputSpatial[d]])]"), from: lt)) : (\(ct))0;")
                w.emit(indent + "}")
                return
            }
            let offset = ((-g.padding[d].low) % chunk + chunk) % chunk
            let chunks = (offset + span + chunk - 1) / chunk
            w.emit(indent + "nv_v16 xc[\(chunks)];")
            w.emit(indent + "#pragma unroll")
            w.emit(indent + "for (int q = 0; q < \(chunks); ++q) {")
            w.emit(indent + "  const idx_t x = \(first) - \(offset) + q * \(chunk);")
            w.emit(indent + "  xc[q] = (x >= 0 && x < \(g.inputSizes[d])) ? *(const nv_v16*)(lhs + \(row) + x) : nv_v16{0u, 0u, 0u, 0u};")
            w.emit(indent + "}")
            w.emit(indent + "\(ct) xin[\(span)];")
            for j in 0..<span {
                let e = offset + j, q = e / chunk, l = e % chunk
                let value = bytes == 2 ? lt.load(lane(l, "", of: "xc[\(q)]", lt))
                                       : "__uint_as_float(xc[\(q)].\(["x", "y", "z", "w"][l]))"
                w.emit(indent + "xin[\(j)] = \(toCompute(value, from: lt));")
            }
        }
        switch shape {
        case .channels:
            // One 16-byte load of V neighbouring channels per tap, and one of their filter taps.
            let oc = "o\(g.outputFeature)"
            w.emit("  const idx_t base = o\(g.outputBatch) * \(inStrides[g.inputBatch]) + \(oc);")
            let offsets = openTaps(0..<s)
            let taps = (0..<s).map { tap($0, "k\($0)") }.joined()
            w.emit(indent + "const nv_v16 xv = *(const nv_v16*)(lhs + base\(offsets));")
            w.emit(indent + "const nv_v16 fv = *(const nv_v16*)(rhs + \(oc)\(taps));")
            declareLanes("xs", of: "xv", lt)
            declareLanes("fs", of: "fv", rt)
            for v in 0..<vector {
                w.emit(indent + accumulate(v, toCompute(lt.load(lane(v, "xs", of: "xv", lt)), from: lt),
                                           toCompute(rt.load(lane(v, "fs", of: "fv", rt)), from: rt)))
            }
            for _ in 0..<(2 * s) { close() }
        case .channelSpan:
            // P positions along the innermost spatial dimension d, V channels each: per outer
            // tap, the span of input columns their windows cover is loaded once (16 bytes of
            // channels each; columns in padding are skipped, as `.channels` skips them), then
            // every filter tap along d serves every position, in the reference's tap order.
            let d = s - 1
            let span = (positions - 1) * g.strides[d] + (g.windowSizes[d] - 1) * g.rhsDilation[d] + 1
            let oc = "o\(g.outputFeature)"
            w.emit("  const idx_t base = o\(g.outputBatch) * \(inStrides[g.inputBatch]) + \(oc);")
            let offsets = openTaps(0..<d)
            let outer = (0..<d).map { tap($0, "k\($0)") }.joined()
            w.emit(indent + "const idx_t first = \(position(d, "o\(g.outputSpatial[d])", "0"));")
            for j in 0..<span {
                w.emit(indent + "const bool in\(j) = first + \(j) >= 0 && first + \(j) < \(g.inputSizes[d]);")
                w.emit(indent + "const nv_v16 xv\(j) = in\(j) ? *(const nv_v16*)(lhs + base\(offsets) + (first + \(j)) * \(inStrides[g.inputSpatial[d]])) : nv_v16{0u, 0u, 0u, 0u};")
                declareLanes("xs\(j)", of: "xv\(j)", lt)
            }
            for k in 0..<g.windowSizes[d] {
                w.emit(indent + "{")
                w.emit(indent + "  const nv_v16 fv = *(const nv_v16*)(rhs + \(oc)\(outer)\(tap(d, "\(k)")));")
                declareLanes("fs", of: "fv", rt, indent: "  ")
                for p in 0..<positions {
                    let j = p * g.strides[d] + k * g.rhsDilation[d]
                    w.emit(indent + "  if (in\(j)) {")
                    for v in 0..<vector {
                        let line = accumulate(v, toCompute(lt.load(lane(v, "xs\(j)", of: "xv\(j)", lt)), from: lt),
                                              toCompute(rt.load(lane(v, "fs", of: "fv", rt)), from: rt))
                        w.emit(indent + "    " + (p == 0 ? line : line.replacingOccurrences(of: "acc\(v)", with: "acc\(p)_\(v)")))
                    }
                    w.emit(indent + "  }")
                }
                w.emit(indent + "}")
            }
            for _ in 0..<(2 * d) { close() }
        case .columns:
            // V neighbouring outputs along the innermost spatial dimension: per feature and
            // outer tap, the input span they read is loaded once (zero in padding), and each
            // filter tap serves all V.
            let d = s - 1
            let span = (vector - 1) * g.strides[d] + (g.windowSizes[d] - 1) * g.rhsDilation[d] + 1
            let oc = "o\(g.outputFeature)"
            w.emit("  const idx_t base = o\(g.outputBatch) * \(inStrides[g.inputBatch]) + (\(oc) / \(perGroup)) * \(ki * inStrides[g.inputFeature]);")
            open("for (int c = 0; c < \(ki); ++c) {")
            let offsets = openTaps(0..<d)
            w.emit(indent + "const idx_t row = base + c * \(inStrides[g.inputFeature])\(offsets);")
            w.emit(indent + "const idx_t first = \(position(d, "o\(g.outputSpatial[d])", "0"));")
            emitSpan(row: "row", first: "first", span: span, dimension: d)
            let taps = (0..<d).map { tap($0, "k\($0)") }.joined()
            w.emit(indent + "#pragma unroll")
            open("for (int k = 0; k < \(g.windowSizes[d]); ++k) {")
            w.emit(indent + "const \(ct) f = \(toCompute(rt.load("rhs[\(oc) * \(kStrides[g.kernelOutput]) + c * \(kStrides[g.kernelInput])\(taps)\(tap(d, "k"))]"), from: rt));")
            for v in 0..<vector {
                // Positions in padding hold zero and are summed like the reference sums them.
                w.emit(indent + accumulate(v, "xin[\(v * g.strides[d]) + k * \(g.rhsDilation[d])]", "f"))
            }
            close()
            for _ in 0..<(2 * d) { close() }
            close()
        case .columnRows:
            // R output rows × V columns: per feature, each input row the R windows cover is
            // loaded once (a span of columns, zero in padding; rows outside the input are
            // skipped, as `.columns` skips them) and feeds every output row whose window holds
            // it, in the reference's order (window rows, then columns, ascending).
            let (sh, sw) = (g.strides[0], g.strides[1])
            let (dh, dw) = (g.rhsDilation[0], g.rhsDilation[1])
            let (kh, kw) = (g.windowSizes[0], g.windowSizes[1])
            let span = (vector - 1) * sw + (kw - 1) * dw + 1
            let rowsIn = (positions - 1) * sh + (kh - 1) * dh + 1
            let oc = "o\(g.outputFeature)"
            w.emit("  const idx_t base = o\(g.outputBatch) * \(inStrides[g.inputBatch]) + (\(oc) / \(perGroup)) * \(ki * inStrides[g.inputFeature]);")
            w.emit("  const idx_t top = \(position(0, "o\(g.outputSpatial[0])", "0"));")
            w.emit("  const idx_t first = \(position(1, "o\(g.outputSpatial[1])", "0"));")
            open("for (int c = 0; c < \(ki); ++c) {")
            w.emit(indent + "\(ct) fw[\(kh * kw)];")
            w.emit(indent + "#pragma unroll")
            w.emit(indent + "for (int k0 = 0; k0 < \(kh); ++k0)")
            w.emit(indent + "  #pragma unroll")
            w.emit(indent + "  for (int k1 = 0; k1 < \(kw); ++k1)")
            w.emit(indent + "    fw[k0 * \(kw) + k1] = \(toCompute(rt.load("rhs[\(oc) * \(kStrides[g.kernelOutput]) + c * \(kStrides[g.kernelInput])\(tap(0, "k0"))\(tap(1, "k1"))]"), from: rt));")
            for j in 0..<rowsIn {
                let uses = (0..<positions).compactMap { r -> (Int, Int)? in
                    let k = j - r * sh
                    return k >= 0 && k % dh == 0 && k / dh < kh ? (r, k / dh) : nil
                }
                guard !uses.isEmpty else { continue }
                open("if (top + \(j) >= 0 && top + \(j) < \(g.inputSizes[0])) {")
                w.emit(indent + "const idx_t row = base + c * \(inStrides[g.inputFeature]) + (top + \(j)) * \(inStrides[g.inputSpatial[0]]);")
                emitSpan(row: "row", first: "first", span: span, dimension: 1)
                for (r, k) in uses {
                    for k1 in 0..<kw {
                        for v in 0..<vector {
                            let line = accumulate(v, "xin[\(v * sw + k1 * dw)]", "fw[\(k * kw + k1)]")
                            w.emit(indent + (r == 0 ? line : line.replacingOccurrences(of: "acc\(v)", with: "acc\(r)_\(v)")))
                        }
                    }
                }
                close()
            }
            close()
        case .general:
            let varies = { (d: Int) in d == last }
            for v in 0..<vector {
                let oc = varies(g.outputFeature) ? "(o\(g.outputFeature) + \(v))" : "o\(g.outputFeature)"
                let ob = varies(g.outputBatch) ? "(o\(g.outputBatch) + \(v))" : "o\(g.outputBatch)"
                w.emit("  const idx_t oc\(v) = \(oc);")
                w.emit("  const idx_t base\(v) = \(ob) * \(inStrides[g.inputBatch]) + (oc\(v) / \(perGroup)) * \(ki * inStrides[g.inputFeature]);")
            }
            let sharedFilter = !varies(g.outputFeature)
            open("for (int c = 0; c < \(ki); ++c) {")
            for d in 0..<s {
                w.emit(indent + "#pragma unroll")
                open("for (int k\(d) = 0; k\(d) < \(g.windowSizes[d]); ++k\(d)) {")
            }
            let taps = (0..<s).map { tap($0, "k\($0)") }.joined()
            let filterAt = { (v: Int) in "oc\(v) * \(kStrides[g.kernelOutput]) + c * \(kStrides[g.kernelInput])" + taps }
            if sharedFilter {
                w.emit(indent + "const \(ct) f = \(toCompute(rt.load("rhs[\(filterAt(0))]"), from: rt));")
            }
            for v in 0..<vector {
                var conditions: [String] = []
                var offsets: [String] = []
                for d in 0..<s {
                    let o = g.outputSpatial[d]
                    w.emit(indent + "const idx_t x\(d)_\(v) = \(position(d, varies(o) ? "(o\(o) + \(v))" : "o\(o)", "k\(d)"));")
                    conditions.append("x\(d)_\(v) >= 0 && x\(d)_\(v) < \(g.inputSizes[d])")
                    offsets.append(" + x\(d)_\(v) * \(inStrides[g.inputSpatial[d]])")
                }
                let input = "lhs[base\(v) + c * \(inStrides[g.inputFeature])\(offsets.joined())]"
                open("if (\(conditions.isEmpty ? "true" : conditions.joined(separator: " && "))) {")
                w.emit(indent + "const \(ct) a = \(toCompute(lt.load(input), from: lt));")
                w.emit(indent + accumulate(v, "a", sharedFilter ? "f" : toCompute(rt.load("rhs[\(filterAt(v))]"), from: rt)))
                close()
            }
            for _ in 0..<s { close() }
            close()
        }
        if case .channelSpan = shape {
            let outStrides = ElementIndex.strides(outShape)
            let at = outShape.indices.map { "o\($0) * \(outStrides[$0])" }.joined(separator: " + ")
            w.emit("  const idx_t at = \(at);")
            for p in 0..<positions {
                w.emit("  {")
                w.emit("    __align__(16) \(ot.storage) staged[\(vector)];")
                for v in 0..<vector { w.emit("    staged[\(v)] = \(ot.storeRounded("acc\(p == 0 ? "" : "\(p)_")\(v)"));") }
                w.emit("    *(nv_v16*)(out + at + \(p * outStrides[spanDimension])) = *(const nv_v16*)staged;")
                w.emit("  }")
            }
        } else if case .columnRows = shape {
            let outStrides = ElementIndex.strides(outShape)
            let at = outShape.indices.map { "o\($0) * \(outStrides[$0])" }.joined(separator: " + ")
            w.emit("  const idx_t at = \(at);")
            for r in 0..<positions {
                for v in 0..<vector {
                    w.emit("  out[at + \(r * outStrides[spanDimension] + v)] = \(ot.storeRounded("acc\(r == 0 ? "" : "\(r)_")\(v)"));")
                }
            }
        } else if case .channels = shape {
            w.emit("  __align__(16) \(ot.storage) staged[\(vector)];")
            for v in 0..<vector { w.emit("  staged[\(v)] = \(ot.storeRounded("acc\(v)"));") }
            w.emit("  *(nv_v16*)(out + t * \(vector)) = *(const nv_v16*)staged;")
        } else {
            for v in 0..<vector {
                w.emit("  out[t * \(vector) + \(v)] = \(ot.storeRounded("acc\(v)"));")
            }
        }
        w.emit("}")

        let blocks = max(1, min((threads + block - 1) / block, LaunchLimits.maxLoopBlocks * 4))
        let counts = [lhs.elementCount, rhs.elementCount, total + vector * positions * block * blocks]
        let header = KernelSource.header(
            name: name,
            parameters: ["const \(lt.storage)* __restrict__ lhs", "const \(rt.storage)* __restrict__ rhs", "\(ot.storage)* __restrict__ out"],
            block: block, indexType: KernelSource.indexType(for: counts),
            comment: "\(name): depthwise convolution \(lhs) x \(rhs) -> \(result), \(vector * positions) output\(vector * positions == 1 ? "" : "s") per thread"
                + (positions <= 1 ? "" : shape == .columnRows(vector, rows: positions)
                    ? " (\(positions) rows × \(vector) columns)" : " (\(positions) positions × \(vector) channels)") + note)
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: [], function: header + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: [.value(op.operands[0]), .value(op.operands[1]), .value(op.results[0])],
            operationNames: [op.name])
    }
}
