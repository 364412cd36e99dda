import StableHLO

/// How the linear-algebra and FFT kernels read and write one element type: every value is
/// widened to a pair of `double`s (real types get a `+0.0` imaginary part) and computed
/// with the reference interpreter's complex `Double` arithmetic (`LinearAlgebra.Scalar`,
/// `FFT`), then rounded to the element type once.
///
/// Complex tensors are read as their interleaved components (`float` or `double` pairs),
/// so these kernels need no complex `KernelElementType`.
struct WideElement: Hashable, Sendable {
    var elementType: ElementType
    /// The format of one real component.
    var format: FloatFormat
    var isComplex: Bool

    /// The element types these kernels read and write: f64, f32, bf16, f16 and
    /// complex<f32>/complex<f64>; nil for the others.
    init?(_ elementType: ElementType) {
        self.elementType = elementType
        switch elementType {
        case .float(let f) where [.f64, .f32, .bf16, .f16].contains(f): (format, isComplex) = (f, false)
        case .complex(let f) where f == .f32 || f == .f64: (format, isComplex) = (f, true)
        default: return nil
        }
    }

    /// The element type of `v`, or an error naming the op and type.
    static func of(_ v: Value, in op: Operation) throws -> WideElement {
        guard let t = v.type.tensorType, t.isStatic else {
            throw CodeGenError("\(op.name) needs static shapes, got \(v.type)", at: op.location)
        }
        guard let element = WideElement(t.elementType) else {
            throw CodeGenError("\(op.name) on \(v.type): only f64, f32, bf16, f16, complex<f32> and complex<f64> have kernels",
                               at: op.location)
        }
        return element
    }

    /// The C type of one stored component.
    var componentStorage: String {
        switch format {
        case .f64: return "double"
        case .f32: return "float"
        default: return "unsigned short"
        }
    }

    /// A pointer parameter named `name` to tensors of this type.
    func parameter(_ name: String, constant: Bool) -> String {
        "\(constant ? "const " : "")\(componentStorage)* __restrict__ \(name)"
    }

    /// One stored component (an lvalue expression) as a `double`, exactly.
    private func loadComponent(_ stored: String) -> String {
        switch format {
        case .f64: return stored
        case .f32: return "(double)\(stored)"
        case .bf16: return "(double)nv_bf16_to_float(\(stored))"
        default: return "(double)nv_f16_to_float(\(stored))"
        }
    }

    /// A `double` rounded once to the component format (ties to even), as stored bits.
    private func storeComponent(_ value: String) -> String {
        switch format {
        case .f64: return value
        case .f32: return "__double2float_rn(\(value))"
        case .bf16: return "nv_float_to_bf16(nv_wide_to_float_odd(\(value)))"
        default: return "nv_float_to_f16(nv_wide_to_float_odd(\(value)))"
        }
    }

    /// An `nv_wc` expression reading element `index` of `pointer`.
    func load(_ pointer: String, _ index: String) -> String {
        if isComplex {
            return "nv_wc_make(\(loadComponent("\(pointer)[2 * (\(index))]")), \(loadComponent("\(pointer)[2 * (\(index)) + 1]")))"
        }
        return "nv_wc_make(\(loadComponent("\(pointer)[\(index)]")), 0.0)"
    }

    /// Statements storing the `nv_wc` value `value` (a name) as element `index` of
    /// `pointer`: real types keep the real part.
    func store(_ value: String, to pointer: String, _ index: String) -> String {
        if isComplex {
            return "\(pointer)[2 * (\(index))] = \(storeComponent("\(value).re")); \(pointer)[2 * (\(index)) + 1] = \(storeComponent("\(value).im"));"
        }
        return "\(pointer)[\(index)] = \(storeComponent("\(value).re"));"
    }

