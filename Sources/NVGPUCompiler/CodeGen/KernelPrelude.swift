/// The device helpers every generated kernel starts with. No `#include`: NVRTC has no CUDA
/// headers here, so bf16/f16 conversion, integer semantics (XLA's division by zero, shift
/// and overflow rules) and NaN-propagating min/max are written out.
enum KernelPrelude {
    static let source = #"""
#ifndef NVGPU_PRELUDE
#define NVGPU_PRELUDE
typedef unsigned long long nv_u64;
struct __align__(16) nv_v16 { unsigned int x, y, z, w; };
struct __align__(8) nv_v8 { unsigned int x, y; };

__device__ __forceinline__ float nv_bf16_to_float(unsigned short h) {
  return __uint_as_float(((unsigned int)h) << 16);
}
__device__ __forceinline__ unsigned short nv_float_to_bf16(float f) {
  const unsigned int u = __float_as_uint(f);
#if __CUDA_ARCH__ >= 800
  // One instruction (round to nearest even, subnormals kept).
  unsigned short h; asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(f));
#else
  const unsigned short h = (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
#endif
  // NaNs keep their payload, quieted; a select rather than a branch.
  return (u & 0x7fffffffu) > 0x7f800000u ? (unsigned short)((u >> 16) | 0x40u) : h;
}
__device__ __forceinline__ float nv_round_bf16(float f) { return nv_bf16_to_float(nv_float_to_bf16(f)); }
// The bf16 bits of a float that is already a bf16 value (rounded or loaded): one shift.
__device__ __forceinline__ unsigned short nv_bf16_bits(float f) { return (unsigned short)(__float_as_uint(f) >> 16); }
// exp through the SFU for values rounded to bf16/f16 afterwards: 2^(x·log2 e), results below
// 2^-126 flushed to zero (relative error about |x|·2^-24 otherwise).
__device__ __forceinline__ float nv_exp_fast(float x) {
#if __CUDA_ARCH__ >= 750
  float y; asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x * 1.44269504088896341f)); return y;
#else
  return expf(x);
#endif
}
// tanh through the SFU (sm_75+: relative error under 2^-10.9), for bf16 results.
__device__ __forceinline__ float nv_tanh_approx(float x) {
#if __CUDA_ARCH__ >= 750
  float y; asm("tanh.approx.f32 %0, %1;" : "=f"(y) : "f"(x)); return y;
#else
  return tanhf(x);
#endif
}
__device__ __forceinline__ float nv_f16_to_float(unsigned short h) {
  float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f;
}
__device__ __forceinline__ unsigned short nv_float_to_f16(float f) {
  unsigned short h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h;
}
__device__ __forceinline__ float nv_round_f16(float f) { return nv_f16_to_float(nv_float_to_f16(f)); }

template <class T> struct nv_int;
#define NV_INT(T, U, S, B) template <> struct nv_int<T> { typedef U u; typedef S s; enum { bits = B }; };
NV_INT(signed char, unsigned char, signed char, 8)
NV_INT(short, unsigned short, short, 16)
NV_INT(int, unsigned int, int, 32)
NV_INT(long long, unsigned long long, long long, 64)
NV_INT(unsigned char, unsigned char, signed char, 8)
NV_INT(unsigned short, unsigned short, short, 16)
NV_INT(unsigned int, unsigned int, int, 32)
NV_INT(unsigned long long, unsigned long long, long long, 64)
#undef NV_INT

