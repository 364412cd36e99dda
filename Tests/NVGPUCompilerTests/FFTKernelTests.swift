import CUDA
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// `fft` as kernels of its own (`FFTKernel`): one kernel per transformed axis (length-1
/// axes skipped), IRFFT's Hermitian last axis, twiddles in the source up to
/// `embeddedTableLimit` and computed on the device beyond; host reasons for forms with no
/// kernel; every kernel, and those of the conformance suite's fft programs, compiles with
/// NVRTC for sm_90.
@Suite struct FFTKernelTests {
    static func fft(_ kind: String, lengths: [Int], input: String, output: String) -> String {
        """
        func.func @main(%x: tensor<\(input)>) -> tensor<\(output)> {
          %0 = stablehlo.fft %x, type = \(kind), length = \(lengths) : (tensor<\(input)>) -> tensor<\(output)>
          return %0 : tensor<\(output)>
        }
        """
    }

    /// (kind, fft_length, operand type, result type, kernels).
    static let cases: [(String, [Int], String, String, Int)] = [
        ("FFT", [8], "3x8xcomplex<f32>", "3x8xcomplex<f32>", 1),
        ("IFFT", [5, 8], "3x5x8xcomplex<f64>", "3x5x8xcomplex<f64>", 2),
        ("FFT", [2, 3, 4], "2x3x4xcomplex<f32>", "2x3x4xcomplex<f32>", 3),
        ("IFFT", [1, 6], "4x1x6xcomplex<f32>", "4x1x6xcomplex<f32>", 1),
        ("FFT", [1], "4x1xcomplex<f64>", "4x1xcomplex<f64>", 1),
        ("RFFT", [17], "14x15x16x17xf32", "14x15x16x9xcomplex<f32>", 1),
        ("RFFT", [4, 6], "3x4x6xf64", "3x4x4xcomplex<f64>", 2),
        ("RFFT", [3, 4, 8], "3x4x8xf32", "3x4x5xcomplex<f32>", 3),
        ("IRFFT", [33], "14x15x16x17xcomplex<f64>", "14x15x16x33xf64", 1),
        ("IRFFT", [15, 16, 32], "14x15x16x17xcomplex<f32>", "14x15x16x32xf32", 3),
        ("IRFFT", [4, 7], "2x4x4xcomplex<f64>", "2x4x7xf64", 2),
    ]

    @Test(arguments: cases)
    func fftIsOneKernelPerAxis(_ kind: String, lengths: [Int], input: String, output: String, kernels: Int) throws {
        let (e, report) = try TestPrograms.lower(Self.fft(kind, lengths: lengths, input: input, output: output))
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(report.groups.contains { $0.kind == .dedicated })
        #expect(TestPrograms.launches(e) == kernels)
        let sources = e.kernels.map(\.source)
        #expect(sources.allSatisfy { !$0.contains("#include") && !$0.contains("atomic") })
        if kind == "IRFFT" {
            #expect(e.kernels.last?.entryPoint.hasSuffix("_hermitian") == true)
            #expect(sources.last?.contains("__ddiv_rn(s, \(Double(lengths.last ?? 0)))") == true)
        }
        // Inverse axes scale by 1/n; forward ones negate the sine.
        let inverse = kind == "IFFT" || kind == "IRFFT"
        let axisSources = e.kernels.filter { $0.entryPoint.contains("_axis") }.map(\.source)
        #expect(axisSources.allSatisfy { $0.contains("-ts[t]") != inverse })
        // Intermediate axes go through at most two double scratch buffers.
        let scratch = e.buffers.filter { $0.name.hasPrefix("scratch") }
        #expect(scratch.count == min(2, max(0, kernels - 1)))
        #expect(scratch.allSatisfy { $0.elementType == .float(.f64) })
    }

    /// RFFT computes only the kept n/2 + 1 frequencies of the last axis.
    @Test func rfftLastAxisComputesKeptFrequencies() throws {
        let (e, _) = try TestPrograms.lower(Self.fft("RFFT", lengths: [17], input: "14x15x16x17xf32", output: "14x15x16x9xcomplex<f32>"))
        let source = try #require(e.kernels.first?.source)
        #expect(source.contains("o < (idx_t)\(14 * 15 * 16 * 9);"))
        #expect(source.contains("f = rest % 9"))
        #expect(source.contains("nv_fft_cos_17[17]"))
    }

    /// Axes longer than the embedded limit get their twiddles from a first kernel.
    @Test func longAxesComputeTwiddlesOnTheDevice() throws {
        let n = 2048
        // Without vendor libraries: with them, an axis this long is cuFFT's (FFTLoweringTests).
        let (e, _) = try TestPrograms.lower(Self.fft("FFT", lengths: [n], input: "2x\(n)xcomplex<f32>", output: "2x\(n)xcomplex<f32>"), vendor: false)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(e.kernels.map(\.entryPoint).first?.hasSuffix("_twiddles\(n)") == true)
        #expect(TestPrograms.launches(e) == 2)
        #expect(e.kernels.last?.source.contains("const double* const ts = tw + \(n);") == true)
    }

    @Test func emptyResultsNeedNoKernel() throws {
        let (e, _) = try TestPrograms.lower(Self.fft("RFFT", lengths: [17], input: "14x15x0x17xf32", output: "14x15x0x9xcomplex<f32>"))
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(TestPrograms.launches(e) == 0)
    }

    /// The conformance suite's fft programs lower with no host step but the checks (custom
    /// calls), and their kernels, with those of the forms above, compile with NVRTC for sm_90.
    @Test func fftKernelsCompile() throws {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        var sources: [String: String] = [:]
        for (k, c) in Self.cases.enumerated() {
            for kernel in try TestPrograms.lower(Self.fft(c.0, lengths: c.1, input: c.2, output: c.3)).0.kernels {
                sources[kernel.source] = "fft\(k)_\(kernel.entryPoint)"
            }
        }
        for kernel in try TestPrograms.lower(Self.fft("IFFT", lengths: [1500], input: "1500xcomplex<f64>", output: "1500xcomplex<f64>"), vendor: false).0.kernels {
            sources[kernel.source] = "fft_long_\(kernel.entryPoint)"
        }
        // The scale kernels that follow inverse cuFFT steps (f32 and f64).
        for c in FFTLoweringTests.vendor.map(\.0) where c.kind.hasPrefix("I") {
            for kernel in try TestPrograms.lower(c.text).0.kernels { sources[kernel.source] = "cufft_\(kernel.entryPoint)" }
        }
        let files = TestPrograms.mlirFiles(in: TestPrograms.conformanceDirectory.appendingPathComponent("testdata"))
            .filter { $0.lastPathComponent.hasPrefix("fft_") }
        for file in files {
            let (e, _) = try TestPrograms.lower(try String(contentsOf: file, encoding: .utf8))
            let reasons = TestPrograms.hostSteps(e).map(\.reason).filter { !$0.contains("stablehlo.custom_call") }
            #expect(reasons.isEmpty, "\(file.lastPathComponent): \(reasons)")
            for kernel in e.kernels { sources[kernel.source] = file.lastPathComponent + "_" + kernel.entryPoint }
        }
        let programs = sources.map { (name: $0.value, source: $0.key) }
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        let results = KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: nvrtc, cache: cache)
        var failures: [String] = []
        for (program, result) in zip(programs, results) {
            if case .failure(let error) = result { failures.append("\(program.name): \(error.log.prefix(1500))") }
        }
        print("fft: \(programs.count) kernels, \(programs.count - failures.count) compiled for sm_90")
        #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n\n"))")
    }
}
