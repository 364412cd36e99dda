import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// Whole generated kernels for the narrow element types, run without a GPU and compared
/// with the reference interpreter: each program is lowered for the CUDA target, its kernels
/// (with the kernel prelude's two PTX conversions written as host C++) are compiled as
/// host C++ (`-ffp-contract=off`, one `std::thread` per CUDA thread where a kernel
/// synchronizes), launched in the executable's order on random inputs that include every
/// special value, and every output element must equal the reference's (NaNs only as NaNs).
/// Covers elementwise chains, conversions from and to f64/f32/integers, iota, compare and
/// select, the generated GEMM, data movement and sub-byte bitcasts. Skips (loudly) without a
/// C++20 compiler; `NVGPU_HOST_EMULATION=0` turns it off.
@Suite struct NarrowHostEmulationTests {
    static let shim = #"""
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <thread>
#include <barrier>
#include <vector>
#include <string>
#include <fstream>
#include <iterator>
struct dim3 { unsigned x, y, z; };
thread_local dim3 threadIdx, blockIdx;
dim3 gridDim, blockDim;
std::barrier<>* g_bar;
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) alignas(n)
inline void __syncthreads() { g_bar->arrive_and_wait(); }
inline float __int_as_float(int x) { float f; memcpy(&f, &x, 4); return f; }
inline int __float_as_int(float f) { int x; memcpy(&x, &f, 4); return x; }
inline float __uint_as_float(unsigned x) { float f; memcpy(&f, &x, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned x; memcpy(&x, &f, 4); return x; }
inline double __longlong_as_double(long long x) { double d; memcpy(&d, &x, 8); return d; }
inline long long __double_as_longlong(double d) { long long x; memcpy(&x, &d, 8); return x; }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __clzll(long long x) { return x == 0 ? 64 : __builtin_clzll((unsigned long long)x); }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
template <class T> inline T __shfl_xor_sync(unsigned, T v, int) { return v; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline float __expf(float x) { return expf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
// CUDA's erfinv (host libm has none): bisection on erf, enough for a start value.
inline double erfinv(double x) {
  if (x != x || x <= -1.0 || x >= 1.0) return x == 1.0 ? INFINITY : (x == -1.0 ? -INFINITY : NAN);
  double lo = -6.0, hi = 6.0;
  for (int i = 0; i < 200; ++i) { double mid = 0.5 * (lo + hi); if (erf(mid) < x) lo = mid; else hi = mid; }
  return 0.5 * (lo + hi);
}
struct AnyPtr { void* p; template <class T> operator T*() const { return (T*)p; } };
template <class F> void launch(dim3 grid, unsigned threads, bool sync, F f) {
  gridDim = grid; blockDim = {threads, 1, 1};
  for (unsigned z = 0; z < grid.z; ++z) for (unsigned y = 0; y < grid.y; ++y) for (unsigned x = 0; x < grid.x; ++x) {
    if (!sync) {
      for (unsigned t = 0; t < threads; ++t) { blockIdx = {x, y, z}; threadIdx = {t, 0, 0}; f(); }
      continue;
    }
    std::barrier<> bar(threads); g_bar = &bar;
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < threads; ++t) ts.emplace_back([&, x, y, z, t] { blockIdx = {x, y, z}; threadIdx = {t, 0, 0}; f(); });
    for (auto& th : ts) th.join();
  }
}
static std::vector<unsigned char> readFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary); return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}
static void writeFile(const std::string& p, const std::vector<unsigned char>& b, size_t n) {
  FILE* f = fopen(p.c_str(), "wb"); if (f) { fwrite(b.data(), 1, n, f); fclose(f); }
}
"""#

    /// The kernel prelude with its PTX f16 conversions as host C++ (bf16 takes the portable
    /// branch without `__CUDA_ARCH__`).
    static func hostPrelude() throws -> String {
        let replacements = [
            (#"  float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h)); return f;"#,
             "  _Float16 x; memcpy(&x, &h, 2); return (float)x;"),
            (#"  unsigned short h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f)); return h;"#,
             "  _Float16 x = (_Float16)f; unsigned short h; memcpy(&h, &x, 2); return h;"),
        ]
        var text = KernelPrelude.source
        for (ptx, host) in replacements {
            try #require(text.contains(ptx), "the kernel prelude's f16 conversion changed; update the host emulation")
            text = text.replacingOccurrences(of: ptx, with: host)
        }
        return text
    }

    struct Case { var name: String, text: String, inputs: [Tensor] }

    /// A deterministic generator.
    struct Bits {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 16
        }
    }

    static let floatFormats = FloatFormat.allCases.filter(NarrowPrelude.isNarrow)
    static let n = 64

    /// Every byte pattern's value (so NaN, inf, zeros, subnormals and the extremes occur).
    static func patterns(_ format: FloatFormat, _ bits: inout Bits) -> Tensor {
        let values = (0..<n).map { _ in format.decode(bits.next() & 0xFF) }
        return Tensor(type: TensorType(shape: [n], elementType: .float(format)), storage: .floats(values))
    }

    /// Doubles next to the format's values: midpoints of neighbours (ties), a hair either
    /// side, and values beyond the range.
    static func nearValues(_ format: FloatFormat, _ bits: inout Bits, single: Bool) -> Tensor {
        let finite = Set((0..<256).map { format.decode(UInt64($0)) }.filter(\.isFinite)).sorted()
        let values = (0..<n).map { _ -> Double in
            let i = Int(bits.next() % UInt64(finite.count - 1))
            let mid = (finite[i] + finite[i + 1]) / 2
            let x: Double = switch bits.next() % 5 {
            case 0: mid
            case 1: mid.nextUp
            case 2: mid.nextDown
            case 3: finite[i] * 3
            default: -mid
            }
            return single ? Double(Float(x)) : x
        }
        return Tensor(type: TensorType(shape: [n], elementType: .float(single ? .f32 : .f64)), storage: .floats(values))
    }

    static func ints(_ type: ElementType, _ bits: inout Bits, range: ClosedRange<Int64>) -> Tensor {
        let span = UInt64(range.upperBound - range.lowerBound + 1)
        let values = (0..<n).map { _ in Tensor.normalize(UInt64(bitPattern: range.lowerBound + Int64(bits.next() % span)), type) }
        return Tensor(type: TensorType(shape: [n], elementType: type), storage: .ints(values))
    }

    /// Math ops computed in double and rounded once, as the reference does (the host libm
    /// is the reference's, so these match exactly here).
    static let math: [(name: String, op: String, binary: Bool)] = [
        ("exp", "stablehlo.exponential", false), ("log", "stablehlo.log", false), ("tanh", "stablehlo.tanh", false),
        ("logistic", "stablehlo.logistic", false), ("sine", "stablehlo.sine", false), ("cbrt", "stablehlo.cbrt", false),
        ("rne", "stablehlo.round_nearest_even", false), ("afz", "stablehlo.round_nearest_afz", false),
        ("pow", "stablehlo.power", true), ("atan2", "stablehlo.atan2", true), ("rem", "stablehlo.remainder", true),
        ("erf", "chlo.erf", false), ("cosh", "chlo.cosh", false), ("asinh", "chlo.asinh", false),
    ]

    static func floatProgram(_ t: String) -> String {
        let v = "tensor<\(n)x\(t)>"
        return """
        func.func @main(%x: \(v), %y: \(v), %d: tensor<\(n)xf64>, %f: tensor<\(n)xf32>, %i: tensor<\(n)xi32>)
            -> (\(v), \(v), \(v), \(v), \(v), \(v), \(v), \(v), tensor<\(n)xf32>, tensor<\(n)xi8>, tensor<\(n)xi32>, \(v), \(v)\(String(repeating: ", \(v)", count: math.count))) {
          %a = stablehlo.add %x, %y : \(v)
          %s = stablehlo.subtract %x, %y : \(v)
          %m = stablehlo.multiply %a, %s : \(v)
          %q = stablehlo.divide %x, %y : \(v)
          %mx = stablehlo.maximum %m, %q : \(v)
          %ng = stablehlo.negate %mx : \(v)
          %ab = stablehlo.abs %ng : \(v)
          %sq = stablehlo.sqrt %y : \(v)
          %mn = stablehlo.minimum %ab, %sq : \(v)
          %cd = stablehlo.convert %d : (tensor<\(n)xf64>) -> \(v)
          %cf = stablehlo.convert %f : (tensor<\(n)xf32>) -> \(v)
          %ci = stablehlo.convert %i : (tensor<\(n)xi32>) -> \(v)
          %p = stablehlo.compare LT, %x, %y : (\(v), \(v)) -> tensor<\(n)xi1>
          %sel = stablehlo.select %p, %cd, %cf : tensor<\(n)xi1>, \(v)
          %io = stablehlo.iota dim = 0 : \(v)
          %r = stablehlo.add %sel, %io : \(v)
          %o1 = stablehlo.convert %x : (\(v)) -> tensor<\(n)xf32>
          %o2 = stablehlo.convert %y : (\(v)) -> tensor<\(n)xi8>
          %o3 = stablehlo.convert %q : (\(v)) -> tensor<\(n)xi32>
          %rp = stablehlo.reduce_precision %x, format = e2m1 : \(v)
          %na = chlo.next_after %x, %y : \(v), \(v) -> \(v)
        \(math.map { "  %\($0.name) = \($0.op) %x\($0.binary ? ", %y" : "") : \(v)\($0.op.hasPrefix("chlo") ? " -> \(v)" : "")" }.joined(separator: "\n"))
          return %mn, %cd, %cf, %ci, %r, %q, %m, %io, %o1, %o2, %o3, %rp, %na\(math.map { ", %" + $0.name }.joined()) : \(v), \(v), \(v), \(v), \(v), \(v), \(v), \(v), tensor<\(n)xf32>, tensor<\(n)xi8>, tensor<\(n)xi32>, \(v), \(v)\(String(repeating: ", \(v)", count: math.count))
        }
        """
    }

    static func integerProgram(_ t: String, signed: Bool) -> String {
        let v = "tensor<\(n)x\(t)>"
        let binary = ["add", "subtract", "multiply", "divide", "remainder", "shift_left", "shift_right_logical",
                      "shift_right_arithmetic", "and", "or", "xor", "maximum", "minimum", "power"]
        let unary = ["not", "popcnt", "count_leading_zeros", "negate"] + (signed ? ["abs", "sign"] : [])
        var lines = binary.map { "  %\($0) = stablehlo.\($0) %x, %y : \(v)" } + unary.map { "  %\($0) = stablehlo.\($0) %x : \(v)" }
        lines += [
            "  %p = stablehlo.compare LT, %x, %y : (\(v), \(v)) -> tensor<\(n)xi1>",
            "  %sel = stablehlo.select %p, %add, %multiply : tensor<\(n)xi1>, \(v)",
            "  %cf = stablehlo.convert %f : (tensor<\(n)xf32>) -> \(v)",
            "  %ci = stablehlo.convert %i : (tensor<\(n)xi32>) -> \(v)",
            "  %io = stablehlo.iota dim = 0 : \(v)",
            "  %w = stablehlo.convert %x : (\(v)) -> tensor<\(n)xi32>",
            "  %fl = stablehlo.convert %x : (\(v)) -> tensor<\(n)xf8E4M3FN>",
        ]
        let results = binary + unary + ["sel", "cf", "ci", "io"]
        let types = Array(repeating: v, count: results.count) + ["tensor<\(n)xi32>", "tensor<\(n)xf8E4M3FN>"]
        return """
        func.func @main(%x: \(v), %y: \(v), %f: tensor<\(n)xf32>, %i: tensor<\(n)xi32>) -> (\(types.joined(separator: ", "))) {
        \(lines.joined(separator: "\n"))
          return \((results + ["w", "fl"]).map { "%\($0)" }.joined(separator: ", ")) : \(types.joined(separator: ", "))
        }
        """
    }

    /// Transpose, concatenate, pad, slice, reverse and the generated GEMM.
    static func movementProgram(_ t: String, padding: String) -> String {
        """
        func.func @main(%x: tensor<4x6x\(t)>, %y: tensor<6x4x\(t)>) -> (tensor<8x6x\(t)>, tensor<4x4x\(t)>) {
          %0 = stablehlo.transpose %y, dims = [1, 0] : (tensor<6x4x\(t)>) -> tensor<4x6x\(t)>
          %1 = stablehlo.concatenate %x, %0, dim = 0 : (tensor<4x6x\(t)>, tensor<4x6x\(t)>) -> tensor<8x6x\(t)>
          %z = stablehlo.constant dense<\(padding)> : tensor<\(t)>
          %2 = stablehlo.pad %1, %z, low = [1, 0], high = [1, 2], interior = [0, 0] : (tensor<8x6x\(t)>, tensor<\(t)>) -> tensor<10x8x\(t)>
          %3 = stablehlo.slice %2 [1:9, 1:7] : (tensor<10x8x\(t)>) -> tensor<8x6x\(t)>
          %4 = stablehlo.reverse %3, dims = [1] : tensor<8x6x\(t)>
          %5 = stablehlo.dot_general %x, %y, contracting_dims = [1] x [0] : (tensor<4x6x\(t)>, tensor<6x4x\(t)>) -> tensor<4x4x\(t)>
          return %4, %5 : tensor<8x6x\(t)>, tensor<4x4x\(t)>
        }
        """
    }

    /// A convolution with padding, strides, lhs/rhs dilation, window reversal and two
    /// feature groups.
    static func convolutionProgram(_ t: String) -> String {
        """
        func.func @main(%x: tensor<2x4x7x6x\(t)>, %w: tensor<4x2x3x2x\(t)>) -> tensor<2x4x7x5x\(t)> {
          %0 = stablehlo.convolution(%x, %w) dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], window = {stride = [2, 1], pad = [[1, 2], [0, 1]], lhs_dilate = [2, 1], rhs_dilate = [1, 2], reverse = [true, false]} {batch_group_count = 1 : i64, feature_group_count = 2 : i64} : (tensor<2x4x7x6x\(t)>, tensor<4x2x3x2x\(t)>) -> tensor<2x4x7x5x\(t)>
          return %0 : tensor<2x4x7x5x\(t)>
        }
        """
    }

    /// Sums and products along rows and over everything, and a window sum: the reference
    /// folds these in order, rounding every step.
    static func reductionProgram(_ t: String) -> String {
        let one = t.hasPrefix("ui") ? "1" : "1.0", zero = t == "f8E8M0FNU" ? "1.0" : (t.hasPrefix("ui") ? "0" : "0.0")
        return """
        func.func @main(%x: tensor<6x40x\(t)>) -> (tensor<6x\(t)>, tensor<40x\(t)>, tensor<\(t)>, tensor<6x\(t)>, tensor<5x38x\(t)>) {
          %z = stablehlo.constant dense<\(zero)> : tensor<\(t)>
          %o = stablehlo.constant dense<\(one)> : tensor<\(t)>
          %0 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [1] : (tensor<6x40x\(t)>, tensor<\(t)>) -> tensor<6x\(t)>
          %1 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [0] : (tensor<6x40x\(t)>, tensor<\(t)>) -> tensor<40x\(t)>
          %2 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [0, 1] : (tensor<6x40x\(t)>, tensor<\(t)>) -> tensor<\(t)>
          %3 = stablehlo.reduce(%x init: %o) applies stablehlo.multiply across dimensions = [1] : (tensor<6x40x\(t)>, tensor<\(t)>) -> tensor<6x\(t)>
          %4 = "stablehlo.reduce_window"(%x, %z) <{window_dimensions = array<i64: 2, 3>}> ({
          ^bb0(%a: tensor<\(t)>, %b: tensor<\(t)>):
            %s = stablehlo.add %a, %b : tensor<\(t)>
            stablehlo.return %s : tensor<\(t)>
          }) : (tensor<6x40x\(t)>, tensor<\(t)>) -> tensor<5x38x\(t)>
          return %0, %1, %2, %3, %4 : tensor<6x\(t)>, tensor<40x\(t)>, tensor<\(t)>, tensor<6x\(t)>, tensor<5x38x\(t)>
        }
        """
    }

    static let bitcastProgram = """
        func.func @main(%a: tensor<16xi8>, %b: tensor<16x2xui4>, %c: tensor<16xf8E4M3FN>, %d: tensor<16x4xi2>, %e: tensor<16xi4>)
            -> (tensor<16x2xi4>, tensor<16xui8>, tensor<16x2xf4E2M1FN>, tensor<16xi8>, tensor<16xui4>, tensor<16xf8E5M2>) {
          %0 = stablehlo.bitcast_convert %a : (tensor<16xi8>) -> tensor<16x2xi4>
          %1 = stablehlo.bitcast_convert %b : (tensor<16x2xui4>) -> tensor<16xui8>
          %2 = stablehlo.bitcast_convert %c : (tensor<16xf8E4M3FN>) -> tensor<16x2xf4E2M1FN>
          %3 = stablehlo.bitcast_convert %d : (tensor<16x4xi2>) -> tensor<16xi8>
          %4 = stablehlo.bitcast_convert %e : (tensor<16xi4>) -> tensor<16xui4>
          %5 = stablehlo.bitcast_convert %a : (tensor<16xi8>) -> tensor<16xf8E5M2>
          return %0, %1, %2, %3, %4, %5 : tensor<16x2xi4>, tensor<16xui8>, tensor<16x2xf4E2M1FN>, tensor<16xi8>, tensor<16xui4>, tensor<16xf8E5M2>
        }
        """

    static func cases() throws -> [Case] {
        var bits = Bits(state: 2024)
        var cases: [Case] = []
        for format in floatFormats {
            let i32 = ints(.si(32), &bits, range: -600...600)
            cases.append(Case(name: "float_\(format.rawValue)", text: floatProgram(format.rawValue), inputs: [
                patterns(format, &bits), patterns(format, &bits), nearValues(format, &bits, single: false),
                nearValues(format, &bits, single: true), i32,
            ]))
        }
        for (t, type) in [("i2", ElementType.si(2)), ("i4", .si(4)), ("ui2", .ui(2)), ("ui4", .ui(4))] {
            let range: ClosedRange<Int64> = type.isUnsigned ? 0...Int64((1 << type.bitWidth) - 1)
                : -Int64(1 << (type.bitWidth - 1))...Int64((1 << (type.bitWidth - 1)) - 1)
            let f = Tensor(type: TensorType(shape: [n], elementType: .float(.f32)),
                           storage: .floats((0..<n).map { _ in Double(Float(Double(Int64(bits.next() % 4001) - 2000) / 97)) }))
            cases.append(Case(name: "int_\(t)", text: integerProgram(t, signed: !type.isUnsigned), inputs: [
                ints(type, &bits, range: range), ints(type, &bits, range: range), f, ints(.si(32), &bits, range: -40...40),
            ]))
        }
        // Narrow float sums and products fold in one thread (integer reductions use warp
        // shuffles, which this emulation does not model).
        for t in ["f8E4M3FN", "f8E5M2", "f6E3M2FN", "f8E8M0FNU"] {
            let text = reductionProgram(t)
            let function = try #require(try Module.parse(text, file: "reduce.mlir").functions.first)
            let inputs = function.inputTypes.compactMap { $0.tensorType }.map { type -> Tensor in
                if case .float(let format) = type.elementType {
                    let values = (0..<type.elementCount).map { _ in
                        format == .f8E8M0FNU ? format.decode(120 + bits.next() % 12) : format.round(Double(Int64(bits.next() % 13) - 4) / 4)
                    }
                    return Tensor(type: type, storage: .floats(values))
                }
                return Tensor(type: type, storage: .ints((0..<type.elementCount).map { _ in Int64(bits.next() % 16) }))
            }
            cases.append(Case(name: "reduce_\(t)", text: text, inputs: inputs))
        }
        for t in ["f8E4M3FN", "f8E5M2", "f4E2M1FN", "f8E3M4", "i4"] {
            let text = convolutionProgram(t)
            let function = try #require(try Module.parse(text, file: "conv.mlir").functions.first)
            let inputs = function.inputTypes.compactMap { $0.tensorType }.map { type -> Tensor in
                if case .float(let format) = type.elementType {
                    return Tensor(type: type, storage: .floats((0..<type.elementCount).map { _ in
                        format.round(Double(Int64(bits.next() % 13) - 6) / 4)
                    }))
                }
                return Tensor(type: type, storage: .ints((0..<type.elementCount).map { _ in Int64(bits.next() % 7) - 3 }))
            }
            cases.append(Case(name: "conv_\(t)", text: text, inputs: inputs))
        }
        for (t, padding) in [("i4", "-3"), ("ui2", "1"), ("f8E4M3FN", "0.5"), ("f4E2M1FN", "-1.5"), ("f8E8M0FNU", "1.0"), ("f8E5M2", "2.0")] {
            let module = try Module.parse(movementProgram(t, padding: padding), file: "movement.mlir")
            let function = try #require(module.functions.first)
            let types = function.inputTypes.compactMap { $0.tensorType }
            let inputs = types.map { type -> Tensor in
                let count = type.elementCount
                if case .float(let format) = type.elementType {
                    // Small values, so that GEMM sums stay finite and meaningful.
                    let values = (0..<count).map { _ in format.round(Double(Int64(bits.next() % 17) - 8) / 4) }
                    return Tensor(type: type, storage: .floats(values))
                }
                let w = type.elementType.bitWidth
                return Tensor(type: type, storage: .ints((0..<count).map { _ in
                    Tensor.normalize(bits.next() & ((1 << UInt64(w)) - 1), type.elementType)
                }))
            }
            cases.append(Case(name: "movement_\(t)", text: movementProgram(t, padding: padding), inputs: inputs))
        }
        for (t, compareType) in [("i4", ""), ("ui2", ""), ("f8E4M3FN", "TOTALORDER"), ("f8E5M2", ""), ("f4E2M1FN", "TOTALORDER")] {
            let text = SortKernelTests.sort(t, shape: "4x16", dimension: 1, compareType: compareType)
            let module = try Module.parse(text, file: "sort.mlir")
            let function = try #require(module.functions.first)
            let type = try #require(function.inputTypes.first?.tensorType)
            let input: Tensor
            if case .float(let format) = type.elementType {
                input = Tensor(type: type, storage: .floats((0..<type.elementCount).map { _ in format.decode(bits.next() & 0xFF) }))
            } else {
                input = Tensor(type: type, storage: .ints((0..<type.elementCount).map { _ in Tensor.normalize(bits.next(), type.elementType) }))
            }
            cases.append(Case(name: "sort_\(t)", text: text, inputs: [input]))
        }
        let module = try Module.parse(bitcastProgram, file: "bitcast.mlir")
        let function = try #require(module.functions.first)
            let types = function.inputTypes.compactMap { $0.tensorType }
        cases.append(Case(name: "bitcast", text: bitcastProgram, inputs: types.map { type in
            if case .float(let format) = type.elementType {
                return Tensor(type: type, storage: .floats((0..<type.elementCount).map { _ in format.decode(bits.next() & 0xFF) }))
            }
            return Tensor(type: type, storage: .ints((0..<type.elementCount).map { _ in
                Tensor.normalize(bits.next(), type.elementType)
            }))
        }))
        return cases
    }
}

extension NarrowHostEmulationTests {
    /// C++ for case `index`: its kernels in namespaces and `void case<index>()`, which runs
    /// the launches and writes every output buffer to `directory`.
    static func program(_ c: Case, index: Int, directory: URL) throws -> (cpp: String, executable: Executable) {
        let (e, _) = try TestPrograms.lower(c.text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(c.name): \(TestPrograms.hostSteps(e).map(\.reason))")
        let path = { (file: String) in directory.appendingPathComponent("\(index)_\(file)").path }
        var cpp = ""
        for (k, kernel) in e.kernels.enumerated() {
            cpp += "namespace c\(index)k\(k) {\n\(kernel.source.replacingOccurrences(of: "extern \"C\" ", with: ""))\n}\n"
        }
        cpp += "void case\(index)() {\n  std::vector<std::vector<unsigned char>> B(\(e.buffers.count));\n"
        for (i, b) in e.buffers.enumerated() { cpp += "  B[\(i)].assign(\(max(16, b.byteSize)), 0xAB);\n" }
        for (k, constant) in e.constants.enumerated() {
            try constant.bytes.write(to: URL(fileURLWithPath: path("const\(k)")))
            cpp += "  { auto v = readFile(\"\(path("const\(k)"))\"); std::copy(v.begin(), v.end(), B[\(constant.buffer)].begin()); }\n"
        }
        for (k, i) in e.inputs.enumerated() {
            try Data(c.inputs[k].hostTensor.bytes).write(to: URL(fileURLWithPath: path("in\(k)")))
            cpp += "  { auto v = readFile(\"\(path("in\(k)"))\"); std::copy(v.begin(), v.end(), B[\(i)].begin()); }\n"
        }
        for step in e.steps {
            guard case .launch(let launch) = step else {
                Issue.record("\(c.name): a step other than a launch: \(step)")
                continue
            }
            let kernel = e.kernels[launch.kernel]
            let arguments = launch.arguments.map { a -> String in
                switch a {
                case .buffer(let b): return "AnyPtr{B[\(b)].data()}"
                case .int64(let v): return "(long long)\(v)"
                case .int32(let v): return "(int)\(v)"
                case .float32(let v): return "__uint_as_float(\(v.bitPattern)u)"
                }
            }
            let grid = launch.grid + Array(repeating: 1, count: max(0, 3 - launch.grid.count))
            cpp += "  launch(dim3{\(grid[0]), \(grid[1]), \(grid[2])}, \(launch.block[0]), \(kernel.source.contains("__syncthreads")), [&] { "
                + "c\(index)k\(launch.kernel)::\(kernel.entryPoint)(\(arguments.joined(separator: ", "))); });\n"
        }
        for (k, o) in e.outputs.enumerated() {
            cpp += "  writeFile(\"\(path("out\(k)"))\", B[\(o)], \(e.buffers[o].byteSize));\n"
        }
        cpp += "}\n"
        return (cpp, e)
    }

    /// Elements of `got` (device bytes) that differ from the reference's `want`: equal bits,
    /// or both NaN for floats; integers compared at their width.
    static func mismatches(_ got: [UInt8], _ want: Tensor) -> [String] {
        let type = want.elementType, size = type.storageBytes
        let expected = want.hostTensor.bytes
        guard got.count >= expected.count else { return ["\(got.count) bytes, expected \(expected.count)"] }
        var out: [String] = []
        for i in 0..<want.elementCount {
            var g: UInt64 = 0, w: UInt64 = 0
            for b in 0..<size {
                g |= UInt64(got[i * size + b]) << UInt64(8 * b)
                w |= UInt64(expected[i * size + b]) << UInt64(8 * b)
            }
            switch type {
            case .float(let format):
                let gv = format.decode(g), wv = format.decode(w)
                if gv.isNaN && wv.isNaN { continue }
                if g != w && !(gv == wv && gv.sign == wv.sign) { out.append("[\(i)] \(gv) (0x\(String(g, radix: 16))), expected \(wv) (0x\(String(w, radix: 16)))") }
            default:
                if Tensor.normalize(g, type) != Tensor.normalize(w, type) {
                    out.append("[\(i)] \(Tensor.normalize(g, type)), expected \(Tensor.normalize(w, type))")
                }
            }
        }
        return out
    }

    @Test func narrowKernelsMatchTheReference() throws {
        let setting = ProcessInfo.processInfo.environment["NVGPU_HOST_EMULATION"]
        guard setting != "0" else { return }
        guard let cxx = LinalgHostEmulationTests.compiler() else {
            if setting == "1" { Issue.record("no C++ compiler for the host emulation (set CXX)") }
            print("SKIPPED: no C++ compiler (set CXX) to run the narrow-type kernels as host C++")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-narrow-emulation-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = try Self.cases()
        var cpp = Self.shim + "\n" + (try Self.hostPrelude()) + "\n" + NarrowPrelude.source + "\n"
        var lowered: [(Case, Executable)] = []
        for (i, c) in cases.enumerated() {
            let (code, e) = try Self.program(c, index: i, directory: directory)
            cpp += code
            lowered.append((c, e))
        }
        cpp += "int main() {\n" + cases.indices.map { "  case\($0)();\n" }.joined() + "  return 0;\n}\n"
        let source = directory.appendingPathComponent("narrow.cpp").path, binary = directory.appendingPathComponent("narrow").path
        try cpp.write(toFile: source, atomically: true, encoding: .utf8)
        let (built, log) = try LinalgHostEmulationTests.run(cxx, ["-std=c++20", "-O1", "-ffp-contract=off", "-w", "-pthread",
                                                                  source, "-o", binary, "-lm"])
        try #require(built == 0, "host build failed: \(log.prefix(4000))")
        let (status, output) = try LinalgHostEmulationTests.run(binary, [])
        try #require(status == 0, "\(output.prefix(2000))")
        for (i, (c, e)) in lowered.enumerated() {
            let module = try Module.parse(c.text, file: "\(c.name).mlir")
            let expected = try Interpreter(module: module).run("main", inputs: c.inputs)
            for k in e.outputs.indices {
                let got = [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(i)_out\(k)")))
                let bad = Self.mismatches(got, expected[k])
                #expect(bad.isEmpty, "\(c.name) result \(k) (\(expected[k].elementType)): \(bad.count) differ: \(bad.prefix(6))")
            }
        }
    }
}