template <class T> __device__ __forceinline__ bool nv_is_signed() { return (T)(-1) < (T)0; }
template <class T> __device__ __forceinline__ T nv_min_value() {
  return nv_is_signed<T>() ? (T)((nv_u64)1 << (nv_int<T>::bits - 1)) : (T)0;
}
template <class T> __device__ __forceinline__ T nv_max_value() {
  return nv_is_signed<T>() ? (T)(((nv_u64)1 << (nv_int<T>::bits - 1)) - 1) : (T)(~(nv_u64)0);
}
template <class T> __device__ __forceinline__ T nv_iadd(T a, T b) { return (T)((nv_u64)a + (nv_u64)b); }
template <class T> __device__ __forceinline__ T nv_isub(T a, T b) { return (T)((nv_u64)a - (nv_u64)b); }
template <class T> __device__ __forceinline__ T nv_imul(T a, T b) { return (T)((nv_u64)a * (nv_u64)b); }
template <class T> __device__ __forceinline__ T nv_ineg(T a) { return (T)((nv_u64)0 - (nv_u64)a); }
template <class T> __device__ __forceinline__ T nv_idiv(T a, T b) {
  if (b == (T)0) return (T)(-1);
  if (nv_is_signed<T>() && a == nv_min_value<T>() && b == (T)(-1)) return a;
  return (T)(a / b);
}
template <class T> __device__ __forceinline__ T nv_irem(T a, T b) {
  if (b == (T)0) return a;
  if (nv_is_signed<T>() && b == (T)(-1)) return (T)0;
  return (T)(a % b);
}
template <class T> __device__ __forceinline__ T nv_ipow(T a, T b) {
  nv_u64 e = (nv_u64)b;
  if (nv_is_signed<T>() && b < (T)0) {
    if (a == (T)1 || a == (T)(-1)) e = (nv_u64)0 - (nv_u64)b; else return (T)0;
  }
  nv_u64 base = (nv_u64)a, r = 1;
  while (e != 0) { if (e & 1) r *= base; base *= base; e >>= 1; }
  return (T)r;
}
template <class T> __device__ __forceinline__ T nv_shl(T a, T b) {
  nv_u64 n = (nv_u64)(typename nv_int<T>::u)b;
  return n >= (nv_u64)nv_int<T>::bits ? (T)0 : (T)((nv_u64)(typename nv_int<T>::u)a << n);
}
template <class T> __device__ __forceinline__ T nv_shr_logical(T a, T b) {
  nv_u64 n = (nv_u64)(typename nv_int<T>::u)b;
  return n >= (nv_u64)nv_int<T>::bits ? (T)0 : (T)((nv_u64)(typename nv_int<T>::u)a >> n);
}
template <class T> __device__ __forceinline__ T nv_shr_arith(T a, T b) {
  nv_u64 n = (nv_u64)(typename nv_int<T>::u)b;
  long long v = (long long)(typename nv_int<T>::s)a;
  if (n >= (nv_u64)nv_int<T>::bits) return (T)(v < 0 ? -1 : 0);
  return (T)(v >> n);
}
template <class T> __device__ __forceinline__ T nv_iabs(T a) { return (nv_is_signed<T>() && a < (T)0) ? nv_ineg(a) : a; }
template <class T> __device__ __forceinline__ T nv_isign(T a) {
  if (!nv_is_signed<T>()) return (T)(a != (T)0);
  return (T)(a > (T)0 ? 1 : (a < (T)0 ? -1 : 0));
}
template <class T> __device__ __forceinline__ T nv_clz(T a) {
  return (T)(__clzll((long long)(nv_u64)(typename nv_int<T>::u)a) - (64 - nv_int<T>::bits));
}
template <class T> __device__ __forceinline__ T nv_popcnt(T a) {
  return (T)__popcll((nv_u64)(typename nv_int<T>::u)a);
}
template <class T> __device__ __forceinline__ T nv_float_to_int(double x) {
  if (x != x) return (T)0;
  if (x <= (double)nv_min_value<T>()) return nv_min_value<T>();
  if (x >= (double)nv_max_value<T>()) return nv_max_value<T>();
  return (T)x;
}
// maximum/minimum as the reference: a NaN operand wins (the first), -0 < +0; two selects, no
// branches (one line each: the host emulation tests take them as they are).
__device__ __forceinline__ float nv_fmax(float a, float b) { const float m = (a != a || a > b) ? a : b; return a == b ? __int_as_float(__float_as_int(a) & __float_as_int(b)) : m; }
__device__ __forceinline__ float nv_fmin(float a, float b) { const float m = (a != a || a < b) ? a : b; return a == b ? __int_as_float(__float_as_int(a) | __float_as_int(b)) : m; }
__device__ __forceinline__ double nv_fmax(double a, double b) { const double m = (a != a || a > b) ? a : b; return a == b ? __longlong_as_double(__double_as_longlong(a) & __double_as_longlong(b)) : m; }
__device__ __forceinline__ double nv_fmin(double a, double b) { const double m = (a != a || a < b) ? a : b; return a == b ? __longlong_as_double(__double_as_longlong(a) | __double_as_longlong(b)) : m; }
template <class T> __device__ __forceinline__ T nv_fsign(T a) { return (a != a) ? a : (a > (T)0 ? (T)1 : (a < (T)0 ? (T)(-1) : a)); }
template <class T> __device__ __forceinline__ T nv_imax(T a, T b) { return a > b ? a : b; }
template <class T> __device__ __forceinline__ T nv_imin(T a, T b) { return a < b ? a : b; }
// IEEE totalOrder keys (-NaN < -inf < -0 < +0 < inf < NaN) as the reference orders floats,
// through Double: f32 NaNs quieted, bf16/f16 NaNs (computed in float) the canonical +NaN.
__device__ __forceinline__ long long nv_total_order_f64(double x) {
  const long long b = __double_as_longlong(x); return b < 0 ? b ^ 0x7fffffffffffffffLL : b;
}
__device__ __forceinline__ int nv_total_order_f32(float x) {
  const int b = __float_as_int(x) | (x != x ? 0x00400000 : 0); return b < 0 ? b ^ 0x7fffffff : b;
}
__device__ __forceinline__ int nv_total_order_half(float x) { return x != x ? 0x7fc00000 : nv_total_order_f32(x); }

