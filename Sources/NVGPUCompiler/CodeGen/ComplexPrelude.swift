/// Device helpers for `complex<f32>` and `complex<f64>`, added to a kernel's prelude when its
/// source uses them (`KernelSource.unit`).
///
/// Both complex types are computed as `nv_c128` (two doubles); `complex<f32>` is stored as
/// `nv_c64` and rounded to float components after every op. Every function mirrors the
/// reference interpreter's `Complex`/`ComplexMath` (Sources/Reference/Elementwise/
/// ComplexMath.swift, ComplexInverseMath.swift) formula by formula, in the same evaluation
/// order: products and sums go through `__dmul_rn`/`__dadd_rn`/`__dsub_rn`, which NVRTC never
/// contracts into fused multiply-adds (Swift does not contract either), so a `complex<f32>`
/// result equals the reference's wherever CUDA's double functions round as glibc's do.
enum ComplexPrelude {
    /// Names whose presence in a kernel's source means it needs this prelude.
    static let markers = ["nv_c64", "nv_c128"]

    static let source = #"""
#ifndef NVGPU_COMPLEX
#define NVGPU_COMPLEX
struct __align__(8) nv_c64 { float re, im; };
struct __align__(16) nv_c128 {
  double re, im;
  nv_c128() = default;
  __device__ __forceinline__ explicit nv_c128(double r, double i = 0.0) : re(r), im(i) {}
};
#define NV_DINF __longlong_as_double(0x7ff0000000000000LL)
#define NV_DNAN __longlong_as_double(0x7ff8000000000000LL)
#define NV_MUL __dmul_rn
#define NV_ADD __dadd_rn
#define NV_SUB __dsub_rn
__device__ __forceinline__ bool nv_isnan(double x) { return x != x; }
__device__ __forceinline__ bool nv_isinf(double x) { return fabs(x) == NV_DINF; }
__device__ __forceinline__ bool nv_isfinite(double x) { return fabs(x) < NV_DINF; }
__device__ __forceinline__ bool nv_signbit(double x) { return __double_as_longlong(x) < 0; }
__device__ __forceinline__ bool nv_cisnan(nv_c128 z) { return nv_isnan(z.re) || nv_isnan(z.im); }

__device__ __forceinline__ nv_c128 nv_c64_load(nv_c64 x) { return nv_c128((double)x.re, (double)x.im); }
__device__ __forceinline__ nv_c64 nv_c64_store(nv_c128 x) { nv_c64 r; r.re = (float)x.re; r.im = (float)x.im; return r; }
__device__ __forceinline__ nv_c128 nv_round_c64(nv_c128 x) { return nv_c128((double)(float)x.re, (double)(float)x.im); }
__device__ __forceinline__ nv_c128 nv_shfl_xor(nv_c128 v, int o) {
  return nv_c128(__shfl_xor_sync(0xffffffffu, v.re, o), __shfl_xor_sync(0xffffffffu, v.im, o));
}

__device__ __forceinline__ nv_c128 operator+(nv_c128 a, nv_c128 b) { return nv_c128(NV_ADD(a.re, b.re), NV_ADD(a.im, b.im)); }
__device__ __forceinline__ nv_c128 operator-(nv_c128 a, nv_c128 b) { return nv_c128(NV_SUB(a.re, b.re), NV_SUB(a.im, b.im)); }
__device__ __forceinline__ nv_c128 operator-(nv_c128 a) { return nv_c128(-a.re, -a.im); }

// Annex G: a product with an infinite factor is infinite even where the naive formula gives NaN.
__device__ nv_c128 nv_cmul_recover(double a, double b, double c, double d) {
  bool recalc = false;
  if (nv_isinf(a) || nv_isinf(b)) {
    a = copysign(nv_isinf(a) ? 1.0 : 0.0, a); b = copysign(nv_isinf(b) ? 1.0 : 0.0, b);
    if (nv_isnan(c)) c = copysign(0.0, c);
    if (nv_isnan(d)) d = copysign(0.0, d);
    recalc = true;
  }
  if (nv_isinf(c) || nv_isinf(d)) {
    c = copysign(nv_isinf(c) ? 1.0 : 0.0, c); d = copysign(nv_isinf(d) ? 1.0 : 0.0, d);
    if (nv_isnan(a)) a = copysign(0.0, a);
    if (nv_isnan(b)) b = copysign(0.0, b);
    recalc = true;
  }
  if (!recalc) return nv_c128(NV_DNAN, NV_DNAN);
  return nv_c128(NV_MUL(NV_DINF, NV_SUB(NV_MUL(a, c), NV_MUL(b, d))), NV_MUL(NV_DINF, NV_ADD(NV_MUL(a, d), NV_MUL(b, c))));
}
__device__ __forceinline__ nv_c128 operator*(nv_c128 a, nv_c128 b) {
  const double re = NV_SUB(NV_MUL(a.re, b.re), NV_MUL(a.im, b.im));
  const double im = NV_ADD(NV_MUL(a.re, b.im), NV_MUL(a.im, b.re));
  if (nv_isnan(re) && nv_isnan(im)) return nv_cmul_recover(a.re, a.im, b.re, b.im);
  return nv_c128(re, im);
}
// Smith's division with Annex G's infinite and zero cases.
__device__ nv_c128 operator/(nv_c128 a, nv_c128 b) {
  const double c = b.re, d = b.im;
  double re, im;
  if (fabs(c) >= fabs(d)) {
    if (c == 0.0 && d == 0.0) {
      re = NV_MUL(copysign(NV_DINF, c), a.re);
      im = NV_MUL(copysign(NV_DINF, c), a.im);
    } else {
      const double r = d / c;
      const double den = NV_ADD(c, NV_MUL(d, r));
      re = NV_ADD(a.re, NV_MUL(a.im, r)) / den;
      im = NV_SUB(a.im, NV_MUL(a.re, r)) / den;
    }
  } else {
    const double r = c / d;
    const double den = NV_ADD(NV_MUL(c, r), d);
    re = NV_ADD(NV_MUL(a.re, r), a.im) / den;
    im = NV_SUB(NV_MUL(a.im, r), a.re) / den;
  }
  if (nv_isnan(re) && nv_isnan(im)) {
    if ((nv_isinf(a.re) || nv_isinf(a.im)) && nv_isfinite(c) && nv_isfinite(d)) {
      const double x = copysign(nv_isinf(a.re) ? 1.0 : 0.0, a.re), y = copysign(nv_isinf(a.im) ? 1.0 : 0.0, a.im);
      re = NV_MUL(NV_DINF, NV_ADD(NV_MUL(x, c), NV_MUL(y, d)));
      im = NV_MUL(NV_DINF, NV_SUB(NV_MUL(y, c), NV_MUL(x, d)));
    } else if ((nv_isinf(c) || nv_isinf(d)) && nv_isfinite(a.re) && nv_isfinite(a.im)) {
      const double x = copysign(nv_isinf(c) ? 1.0 : 0.0, c), y = copysign(nv_isinf(d) ? 1.0 : 0.0, d);
      re = NV_MUL(0.0, NV_ADD(NV_MUL(a.re, x), NV_MUL(a.im, y)));
      im = NV_MUL(0.0, NV_SUB(NV_MUL(a.im, x), NV_MUL(a.re, y)));
    }
  }
  return nv_c128(re, im);
}

// Comparisons: lexicographic (real, then imaginary); a NaN part makes the pair unordered.
__device__ __forceinline__ bool operator==(nv_c128 a, nv_c128 b) { return a.re == b.re && a.im == b.im; }
__device__ __forceinline__ bool operator!=(nv_c128 a, nv_c128 b) { return !(a == b); }
__device__ __forceinline__ bool operator<(nv_c128 a, nv_c128 b) {
  return !nv_cisnan(a) && !nv_cisnan(b) && (a.re < b.re || (a.re == b.re && a.im < b.im));
}
__device__ __forceinline__ bool operator>(nv_c128 a, nv_c128 b) { return b < a; }
__device__ __forceinline__ bool operator<=(nv_c128 a, nv_c128 b) { return !nv_cisnan(a) && !nv_cisnan(b) && !(b < a); }
__device__ __forceinline__ bool operator>=(nv_c128 a, nv_c128 b) { return b <= a; }
// maximum/minimum as the reference orders complex numbers (ties and NaNs pick b).
__device__ __forceinline__ nv_c128 nv_cmax(nv_c128 a, nv_c128 b) { return (a.re == b.re ? a.im > b.im : a.re > b.re) ? a : b; }
__device__ __forceinline__ nv_c128 nv_cmin(nv_c128 a, nv_c128 b) { return (a.re == b.re ? a.im < b.im : a.re < b.re) ? a : b; }

// dot_general and convolution: acc + x·y, each component product and sum rounded, no Annex G recovery.
__device__ __forceinline__ nv_c128 nv_cmac(nv_c128 acc, nv_c128 x, nv_c128 y) {
  const double pr = NV_SUB(NV_MUL(x.re, y.re), NV_MUL(x.im, y.im));
  const double pi = NV_ADD(NV_MUL(x.re, y.im), NV_MUL(x.im, y.re));
  return nv_c128(NV_ADD(acc.re, pr), NV_ADD(acc.im, pi));
}

// complex<f32> multiply-accumulate as the reference's dot_general computes it: each component
// product, the difference/sum and the accumulation rounded to float.
__device__ __forceinline__ double nv_round_f32(double x) { return (double)__double2float_rn(x); }
__device__ __forceinline__ nv_c128 nv_cmac_f32(nv_c128 acc, nv_c128 x, nv_c128 y) {
  const double pr = nv_round_f32(NV_SUB(nv_round_f32(NV_MUL(x.re, y.re)), nv_round_f32(NV_MUL(x.im, y.im))));
  const double pi = nv_round_f32(NV_ADD(nv_round_f32(NV_MUL(x.re, y.im)), nv_round_f32(NV_MUL(x.im, y.re))));
  return nv_c128(nv_round_f32(NV_ADD(acc.re, pr)), nv_round_f32(NV_ADD(acc.im, pi)));
}

__device__ __forceinline__ nv_c128 nv_conj(nv_c128 z) { return nv_c128(z.re, -z.im); }
__device__ __forceinline__ double nv_cabs(nv_c128 z) { return hypot(z.re, z.im); }

__device__ nv_c128 nv_cexp(nv_c128 z) {
  if (z.im == 0.0) return nv_c128(exp(z.re), z.im);
  if (nv_isinf(z.re) && z.re < 0.0 && !nv_isfinite(z.im)) return nv_c128(0.0, 0.0);
  const double e = exp(z.re);
  return nv_c128(NV_MUL(e, cos(z.im)), NV_MUL(e, sin(z.im)));
}
__device__ nv_c128 nv_cexpm1(nv_c128 z) {
  if (z.im == 0.0) return nv_c128(expm1(z.re), z.im);
  const double em1 = expm1(z.re);
  const double halfSin = sin(z.im / 2.0);
  const double cosm1 = NV_MUL(NV_MUL(-2.0, halfSin), halfSin);
  return nv_c128(NV_ADD(NV_MUL(em1, cos(z.im)), cosm1), NV_MUL(exp(z.re), sin(z.im)));
}
__device__ nv_c128 nv_clog(nv_c128 z) {
  const double ax = fabs(z.re), ay = fabs(z.im);
  const double big = ay > ax ? ay : ax, small = ay < ax ? ay : ax;
  const double angle = atan2(z.im, z.re);
  if (big > 0.5 && big < 2.0 && small < 1.0) {
    const double t = NV_ADD(NV_MUL(NV_SUB(big, 1.0), NV_ADD(big, 1.0)), NV_MUL(small, small));
    return nv_c128(NV_MUL(0.5, log1p(t)), angle);
  }
  return nv_c128(log(hypot(z.re, z.im)), angle);
}
__device__ nv_c128 nv_clog1p(nv_c128 z) {
  const double x = z.re, y = z.im;
  const double angle = atan2(y, NV_ADD(1.0, x));
  const double ax = fabs(x), ay = fabs(y);
  const double m = ay > ax ? ay : ax;
  if (m < 0.5) {
    const double t = NV_ADD(NV_ADD(NV_MUL(2.0, x), NV_MUL(x, x)), NV_MUL(y, y));
    return nv_c128(NV_MUL(0.5, log1p(t)), angle);
  }
  return nv_c128(nv_clog(nv_c128(NV_ADD(1.0, x), y)).re, angle);
}
__device__ nv_c128 nv_csqrt(nv_c128 z) {
  const double x = z.re, y = z.im;
  if (x == 0.0 && y == 0.0) return nv_c128(0.0, y);
  if (nv_isinf(y)) return nv_c128(NV_DINF, y);
  if (nv_isnan(x)) return nv_c128(NV_DNAN, NV_DNAN);
  if (nv_isinf(x)) {
    if (x > 0.0) return nv_c128(x, nv_isnan(y) ? y : copysign(0.0, y));
    return nv_c128(nv_isnan(y) ? NV_DNAN : 0.0, copysign(NV_DINF, y));
  }
  const double t = sqrt(NV_ADD(fabs(x), hypot(x, y)) / 2.0);
  if (x >= 0.0) return nv_c128(t, y / NV_MUL(2.0, t));
  return nv_c128(fabs(y) / NV_MUL(2.0, t), copysign(t, y));
}
__device__ __forceinline__ nv_c128 nv_crsqrt(nv_c128 z) { return nv_c128(1.0, 0.0) / nv_csqrt(z); }
__device__ nv_c128 nv_ccbrt(nv_c128 z) {
  const double theta = atan2(z.im, z.re) / 3.0;
  const double r = cbrt(hypot(z.re, z.im));
  return nv_c128(NV_MUL(r, cos(theta)), NV_MUL(r, sin(theta)));
}
__device__ nv_c128 nv_csin(nv_c128 z) { return nv_c128(NV_MUL(sin(z.re), cosh(z.im)), NV_MUL(cos(z.re), sinh(z.im))); }
__device__ nv_c128 nv_ccos(nv_c128 z) { return nv_c128(NV_MUL(cos(z.re), cosh(z.im)), NV_MUL(-sin(z.re), sinh(z.im))); }
__device__ nv_c128 nv_csinh(nv_c128 z) { return nv_c128(NV_MUL(sinh(z.re), cos(z.im)), NV_MUL(cosh(z.re), sin(z.im))); }
__device__ nv_c128 nv_ccosh(nv_c128 z) { return nv_c128(NV_MUL(cosh(z.re), cos(z.im)), NV_MUL(sinh(z.re), sin(z.im))); }
// tanh by Kahan's formula; saturates to ±1 for large |Re z|.
__device__ nv_c128 nv_ctanh(nv_c128 z) {
  const double x = z.re, y = z.im;
  if (nv_isnan(x)) return nv_c128(NV_DNAN, y == 0.0 ? y : NV_DNAN);
  if (!nv_isfinite(y)) {
    if (nv_isinf(x)) return nv_c128(copysign(1.0, x), copysign(0.0, y));
    return nv_c128(NV_DNAN, NV_DNAN);
  }
  if (fabs(x) > 22.0) {
    const double e = exp(NV_MUL(-2.0, fabs(x)));
    return nv_c128(copysign(1.0, x), NV_MUL(NV_MUL(NV_MUL(4.0, sin(y)), cos(y)), e));
  }
  const double t = tan(y);
  const double beta = NV_ADD(1.0, NV_MUL(t, t));
  const double s = sinh(x);
  const double rho = sqrt(NV_ADD(1.0, NV_MUL(s, s)));
  const double den = NV_ADD(1.0, NV_MUL(NV_MUL(beta, s), s));
  if (nv_isinf(t)) return nv_c128(rho / s, 1.0 / t);
  return nv_c128(NV_MUL(NV_MUL(beta, rho), s) / den, t / den);
}
__device__ __forceinline__ nv_c128 nv_ctan(nv_c128 z) {
  const nv_c128 r = nv_ctanh(nv_c128(-z.im, z.re));
  return nv_c128(r.im, -r.re);
}
__device__ nv_c128 nv_cpow(nv_c128 z, nv_c128 w) {
  if (w.re == 0.0 && w.im == 0.0) return nv_c128(1.0, 0.0);
  if (z.re == 0.0 && z.im == 0.0 && w.im == 0.0 && w.re > 0.0) return nv_c128(0.0, 0.0);
  return nv_cexp(w * nv_clog(z));
}
__device__ __forceinline__ nv_c128 nv_clogistic(nv_c128 z) {
  return nv_c128(1.0, 0.0) / (nv_c128(1.0, 0.0) + nv_cexp(-z));
}
__device__ nv_c128 nv_csign(nv_c128 z) {
  if (nv_cisnan(z)) return nv_c128(NV_DNAN, NV_DNAN);
  if (z.re == 0.0 && z.im == 0.0) return nv_c128(0.0, 0.0);
  const double m = hypot(z.re, z.im);
  if (nv_isinf(m)) {
    const double re = nv_isinf(z.re) ? copysign(1.0, z.re) : 0.0, im = nv_isinf(z.im) ? copysign(1.0, z.im) : 0.0;
    const double n = hypot(re, im);
    return nv_c128(re / n, im / n);
  }
  return nv_c128(z.re / m, z.im / m);
}
// atan2 as the spec's reference defines it: -i·log((x + i·y) / sqrt(x² + y²)).
__device__ nv_c128 nv_catan2(nv_c128 y, nv_c128 x) {
  const nv_c128 num = x + nv_c128(0.0, 1.0) * y;
  const nv_c128 den = nv_csqrt(x * x + y * y);
  const nv_c128 l = nv_clog(num / den);
  return nv_c128(l.im, -l.re);
}

// asin/acos by Hull, Fairgrieve and Tang, for x, y >= 0.
struct nv_carc { double realAsin, realAcos, imaginary; };
__device__ nv_carc nv_carc_parts(double x, double y) {
  const double r = hypot(NV_ADD(x, 1.0), y), s = hypot(NV_SUB(x, 1.0), y);
  const double a = NV_ADD(r, s) / 2.0;
  const double b = x / a;
  nv_carc p;
  if (b <= 0.6417) {
    p.realAsin = asin(b);
    p.realAcos = acos(b);
  } else if (x <= 1.0) {
    const double yy = NV_MUL(y, y);
    const double d = sqrt(NV_MUL(NV_MUL(0.5, NV_ADD(a, x)),
                                 NV_ADD(yy / NV_ADD(NV_ADD(r, x), 1.0), NV_ADD(s, NV_SUB(1.0, x)))));
    p.realAsin = atan(x / d);
    p.realAcos = atan(d / x);
  } else {
    const double apx = NV_ADD(a, x);
    const double d = NV_MUL(y, sqrt(NV_MUL(0.5, NV_ADD(apx / NV_ADD(NV_ADD(r, x), 1.0), apx / NV_ADD(s, NV_SUB(x, 1.0))))));
    p.realAsin = atan(x / d);
    p.realAcos = atan(d / x);
  }
  if (a <= 1.5) {
    const double yy = NV_MUL(y, y);
    const double am1 = x < 1.0
        ? NV_MUL(0.5, NV_ADD(yy / NV_ADD(NV_ADD(r, x), 1.0), yy / NV_ADD(s, NV_SUB(1.0, x))))
        : NV_MUL(0.5, NV_ADD(yy / NV_ADD(NV_ADD(r, x), 1.0), NV_ADD(s, NV_SUB(x, 1.0))));
    p.imaginary = log1p(NV_ADD(am1, sqrt(NV_MUL(am1, NV_ADD(a, 1.0)))));
  } else if (a > 1e150) {
    p.imaginary = NV_ADD(log(a), log(2.0));
  } else {
    p.imaginary = log(NV_ADD(a, sqrt(NV_SUB(NV_MUL(a, a), 1.0))));
  }
  if (y == 0.0 && x <= 1.0) p.imaginary = 0.0;
  return p;
}
__device__ nv_c128 nv_casin(nv_c128 z) {
  if (nv_cisnan(z)) return nv_c128(NV_DNAN, NV_DNAN);
  const nv_carc p = nv_carc_parts(fabs(z.re), fabs(z.im));
  return nv_c128(copysign(p.realAsin, z.re), copysign(p.imaginary, z.im));
}
__device__ nv_c128 nv_cacos(nv_c128 z) {
  if (nv_cisnan(z)) return nv_c128(NV_DNAN, NV_DNAN);
  const nv_carc p = nv_carc_parts(fabs(z.re), fabs(z.im));
  const double re = nv_signbit(z.re) ? NV_SUB(3.141592653589793, p.realAcos) : p.realAcos;
  return nv_c128(re, nv_signbit(z.im) ? p.imaginary : -p.imaginary);
}
__device__ __forceinline__ nv_c128 nv_casinh(nv_c128 z) {
  const nv_c128 w = nv_casin(nv_c128(-z.im, z.re));
  return nv_c128(w.im, -w.re);
}
__device__ __forceinline__ nv_c128 nv_cacosh(nv_c128 z) {
  const nv_c128 w = nv_cacos(z);
  return nv_c128(fabs(w.im), copysign(w.re, z.im));
}
// atanh = ¼·log1p(4x / ((1-x)² + y²)) + ½·i·atan2(2y, (1-x)(1+x) - y²).
__device__ nv_c128 nv_catanh(nv_c128 z) {
  const double x = z.re, y = z.im;
  if (nv_cisnan(z)) return nv_c128(NV_DNAN, NV_DNAN);
  const double ax = fabs(x), ay = fabs(y);
  if (ax > 1e150 || ay > 1e150) {
    const nv_c128 inv = nv_c128(1.0, 0.0) / z;
    return nv_c128(inv.re, copysign(1.5707963267948966, y));
  }
  const double oneMinus = NV_SUB(1.0, ax);
  const double re = NV_MUL(0.25, log1p(NV_MUL(4.0, ax) / NV_ADD(NV_MUL(oneMinus, oneMinus), NV_MUL(ay, ay))));
  const double im = NV_MUL(0.5, atan2(NV_MUL(2.0, ay), NV_SUB(NV_MUL(oneMinus, NV_ADD(1.0, ax)), NV_MUL(ay, ay))));
  return nv_c128(copysign(re, x), copysign(im, y));
}
__device__ __forceinline__ nv_c128 nv_catan(nv_c128 z) {
  const nv_c128 w = nv_catanh(nv_c128(-z.im, z.re));
  return nv_c128(w.im, -w.re);
}
#undef NV_MUL
#undef NV_ADD
#undef NV_SUB
#endif
"""#
}
