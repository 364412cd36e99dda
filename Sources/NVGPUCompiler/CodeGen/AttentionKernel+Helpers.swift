extension AttentionKernel {
    /// `fa_mma`: one `mma.sync.m16n8k16` with `e` operands, accumulating in f32.
    static func mma(_ e: AttentionPlan.ElementType) -> String {
        """
        __device__ __forceinline__ void fa_mma(float* c, const unsigned* a, unsigned b0, unsigned b1) {
          asm("mma.sync.aligned.m16n8k16.row.col.f32.\(e.rawValue).\(e.rawValue).f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
              : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
              : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
        }
        """
    }

    /// Device helpers: shared addresses, `cp.async`, `ldmatrix`, packing and rounding.
    static let helpers = #"""
    __device__ __forceinline__ unsigned fa_smem(const void* p) {
      unsigned a; asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p)); return a;
    }
    __device__ __forceinline__ void fa_cp16(unsigned dst, const void* src, bool valid) {
      asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" :: "r"(dst), "l"(src), "r"(valid ? 16 : 0) : "memory");
    }
    __device__ __forceinline__ void fa_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
    __device__ __forceinline__ void fa_wait0() { asm volatile("cp.async.wait_group 0;" ::: "memory"); }
    __device__ __forceinline__ void fa_wait1() { asm volatile("cp.async.wait_group 1;" ::: "memory"); }
    __device__ __forceinline__ void fa_ldsm4(unsigned addr, unsigned* r) {
      asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
                   : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr) : "memory");
    }
    __device__ __forceinline__ void fa_ldsm4t(unsigned addr, unsigned* r) {
      asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
                   : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(addr) : "memory");
    }
    __device__ __forceinline__ float fa_f16_to_float(unsigned short h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f; }
    __device__ __forceinline__ float fa_exp2(float x) { float y; asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x)); return y; }
    // Two floats rounded to nearest-even and packed, `lo` in the low half.
    __device__ __forceinline__ unsigned fa_pack_bf16(float lo, float hi) {
      unsigned r; asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo)); return r;
    }
    __device__ __forceinline__ unsigned fa_pack_f16(float lo, float hi) {
      unsigned r; asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo)); return r;
    }
    __device__ __forceinline__ void fa_round2_bf16(float& a, float& b) {
      const unsigned r = fa_pack_bf16(a, b); a = __uint_as_float(r << 16); b = __uint_as_float(r & 0xffff0000u);
    }
    __device__ __forceinline__ void fa_round2_f16(float& a, float& b) {
      const unsigned r = fa_pack_f16(a, b);
      asm("{ .reg .b16 l, h; mov.b32 {l, h}, %2; cvt.f32.f16 %0, l; cvt.f32.f16 %1, h; }" : "=f"(a), "=f"(b) : "r"(r));
    }
    """#
}