    /// The device helpers: `nv_wc` (a complex `double`) and the reference's `Scalar`
    /// operations on it, each rounding once per IEEE operation and never contracted into
    /// fused multiply-adds (kernels compile with `--fmad=true`), so the GPU repeats the
    /// reference's arithmetic operation for operation; and the round-to-odd `double` →
    /// `float` step that makes `double` → bf16/f16 one correctly rounded conversion.
    static let helpers = #"""
#ifndef NV_WIDE_COMPLEX
#define NV_WIDE_COMPLEX
struct nv_wc { double re, im; };
__device__ __forceinline__ nv_wc nv_wc_make(double re, double im) { nv_wc r; r.re = re; r.im = im; return r; }
__device__ __forceinline__ nv_wc nv_wc_conj(nv_wc a) { return nv_wc_make(a.re, -a.im); }
__device__ __forceinline__ nv_wc nv_wc_sub(nv_wc a, nv_wc b) { return nv_wc_make(__dsub_rn(a.re, b.re), __dsub_rn(a.im, b.im)); }
// LinearAlgebra.Scalar's *: (a.re*b.re - a.im*b.im, a.re*b.im + a.im*b.re).
__device__ __forceinline__ nv_wc nv_wc_mul(nv_wc a, nv_wc b) {
  return nv_wc_make(__dsub_rn(__dmul_rn(a.re, b.re), __dmul_rn(a.im, b.im)),
                    __dadd_rn(__dmul_rn(a.re, b.im), __dmul_rn(a.im, b.re)));
}
// LinearAlgebra.Scalar's /: d = |b|^2, ((a.re*b.re + a.im*b.im)/d, (a.im*b.re - a.re*b.im)/d).
__device__ __forceinline__ nv_wc nv_wc_div(nv_wc a, nv_wc b) {
  const double d = __dadd_rn(__dmul_rn(b.re, b.re), __dmul_rn(b.im, b.im));
  return nv_wc_make(__ddiv_rn(__dadd_rn(__dmul_rn(a.re, b.re), __dmul_rn(a.im, b.im)), d),
                    __ddiv_rn(__dsub_rn(__dmul_rn(a.im, b.re), __dmul_rn(a.re, b.im)), d));
}
// d rounded toward zero to float, with the lowest bit set when inexact (round to odd):
// rounding that to bf16/f16 (ties to even) equals rounding d directly.
__device__ __forceinline__ float nv_wide_to_float_odd(double d) {
  if (d != d) return (float)d;
  float f = __double2float_rz(d);
  if ((double)f != d) f = __uint_as_float(__float_as_uint(f) | 1u);
  return f;
}
#endif
"""#
}

/// Reading the attributes of the linear-algebra and FFT ops, as the reference does.
enum WideAttributes {
    /// Boolean attribute `name` (a unit attribute is true), or `fallback` when absent.
    static func bool(_ op: Operation, _ name: String, default fallback: Bool) throws -> Bool {
        guard let a = op[attribute: name] else { return fallback }
        if case .unit = a { return true }
        guard let v = a.intValue else {
            throw CodeGenError("\(op.name) attribute '\(name)' is not a boolean", at: op.location)
        }
        return v != 0
    }

    /// The case name of enum attribute `name` (`#stablehlo<fft_type FFT>` → `FFT`).
    static func enumCase(_ op: Operation, _ name: String) throws -> String? {
        switch op[attribute: name] {
        case nil: return nil
        case .enumCase(_, _, let value)?: return value
        case .string(let s)?: return s
        default: throw CodeGenError("\(op.name) attribute '\(name)' is not an enum", at: op.location)
        }
    }

    /// The kernel unit: the prelude, the `nv_wc` helpers, `globals`, then `function`.
    static func unit(globals: [String], function: [String]) -> String {
        KernelSource.unit(globals: [WideElement.helpers] + globals, function: function)
    }

    /// One kernel of `DedicatedKernels.block` threads per block: `globals`, the header,
    /// a grid-stride loop over `count` elements named `o` around `body`.
    static func loopKernel(name: String, comment: String, parameters: [String], bindings: [GeneratedKernel.Binding],
                           count: Int, globals: [String], body: [String], operation: Operation) -> GeneratedKernel {
        let block = DedicatedKernels.block
        let header = KernelSource.header(name: name, parameters: parameters, block: block,
                                         indexType: "long long", comment: comment)
        let loop = ["  for (idx_t o = (idx_t)blockIdx.x * \(block) + (idx_t)threadIdx.x; o < (idx_t)\(count); o += (idx_t)gridDim.x * \(block)) {"]
            + body + ["  }"]
        return GeneratedKernel(
            name: name, source: unit(globals: globals, function: header + loop),
            grid: [DedicatedKernels.blocks(for: count), 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: bindings, operationNames: [operation.name])
    }
}
