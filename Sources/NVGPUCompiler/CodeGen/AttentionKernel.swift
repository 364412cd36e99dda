import Foundation
import Runtime

/// The fused flash-attention kernel (FlashAttention-2 schedule) as CUDA C++ for NVRTC.
///
/// One CTA computes a 128-query tile of one (batch, head) (see `Geometry`): Q is staged
/// once through shared memory; K and V tiles stream through shared memory with `cp.async`
/// double buffering; `ldmatrix` feeds `mma.sync.m16n8k16` (bf16 or f16 in, f32
/// accumulate); the softmax runs online in f32 registers, each warp owning 16 or 32 query
/// rows. Operands are read through batch, head and
/// sequence strides (the feature stride is 1), so transposed or sliced projections need no
/// copy. Shared-memory rows are XOR-swizzled by 16-byte chunk to avoid bank conflicts.
///
/// Numerics follow the program where it is cheap: the score is rounded to the first
/// product's type and scaled (and rounded) in the program's type before the f32 softmax;
/// the unnormalized probabilities are rounded to the operand type for the second product,
/// which is normalized after accumulation (see docs/attention.md).
enum AttentionKernel {
    /// How the scores are scaled before the softmax.
    enum ScaleMode: Hashable, Sendable {
        case none
        /// Multiplied in f32, then rounded to this type (a scale in bf16/f16).
        case rounded(AttentionPlan.ElementType)
        /// Multiplied in f32 (a scale after the convert to f32).
        case f32
    }

    /// Everything the source depends on; shapes and strides are kernel arguments.
    struct Variant: Hashable, Sendable {
        var elementType: AttentionPlan.ElementType
        /// `bf16`, `f16` or `f32`.
        var outputType: String
        var headDim: Int
        var scoreRounding: AttentionPlan.ElementType?
        var scale: ScaleMode
        /// Keys after `query + causal_offset` (a kernel argument) are masked, and key tiles
        /// wholly after a query tile's last row are never loaded.
        var causal = false
        /// A boolean mask read from a buffer replaces scores with a fill value (the
        /// exponentials then take `(s − max)·log2e`, which a finite fill cannot overflow).
        var masked = false
        /// An additive bias read from a buffer of this type (`f32`, `bf16`, `f16`), added to
        /// the scaled scores (with the masked kernel's overflow-free exponentials).
        var biasType: String? = nil
        /// The bias is added before the boolean mask is applied (else after it).
        var biasFirst = false
        /// The decode schedule (see `Geometry.decode`): one 16-row query tile per CTA, which
        /// may hold the queries of several heads sharing a K/V head.
        var decode = false
    }

    /// The CTA's shape for one head dimension: 128 query rows split over `warps` warps of
    /// `rowTiles` 16-row MMA tiles each, `keyTile` keys per streamed K/V tile, Q fragments
    /// kept in registers or reloaded from shared memory per tile (to save registers).
    struct Geometry: Hashable, Sendable {
        var rowTiles: Int
        var keyTile: Int
        var queryInRegisters: Bool
        /// Decode (at most 16 query rows): the CTA's 4 warps share one 16-row tile and each
        /// takes its own `keyTile`-key slice of every streamed tile of `ctaKeys` keys; their
        /// partial softmax states are merged through shared memory at the end. The 128-row
        /// tile would compute 8× the products a one-token query needs.
        var decode = false
        var warps: Int { decode ? Self.decodeWarps : queryTile / (16 * rowTiles) }
        var threads: Int { warps * 32 }
        /// Query rows a CTA computes.
        var queryRows: Int { decode ? 16 : AttentionKernel.queryTile }
        /// Keys of one streamed K/V tile.
        var ctaKeys: Int { decode ? warps * keyTile : keyTile }
        static let decodeWarps = 4
    }

    static let queryTile = 128
    /// The most query rows (query length × packed heads) the decode schedule takes.
    static let decodeRows = 16

    /// Whether the decode schedule is on: `NVGPU_ATTENTION_DECODE=0` turns it off, for A/B.
    static var decodeEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_ATTENTION_DECODE"] != "0" }

