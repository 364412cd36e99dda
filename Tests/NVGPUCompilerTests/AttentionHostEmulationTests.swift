import Compiler
import Foundation
@testable import NVGPUCompiler
import Reference
import StableHLO
import Testing

/// The fused attention kernel run as host C++ (the `LinalgHostEmulationTests` harness) and
/// compared with the reference interpreter on the unfused program, without a GPU. Its PTX
/// helpers get host versions: `cp.async` as a synchronous copy into the block's shared
/// bytes, `ldmatrix` (plain and transposed) as an exchange of the lanes' row addresses
/// through memory, `mma.sync` through the harness's warp emulation, `ex2.approx` as `exp2`.
/// The kernel keeps unnormalized probabilities in the operand type and uses the SFU's
/// exponential, so results are compared within a tolerance, not bit for bit.
@Suite struct AttentionHostEmulationTests {
    static let hostHelpers = #"""
    static unsigned char* g_fa_base;
    inline unsigned fa_smem(const void* p) { g_fa_base = (unsigned char*)p; return 0; }
    inline void fa_cp16(unsigned dst, const void* src, bool valid) {
      if (valid) memcpy(g_fa_base + dst, src, 16); else memset(g_fa_base + dst, 0, 16);
    }
    inline void fa_commit() {}
    inline void fa_wait0() {}
    inline void fa_wait1() {}
    static unsigned g_fa_rows[1024];
    // ldmatrix .x4: lanes 8i..8i+7 give the rows of matrix i; lane l receives row l/4,
    // columns 2(l%4) and 2(l%4)+1 of each matrix (transposed: rows 2(l%4), 2(l%4)+1 of column l/4).
    inline void fa_ldsm(unsigned addr, unsigned* r, bool trans) {
      const unsigned t = threadIdx.x + threadIdx.y * blockDim.x, lane = t & 31, w0 = t - lane;
      g_fa_rows[t] = addr;
      g_warps[t / 32]->arrive_and_wait();
      for (unsigned i = 0; i < 4; ++i) {
        if (!trans) {
          memcpy(&r[i], g_fa_base + g_fa_rows[w0 + 8 * i + lane / 4] + 4 * (lane % 4), 4);
        } else {
          unsigned short lo, hi;
          memcpy(&lo, g_fa_base + g_fa_rows[w0 + 8 * i + 2 * (lane % 4)] + 2 * (lane / 4), 2);
          memcpy(&hi, g_fa_base + g_fa_rows[w0 + 8 * i + 2 * (lane % 4) + 1] + 2 * (lane / 4), 2);
          r[i] = lo | ((unsigned)hi << 16);
        }
      }
      g_warps[t / 32]->arrive_and_wait();
    }
    inline void fa_ldsm4(unsigned addr, unsigned* r) { fa_ldsm(addr, r, false); }
    inline void fa_ldsm4t(unsigned addr, unsigned* r) { fa_ldsm(addr, r, true); }
    inline float fa_exp2(float x) { return std::exp2(x); }
    inline float fa_f16_to_float(unsigned short h) { return nv_f16_to_float(h); }
    inline unsigned fa_pack_bf16(float lo, float hi) { return nv_float_to_bf16(lo) | ((unsigned)nv_float_to_bf16(hi) << 16); }
    inline unsigned fa_pack_f16(float lo, float hi) { return nv_float_to_f16(lo) | ((unsigned)nv_float_to_f16(hi) << 16); }
    inline void fa_round2_bf16(float& a, float& b) { a = nv_round_bf16(a); b = nv_round_bf16(b); }
    inline void fa_round2_f16(float& a, float& b) { a = nv_round_f16(a); b = nv_round_f16(b); }
    """#

    static let shuffles = """
    template <class T> T __shfl_xor_sync(unsigned, T v, int o) { return nv_shfl_xor(v, o); }
    inline int min(int a, int b) { return a < b ? a : b; }

