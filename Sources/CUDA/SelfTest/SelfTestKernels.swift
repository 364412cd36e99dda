/// CUDA C++ sources the self-test compiles with NVRTC. They include no headers: NVRTC
/// provides the built-ins (`threadIdx`, `__float_as_uint`), and bf16 is our own helper.
public enum SelfTestKernels {
    /// `vector_add(a, b, out, n)`: out[i] = a[i] + b[i] for f32.
    public static let vectorAdd = """
    extern "C" __global__ void vector_add(const float* __restrict__ a, const float* __restrict__ b,
                                          float* __restrict__ out, unsigned int n) {
        unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i < n) out[i] = a[i] + b[i];
    }
    """

    /// Our bf16 helpers: the top 16 bits of an f32, rounded to nearest even (NaN kept quiet).
    public static let bfloat16Helpers = """
    typedef unsigned short nvgpu_bf16;
    __device__ __forceinline__ float nvgpu_bf16_to_float(nvgpu_bf16 h) {
        return __uint_as_float(((unsigned int)h) << 16);
    }
    __device__ __forceinline__ nvgpu_bf16 nvgpu_float_to_bf16(float f) {
        unsigned int bits = __float_as_uint(f);
        if ((bits & 0x7fffffffu) > 0x7f800000u) return (nvgpu_bf16)((bits >> 16) | 0x40u);
        unsigned int rounding = 0x7fffu + ((bits >> 16) & 1u);
        return (nvgpu_bf16)((bits + rounding) >> 16);
    }
    """

    /// `scale_add_bf16(x, y, out, alpha, n)`: out = bf16(fma(alpha, x, y)) in f32.
    public static let scaleAddBFloat16 = bfloat16Helpers + """

    extern "C" __global__ void scale_add_bf16(const nvgpu_bf16* __restrict__ x, const nvgpu_bf16* __restrict__ y,
                                              nvgpu_bf16* __restrict__ out, float alpha, unsigned int n) {
        unsigned int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i < n) out[i] = nvgpu_float_to_bf16(__fmaf_rn(alpha, nvgpu_bf16_to_float(x[i]), nvgpu_bf16_to_float(y[i])));
    }
    """

    /// The same rounding as `nvgpu_float_to_bf16`, on the host, to check results.
    public static func bfloat16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if bits & 0x7fff_ffff > 0x7f80_0000 { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x40) }
        let rounding: UInt32 = 0x7fff + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// The f32 value of bf16 `bits`.
    public static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}
