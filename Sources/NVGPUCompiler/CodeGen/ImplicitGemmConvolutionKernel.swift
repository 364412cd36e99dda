import Foundation
import StableHLO

/// A tensor-core implicit-GEMM kernel for f16/bf16 convolutions, taken over cuDNN where a
/// group has few input features (an RGB stem: 3; a grouped convolution: 8 per group).
///
/// The GEMM is M = output positions, N = output features of a group, K = window taps ×
/// input features of a group, with taps and features packed together into K (feature
/// fastest): a 7×7 stem over 3 features is K = 147 in ten 16-deep `mma.sync.m16n8k16`
/// steps, where a tap-major implicit GEMM (cuDNN's, which walks the window one tap at a
/// time with a feature chunk of 16 or more) leaves most of each step zero or needs the
/// input padded to 16 features first (the stem on an H100: 0.23 ms through cuDNN, input
/// padded; XLA 0.25 ms).
///
/// A block of four warps takes `rowTiles`×16 positions a warp and `nBlock` output
/// features; the group's filter slice for those features is staged in shared memory once as
/// [feature][k] (rows padded by 8 elements, so the B-fragment loads of a warp touch 32
/// distinct banks), with a table of each k's input offset and window position. A fragments
/// are gathered straight from global memory into registers in the m16n8k16 layout (one
/// 32-bit load per two features where a group's features are even in number and the input
/// is channels-last; else two 16-bit loads), zero outside the input (padding, the K and M
/// tails). Accumulation is f32; each output is rounded once. Blocks loop over position
/// tiles, so the slice is staged once per block; where it does not fit shared memory, K is
/// staged in chunks for every tile instead.
///
/// Takes any dimension layout (coalesced when channels-last), strides, padding (negative
/// too), rhs dilation, window reversal and feature groups, over one or two spatial
/// dimensions; no lhs dilation or batch groups. `NVGPU_IMPLICIT_GEMM_CONV=0` sends these
/// convolutions back to cuDNN (and, without vendor libraries, to `ConvolutionKernel`).
enum ImplicitGemmConvolutionKernel {
    static let warps = 4
    static let threads = 32 * warps
    /// Input features per group below which the kernel is preferred over cuDNN.
    static let narrowFeatures = 16
    /// Static shared memory the staged filter and the k table may take.
    @TaskLocal static var sharedLimit = 40 * 1024
    /// Blocks launched at most (about 8 per multiprocessor): each block loops over position
    /// tiles, staging its filter slice once for all of them.
    @TaskLocal static var maxBlocks = 2048

    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_IMPLICIT_GEMM_CONV"] != "0" }

    /// The tile shape for one convolution.
    struct Tiling: Equatable {
        /// K (taps × input features of a group), and K rounded up to the MMA depth of 16.
        var depth: Int, paddedDepth: Int
        /// Output features of a group a block computes (a multiple of 8), and how many such
        /// blocks cover the group.
        var nBlock: Int, nBlocks: Int
        /// Groups a block computes side by side (where one block covers a group's features):
        /// their gathers share each row's address and bounds arithmetic.
        var groupTile: Int
        /// 16-row M tiles a warp computes.
        var rowTiles: Int
        /// Shared memory of the staged filter and the k table.
        var sharedBytes: Int
        /// K staged at a time (a multiple of 16): all of it, or — where the whole filter slice
        /// does not fit — chunks restaged for every position tile.
        var chunk: Int
        var isChunked: Bool { chunk < paddedDepth }
        var rowStride: Int { chunk + 8 }
        var nTiles: Int { nBlock / 8 }
        /// Rows of the staged filter: `groupTile` × `nBlock` features.
        var filterRows: Int { groupTile * nBlock }
        var blockRows: Int { ImplicitGemmConvolutionKernel.warps * rowTiles * 16 }