    /// Head dim 64: two 16-row tiles per warp (4 warps, two CTAs per SM), which halves the
    /// K/V shared-memory reads per MMA against one tile per warp. Head dim 128: one tile
    /// per warp (8 warps), since two tiles need more than 255 registers. Head dim 256: one
    /// tile per warp, 32-key tiles and Q fragments reloaded from shared memory (the f32
    /// output accumulators alone take 128 registers a thread). A boolean mask's row pointers
    /// do not fit two tiles a warp at head dim 64 (40 bytes spilled): one tile, 8 warps.
    /// `NVGPU_ATTENTION_TILES=<row tiles>x<key tile>` (`1x64`, `2x32`, `2x64`) overrides it,
    /// for A/B timing.
    static func geometry(headDim: Int, masked: Bool = false, decode: Bool = false) -> Geometry {
        // Decode: 2048 / d keys a warp (16 at least), so K and V double buffers take 64 KiB
        // at head dim 64 and 128 (three CTAs an SM), 128 KiB at 256.
        if decode { return Geometry(rowTiles: 1, keyTile: max(16, 2048 / headDim / 16 * 16), queryInRegisters: true, decode: true) }
        if let text = ProcessInfo.processInfo.environment["NVGPU_ATTENTION_TILES"],
           case let parts = text.split(separator: "x").compactMap({ Int($0) }), parts.count == 2,
           [1, 2].contains(parts[0]), [16, 32, 64].contains(parts[1]) {
            return Geometry(rowTiles: parts[0], keyTile: parts[1], queryInRegisters: parts[0] == 1 || headDim <= 64)
        }
        if headDim > 128 { return Geometry(rowTiles: 1, keyTile: 32, queryInRegisters: false) }
        return headDim > 64 || masked ? Geometry(rowTiles: 1, keyTile: 64, queryInRegisters: true)
                              : Geometry(rowTiles: 2, keyTile: 64, queryInRegisters: true)
    }

    /// Chunks (16 bytes) per swizzle group for rows of `headDim` 16-bit elements: the largest
    /// power of two up to 8 that divides the row's chunk count.
    static func swizzleGroup(headDim: Int) -> Int {
        let chunks = max(1, headDim / 8)
        return [8, 4, 2, 1].first { chunks % $0 == 0 } ?? 1
    }

    /// Dynamic shared memory: the Q tile and two K and two V tiles, 16-bit elements.
    static func sharedMemoryBytes(headDim: Int, masked: Bool = false, decode: Bool = false) -> Int {
        let g = geometry(headDim: headDim, masked: masked, decode: decode)
        return (g.queryRows + 4 * g.ctaKeys) * headDim * 2
    }

