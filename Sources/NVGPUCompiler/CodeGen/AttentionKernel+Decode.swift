extension AttentionKernel {
    /// The decode schedule's epilogue (`FA_DEC`): every warp saw its own slice of the keys for
    /// the same 16 rows, so each holds a partial softmax state (row max `m`, row sum `l`,
    /// unnormalized `acc`). They are written to shared memory (over the K tiles, no longer
    /// read) and merged: `o = Σ_w 2^((m_w − M)·log2e)·acc_w / Σ_w 2^((m_w − M)·log2e)·l_w`
    /// with `M = max_w m_w` (a warp that saw no visible key has m = −∞ and weight 0; a row
    /// with none anywhere divides 0 by 0, NaN, as the unfused program's −∞ fill gives).
    static func decodeMerge(outputType: String) -> String {
        let store = outputType == "f32"
            ? "{ float* p = o + at; p[0] = o0 * inv; p[1] = o1 * inv; }"
            : "*(unsigned int*)(o + at) = fa_pack_\(outputType)(o0 * inv, o1 * inv);"
        return """
        #if FA_DEC
          __syncthreads();
          {
            float* part = (float*)(fa_shared + FA_BM * FA_D * 2);              // [warp][row][FA_D]
            float* stat = part + (FA_THREADS / 32) * 16 * FA_D;                // [warp][row]: m, l
            float l0 = l[0][0], l1 = l[0][1];
            l0 += __shfl_xor_sync(0xffffffffu, l0, 1);
            l0 += __shfl_xor_sync(0xffffffffu, l0, 2);
            l1 += __shfl_xor_sync(0xffffffffu, l1, 1);
            l1 += __shfl_xor_sync(0xffffffffu, l1, 2);
            const int r0 = lane >> 2, r1 = r0 + 8;
            float* pw = part + warp * 16 * FA_D;
            #pragma unroll
            for (int n = 0; n < FA_D / 8; ++n) {
              const int col = n * 8 + 2 * (lane & 3);
              pw[r0 * FA_D + col] = acc[0][n][0]; pw[r0 * FA_D + col + 1] = acc[0][n][1];
              pw[r1 * FA_D + col] = acc[0][n][2]; pw[r1 * FA_D + col + 1] = acc[0][n][3];
            }
            if ((lane & 3) == 0) {
              stat[(warp * 16 + r0) * 2] = m[0][0]; stat[(warp * 16 + r0) * 2 + 1] = l0;
              stat[(warp * 16 + r1) * 2] = m[0][1]; stat[(warp * 16 + r1) * 2 + 1] = l1;
            }
            __syncthreads();
            for (int idx = tid; idx < 16 * (FA_D / 2); idx += FA_THREADS) {
              const int r = idx / (FA_D / 2), col = (idx - r * (FA_D / 2)) * 2, R = q0 + r;
              if (R >= rows) continue;
              float mx = -__int_as_float(0x7f800000);
              #pragma unroll
              for (int w = 0; w < FA_THREADS / 32; ++w) mx = fmaxf(mx, stat[(w * 16 + r) * 2]);
              float lsum = 0.f, o0 = 0.f, o1 = 0.f;
              #pragma unroll
              for (int w = 0; w < FA_THREADS / 32; ++w) {
                const float* sw = stat + (w * 16 + r) * 2;
                const float a = mx == -__int_as_float(0x7f800000) ? 1.f : fa_exp2((sw[0] - mx) * log2e);
                lsum += a * sw[1];
                o0 += a * part[(w * 16 + r) * FA_D + col];
                o1 += a * part[(w * 16 + r) * FA_D + col + 1];
              }
              const float inv = 1.f / lsum;
              const long long at = b * osb + (long long)FA_HEAD(R) * osh + (long long)FA_TOKEN(R) * oss + col;
              \(store)
            }
          }
        #endif
        """
    }
}