        init?(_ g: ConvolutionGeometry, indexBytes: Int = 4) {
            let depth = g.windowSizes.reduce(1, *) * g.kernelInputFeatures
            let padded = (depth + 15) / 16 * 16
            let perGroup = g.outputFeatures / g.featureGroups
            let rounded = (perGroup + 7) / 8 * 8
            let perK = 2 * indexBytes + 8
            let limit = ImplicitGemmConvolutionKernel.sharedLimit
            (self.depth, paddedDepth) = (depth, padded)
            if let n = [64, 32, 16, 8].first(where: { $0 <= max(8, rounded) && $0 * (padded + 8) * 2 + padded * perK <= limit }) {
                nBlock = n
                chunk = padded
            } else {
                // Chunks of K, as even as multiples of 16 allow.
                let n = [64, 32, 16, 8].first { $0 <= max(8, rounded) } ?? 8
                let most = (limit - 16 * n) / (2 * n + perK) / 16 * 16
                guard most >= 16 else { return nil }
                let chunks = (padded + most - 1) / most
                nBlock = n
                chunk = ((padded + chunks - 1) / chunks + 15) / 16 * 16
            }
            let n = nBlock, c = chunk
            nBlocks = (perGroup + n - 1) / n
            let fits = { (tile: Int) in g.featureGroups % tile == 0 && tile * n <= 64 && tile * n * (c + 8) * 2 + c * perK <= limit }
            groupTile = nBlocks == 1 && c == padded ? (1...g.featureGroups).last(where: fits) ?? 1 : 1
            rowTiles = groupTile * n >= 32 ? 2 : 4
            sharedBytes = groupTile * n * (c + 8) * 2 + c * perK
        }
    }

    /// Whether the kernel can run `g` with these operand types.
    static func takes(_ g: ConvolutionGeometry, lhs: ElementType, rhs: ElementType, result: ElementType) -> Bool {
        let halves: Set<ElementType> = [.float(.f16), .float(.bf16)]
        let results: Set<ElementType> = [.float(.f16), .float(.bf16), .float(.f32)]
        guard halves.contains(lhs), lhs == rhs, results.contains(result), g.spatialRank == 1 || g.spatialRank == 2,
              g.batchGroups == 1, g.lhsDilation.allSatisfy({ $0 == 1 }), g.outputFeatures % g.featureGroups == 0,
              g.inputSizes.allSatisfy({ $0 < 1 << 26 }), g.outputShape.reduce(1, *) > 0, g.inputShape.reduce(1, *) > 0,
              Tiling(g) != nil else { return false }
        return true
    }

    /// Why this kernel runs `g` rather than cuDNN, or nil when cuDNN keeps it: few input
    /// features per group, channels-last input and output.
    static func preference(_ g: ConvolutionGeometry, lhs: ElementType, rhs: ElementType, result: ElementType) -> String? {
        guard isEnabled, prefersShape(g, lhs: lhs, rhs: rhs, result: result) else { return nil }
        let inStrides = ElementIndex.strides(g.inputShape), outStrides = ElementIndex.strides(g.outputShape)
        guard inStrides[g.inputFeature] == 1, outStrides[g.outputFeature] == 1 else { return nil }
        return "\(g.kernelInputFeatures) input feature\(g.kernelInputFeatures == 1 ? "" : "s") per group: implicit-GEMM kernel (taps × features packed into the tensor-core K)"
    }

    /// `preference` less the layout condition: the convolution-layout pass puts these
    /// channels-last without padding their features. Grouped convolutions stay with cuDNN:
    /// measured on the H100 (2026-12-07), cuDNN ran them 1.8–2.4× faster (grouped 3×3 over 32
    /// groups of 8: 0.098 ms against 0.182), while ungrouped narrow ones ran faster here (the
    /// 7×7 stride-2 stem over 3 features: 0.129 ms against 0.230).
    static func prefersShape(_ g: ConvolutionGeometry, lhs: ElementType, rhs: ElementType, result: ElementType) -> Bool {
        isEnabled && g.kernelInputFeatures < narrowFeatures && g.featureGroups == 1 && !DepthwiseConvolutionKernel.takes(g)
            && takes(g, lhs: lhs, rhs: rhs, result: result)
    }