    /// The launch of `plan`'s kernel named `name`, with buffers `q`, `k`, `v`, `out`.
    /// `mask` is the boolean mask's buffer (Q's when there is none: never read).
    static func launch(_ plan: AttentionPlan, kernel: Int, q: Int, k: Int, v: Int, mask: Int? = nil, bias: Int? = nil,
                       out: Int) -> KernelLaunch {
        let o = plan.output
        var arguments: [KernelLaunch.Argument] = [.buffer(q), .buffer(k), .buffer(v), .buffer(mask ?? q), .buffer(bias ?? q),
                                                  .buffer(out)]
        for layout in [plan.query, plan.key, plan.value] {
            arguments += [.int64(Int64(layout.offset)), .int64(Int64(layout.batchStride)), .int64(Int64(layout.headStride)),
                          .int64(Int64(layout.sequenceStride))]
        }
        arguments += [.int64(Int64(o.batch)), .int64(Int64(o.head)), .int64(Int64(o.sequence)),
                      .int32(Int32(plan.heads)), .int32(Int32(plan.queryLength)), .int32(Int32(plan.keyLength)),
                      .float32(Float(plan.scale?.factor ?? 1)), .int32(Int32(plan.causalOffset ?? 0)),
                      .int32(Int32(plan.key.headGroup)), .int32(Int32(plan.value.headGroup))]
        let m = plan.mask
        arguments += [m?.offset ?? 0, m?.batchStride ?? 0, m?.headStride ?? 0, m?.queryStride ?? 0, m?.keyStride ?? 0]
            .map { .int64(Int64($0)) }
        arguments.append(.float32(Float(m?.fill ?? 0)))
        let a = plan.bias
        arguments += [a?.offset ?? 0, a?.batchStride ?? 0, a?.headStride ?? 0, a?.queryStride ?? 0, a?.keyStride ?? 0]
            .map { .int64(Int64($0)) }
        // Query heads per CTA: the decode schedule packs the heads of one K/V head as rows.
        let pack = plan.decodePack ?? 1
        arguments.append(.int32(Int32(pack)))
        let masked = plan.mask != nil || plan.bias != nil, decode = plan.decodePack != nil
        let g = geometry(headDim: plan.headDim, masked: masked, decode: decode)
        let rows = plan.queryLength * pack
        return KernelLaunch(
            kernel: kernel, grid: [(rows + g.queryRows - 1) / g.queryRows, plan.batch * plan.heads / pack, 1],
            block: [g.threads, 1, 1],
            sharedMemoryBytes: sharedMemoryBytes(headDim: plan.headDim, masked: masked, decode: decode),
            arguments: arguments)
    }