    """

    static var replacements: [(String, String)] {
        let mma = { (e: AttentionPlan.ElementType) in
            "inline void fa_mma(float* c, const unsigned* a, unsigned b0, unsigned b1) { nv_mma16816_emulated(c, a, b0, b1, \(e == .bf16)); }"
        }
        let bytes = stride(from: 16, through: 256, by: 16).flatMap { d in
            [false, true].map { AttentionKernel.sharedMemoryBytes(headDim: d, decode: $0) }
        }.max() ?? 0
        return [(AttentionKernel.helpers, hostHelpers),
                (AttentionKernel.mma(.bf16), mma(.bf16)), (AttentionKernel.mma(.f16), mma(.f16)),
                ("extern __shared__ __align__(128) unsigned char fa_shared[];", "alignas(128) static unsigned char fa_shared[\(bytes)];")]
    }

    /// Random inputs in [-1, 1) for `text`'s entry function.
    static func inputs(_ text: String, seed: UInt64) throws -> [Tensor] {
        var numbers = LinalgHostEmulationTests.Numbers(state: seed)
        let module = try Module.parse(text, file: "attention.mlir")
        let types = try #require(module.function(named: "main")).inputTypes.compactMap(\.tensorType)
        return types.map { LinalgHostEmulationTests.random($0, &numbers) }
    }

    static func cases() throws -> [LinalgHostEmulationTests.Case] {
        let programs: [(String, String)] = [
            // A partial query tile (160 = 128 + 32) and a partial key tile (80 = 64 + 16).
            ("bf16_d64", AttentionFusionTests.program("bf16", b: 1, h: 2, sq: 160, skv: 80, d: 64)),
            ("f16_d128_f32scale", AttentionFusionTests.program("f16", b: 1, h: 1, sq: 130, skv: 70, d: 128, scale: .divideInF32)),
            // Unscaled bf16 scores are left out: a one-ulp bf16 difference in a score of about 4
            // (the MMA sums in another order than the reference) moves a probability by 3%.
            ("bf16_d64_f32out", AttentionFusionTests.program("bf16", b: 2, h: 1, sq: 64, skv: 128, d: 64,
                                                             scale: .multiplyInScoreType, output: "f32")),
            // Causal: tiles past the diagonal skipped, the diagonal's masked; offset 0 with a
            // finite fill, a bottom-right aligned offset (64 queries over 192 keys) additively.
            ("causal_bf16_d64", AttentionFusionTests.program("bf16", b: 1, h: 2, sq: 160, skv: 160, d: 64,
                                                             causal: .init(fill: "-2.38197633E+38"))),
            ("causal_bottom_right_f16_d128", AttentionFusionTests.program("f16", b: 1, h: 1, sq: 64, skv: 192, d: 128,
                                                                          causal: .init(offset: 128, additive: true, keyFirst: true))),
            // Grouped-query: 4 query heads over 2 K/V heads, causal.
            ("gqa_causal_bf16_d64", AttentionFusionTests.program("bf16", b: 1, h: 4, sq: 64, skv: 96, d: 64,
                                                                 causal: .init(offset: 32), kvHeads: 2)),
            // Head dim 256: Q fragments from shared memory, 32-key tiles.
            ("bf16_d256", AttentionFusionTests.program("bf16", b: 1, h: 1, sq: 64, skv: 48, d: 256)),
            // Head dims other than 64/128/256: rows of 4, 12 and 20 chunks (smaller swizzle groups).
            ("bf16_d32", AttentionFusionTests.program("bf16", b: 1, h: 2, sq: 72, skv: 80, d: 32)),
            ("f16_d96_causal", AttentionFusionTests.program("f16", b: 1, h: 1, sq: 80, skv: 80, d: 96, causal: .init())),
            ("decode_bf16_d160", AttentionFusionTests.program("bf16", b: 1, h: 2, sq: 2, skv: 90, d: 160)),
            // The decode schedule: warps on their own key slices, merged at the end; a partial
            // last tile (200 keys in 128-key tiles), grouped-query heads packed as rows (3
            // queries × 4 heads), causal rows at the bottom right, multi-query at head dim 256.
            ("decode_bf16_d64", AttentionFusionTests.program("bf16", b: 2, h: 2, sq: 1, skv: 200, d: 64)),
            ("decode_gqa_packed_f16_d128", AttentionFusionTests.program("f16", b: 1, h: 8, sq: 3, skv: 150, d: 128,
                                                                        scale: .divideInF32, kvHeads: 2)),
            ("decode_causal_bf16_d64", AttentionFusionTests.program("bf16", b: 1, h: 2, sq: 4, skv: 100, d: 64,
                                                                    causal: .init(offset: 96))),
            ("decode_mqa_bf16_d256", AttentionFusionTests.program("bf16", b: 1, h: 4, sq: 2, skv: 70, d: 256, kvHeads: 1)),
        ]
        var cases = try programs.enumerated().map { i, p in
            LinalgHostEmulationTests.Case(name: p.0, text: p.1, inputs: try inputs(p.1, seed: 7 + UInt64(i)))
        }
        // Key padding masks: batch 0 sees a random half of the keys, batch 1 none (fully
        // masked rows: NaN with -inf, the mean of V with a finite fill, as unfused).
        for (name, fill) in [("padding_mask_inf", "0xFF800000"), ("padding_mask_finite", "-2.38197633E+38")] {
            let text = AttentionFusionTests.program("bf16", b: 2, h: 2, sq: 80, skv: 96, d: 64, keyMaskFill: fill)
            var inputs = try inputs(text, seed: 99)
            var numbers = LinalgHostEmulationTests.Numbers(state: 5)
            let bits: [Int64] = (0..<(2 * 96)).map { $0 < 96 && numbers.next() > 0 ? 1 : 0 }
            inputs[3] = Tensor(type: TensorType(shape: [2, 96], elementType: .i1), storage: .ints(bits))
            cases.append(LinalgHostEmulationTests.Case(name: name, text: text, inputs: inputs))
        }
        // JAX's BSHD einsums with the query scaled first: the scale moves into the kernel and
        // the V·P product, transposed back to BSHD, is written in place; and
        // jax.nn.dot_product_attention (causal), fused once its unit group axis is squeezed out
        // (tests/attention/small, after the standard passes as `nvgpu compile` runs them).
        for name in ["bshd_scale_first_bf16_d64", "dpa_causal_bf16_d64"] {
            let url = TestPrograms.packageRoot.appendingPathComponent("tests/attention/small/\(name).mlir")
            var module = try Module.parse(try String(contentsOf: url, encoding: .utf8), file: "\(name).mlir")
            try Pipeline.standard.run(on: &module)
            let text = module.text
            cases.append(LinalgHostEmulationTests.Case(name: name, text: text, inputs: try inputs(text, seed: 47)))
        }
        // A key padding mask on the decode schedule (2 queries; rows of batch 1 fully masked).
        do {
            let text = AttentionFusionTests.program("bf16", b: 2, h: 2, sq: 2, skv: 96, d: 64, keyMaskFill: "-2.38197633E+38")
            var inputs = try inputs(text, seed: 123)
            var numbers = LinalgHostEmulationTests.Numbers(state: 9)
            let bits: [Int64] = (0..<(2 * 96)).map { $0 < 96 && numbers.next() > 0 ? 1 : 0 }
            inputs[3] = Tensor(type: TensorType(shape: [2, 96], elementType: .i1), storage: .ints(bits))
            cases.append(LinalgHostEmulationTests.Case(name: "decode_padding_mask", text: text, inputs: inputs))
        }
        // Per-head additive biases, f32 and bf16 (converted to f32 in the program).
        for type in ["f32", "bf16"] {
            let text = AttentionFusionTests.program("bf16", b: 2, h: 2, sq: 72, skv: 80, d: 64, headBias: type)
            cases.append(LinalgHostEmulationTests.Case(name: "head_bias_\(type)", text: text, inputs: try inputs(text, seed: 31)))
        }
        // A bias with a mask: added first (`where(mask, s + bias, fill)`, dot_product_attention's
        // order; fully masked rows are the fill itself) or after the mask; and a causal mask
        // with a bias, as dot_product_attention writes them.
        for (name, fill, biasFirst) in [("bias_then_padding_mask", "-2.38197633E+38", true),
                                        ("padding_mask_then_bias", "0xFF800000", false)] {
            let text = AttentionFusionTests.program("bf16", b: 2, h: 2, sq: 72, skv: 96, d: 64, keyMaskFill: fill,
                                                    headBias: "bf16", biasFirst: biasFirst)
            var inputs = try inputs(text, seed: 77)
            var numbers = LinalgHostEmulationTests.Numbers(state: 13)
            let bits: [Int64] = (0..<(2 * 96)).map { $0 < 96 && numbers.next() > 0 ? 1 : 0 }
            inputs[3] = Tensor(type: TensorType(shape: [2, 96], elementType: .i1), storage: .ints(bits))
            cases.append(LinalgHostEmulationTests.Case(name: name, text: text, inputs: inputs))
        }
        let causalBias = AttentionFusionTests.program("bf16", b: 1, h: 2, sq: 96, skv: 96, d: 64,
                                                      causal: .init(fill: "-2.38197633E+38"), headBias: "f32", biasFirst: true)
        cases.append(LinalgHostEmulationTests.Case(name: "bias_then_causal", text: causalBias, inputs: try inputs(causalBias, seed: 5)))
        return cases
    }

    @Test func fusedKernelMatchesTheReference() throws {
        for c in try Self.cases() {
            let (e, _) = try TestPrograms.lower(c.text, vendor: false)
            #expect(AttentionFusionTests.attentionLaunches(e).count == 1, "\(c.name)")
            let decode = e.kernels.first?.source.contains("#define FA_DEC 1") == true
            #expect(decode == c.name.hasPrefix("decode"), "\(c.name)")
        }
        try LinalgHostEmulationTests.expectBitForBit(try Self.cases(), label: "attention", tolerance: 0.02,
                                                     extraShim: Self.shuffles, replacing: Self.replacements)
    }
}