// digamma as the reference computes it: NaN at the poles, reflection below 1/2, the
// recurrence up to 10, then the asymptotic series.
__device__ double nv_digamma(double x) {
  const double pi = 3.141592653589793;
  if (x != x || x == -__longlong_as_double(0x7ff0000000000000LL)) return __longlong_as_double(0x7ff8000000000000LL);
  if (x == __longlong_as_double(0x7ff0000000000000LL)) return x;
  if (x <= 0.0 && x == floor(x)) return __longlong_as_double(0x7ff8000000000000LL);
  double reflection = 0.0;
  if (x < 0.5) {
    const double r = x - round(x);
    reflection = pi / tan(pi * r);
    x = 1.0 - x;
  }
  double value = 0.0, y = x;
  while (y < 10.0) { value -= 1.0 / y; y += 1.0; }
  const double w = 1.0 / (y * y);
  const double c[7] = {1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132, -691.0 / 32760, 1.0 / 12};
  double series = 0.0;
  for (int k = 6; k >= 0; --k) series = series * w + c[k];
  series *= w;
  const double psi = value + log(y) - 0.5 / y - series;
  return reflection == 0.0 ? psi : psi - reflection;
}

// erf⁻¹ refined as the reference refines it: CUDA's erfinv (up to 5 ULP in double) as the
// start, then Newton-Halley steps on erf(y) - x (on erfc for x ≥ 1/2, where 1 - x is exact),
// so the result is as close as CUDA's erf and erfc allow (about 2 ULP).
__device__ double nv_erfinv(double x) {
  if (x != x || fabs(x) >= 1.0 || x == 0.0) return erfinv(x);
  const double a = fabs(x), complement = 1.0 - a, scale = 1.1283791670955126;
  double y = erfinv(a);
  for (int i = 0; i < 3; ++i) {
    const double f = a < 0.5 ? erf(y) - a : complement - erfc(y);
    const double derivative = scale * exp(-y * y);
    if (!(derivative > 0.0)) break;
    const double step = f / (derivative + y * f);
    y -= step;
    if (fabs(step) <= fabs(y) * 1e-17) break;
  }
  return x < 0.0 ? -y : y;
}

// I1(x)·e^-|x| as the reference computes it: the power series up to |x| = 30, the
// asymptotic expansion beyond; odd in x.
__device__ double nv_bessel_i1e(double x) {
  if (x != x) return x;
  const double ax = fabs(x);
  if (isinf(ax)) return 0.0;
  double value;
  if (ax <= 30.0) {
    const double half = ax / 2, q = half * half;
    double term = half, sum = term, k = 0.0;
    while (term > sum * 1e-18) { k += 1.0; term *= q / (k * (k + 1.0)); sum += term; }
    value = sum * exp(-ax);
  } else {
    double term = 1.0, sum = 1.0;
    for (int k = 1; k < 60; ++k) {
      const double j = (double)(2 * k - 1);
      const double next = -term * (4.0 - j * j) / ((double)k * 8.0 * ax);
      if (fabs(next) >= fabs(term)) break;
      term = next; sum += term;
      if (fabs(term) < 1e-18) break;
    }
    value = sum / sqrt(2.0 * 3.141592653589793 * ax);
  }
  return x < 0.0 ? -value : value;
}