    /// The translation unit of `variant`, entry point `name`.
    static func source(_ variant: Variant, name: String) -> String {
        let d = variant.headDim
        let e = variant.elementType
        let g = geometry(headDim: d, masked: variant.masked || variant.biasType != nil, decode: variant.decode)
        let biasStorage = variant.biasType == "f32" ? "float" : "unsigned short"
        let biasLoad: String
        switch variant.biasType {
        case "bf16": biasLoad = "__uint_as_float(((unsigned)(X)) << 16)"
        case "f16": biasLoad = "fa_f16_to_float(X)"
        default: biasLoad = "(X)"
        }
        // The additive bias, added after the boolean mask (the fill plus the bias) or, for
        // `where(mask, s + bias, fill)`, before it (the fill itself).
        let biasBlock = """
        #if FA_BIAS
              // The additive bias, in f32 (rows past sq and keys past skv unread).
              {
                const int r0 = q0 + wrow + mt * 16 + (lane >> 2), r1 = r0 + 8;
                const long long b0 = bo + b * bsb + (long long)FA_HEAD(r0) * bsh + (long long)FA_TOKEN(r0) * bsq;
                const long long b1 = bo + b * bsb + (long long)FA_HEAD(r1) * bsh + (long long)FA_TOKEN(r1) * bsq;
                #pragma unroll
                for (int n = 0; n < FA_BN / 8; ++n) {
                  const int key = kv0 + n * 8 + 2 * (lane & 3);
                  if (key < skv) {
                    if (r0 < rows) s[mt][n][0] += FA_BIAS_LOAD(bias[b0 + key * bsk]);
                    if (r1 < rows) s[mt][n][2] += FA_BIAS_LOAD(bias[b1 + key * bsk]);
                  }
                  if (key + 1 < skv) {
                    if (r0 < rows) s[mt][n][1] += FA_BIAS_LOAD(bias[b0 + (key + 1) * bsk]);
                    if (r1 < rows) s[mt][n][3] += FA_BIAS_LOAD(bias[b1 + (key + 1) * bsk]);
                  }
                }
              }
        #endif
        """
        let outStorage = variant.outputType == "f32" ? "float" : "unsigned short"
        func roundPair(_ t: AttentionPlan.ElementType, _ a: String, _ b: String) -> String {
            "fa_round2_\(t.rawValue)(\(a), \(b));"
        }
        let x = "s[mt][n]"
        var transform: [String] = []
        if let t = variant.scoreRounding { transform.append(roundPair(t, "\(x)[0]", "\(x)[1]") + " " + roundPair(t, "\(x)[2]", "\(x)[3]")) }
        switch variant.scale {
        case .none: break
        case .f32:
            transform.append("\(x)[0] *= scale; \(x)[1] *= scale; \(x)[2] *= scale; \(x)[3] *= scale;")
        case .rounded(let t):
            transform.append("\(x)[0] *= scale; \(x)[1] *= scale; \(x)[2] *= scale; \(x)[3] *= scale;")
            transform.append(roundPair(t, "\(x)[0]", "\(x)[1]") + " " + roundPair(t, "\(x)[2]", "\(x)[3]"))
        }
        let store: String
        if variant.outputType == "f32" {
            store = """
                      if (r0 < sq) { float* p = og + (long long)r0 * oss + col; p[0] = acc[mt][n][0] * inv0; p[1] = acc[mt][n][1] * inv0; }
                      if (r1 < sq) { float* p = og + (long long)r1 * oss + col; p[0] = acc[mt][n][2] * inv1; p[1] = acc[mt][n][3] * inv1; }
                """
        } else {
            let pack = "fa_pack_\(variant.outputType)"
            store = """
                      if (r0 < sq) *(unsigned int*)(og + (long long)r0 * oss + col) = \(pack)(acc[mt][n][0] * inv0, acc[mt][n][1] * inv0);
                      if (r1 < sq) *(unsigned int*)(og + (long long)r1 * oss + col) = \(pack)(acc[mt][n][2] * inv1, acc[mt][n][3] * inv1);
                """
        }
        let scoreDescription = [variant.scoreRounding.map { "scores rounded to \($0.rawValue)" },
                                { switch variant.scale {
                                    case .none: return nil
                                    case .f32: return "scaled in f32"
                                    case .rounded(let t): return "scaled in \(t.rawValue)" } }(),
                                variant.causal ? "causal" : nil, variant.masked ? "boolean mask" : nil,
                                variant.biasType.map { "\($0) bias" }]
            .compactMap { $0 }.joined(separator: ", ")
        let qFragment = g.queryInRegisters ? "qf[mt][kk]" : "qa[mt]"
        return """
        // \(name): fused attention, \(e.rawValue) operands, head dim \(d), \(variant.outputType) result\(scoreDescription.isEmpty ? "" : ", " + scoreDescription); \(g.warps) warps of \(16 * g.rowTiles) query rows, \(g.keyTile)-key tiles
        #define FA_D \(d)
        #define FA_BM \(g.queryRows)
        #define FA_BN \(g.keyTile)
        #define FA_KT \(g.ctaKeys)
        #define FA_DEC \(g.decode ? 1 : 0)
        #define FA_MT \(g.rowTiles)
        #define FA_C (FA_D / 8)
        #define FA_THREADS \(g.threads)
        #define FA_QREG \(g.queryInRegisters ? 1 : 0)
        #define FA_CAUSAL \(variant.causal ? 1 : 0)
        #define FA_MASK \(variant.masked ? 1 : 0)
        #define FA_BIAS \(variant.biasType == nil ? 0 : 1)
        #define FA_BIAS_LOAD(X) \(biasLoad)
        #define FA_EXACT_EXP (FA_MASK || FA_BIAS)
        \(helpers)
        \(mma(e))
        // Byte offset of 16-byte chunk `ch` of row `r` in a swizzled tile: the chunk index is
        // XORed with the row within aligned groups of FA_SWZ chunks (8, or fewer for rows of
        // fewer chunks), so it never leaves its row.
        #define FA_SWZ \(swizzleGroup(headDim: d))
        __device__ __forceinline__ unsigned fa_swz(int r, int ch) { return (unsigned)((r * FA_D + ((ch ^ (r & (FA_SWZ - 1))) << 3)) << 1); }

        extern "C" __global__ void __launch_bounds__(FA_THREADS, \(g.threads <= 128 ? 2 : 1)) \(name)(
            const unsigned short* __restrict__ q, const unsigned short* __restrict__ k,
            const unsigned short* __restrict__ v, const unsigned char* __restrict__ mask,
            const \(biasStorage)* __restrict__ bias, \(outStorage)* __restrict__ o,
            long long qo, long long qsb, long long qsh, long long qss,
            long long ko, long long ksb, long long ksh, long long kss,
            long long vo, long long vsb, long long vsh, long long vss,
            long long osb, long long osh, long long oss,
            int heads, int sq, int skv, float scale, int causal_offset, int kgroup, int vgroup,
            long long mo, long long msb, long long msh, long long msq, long long msk, float fill,
            long long bo, long long bsb, long long bsh, long long bsq, long long bsk, int qpack) {
          extern __shared__ __align__(128) unsigned char fa_shared[];
          const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
          // The CTA's batch and first head; with `qpack` heads a CTA (decode), row R is the
          // query R % sq of head h + R / sq.
          const int hpc = heads / qpack, bh = blockIdx.y, b = bh / hpc, h = (bh - b * hpc) * qpack;
          const int q0 = blockIdx.x * FA_BM, rows = sq * qpack;
        #if FA_DEC
          #define FA_HEAD(R) (h + (R) / sq)
          #define FA_TOKEN(R) ((R) % sq)
        #else
          #define FA_HEAD(R) h
          #define FA_TOKEN(R) (R)
        #endif
          const unsigned short* qg = q + qo + b * qsb + h * qsh;
          // K and V heads shared by groups of query heads (grouped-query attention).
          const unsigned short* kg = k + ko + b * ksb + (h / kgroup) * ksh;
          const unsigned short* vg = v + vo + b * vsb + (h / vgroup) * vsh;
          \(outStorage)* og = o + b * osb + h * osh;
          const unsigned qsa = fa_smem(fa_shared);
          const unsigned ksa = qsa + FA_BM * FA_D * 2;
          const unsigned vsa = ksa + 2 * FA_KT * FA_D * 2;
          // This lane's ldmatrix row within a 16-row tile, the warp's first row, and the
          // warp's first key in a K/V tile (decode: each warp takes its own FA_BN keys).
          const int lrow = (lane & 7) + ((lane >> 3) & 1) * 8;
          const int wrow = FA_DEC ? 0 : warp * 16 * FA_MT;
          const int koff = FA_DEC ? warp * FA_BN : 0;

          #pragma unroll
          for (int i = 0; i < FA_BM * FA_C / FA_THREADS; ++i) {
            const int c = tid + i * FA_THREADS, r = c / FA_C, ch = c % FA_C, row = q0 + r;
            const bool ok = row < rows;
            const int rr = ok ? row : 0;
            fa_cp16(qsa + fa_swz(r, ch), qg + (long long)(FA_HEAD(rr) - h) * qsh + (long long)FA_TOKEN(rr) * qss + ch * 8, ok);
          }
          fa_commit();
          int tiles = (skv + FA_KT - 1) / FA_KT;
        #if FA_CAUSAL
          // Key tiles after this query tile's last visible key are skipped, not masked.
          tiles = min(tiles, ((FA_DEC ? sq - 1 : q0 + FA_BM - 1) + causal_offset) / FA_KT + 1);
        #endif
          #define FA_LOAD_KV(J, BUF) do { \\
            const int kv0_ = (J) * FA_KT; \\
            _Pragma("unroll") \\
            for (int i_ = 0; i_ < FA_KT * FA_C / FA_THREADS; ++i_) { \\
              const int c = tid + i_ * FA_THREADS, r = c / FA_C, ch = c % FA_C, row = kv0_ + r; \\
              const bool ok = row < skv; \\
              const unsigned off = (BUF) * (FA_KT * FA_D * 2) + fa_swz(r, ch); \\
              fa_cp16(ksa + off, kg + (long long)(ok ? row : 0) * kss + ch * 8, ok); \\
              fa_cp16(vsa + off, vg + (long long)(ok ? row : 0) * vss + ch * 8, ok); \\
            } } while (0)
          FA_LOAD_KV(0, 0);
          fa_commit();

        #if FA_QREG
          unsigned qf[FA_MT][FA_D / 16][4];
        #endif
          float acc[FA_MT][FA_D / 8][4];
          float m[FA_MT][2], l[FA_MT][2];
          #pragma unroll
          for (int mt = 0; mt < FA_MT; ++mt) {
            m[mt][0] = m[mt][1] = -__int_as_float(0x7f800000);
            l[mt][0] = l[mt][1] = 0.f;
            #pragma unroll
            for (int n = 0; n < FA_D / 8; ++n) { acc[mt][n][0] = 0.f; acc[mt][n][1] = 0.f; acc[mt][n][2] = 0.f; acc[mt][n][3] = 0.f; }
          }
          const float log2e = 1.4426950408889634f;

          for (int j = 0; j < tiles; ++j) {
            const int buf = j & 1;
            if (j + 1 < tiles) { FA_LOAD_KV(j + 1, buf ^ 1); fa_commit(); fa_wait1(); } else { fa_wait0(); }
            __syncthreads();
        #if FA_QREG
            if (j == 0) {
              #pragma unroll
              for (int mt = 0; mt < FA_MT; ++mt) {
                #pragma unroll
                for (int kk = 0; kk < FA_D / 16; ++kk) fa_ldsm4(qsa + fa_swz(wrow + mt * 16 + lrow, kk * 2 + (lane >> 4)), qf[mt][kk]);
              }
            }
        #endif
            const unsigned kb = ksa + buf * (FA_KT * FA_D * 2), vb = vsa + buf * (FA_KT * FA_D * 2);
            float s[FA_MT][FA_BN / 8][4];
            #pragma unroll
            for (int mt = 0; mt < FA_MT; ++mt) {
              #pragma unroll
              for (int n = 0; n < FA_BN / 8; ++n) { s[mt][n][0] = 0.f; s[mt][n][1] = 0.f; s[mt][n][2] = 0.f; s[mt][n][3] = 0.f; }
            }
            #pragma unroll
            for (int kk = 0; kk < FA_D / 16; ++kk) {
        #if !FA_QREG
              unsigned qa[FA_MT][4];
              #pragma unroll
              for (int mt = 0; mt < FA_MT; ++mt) fa_ldsm4(qsa + fa_swz(wrow + mt * 16 + lrow, kk * 2 + (lane >> 4)), qa[mt]);
        #endif
              #pragma unroll
              for (int np = 0; np < FA_BN / 16; ++np) {
                unsigned bfr[4];
                const int r = koff + np * 16 + (lane & 7) + (lane >> 4) * 8;
                fa_ldsm4(kb + fa_swz(r, kk * 2 + ((lane >> 3) & 1)), bfr);
                #pragma unroll
                for (int mt = 0; mt < FA_MT; ++mt) {
                  fa_mma(s[mt][2 * np], \(qFragment), bfr[0], bfr[1]);
                  fa_mma(s[mt][2 * np + 1], \(qFragment), bfr[2], bfr[3]);
                }
              }
            }
            const int kv0 = j * FA_KT + koff;
            #pragma unroll
            for (int mt = 0; mt < FA_MT; ++mt) {
              #pragma unroll
              for (int n = 0; n < FA_BN / 8; ++n) {
                \(transform.joined(separator: "\n        "))
              }
              if (kv0 + FA_BN > skv) {
                #pragma unroll
                for (int n = 0; n < FA_BN / 8; ++n) {
                  const int key = kv0 + n * 8 + 2 * (lane & 3);
                  if (key >= skv) { s[mt][n][0] = -__int_as_float(0x7f800000); s[mt][n][2] = s[mt][n][0]; }
                  if (key + 1 >= skv) { s[mt][n][1] = -__int_as_float(0x7f800000); s[mt][n][3] = s[mt][n][1]; }
                }
              }
        #if FA_CAUSAL && FA_DEC
              // Decode rows hold several heads' queries: each score against its own row's token.
              {
                const int r0 = q0 + (lane >> 2), r1 = r0 + 8;
                const int last0 = FA_TOKEN(r0) + causal_offset, last1 = FA_TOKEN(r1) + causal_offset;
                #pragma unroll
                for (int n = 0; n < FA_BN / 8; ++n) {
                  const int key = kv0 + n * 8 + 2 * (lane & 3);
                  if (key > last0) s[mt][n][0] = -__int_as_float(0x7f800000);
                  if (key + 1 > last0) s[mt][n][1] = -__int_as_float(0x7f800000);
                  if (key > last1) s[mt][n][2] = -__int_as_float(0x7f800000);
                  if (key + 1 > last1) s[mt][n][3] = -__int_as_float(0x7f800000);
                }
              }
        #elif FA_CAUSAL
              // Keys past the diagonal (tiles wholly before it skip this): key kv0 + n·8 + 2(lane%4)
              // + {0, 1} is hidden from row r0 when n·8 + {0, 1} > dq, from row r0 + 8 when > dq + 8
              // (one live register: the comparisons fold n into immediates).
              if (kv0 + FA_BN - 1 > q0 + wrow + mt * 16 + causal_offset) {
                const int dq = q0 + wrow + mt * 16 + (lane >> 2) + causal_offset - kv0 - 2 * (lane & 3);
                #pragma unroll
                for (int n = 0; n < FA_BN / 8; ++n) {
                  if (n * 8 > dq) s[mt][n][0] = -__int_as_float(0x7f800000);
                  if (n * 8 + 1 > dq) s[mt][n][1] = -__int_as_float(0x7f800000);
                  if (n * 8 - 8 > dq) s[mt][n][2] = -__int_as_float(0x7f800000);
                  if (n * 8 - 7 > dq) s[mt][n][3] = -__int_as_float(0x7f800000);
                }
              }
        #endif
        \(variant.biasFirst ? biasBlock : "")
        #if FA_MASK
              // The boolean mask: false → the fill value (rows past sq and keys past skv unread).
              {
                const int r0 = q0 + wrow + mt * 16 + (lane >> 2), r1 = r0 + 8;
                const unsigned char* m0 = mask + mo + b * msb + (long long)FA_HEAD(r0) * msh + (long long)FA_TOKEN(r0) * msq;
                const unsigned char* m1 = mask + mo + b * msb + (long long)FA_HEAD(r1) * msh + (long long)FA_TOKEN(r1) * msq;
                #pragma unroll
                for (int n = 0; n < FA_BN / 8; ++n) {
                  const int key = kv0 + n * 8 + 2 * (lane & 3);
                  if (key < skv) {
                    if (r0 < rows && !m0[key * msk]) s[mt][n][0] = fill;
                    if (r1 < rows && !m1[key * msk]) s[mt][n][2] = fill;
                  }
                  if (key + 1 < skv) {
                    if (r0 < rows && !m0[(key + 1) * msk]) s[mt][n][1] = fill;
                    if (r1 < rows && !m1[(key + 1) * msk]) s[mt][n][3] = fill;
                  }
                }
              }
        #endif
        \(variant.biasFirst ? "" : biasBlock)
              float mx0 = m[mt][0], mx1 = m[mt][1];
              #pragma unroll
              for (int n = 0; n < FA_BN / 8; ++n) {
                mx0 = fmaxf(mx0, fmaxf(s[mt][n][0], s[mt][n][1]));
                mx1 = fmaxf(mx1, fmaxf(s[mt][n][2], s[mt][n][3]));
              }
              mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 1));
              mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 2));
              mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 1));
              mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 2));
        #if FA_EXACT_EXP
              // exp((s − max)) as 2^((s − max)·log2e): a finite fill near -f32 max never overflows.
              const float ms0 = mx0 == -__int_as_float(0x7f800000) ? 0.f : mx0;
              const float ms1 = mx1 == -__int_as_float(0x7f800000) ? 0.f : mx1;
              const float alpha0 = fa_exp2((m[mt][0] - ms0) * log2e), alpha1 = fa_exp2((m[mt][1] - ms1) * log2e);
              #define FA_ARG(x, ms) (((x) - (ms)) * log2e)
        #else
              const float ms0 = mx0 == -__int_as_float(0x7f800000) ? 0.f : mx0 * log2e;
              const float ms1 = mx1 == -__int_as_float(0x7f800000) ? 0.f : mx1 * log2e;
              const float alpha0 = fa_exp2(m[mt][0] * log2e - ms0), alpha1 = fa_exp2(m[mt][1] * log2e - ms1);
              #define FA_ARG(x, ms) fmaf((x), log2e, -(ms))
        #endif
              m[mt][0] = mx0; m[mt][1] = mx1;
              float sum0 = 0.f, sum1 = 0.f;
              #pragma unroll
              for (int n = 0; n < FA_BN / 8; ++n) {
                s[mt][n][0] = fa_exp2(FA_ARG(s[mt][n][0], ms0)); s[mt][n][1] = fa_exp2(FA_ARG(s[mt][n][1], ms0));
                s[mt][n][2] = fa_exp2(FA_ARG(s[mt][n][2], ms1)); s[mt][n][3] = fa_exp2(FA_ARG(s[mt][n][3], ms1));
                sum0 += s[mt][n][0] + s[mt][n][1];
                sum1 += s[mt][n][2] + s[mt][n][3];
              }
              l[mt][0] = l[mt][0] * alpha0 + sum0;
              l[mt][1] = l[mt][1] * alpha1 + sum1;
              #pragma unroll
              for (int n = 0; n < FA_D / 8; ++n) {
                acc[mt][n][0] *= alpha0; acc[mt][n][1] *= alpha0; acc[mt][n][2] *= alpha1; acc[mt][n][3] *= alpha1;
              }
            }
            #pragma unroll
            for (int t = 0; t < FA_BN / 16; ++t) {
              unsigned a[FA_MT][4];
              #pragma unroll
              for (int mt = 0; mt < FA_MT; ++mt) {
                a[mt][0] = fa_pack_\(e.rawValue)(s[mt][2 * t][0], s[mt][2 * t][1]);
                a[mt][1] = fa_pack_\(e.rawValue)(s[mt][2 * t][2], s[mt][2 * t][3]);
                a[mt][2] = fa_pack_\(e.rawValue)(s[mt][2 * t + 1][0], s[mt][2 * t + 1][1]);
                a[mt][3] = fa_pack_\(e.rawValue)(s[mt][2 * t + 1][2], s[mt][2 * t + 1][3]);
              }
              const int r = koff + t * 16 + lrow;
              #pragma unroll
              for (int dp = 0; dp < FA_D / 16; ++dp) {
                unsigned bfr[4];
                fa_ldsm4t(vb + fa_swz(r, dp * 2 + (lane >> 4)), bfr);
                #pragma unroll
                for (int mt = 0; mt < FA_MT; ++mt) {
                  fa_mma(acc[mt][2 * dp], a[mt], bfr[0], bfr[1]);
                  fa_mma(acc[mt][2 * dp + 1], a[mt], bfr[2], bfr[3]);
                }
              }
            }
            __syncthreads();
          }
          #undef FA_LOAD_KV
        \(decodeMerge(outputType: variant.outputType))
        #if !FA_DEC
          #pragma unroll
          for (int mt = 0; mt < FA_MT; ++mt) {
            float l0 = l[mt][0], l1 = l[mt][1];
            l0 += __shfl_xor_sync(0xffffffffu, l0, 1);
            l0 += __shfl_xor_sync(0xffffffffu, l0, 2);
            l1 += __shfl_xor_sync(0xffffffffu, l1, 1);
            l1 += __shfl_xor_sync(0xffffffffu, l1, 2);
            const float inv0 = 1.f / l0, inv1 = 1.f / l1;
            const int r0 = q0 + wrow + mt * 16 + (lane >> 2), r1 = r0 + 8;
            #pragma unroll
            for (int n = 0; n < FA_D / 8; ++n) {
              const int col = n * 8 + 2 * (lane & 3);
        \(store)
            }
          }
        #endif
        }

        """
    }
}
