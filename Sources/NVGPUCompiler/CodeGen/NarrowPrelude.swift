import StableHLO

/// Device helpers for the narrow element types: the 8/6/4-bit float formats (stored as one
/// byte holding the bit pattern, computed in `float`, or `double` for f8E8M0FNU) and the
/// 2/4-bit integers (stored as one byte, two's complement, computed in the 8-bit type).
///
/// One generic decoder and one generic encoder serve every float format: the format's
/// exponent bits, mantissa bits, bias and special-value convention are arguments (compile-
/// time constants at each call site, so NVRTC folds them). They mirror `FloatFormat`'s
/// `decode` and `encode` exactly (round to nearest even from `double`; overflow to infinity,
/// NaN or saturation by convention). Emitted into a kernel only when its code uses them.
enum NarrowPrelude {
    /// Identifiers whose presence in a kernel's code pulls in this prelude.
    static let markers = ["nv_fp_", "nv_wrap_", "nv_n_"]

    /// The `specials` argument of `nv_fp_decode`/`nv_fp_encode` for a format's convention.
    static func specialsCode(_ specials: FloatFormat.Specials) -> Int {
        switch specials {
        case .ieee: return 0
        case .finiteWithNaN: return 1
        case .finiteUnsignedZero: return 2
        case .finiteOnly: return 3
        case .exponentOnly: return 4
        }
    }

    /// `e, m, bias, specials` of `format`: the trailing arguments of the generic functions.
    static func arguments(_ format: FloatFormat) -> String {
        "\(format.exponentBits), \(format.mantissaBits), \(format.bias), \(specialsCode(format.specials))"
    }

    /// Whether `format` is one of the narrow formats stored one byte per element.
    static func isNarrow(_ format: FloatFormat) -> Bool {
        switch format {
        case .bf16, .f16, .f32, .f64: return false
        default: return true
        }
    }

