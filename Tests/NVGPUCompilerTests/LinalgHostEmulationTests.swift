import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// The triangular_solve, cholesky and fft kernels checked bit for bit against the reference
/// interpreter without a GPU: the generated sources (less the PTX prelude) are compiled as
/// host C++ with the CUDA built-ins they use written as plain IEEE operations
/// (`-ffp-contract=off`), one `std::thread` per CUDA thread (blocks of x × y threads),
/// a `std::barrier` for `__syncthreads` and function-static arrays for `__shared__` ones
/// (blocks run one after another), run on random inputs, and every output element is compared with the
/// reference's bits. Needs a C++20 compiler (`CXX`, else `g++` or `clang++` on `PATH`):
/// skipped loudly without one unless `NVGPU_HOST_EMULATION=1` requires it;
/// `NVGPU_HOST_EMULATION=0` turns the test off (about 25 s on the 2-core machine).
@Suite struct LinalgHostEmulationTests {
    /// CUDA built-ins and prelude functions the kernels use, on the host.
    static let shim = #"""
#include <cmath>
#include <cstring>
#include <cstdio>
#include <thread>
#include <barrier>
#include <vector>
#include <string>
#include <fstream>
#include <iterator>
using std::cos; using std::sin;
struct dim3 { unsigned x, y, z; };
thread_local dim3 threadIdx, blockIdx;
dim3 gridDim, blockDim;
std::barrier<>* g_bar;
std::vector<std::barrier<>*> g_warps;
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
inline void __syncthreads() { g_bar->arrive_and_wait(); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdividef(float a, float b) { return a / b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return std::sqrt(a); }
inline float __double2float_rn(double d) { return (float)d; }
inline float __uint_as_float(unsigned u) { float f; memcpy(&f, &u, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
inline double __longlong_as_double(long long u) { double f; memcpy(&f, &u, 8); return f; }
inline float __double2float_rz(double d) {
  float f = (float)d;
  if (std::fabs((double)f) > std::fabs(d)) f = std::nextafter(f, 0.0f);
  return f;
}
inline float nv_bf16_to_float(unsigned short h) { return __uint_as_float(((unsigned int)h) << 16); }
inline unsigned short nv_float_to_bf16(float f) {
  unsigned int u = __float_as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (unsigned short)(u >> 16);
}
inline float nv_f16_to_float(unsigned short h) { _Float16 x; memcpy(&x, &h, 2); return (float)x; }
inline unsigned short nv_float_to_f16(float f) { _Float16 x = (_Float16)f; unsigned short h; memcpy(&h, &x, 2); return h; }
inline float nv_round_bf16(float f) { return nv_bf16_to_float(nv_float_to_bf16(f)); }
inline float nv_round_f16(float f) { return nv_f16_to_float(nv_float_to_f16(f)); }
inline unsigned short nv_bf16_bits(float f) { return (unsigned short)(__float_as_uint(f) >> 16); }
inline float nv_exp_fast(float x) { return std::exp(x); }
#define __align__(n) alignas(n)
inline float __int_as_float(int u) { float f; memcpy(&f, &u, 4); return f; }
inline int __float_as_int(float f) { int u; memcpy(&u, &f, 4); return u; }
inline long long __double_as_longlong(double f) { long long u; memcpy(&u, &f, 8); return u; }
typedef unsigned long long nv_u64;
struct alignas(16) nv_v16 { unsigned int x, y, z, w; };
struct alignas(8) nv_v8 { unsigned int x, y; };
struct AnyPtr { void* p; template <class T> operator T*() const { return (T*)p; } };
#define __shared__ static
template <class F> void launch2(unsigned gx, unsigned gy, unsigned bx, unsigned by, bool sync, F f) {
  gridDim = {gx, gy, 1}; blockDim = {bx, by, 1};
  const unsigned n = bx * by;
  for (unsigned b = 0; b < gx * gy; ++b) {
    const dim3 block = {b % gx, b / gx, 0};
    if (!sync) {
      for (unsigned t = 0; t < n; ++t) { blockIdx = block; threadIdx = {t % bx, t / bx, 0}; f(); }
      continue;
    }
    std::barrier<> bar(n); g_bar = &bar;
    std::vector<std::barrier<>*> warps;
    for (unsigned w = 0; w < (n + 31) / 32; ++w) warps.push_back(new std::barrier<>(n - w * 32 < 32 ? n - w * 32 : 32));
    g_warps = warps;
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < n; ++t) ts.emplace_back([&, block, t] { blockIdx = block; threadIdx = {t % bx, t / bx, 0}; f(); });
    for (auto& th : ts) th.join();
    for (auto* w : warps) delete w;
  }
}
template <class F> void launch(unsigned gx, unsigned bx, unsigned by, bool sync, F f) { launch2(gx, 1, bx, by, sync, f); }
// Warp shuffles as an exchange through memory between the 32 threads of a warp (a barrier
// per warp: the lanes of a warp shuffle alike; warps may differ).
static unsigned char g_shuffle[1024 * 16];
template <class T> T nv_shfl_xor(T v, int o) {
  const unsigned t = threadIdx.x + threadIdx.y * blockDim.x;
  memcpy(&g_shuffle[t * 16], &v, sizeof(T));
  g_warps[t / 32]->arrive_and_wait();
  T r; memcpy(&r, &g_shuffle[(t ^ (unsigned)o) * 16], sizeof(T));
  g_warps[t / 32]->arrive_and_wait();
  return r;
}
struct int2 { int x, y; };
inline int2 make_int2(int x, int y) { return int2{x, y}; }
struct float2 { float x, y; };
inline float2 make_float2(float x, float y) { return float2{x, y}; }
// mma.sync.m16n8k16 (f16/bf16 in, f32 accumulate): the warp's fragments are exchanged
// through memory and each lane computes its four accumulators from the whole A and B.
static unsigned g_mma[1024][6];
inline void nv_mma16816_emulated(float* c, const unsigned* a, unsigned b0, unsigned b1, bool bf16) {
  const unsigned t = threadIdx.x + threadIdx.y * blockDim.x, w0 = t & ~31u, lane = t & 31u;
  for (int i = 0; i < 4; ++i) g_mma[t][i] = a[i];
  g_mma[t][4] = b0; g_mma[t][5] = b1;
  g_warps[t / 32]->arrive_and_wait();
  auto half = [&](unsigned r, unsigned hi) {
    const unsigned short h = (unsigned short)(hi ? r >> 16 : r & 0xffffu);
    return bf16 ? nv_bf16_to_float(h) : nv_f16_to_float(h);
  };
  auto A = [&](unsigned row, unsigned col) {
    return half(g_mma[w0 + (row & 7u) * 4 + ((col & 7u) >> 1)][(col >> 3) * 2 + (row >> 3)], col & 1u);
  };
  auto B = [&](unsigned k, unsigned n) { return half(g_mma[w0 + n * 4 + ((k & 7u) >> 1)][4 + (k >> 3)], k & 1u); };
  float r[4];
  for (unsigned i = 0; i < 4; ++i) {
    const unsigned row = (lane >> 2) + (i >= 2 ? 8u : 0u), col = (lane & 3u) * 2 + (i & 1u);
    float s = 0;
    for (unsigned k = 0; k < 16; ++k) s += A(row, k) * B(k, col);
    r[i] = c[i] + s;
  }
  g_warps[t / 32]->arrive_and_wait();
  for (int i = 0; i < 4; ++i) c[i] = r[i];
}
inline void nv_mma16816_bf16(float* c, const unsigned* a, unsigned b0, unsigned b1) { nv_mma16816_emulated(c, a, b0, b1, true); }
inline void nv_mma16816_f16(float* c, const unsigned* a, unsigned b0, unsigned b1) { nv_mma16816_emulated(c, a, b0, b1, false); }
static std::vector<unsigned char> readFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary); return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}
"""#

    /// The prelude's one-line definitions of `names` (combiners such as `nv_fmax`,
    /// `nv_iadd`), for kernels whose reductions call them.
    static func preludeDefinitions(_ names: [String]) -> String {
        KernelPrelude.source.split(separator: "\n").filter { line in
            (line.hasPrefix("__device__") || line.hasPrefix("template")) && line.hasSuffix("}")
                && names.contains { line.contains(" \($0)(") }
        }.joined(separator: "\n") + "\n"
    }

    /// A deterministic generator of values in [-1, 1).
    struct Numbers {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
    }

    /// Random values of `type`, with `diagonal` added on the diagonals of the last two dims.
    static func random(_ type: TensorType, _ numbers: inout Numbers, diagonal: Double = 0) -> Tensor {
        let n = type.elementCount, m = type.rank >= 2 ? type.shape[type.rank - 1] : 1
        let onDiagonal = { (e: Int) in diagonal != 0 && type.rank >= 2 && (e / m) % m == e % m }
        switch type.elementType {
        case .complex(let f):
            var v = (0..<(2 * n)).map { _ in f.round(numbers.next()) }
            for e in 0..<n where onDiagonal(e) { v[2 * e] = f.round(v[2 * e] + diagonal) }
            return Tensor(type: type, storage: .complexes(v))
        case .float(let f):
            var v = (0..<n).map { _ in f.round(numbers.next()) }
            for e in 0..<n where onDiagonal(e) { v[e] = f.round(v[e] + diagonal) }
            return Tensor(type: type, storage: .floats(v))
        default:
            return Tensor.zeros(type)
        }
    }

    /// A batch of Hermitian positive definite matrices `g·gᴴ + n·I`, rounded to the type.
    static func positiveDefinite(_ type: TensorType, _ numbers: inout Numbers) -> Tensor {
        let n = type.shape[type.rank - 1]
        let complex = type.elementType.isComplex
        var re = [Double](repeating: 0, count: type.elementCount), im = re
        for b in 0..<(type.elementCount / (n * n)) {
            let gr = (0..<(n * n)).map { _ in numbers.next() }, gi = (0..<(n * n)).map { _ in complex ? numbers.next() : 0 }
            for i in 0..<n {
                for j in 0..<n {
                    var sr = i == j ? Double(n) : 0, si = 0.0
                    for k in 0..<n {
                        sr += gr[i * n + k] * gr[j * n + k] + gi[i * n + k] * gi[j * n + k]
                        si += gi[i * n + k] * gr[j * n + k] - gr[i * n + k] * gi[j * n + k]
                    }
                    re[b * n * n + i * n + j] = sr
                    im[b * n * n + i * n + j] = i == j ? 0 : si
                }
            }
        }
        switch type.elementType {
        case .complex(let f): return Tensor(type: type, storage: .complexes(zip(re, im).flatMap { [f.round($0.0), f.round($0.1)] }))
        case .float(let f): return Tensor(type: type, storage: .floats(re.map { f.round($0) }))
        default: return Tensor.zeros(type)
        }
    }

    /// One program: its text and inputs.
    struct Case {
        var name: String, text: String, inputs: [Tensor]
    }

    static func cases() throws -> [Case] {
        var numbers = Numbers(state: 12345)
        var cases: [Case] = []
        let typeNames = ["f32": ElementType.float(.f32), "f64": .float(.f64), "bf16": .float(.bf16), "f16": .float(.f16),
                         "complex<f32>": .complex(.f32), "complex<f64>": .complex(.f64)]
        for type in LinalgKernelTests.elementTypes {
            guard let element = typeNames[type] else { continue }
            // Every form, batched; and a long right-hand side (the block schedule when forward).
            for (k, form) in LinalgKernelTests.forms.enumerated() {
                for (batch, m, r) in [([2], 7, 5), ([], 70, 2)] where batch == [2] || ["f32", "complex<f64>"].contains(type) {
                    let a = TensorType(shape: batch + [m, m], elementType: element)
                    let b = TensorType(shape: batch + (form.left ? [m, r] : [r, m]), elementType: element)
                    let text = LinalgKernelTests.triangularSolve(type, left: form.left, lower: form.lower, unit: form.unit,
                                                                 transpose: form.transpose, batch: batch.isEmpty ? "" : "2x", m: m, k: r)
                    cases.append(Case(name: "trsm\(m)_\(k)_\(type)", text: text,
                                      inputs: [random(a, &numbers, diagonal: 3), random(b, &numbers)]))
                }
            }
            for lower in [true, false] {
                for n in [1, 6, 17] {
                    let t = TensorType(shape: [3, n, n], elementType: element)
                    cases.append(Case(name: "cholesky\(n)_\(lower)_\(type)", text: LinalgKernelTests.cholesky(type, lower: lower, shape: "3x\(n)x\(n)"),
                                      inputs: [positiveDefinite(t, &numbers)]))
                }
                // Not positive definite: NaN from the first non-positive pivot on.
                let t = TensorType(shape: [2, 5, 5], elementType: element)
                cases.append(Case(name: "cholesky_nan_\(lower)_\(type)", text: LinalgKernelTests.cholesky(type, lower: lower, shape: "2x5x5"),
                                  inputs: [random(t, &numbers)]))
            }
        }
        let ffts: [(String, [Int], String, String)] = FFTKernelTests.cases.map { ($0.0, $0.1, $0.2, $0.3) }
            .filter { !$0.2.hasPrefix("14x15x16") } + [
                ("RFFT", [17], "4x5x17xf32", "4x5x9xcomplex<f32>"),
                ("IRFFT", [33], "3x4x17xcomplex<f64>", "3x4x33xf64"),
                ("IRFFT", [5, 6, 32], "2x5x6x17xcomplex<f32>", "2x5x6x32xf32"),
                ("IRFFT", [1], "3x1xcomplex<f32>", "3x1xf32"),
                ("FFT", [1100], "2x1100xcomplex<f64>", "2x1100xcomplex<f64>"),
            ]
        for (k, c) in ffts.enumerated() {
            let text = FFTKernelTests.fft(c.0, lengths: c.1, input: c.2, output: c.3)
            let module = try Module.parse(text, file: "fft.mlir")
            let type = try #require(module.functions.first?.inputTypes.first?.tensorType)
            cases.append(Case(name: "fft\(k)_\(c.0)", text: text, inputs: [random(type, &numbers)]))
        }
        return cases
    }

    /// C++ for case `index`: its kernels in namespaces and `int case<index>()`, which runs
    /// the executable's launches and prints how many output elements differ from the
    /// reference's; inputs and expected outputs go to files in `directory`.
    /// `replacements` (source text → host version) swap device helpers that a kind of kernel
    /// defines itself (inline PTX) for host ones.
    /// `promoted` compares with the program computed in f64 (`PromotedOracle`, what
    /// `nvgpu bench --check` uses) instead of the reference's per-op rounding.
    static func program(_ c: Case, index: Int, directory: URL, tolerance: Double? = nil,
                        replacing replacements: [(String, String)] = [], promoted: Bool = false) throws -> String {
        let module = try Module.parse(c.text, file: "\(c.name).mlir")
        let expected = promoted
            ? try PromotedOracle(module).invoke(function: "main", inputs: c.inputs.map(\.hostTensor), timeLimit: nil).map { try Tensor($0) }
            : try Interpreter(module: module).run("main", inputs: c.inputs)
        let (e, _) = try TestPrograms.lower(c.text, vendor: false)  // the generated kernels, never cuFFT
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(c.name)")
        let path = { (file: String) in directory.appendingPathComponent("\(index)_\(file)").path }
        var cpp = ""
        for (k, kernel) in e.kernels.enumerated() {
            let body = kernel.source.replacingOccurrences(of: KernelPrelude.source, with: "")
                .replacingOccurrences(of: WideElement.helpers, with: "")
                .replacingOccurrences(of: "extern \"C\" ", with: "")  // C++ names, one per namespace
            let host = replacements.reduce(body) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
            cpp += "namespace c\(index)k\(k) {\n\(host)\n}\n"
        }
        cpp += "int case\(index)() {\n  std::vector<std::vector<unsigned char>> B(\(e.buffers.count));\n"
        for (i, b) in e.buffers.enumerated() { cpp += "  B[\(i)].assign(\(max(16, b.byteSize)), 0xAB);\n" }
        for (k, i) in e.inputs.enumerated() {
            try Data(c.inputs[k].hostTensor.bytes).write(to: URL(fileURLWithPath: path("in\(k)")))
            cpp += "  B[\(i)] = readFile(\"\(path("in\(k)"))\");\n"
        }
        for step in e.steps {
            guard case .launch(let launch) = step else {
                Issue.record("\(c.name): a step other than a launch")
                return ""
            }
            let kernel = e.kernels[launch.kernel]
            let arguments = launch.arguments.map { a -> String in
                switch a {
                case .buffer(let b): return "AnyPtr{B[\(b)].data()}"
                case .int64(let v): return "(long long)\(v)LL"
                case .int32(let v): return "(int)\(v)"
                case .float32(let v): return "__uint_as_float(\(v.bitPattern)u)"
                }
            }
            guard launch.grid.dropFirst(2).allSatisfy({ $0 == 1 }), launch.block.dropFirst(2).allSatisfy({ $0 == 1 }) else {
                Issue.record("\(c.name): a launch over more than grid x, y and block x, y")
                return ""
            }
            cpp += "  launch2(\(launch.grid[0]), \(launch.grid.count > 1 ? launch.grid[1] : 1), \(launch.block[0]), \(launch.block.count > 1 ? launch.block[1] : 1), \(Self.needsBarrier(kernel.source)), [&] { "
                + "c\(index)k\(launch.kernel)::\(kernel.entryPoint)(\(arguments.joined(separator: ", "))); });\n"
        }
        cpp += "  int differ = 0;\n"
        for (k, o) in e.outputs.enumerated() {
            try Data(expected[k].hostTensor.bytes).write(to: URL(fileURLWithPath: path("expected\(k)")))
            let size = expected[k].elementType.storageBytes, n = expected[k].elementCount
            if let tolerance, case .float(let format) = expected[k].elementType, size == 2 {
                // 16-bit floats: compared as floats, as below.
                let load = format == .bf16 ? "nv_bf16_to_float" : "nv_f16_to_float"
                cpp += "  { auto want = readFile(\"\(path("expected\(k)"))\");\n"
                    + "    for (int i = 0; i < \(n); ++i) { unsigned short x, y; memcpy(&y, &want[i * 2], 2); memcpy(&x, &B[\(o)][i * 2], 2);\n"
                    + "      const float a = \(load)(x), b = \(load)(y);\n"
                    + "      const double scale = std::fabs((double)b) > 1 ? std::fabs((double)b) : 1.0;\n"
                    + "      if (std::isnan(b) ? !std::isnan(a) : !(a == b || std::fabs((double)a - (double)b) <= \(tolerance) * scale)) { if (differ < 5) printf(\"  \(c.name) output \(k)[%d]: %g, want %g\\n\", i, (double)a, (double)b); ++differ; } } }\n"
                continue
            }
            if let tolerance, case .float(let format) = expected[k].elementType, size == 4 || size == 8 {
                // Within `tolerance` relative to max(1, |expected|); NaN only where NaN is expected.
                let type = format == .f64 ? "double" : "float"
                cpp += "  { auto want = readFile(\"\(path("expected\(k)"))\");\n"
                    + "    for (int i = 0; i < \(n); ++i) { \(type) a, b; memcpy(&b, &want[i * \(size)], \(size)); memcpy(&a, &B[\(o)][i * \(size)], \(size));\n"
                    + "      const double scale = std::fabs((double)b) > 1 ? std::fabs((double)b) : 1.0;\n"
                    + "      if (std::isnan(b) ? !std::isnan(a) : !(a == b || std::fabs((double)a - (double)b) <= \(tolerance) * scale)) { if (differ < 5) printf(\"  \(c.name) output \(k)[%d]: %g, want %g\\n\", i, (double)a, (double)b); ++differ; } } }\n"
                continue
            }
            cpp += "  { auto want = readFile(\"\(path("expected\(k)"))\");\n"
                + "    for (int i = 0; i < \(n); ++i) if (memcmp(&want[i * \(size)], &B[\(o)][i * \(size)], \(size))) ++differ; }\n"
        }
        cpp += "  printf(\"\(c.name): %d differ\\n\", differ);\n  return differ;\n}\n"
        return cpp
    }

    /// A case per program with random inputs whose sums are exact in any order: floats are
    /// multiples of 1/8 in [-`range`, `range`] (rounded to their type), integers in [-100, 100].
    static func exactCases(_ programs: [(name: String, text: String)], seed: UInt64, range: Double) -> [Case] {
        var numbers = Numbers(state: seed)
        return programs.map { p in
            let module = try? Module.parse(p.text, file: "\(p.name).mlir")
            let types = module?.functions.first?.inputTypes.compactMap(\.tensorType) ?? []
            let inputs = types.map { t -> Tensor in
                let n = t.elementCount
                switch t.elementType {
                case .float(let f): return Tensor(type: t, storage: .floats((0..<n).map { _ in f.round((numbers.next() * range * 8).rounded() / 8) }))
                default: return Tensor(type: t, storage: .ints((0..<n).map { _ in Int64((numbers.next() * 100).rounded()) }))
                }
            }
            return Case(name: p.name, text: p.text, inputs: inputs)
        }
    }

    /// Runs `cases` as host C++ (their kernels, less the prelude, plus the prelude's one-line
    /// definitions named in `prelude`) and expects every output equal to the reference's bits
    /// (f32/f64 outputs within `tolerance` × max(1, |expected|) when one is given).
    /// Skipped loudly without a C++ compiler (an issue when `NVGPU_HOST_EMULATION=1`), off
    /// when `NVGPU_HOST_EMULATION=0`; `label` names the kernels in those messages.
    static func expectBitForBit(_ cases: [Case], label: String, prelude: [String] = [], tolerance: Double? = nil,
                                extraShim: String = "", replacing replacements: [(String, String)] = [],
                                promoted: Bool = false) throws {
        let setting = ProcessInfo.processInfo.environment["NVGPU_HOST_EMULATION"]
        guard setting != "0" else { return }
        guard let cxx = compiler() else {
            if setting == "1" { Issue.record("no C++ compiler for the host emulation (set CXX)") }
            print("SKIPPED: no C++ compiler (set CXX) to run the \(label) kernels as host C++")
            return
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("nvgpu-emulation-\(label.replacingOccurrences(of: " ", with: "-"))-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var source = shim + "\n" + WideElement.helpers + "\n" + (prelude.isEmpty ? "" : preludeDefinitions(prelude)) + extraShim
        for (i, c) in cases.enumerated() {
            source += try program(c, index: i, directory: directory, tolerance: tolerance, replacing: replacements,
                                  promoted: promoted)
        }
        source += "int main() {\n  int bad = 0;\n"
        for i in cases.indices { source += "  if (case\(i)()) ++bad;\n" }
        source += "  return bad ? 1 : 0;\n}\n"
        let file = directory.appendingPathComponent("emulation.cpp"), binary = directory.appendingPathComponent("emulation")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let build = try run(cxx, ["-std=c++20", "-O1", "-pthread", "-w", "-o", binary.path, file.path])
        try #require(build.status == 0, "\(build.output.prefix(3000))")
        let result = try run(binary.path, [])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.split(separator: "\n").count == cases.count, "\(result.output)")
    }

    /// Whether a kernel's threads must run at once (it synchronizes or shuffles); the
    /// prelude, which defines the shuffles, is left out of the question.
    static func needsBarrier(_ source: String) -> Bool {
        let body = source.replacingOccurrences(of: KernelPrelude.source, with: "")
        return body.contains("__syncthreads") || body.contains("nv_shfl_xor(") || body.contains("__shfl_xor_sync(")
    }

    static func compiler() -> String? {
        if let cxx = ProcessInfo.processInfo.environment["CXX"], !cxx.isEmpty { return cxx }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        for name in ["g++", "clang++"] {
            for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func kernelsMatchTheReferenceBitForBit() throws {
        let setting = ProcessInfo.processInfo.environment["NVGPU_HOST_EMULATION"]
        guard setting != "0" else { return }
        guard let cxx = Self.compiler() else {
            if setting == "1" { Issue.record("no C++ compiler for the host emulation (set CXX)") }
            print("SKIPPED: no C++ compiler (set CXX) to run the linalg/fft kernels as host C++")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-linalg-emulation-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases = try Self.cases()
        var source = Self.shim + "\n" + WideElement.helpers + "\n"
        for (i, c) in cases.enumerated() { source += try Self.program(c, index: i, directory: directory) }
        source += "int main() {\n  int bad = 0;\n"
        for i in cases.indices { source += "  if (case\(i)()) ++bad;\n" }
        source += "  printf(\"%d of \(cases.count) cases differ\\n\", bad);\n  return bad ? 1 : 0;\n}\n"
        let file = directory.appendingPathComponent("emulation.cpp"), binary = directory.appendingPathComponent("emulation")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let build = try Self.run(cxx, ["-std=c++20", "-O1", "-ffp-contract=off", "-pthread", "-w", "-o", binary.path, file.path])
        try #require(build.status == 0, "\(build.output.prefix(3000))")
        let result = try Self.run(binary.path, [])
        let differing = result.output.split(separator: "\n").filter { $0.contains(": ") && !$0.hasSuffix(": 0 differ") }
        print("linalg/fft host emulation: \(cases.count) programs; \(result.output.split(separator: "\n").last ?? "")")
        #expect(result.status == 0 && differing.isEmpty, "\(differing.prefix(10))")
    }
}