    /// The kernel for `op`, or nil when it does not take it.
    static func build(_ op: StableHLO.Operation, name: String, note: String = "") throws -> GeneratedKernel? {
        guard isEnabled else { return nil }
        let g = try ConvolutionGeometry(op)
        guard let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let result = op.resultTensorType(0),
              takes(g, lhs: lhs.elementType, rhs: rhs.elementType, result: result.elementType),
              let ot = KernelElementType(result.elementType) else { return nil }
        let positions = g.batch * g.outputSizes.reduce(1, *)
        let counts = [lhs.elementCount, rhs.elementCount, result.elementCount, positions + 4096]
        let indexType = KernelSource.indexType(for: counts)
        guard let t = Tiling(g, indexBytes: indexType == "int" ? 4 : 8) else { return nil }
        let mBlocks = (positions + t.blockRows - 1) / t.blockRows
        let groupBlocks = g.featureGroups / t.groupTile * t.nBlocks
        let tilesPerBlock = (mBlocks + max(1, maxBlocks / groupBlocks) - 1) / max(1, maxBlocks / groupBlocks)
        let blocks = (mBlocks + tilesPerBlock - 1) / tilesPerBlock * groupBlocks
        guard blocks < Int(Int32.max) else { return nil }
        let source = Source(g: g, t: t, ot: ot, positions: positions, mBlocks: mBlocks, name: name).lines(indexType: indexType)
        let mma = lhs.elementType == .float(.bf16) ? "bf16" : "f16"
        let header = KernelSource.header(
            name: name,
            parameters: ["const unsigned short* __restrict__ lhs", "const unsigned short* __restrict__ rhs",
                         "\(ot.storage)* __restrict__ out"],
            block: threads, minimumBlocks: 3, indexType: indexType,
            comment: "\(name): implicit-GEMM convolution \(lhs) x \(rhs) -> \(result), K \(t.depth) (\(t.paddedDepth / 16) mma steps"
                + (t.isChunked ? " in chunks of \(t.chunk)" : "") + "), "
                + "\(t.blockRows) positions × \(t.nBlock) features" + (t.groupTile > 1 ? " × \(t.groupTile) groups" : "") + " a block" + note)
        let helper = """
            #ifdef __CUDACC_RTC__
            __device__ __forceinline__ void nv_mma16816(float* c, const unsigned* a, unsigned b0, unsigned b1) {
              asm("mma.sync.aligned.m16n8k16.row.col.f32.\(mma).\(mma).f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
                  : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
                  : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
            }
            #else
            __device__ __forceinline__ void nv_mma16816(float* c, const unsigned* a, unsigned b0, unsigned b1) { nv_mma16816_\(mma)(c, a, b0, b1); }
            #endif
            """
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: [helper], function: header + source),
            grid: [blocks, 1, 1], block: [threads, 1, 1], sharedMemoryBytes: 0,
            bindings: [.value(op.operands[0]), .value(op.operands[1]), .value(op.results[0])],
            operationNames: [op.name])
    }

    /// The kernel body.
    private struct Source {
        let g: ConvolutionGeometry
        let t: Tiling
        let ot: KernelElementType
        let positions: Int
        let mBlocks: Int
        let name: String

        func lines(indexType: String) -> [String] {
            let s = g.spatialRank
            let inStrides = ElementIndex.strides(g.inputShape), kStrides = ElementIndex.strides(g.kernelShape)
            let outStrides = ElementIndex.strides(g.outputShape)
            let cg = g.kernelInputFeatures, kg = g.outputFeatures / g.featureGroups
            let groupBlocks = g.featureGroups / t.groupTile * t.nBlocks
            let gt = t.groupTile
            let rows = 2 * t.rowTiles
            let (mt, nt) = (t.rowTiles, t.nTiles)
            // One 32-bit load feeds two neighbouring k when they are neighbouring features.
            let pairs = cg % 2 == 0 && inStrides[g.inputFeature] == 1
            // Two neighbouring features are one 32-bit (or 64-bit) store where every offset is even.
            let pairStores = kg % 2 == 0 && outStrides[g.outputFeature] == 1 && [2, 4].contains(ot.byteWidth)
                && outStrides.enumerated().allSatisfy { $0.offset == g.outputFeature || $0.element % 2 == 0 }
            let pos = ["x", "y"]
            var l: [String] = []
            l.append("  __align__(16) __shared__ unsigned short sB[\(t.filterRows * t.rowStride)];")
            l.append("  __shared__ idx_t sOff[\(t.chunk)];")
            l.append("  __shared__ int2 sPos[\(t.chunk)];")
            l.append("  __shared__ idx_t sFk[\(t.chunk)];")
            l.append("  const int tid = threadIdx.x, warp = tid >> 5, gq = (tid & 31) >> 2, tq = tid & 3;")
            l.append("  const int gn = (int)(blockIdx.x % \(groupBlocks)), group = gn / \(t.nBlocks) * \(gt), n0 = (gn % \(t.nBlocks)) * \(t.nBlock);")
            // k = tap * cg + c, taps row-major over the window.
            func decompose(_ indent: String) -> [String] {
                var out = ["\(indent)const int c = k % \(cg);", "\(indent)int tap = k / \(cg);"]
                for d in (0..<s).reversed() {
                    out.append("\(indent)const int t\(d) = tap % \(g.windowSizes[d]); tap /= \(g.windowSizes[d]);")
                }
                return out
            }
            // Each k's input offset from a window's origin, its window position and its filter
            // offset (k past the depth lies far outside any input and reads a zero filter),
            // then the filter slice of groups group..<group+gt for features n0..<n0+nBlock,
            // [gi * nBlock + n][k] (neighbouring threads read neighbouring features), for K
            // from `kc` on.
            let offsets = (0..<s).map { " + (idx_t)t\($0) * \(g.rhsDilation[$0] * inStrides[g.inputSpatial[$0]])" }.joined()
            let taps = (0..<s).map { d -> String in
                let tap = g.reversal[d] ? "(\(g.windowSizes[d] - 1) - t\(d))" : "t\(d)"
                return " + (idx_t)\(tap) * \(kStrides[g.kernelSpatial[d]])"
            }.joined()
            func stage(_ kc: String) -> [String] {
                var l: [String] = []
                l.append("  for (int kl = tid; kl < \(t.chunk); kl += \(threads)) {")
                l.append("    const int k = \(kc) + kl;")
                l.append("    idx_t off = 0, fk = -1;")
                l.append("    int2 p = make_int2(1 << 28, 1 << 28);")
                l.append("    if (k < \(t.depth)) {")
                l += decompose("      ")
                l.append("      off = (idx_t)c * \(inStrides[g.inputFeature])\(offsets);")
                l.append("      fk = (idx_t)c * \(kStrides[g.kernelInput])\(taps);")
                for d in 0..<s { l.append("      p.\(pos[d]) = t\(d) * \(g.rhsDilation[d]);") }
                l.append("    }")
                l.append("    sOff[kl] = off;")
                l.append("    sPos[kl] = p;")
                l.append("    sFk[kl] = fk;")
                l.append("  }")
                l.append("  __syncthreads();")
                l.append("  for (int i = tid; i < \(t.filterRows * t.chunk); i += \(threads)) {")
                l.append("    const int k = i / \(t.filterRows), row = i - k * \(t.filterRows), n = row % \(t.nBlock);")
                l.append("    const idx_t fk = sFk[k];")
                l.append("    sB[row * \(t.rowStride) + k] = fk >= 0 && n0 + n < \(kg) ? rhs[(idx_t)((group + row / \(t.nBlock)) * \(kg) + n0 + n) * \(kStrides[g.kernelOutput]) + fk] : (unsigned short)0;")
                l.append("  }")
                l.append("  __syncthreads();")
                return l
            }
            if !t.isChunked { l += stage("0") }
            // Position tiles, strided over the launched blocks.
            l.append("  for (idx_t mBlock = (idx_t)blockIdx.x / \(groupBlocks); mBlock < \(mBlocks); mBlock += (idx_t)gridDim.x / \(groupBlocks)) {")
            // The window origin and input base of each of the thread's rows.
            func position(_ m: String, _ indent: String) -> [String] {
                var out = ["\(indent)idx_t q = \(m);"]
                for d in (0..<s).reversed() {
                    out.append("\(indent)const int o\(d) = (int)(q % \(g.outputSizes[d])); q /= \(g.outputSizes[d]);")
                }
                return out
            }
            func rowIndex(_ r: String) -> String {
                "mBlock * \(t.blockRows) + warp * \(16 * t.rowTiles) + (\(r) >> 1) * 16 + (\(r) & 1) * 8 + gq"
            }
            l.append("  idx_t rb[\(rows)];")
            for d in 0..<s { l.append("  int r\(d)[\(rows)];") }
            l.append("  #pragma unroll")
            l.append("  for (int r = 0; r < \(rows); ++r) {")
            l.append("    const idx_t m = \(rowIndex("r"));")
            l.append("    if (m < \(positions)) {")
            l += position("m", "      ")
            for d in 0..<s { l.append("      r\(d)[r] = o\(d) * \(g.strides[d]) - (\(g.padding[d].low));") }
            let base = (0..<s).map { " + (idx_t)r\($0)[r] * \(inStrides[g.inputSpatial[$0]])" }.joined()
            l.append("      rb[r] = q * \(inStrides[g.inputBatch]) + (idx_t)group * \(cg * inStrides[g.inputFeature])\(base);")
            l.append("    } else {")
            for d in 0..<s { l.append("      r\(d)[r] = -(1 << 30);") }
            l.append("      rb[r] = 0;")
            l.append("    }")
            l.append("  }")
            l.append("  float acc[\(mt)][\(gt * nt)][4];")
            l.append("  #pragma unroll")
            l.append("  for (int i = 0; i < \(mt); ++i)")
            l.append("    #pragma unroll")
            l.append("    for (int j = 0; j < \(gt * nt); ++j) acc[i][j][0] = acc[i][j][1] = acc[i][j][2] = acc[i][j][3] = 0.0f;")
            if t.isChunked {
                l.append("  for (int kc = 0; kc < \(t.paddedDepth); kc += \(t.chunk)) {")
                l.append("  __syncthreads();")
                l += stage("kc")
            }
            let steps = t.chunk / 16
            l.append(steps <= 12 ? "  #pragma unroll" : "  #pragma unroll 4")
            l.append("  for (int ks = 0; ks < \(steps); ++ks) {")
            l.append("    const int k0 = ks * 16 + tq * 2;")
            l.append("    unsigned a[\(mt)][\(gt)][4];")
            func inside(_ r: String, _ p: String) -> String {
                (0..<s).map { d in "(unsigned)(r\(d)[\(r)] + \(p).\(pos[d])) < \(g.inputSizes[d])u" }.joined(separator: " && ")
            }
            let ks = pairs ? [0, 8] : [0, 1, 8, 9]
            for (j, dk) in ks.enumerated() {
                l.append("    const idx_t f\(j) = sOff[k0 + \(dk)];")
                l.append("    const int2 p\(j) = sPos[k0 + \(dk)];")
            }
            // A group's inputs lie `cg` features after the previous group's: the same row
            // address and bounds check serve every group of the tile.
            let groupStride = cg * inStrides[g.inputFeature]
            l.append("    #pragma unroll")
            l.append("    for (int r = 0; r < \(rows); ++r) {")
            for j in 0..<(pairs ? 2 : 4) {
                l.append("      const bool v\(j) = \(inside("r", "p\(j)"));")
                l.append("      const unsigned short* x\(j) = lhs + rb[r] + f\(j);")
            }
            l.append("      #pragma unroll")
            l.append("      for (int gi = 0; gi < \(gt); ++gi) {")
            if pairs {
                for j in 0..<2 {
                    l.append("        a[r >> 1][gi][(r & 1) + \(2 * j)] = v\(j) ? *(const unsigned*)(x\(j) + gi * \(groupStride)) : 0u;")
                }
            } else {
                for j in 0..<4 {
                    l.append("        const unsigned e\(j) = v\(j) ? (unsigned)x\(j)[gi * \(groupStride)] : 0u;")
                }
                l.append("        a[r >> 1][gi][r & 1] = e0 | (e1 << 16);")
                l.append("        a[r >> 1][gi][(r & 1) + 2] = e2 | (e3 << 16);")
            }
            l.append("      }")
            l.append("    }")
            l.append("    #pragma unroll")
            l.append("    for (int j = 0; j < \(gt * nt); ++j) {")
            l.append("      const unsigned* b = (const unsigned*)(sB + (j * 8 + gq) * \(t.rowStride) + k0);")
            l.append("      const unsigned b0 = b[0], b1 = b[4];")
            l.append("      #pragma unroll")
            l.append("      for (int i = 0; i < \(mt); ++i) nv_mma16816(acc[i][j], a[i][j / \(nt)], b0, b1);")
            l.append("    }")
            l.append("  }")
            if t.isChunked { l.append("  }") }
            // Results: rows gq and gq + 8 of each tile, features tq * 2 and tq * 2 + 1 of each n tile.
            l.append("  #pragma unroll")
            l.append("  for (int r = 0; r < \(rows); ++r) {")
            l.append("    const idx_t m = \(rowIndex("r"));")
            l.append("    if (m >= \(positions)) continue;")
            l += position("m", "    ")
            let outSpatial = (0..<s).map { " + (idx_t)o\($0) * \(outStrides[g.outputSpatial[$0]])" }.joined()
            l.append("    const idx_t ob = q * \(outStrides[g.outputBatch])\(outSpatial) + (idx_t)(group * \(kg) + n0) * \(outStrides[g.outputFeature]);")
            l.append("    #pragma unroll")
            l.append("    for (int j = 0; j < \(gt * nt); ++j) {")
            l.append("      const int n = (j % \(nt)) * 8 + tq * 2;")
            l.append("      const float v0 = acc[r >> 1][j][(r & 1) * 2], v1 = acc[r >> 1][j][(r & 1) * 2 + 1];")
            let fs = outStrides[g.outputFeature]
            l.append("      const idx_t oj = ob + (idx_t)((j / \(nt)) * \(kg) + n) * \(fs);")
            if pairStores {
                l.append("      if (n0 + n < \(kg)) {")
                if ot.byteWidth == 2 {
                    l.append("        *(unsigned*)(out + oj) = (unsigned)\(ot.store("v0")) | ((unsigned)\(ot.store("v1")) << 16);")
                } else {
                    l.append("        *(float2*)(out + oj) = make_float2(v0, v1);")
                }
                l.append("      }")
            } else {
                l.append("      if (n0 + n < \(kg)) out[oj] = \(ot.store("v0"));")
                l.append("      if (n0 + n + 1 < \(kg)) out[oj + \(fs)] = \(ot.store("v1"));")
            }
            l.append("    }")
            l.append("  }")
            l.append("  }")
            return l
        }
    }
}