    static let source = #"""
#ifndef NVGPU_NARROW
#define NVGPU_NARROW
// Narrow float formats, generic over (e exponent bits, m mantissa bits, bias, sp): sp is the
// special-value convention: 0 IEEE (inf and NaN at the all-ones exponent), 1 finite with NaN
// (all-ones magnitude), 2 finite with unsigned zero (NaN at the negative-zero pattern),
// 3 finite only (saturating), 4 exponent only (E8M0: 2^(bits - bias), 0xff NaN).
__device__ __forceinline__ float nv_fp_decode(unsigned int bits, int e, int m, int bias, int sp) {
  bits &= 0xffu;
  const float nan = __int_as_float(0x7fc00000);
  if (sp == 4) return bits == 0xffu ? nan : __uint_as_float(bits == 0u ? 0x00400000u : bits << 23);
  const unsigned int sign = 1u << (e + m), mag = bits & (sign - 1u);
  const unsigned int expField = mag >> m, mant = mag & ((1u << m) - 1u), allExp = (1u << e) - 1u;
  const bool negative = (bits & sign) != 0u;
  if (sp == 0 && expField == allExp) {
    if (mant != 0u) return nan;
    return negative ? __int_as_float((int)0xff800000) : __int_as_float(0x7f800000);
  }
  if (sp == 1 && mag == sign - 1u) return nan;
  if (sp == 2 && negative && mag == 0u) return nan;
  float v;
  if (expField == 0u) v = (float)mant * __uint_as_float((unsigned int)(128 - bias - m) << 23);
  else v = __uint_as_float(((unsigned int)((int)expField - bias + 127) << 23) | (mant << (23 - m)));
  return negative ? -v : v;
}
__device__ __forceinline__ unsigned int nv_fp_encode(double x, int e, int m, int bias, int sp) {
  const unsigned int allExp = (1u << e) - 1u, allMant = (1u << m) - 1u, sign = 1u << (e + m);
  const unsigned int maxFinite = sp == 0 ? (((allExp - 1u) << m) | allMant)
      : sp == 1 ? ((allExp << m) | (allMant - 1u)) : ((allExp << m) | allMant);
  const unsigned int nanBits = sp == 0 ? ((allExp << m) | (1u << (m - 1))) : sp == 1 ? ((allExp << m) | allMant)
      : sp == 2 ? sign : maxFinite;
  if (x != x) return sp == 4 ? 0xffu : nanBits;
  const bool negative = __double_as_longlong(x) < 0;
  const double a = fabs(x);
  const bool infinite = a == __longlong_as_double(0x7ff0000000000000LL);
  if (sp == 4) {
    if (negative && a != 0.0) return 0xffu;
    if (a == 0.0) return 0u;
    if (infinite) return 0xffu;
    int ex;
    const double s = 2.0 * frexp(a, &ex);  // a = s * 2^(ex - 1), s in [1, 2)
    int exponent = ex - 1;
    if (s > 1.5 || (s == 1.5 && ((exponent + bias) & 1) == 1)) exponent += 1;
    exponent = exponent < -bias ? -bias : (exponent > 0xfe - bias ? 0xfe - bias : exponent);
    return (unsigned int)(exponent + bias);
  }
  unsigned int pattern;
  if (infinite) {
    pattern = maxFinite + 1u;
  } else if (a == 0.0) {
    pattern = 0u;
  } else {
    const int minNormalExp = 1 - bias;
    int ex;
    frexp(a, &ex);
    int exponent = ex - 1;
    if (exponent < minNormalExp) {
      pattern = (unsigned int)rint(ldexp(a, m - minNormalExp));
    } else {
      unsigned int n = (unsigned int)rint(ldexp(a, m - exponent));
      if (n == (2u << m)) { n >>= 1; exponent += 1; }
      const int expField = exponent + bias;
      pattern = expField > (int)allExp ? maxFinite + 1u : (((unsigned int)expField << m) | (n - (1u << m)));
    }
  }
  if (pattern > maxFinite) {
    if (sp == 1 || sp == 2) return nanBits;
    pattern = sp == 0 ? maxFinite + 1u : maxFinite;
  }
  if (sp == 2 && pattern == 0u) return 0u;
  return negative ? (pattern | sign) : pattern;
}
__device__ __forceinline__ float nv_fp_round_f(float x, int e, int m, int bias, int sp) {
  return nv_fp_decode(nv_fp_encode((double)x, e, m, bias, sp), e, m, bias, sp);
}
__device__ __forceinline__ double nv_fp_round_d(double x, int e, int m, int bias, int sp) {
  return (double)nv_fp_decode(nv_fp_encode(x, e, m, bias, sp), e, m, bias, sp);
}
// reduce_precision and next_after on a narrow format's bit pattern (`width` is the
// format's bit width), as the reference computes them (nv_reduce_precision_bits is the
// kernel prelude's).
__device__ __forceinline__ double nv_fp_reduce_precision(double x, int re, int rm, int e, int m, int bias, int sp, int width) {
  if (x != x) return rm > 0 ? x : __longlong_as_double(0x7ff0000000000000LL);
  const nv_u64 v = nv_reduce_precision_bits(nv_fp_encode(x, e, m, bias, sp), width, e, m, re, rm);
  return (double)nv_fp_decode((unsigned int)(v & 0xffu), e, m, bias, sp);
}
__device__ __forceinline__ double nv_fp_next_after(double x, double y, int e, int m, int bias, int sp, int width) {
  if (x != x || y != y) return __longlong_as_double(0x7ff8000000000000LL);
  if (x == y) return y;
  if (x == 0.0) {
    const double tiny = (double)nv_fp_decode(1u, e, m, bias, sp);
    return y < 0.0 ? -tiny : tiny;
  }
  const unsigned int bits = nv_fp_encode(x, e, m, bias, sp), sign = 1u << (width - 1), mag = bits & ~sign;
  const unsigned int next = ((x < y) == (x > 0.0)) ? mag + 1u : mag - 1u;
  return (double)nv_fp_decode((bits & sign) | next, e, m, bias, sp);
}

// 2- and 4-bit integers: w-bit two's complement (signed: sign-extended from bit w - 1;
// unsigned: the low w bits), as the reference re-normalizes every result.
__device__ __forceinline__ signed char nv_wrap_s(int x, int w) {
  return (signed char)((int)((unsigned int)x << (32 - w)) >> (32 - w));
}
__device__ __forceinline__ unsigned char nv_wrap_u(unsigned int x, int w) { return (unsigned char)(x & ((1u << w) - 1u)); }
__device__ __forceinline__ unsigned int nv_n_bits(int a, int w) { return (unsigned int)a & ((1u << w) - 1u); }
// Shift amounts read as w-bit unsigned; at least w shifts everything out.
__device__ __forceinline__ int nv_n_shl(int a, int b, int w) {
  const unsigned int n = nv_n_bits(b, w);
  return n >= (unsigned int)w ? 0 : (int)(nv_n_bits(a, w) << n);
}
__device__ __forceinline__ int nv_n_shr_logical(int a, int b, int w) {
  const unsigned int n = nv_n_bits(b, w);
  return n >= (unsigned int)w ? 0 : (int)(nv_n_bits(a, w) >> n);
}
__device__ __forceinline__ int nv_n_shr_arith(int a, int b, int w) {
  const unsigned int n = nv_n_bits(b, w);
  const int v = nv_wrap_s(a, w);
  return n >= (unsigned int)w ? (v < 0 ? -1 : 0) : (v >> n);
}
__device__ __forceinline__ int nv_n_clz(int a, int w) { return __clz((int)nv_n_bits(a, w)) - (32 - w); }
__device__ __forceinline__ int nv_n_popcnt(int a, int w) { return __popc(nv_n_bits(a, w)); }
// float → w-bit integer: truncate toward zero, saturate, NaN gives 0.
__device__ __forceinline__ int nv_n_from_float(double x, int w, bool isSigned) {
  if (x != x) return 0;
  const double t = trunc(x);
  if (isSigned) {
    const double limit = ldexp(1.0, w - 1);
    if (t >= limit) return (1 << (w - 1)) - 1;
    if (t < -limit) return -(1 << (w - 1));
    return (int)t;
  }
  if (t <= 0.0) return 0;
  if (t >= ldexp(1.0, w)) return (1 << w) - 1;
  return (int)t;
}
#endif
"""#
}