// reduce_precision on a format's bit pattern: mantissa rounded to m bits (ties to even),
// then an exponent outside e bits overflows to inf or underflows to zero.
__device__ __forceinline__ nv_u64 nv_reduce_precision_bits(nv_u64 v, int width, int srcExp, int srcMan, int e, int m) {
  if (m < srcMan) {
    nv_u64 dropped = (nv_u64)(srcMan - m), lastBit = 1ull << dropped;
    nv_u64 keptLowBit = (v & lastBit) >> dropped;
    v = (v + keptLowBit + ((lastBit >> 1) - 1)) & ~(lastBit - 1);
  }
  if (e < srcExp) {
    nv_u64 signMask = 1ull << (width - 1), expMask = ((1ull << srcExp) - 1) << srcMan;
    nv_u64 bias = (1ull << (srcExp - 1)) - 1, reducedBias = (1ull << (e - 1)) - 1;
    nv_u64 exponent = v & expMask, signedZero = v & signMask;
    if (exponent > ((bias + reducedBias) << srcMan)) v = signedZero | expMask;
    else if (exponent <= ((bias - reducedBias) << srcMan)) v = signedZero;
  }
  return v;
}
__device__ __forceinline__ float nv_reduce_precision_f32(float x, int e, int m) {
  if (x != x) return m > 0 ? x : __int_as_float(0x7f800000);
  return __uint_as_float((unsigned int)nv_reduce_precision_bits(__float_as_uint(x), 32, 8, 23, e, m));
}
__device__ __forceinline__ double nv_reduce_precision_f64(double x, int e, int m) {
  if (x != x) return m > 0 ? x : __longlong_as_double(0x7ff0000000000000LL);
  return __longlong_as_double((long long)nv_reduce_precision_bits((nv_u64)__double_as_longlong(x), 64, 11, 52, e, m));
}
__device__ __forceinline__ float nv_reduce_precision_bf16(float x, int e, int m) {
  if (x != x) return m > 0 ? x : __int_as_float(0x7f800000);
  return nv_bf16_to_float((unsigned short)nv_reduce_precision_bits(nv_float_to_bf16(x), 16, 8, 7, e, m));
}
__device__ __forceinline__ float nv_reduce_precision_f16(float x, int e, int m) {
  if (x != x) return m > 0 ? x : __int_as_float(0x7f800000);
  return nv_f16_to_float((unsigned short)nv_reduce_precision_bits(nv_float_to_f16(x), 16, 5, 10, e, m));
}
// next_after in a format: NaN if either is NaN, y if equal, the smallest subnormal with
// y's sign from zero, else the neighbouring bit pattern toward y.
#define NV_NEXT_AFTER(NAME, T, BITS, WIDTH, ENCODE, DECODE, NAN)                          \
  __device__ __forceinline__ T NAME(T x, T y) {                                             \
    if (x != x || y != y) return NAN;                                                       \
    if (x == y) return y;                                                                   \
    if (x == (T)0) { T tiny = DECODE((BITS)1); return y < (T)0 ? -tiny : tiny; }            \
    BITS bits = (BITS)ENCODE(x), sign = (BITS)((nv_u64)1 << (WIDTH - 1)), mag = bits & (BITS)~sign; \
    return DECODE((BITS)((bits & sign) | (BITS)(((x < y) == (x > (T)0)) ? mag + 1 : mag - 1)));     \
  }
__device__ __forceinline__ float nv_bits_to_f32(unsigned int b) { return __uint_as_float(b); }
__device__ __forceinline__ double nv_bits_to_f64(nv_u64 b) { return __longlong_as_double((long long)b); }
__device__ __forceinline__ nv_u64 nv_f64_to_bits(double x) { return (nv_u64)__double_as_longlong(x); }
NV_NEXT_AFTER(nv_next_after_f32, float, unsigned int, 32, __float_as_uint, nv_bits_to_f32, __int_as_float(0x7fc00000))
NV_NEXT_AFTER(nv_next_after_f64, double, nv_u64, 64, nv_f64_to_bits, nv_bits_to_f64, __longlong_as_double(0x7ff8000000000000LL))
NV_NEXT_AFTER(nv_next_after_bf16, float, unsigned short, 16, nv_float_to_bf16, nv_bf16_to_float, __int_as_float(0x7fc00000))
NV_NEXT_AFTER(nv_next_after_f16, float, unsigned short, 16, nv_float_to_f16, nv_f16_to_float, __int_as_float(0x7fc00000))
#undef NV_NEXT_AFTER

__device__ __forceinline__ float nv_shfl_xor(float v, int o) { return __shfl_xor_sync(0xffffffffu, v, o); }
__device__ __forceinline__ double nv_shfl_xor(double v, int o) { return __shfl_xor_sync(0xffffffffu, v, o); }
__device__ __forceinline__ int nv_shfl_xor(int v, int o) { return __shfl_xor_sync(0xffffffffu, v, o); }
__device__ __forceinline__ unsigned int nv_shfl_xor(unsigned int v, int o) { return __shfl_xor_sync(0xffffffffu, v, o); }
__device__ __forceinline__ long long nv_shfl_xor(long long v, int o) { return __shfl_xor_sync(0xffffffffu, v, o); }
__device__ __forceinline__ unsigned long long nv_shfl_xor(unsigned long long v, int o) { return __shfl_xor_sync(0xffffffffu, v, o); }
__device__ __forceinline__ bool nv_shfl_xor(bool v, int o) { return __shfl_xor_sync(0xffffffffu, (int)v, o) != 0; }
__device__ __forceinline__ signed char nv_shfl_xor(signed char v, int o) { return (signed char)__shfl_xor_sync(0xffffffffu, (int)v, o); }
__device__ __forceinline__ unsigned char nv_shfl_xor(unsigned char v, int o) { return (unsigned char)__shfl_xor_sync(0xffffffffu, (int)v, o); }
__device__ __forceinline__ short nv_shfl_xor(short v, int o) { return (short)__shfl_xor_sync(0xffffffffu, (int)v, o); }
__device__ __forceinline__ unsigned short nv_shfl_xor(unsigned short v, int o) { return (unsigned short)__shfl_xor_sync(0xffffffffu, (int)v, o); }
#endif
"""#
}
