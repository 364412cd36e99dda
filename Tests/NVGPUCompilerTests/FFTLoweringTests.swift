import Foundation
import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Which FFTs become cuFFT steps (an axis longer than `FFTLowering.exactLengthLimit`, f32 or
/// f64, vendor libraries on), what the step and its scale kernel look like, and that the
/// executable round-trips through its encoding.
@Suite struct FFTLoweringTests {
    /// One `fft` program: kind, operand type, result type, fft_length.
    struct FFTCase: Sendable, CustomStringConvertible {
        var kind: String
        var input: String
        var output: String
        var lengths: [Int]
        var description: String { "\(kind) \(input) -> \(output) \(lengths)" }

        var text: String {
            """
            func.func @main(%x: tensor<\(input)>) -> tensor<\(output)> {
              %0 = stablehlo.fft %x, type = \(kind), length = [\(lengths.map(String.init).joined(separator: ", "))] : (tensor<\(input)>) -> tensor<\(output)>
              return %0 : tensor<\(output)>
            }
            """
        }

        func operation() throws -> StableHLO.Operation {
            let module = try Module.parse(text, file: "fft.mlir")
            return try #require(module.function(named: "main")?.body.entry?.operations.first { $0.name == "stablehlo.fft" })
        }
    }

    static let vendor: [(FFTCase, FFTCall.Kind, batch: Int, double: Bool)] = [
        (FFTCase(kind: "FFT", input: "8x1024xcomplex<f32>", output: "8x1024xcomplex<f32>", lengths: [1024]), .fft, 8, false),
        (FFTCase(kind: "IFFT", input: "2x3x128x16xcomplex<f64>", output: "2x3x128x16xcomplex<f64>", lengths: [128, 16]), .ifft, 6, true),
        (FFTCase(kind: "RFFT", input: "5x256xf32", output: "5x129xcomplex<f32>", lengths: [256]), .rfft, 5, false),
        (FFTCase(kind: "IRFFT", input: "4x16x65xcomplex<f64>", output: "4x16x128xf64", lengths: [16, 128]), .irfft, 4, true),
        (FFTCase(kind: "FFT", input: "100x8x8xcomplex<f32>", output: "100x8x8xcomplex<f32>", lengths: [100, 8, 8]), .fft, 1, false),
    ]

    static let generated: [(FFTCase, reason: String)] = [
        (FFTCase(kind: "FFT", input: "1024x64xcomplex<f32>", output: "1024x64xcomplex<f32>", lengths: [64]), "at most 64"),
        (FFTCase(kind: "RFFT", input: "3x8x16xf64", output: "3x8x9xcomplex<f64>", lengths: [8, 16]), "at most 64"),
    ]

    @Test(arguments: vendor.indices)
    func longAxesGoToCuFFT(_ index: Int) throws {
        let (c, kind, batch, double) = Self.vendor[index]
        guard case .vendor(let call) = FFTLowering.path(try c.operation(), useVendorLibraries: true, cuFFTDisabled: false) else {
            Issue.record("\(c) stayed on the generated kernels")
            return
        }
        #expect(call.kind == kind && call.batch == batch && call.doublePrecision == double && call.lengths == c.lengths)

        let (executable, _) = try TestPrograms.lower(c.text)
        let steps = executable.steps.compactMap { step -> FFTCall? in
            if case .fft(let call) = step { return call }
            return nil
        }
        let step = try #require(steps.first)
        #expect(steps.count == 1)
        #expect(executable.buffers[step.input].elementTypeName == step.elementTypeNames.input)
        #expect(executable.buffers[step.output].elementTypeName == step.elementTypeNames.output)
        // IRFFT reads a copy of its input (cuFFT may overwrite it); others read the input.
        if kind == .irfft {
            let scratch = try #require(step.scratch)
            #expect(executable.buffers[scratch].byteSize == executable.buffers[step.input].byteSize)
            guard case .arena = executable.buffers[scratch].placement else {
                Issue.record("the IRFFT copy is not an arena buffer")
                return
            }
        } else {
            #expect(step.scratch == nil)
        }
        // Inverse transforms are followed by one scale kernel; forward ones launch nothing.
        let inverse = kind == .ifft || kind == .irfft
        #expect(TestPrograms.launches(executable) == (inverse ? 1 : 0))
        if inverse {
            let n = c.lengths.reduce(1, *)
            #expect(executable.kernels.first?.source.contains("scaled by 1/\(n)") == true)
        }
        #expect(TestPrograms.hostSteps(executable).isEmpty)

        let decoded = try JSONDecoder().decode(Executable.self, from: try JSONEncoder().encode(executable))
        #expect(decoded == executable)
    }

    @Test(arguments: generated.indices)
    func shortAxesKeepTheExactDFT(_ index: Int) throws {
        let (c, reason) = Self.generated[index]
        guard case .generated(let why) = FFTLowering.path(try c.operation(), useVendorLibraries: true, cuFFTDisabled: false) else {
            Issue.record("\(c) went to cuFFT")
            return
        }
        #expect(why.contains(reason), "\(why)")
        let (executable, _) = try TestPrograms.lower(c.text)
        #expect(!executable.steps.contains { if case .fft = $0 { return true }; return false })
        #expect(TestPrograms.launches(executable) > 0)
    }

    @Test func offSwitchesKeepTheExactDFT() throws {
        let op = try Self.vendor[0].0.operation()
        guard case .generated(let noVendor) = FFTLowering.path(op, useVendorLibraries: false, cuFFTDisabled: false),
              case .generated(let disabled) = FFTLowering.path(op, useVendorLibraries: true, cuFFTDisabled: true) else {
            Issue.record("an FFT went to cuFFT with cuFFT off")
            return
        }
        #expect(noVendor.contains("vendor libraries are off"))
        #expect(disabled.contains("NVGPU_CUFFT=0"))
        let (executable, _) = try TestPrograms.lower(Self.vendor[0].0.text, vendor: false)
        #expect(!executable.steps.contains { if case .fft = $0 { return true }; return false })
    }

    @Test(arguments: [(FFTCall.Kind.fft, 2 * 64, 2 * 64), (.ifft, 2 * 64, 2 * 64), (.rfft, 2 * 64, 2 * 33), (.irfft, 2 * 33, 2 * 64)])
    func elementCountsFollowTheKind(_ kind: FFTCall.Kind, _ input: Int, _ output: Int) {
        let call = FFTCall(kind: kind, input: 0, output: 1, scratch: nil, lengths: [64], batch: 2, doublePrecision: false)
        #expect(call.elementCounts.input == input && call.elementCounts.output == output)
        #expect(call.summary.hasPrefix("cuFFT \(kind.rawValue)"))
    }
}

extension FFTLoweringTests {
    /// An unverified op whose fft_length does not fit its operand (nor Int) stays on the
    /// generated path with a reason instead of trapping while counting elements.
    @Test func unverifiedHugeLengthsAreRefused() throws {
        let c = FFTCase(kind: "FFT", input: "1x1x8xcomplex<f32>", output: "1x1x8xcomplex<f32>",
                        lengths: [1 << 40, 1 << 40, 1 << 40])
        let module = try Module.parse(c.text, file: "fft.mlir")
        let op = try #require(module.function(named: "main")?.body.entry?.operations.first { $0.name == "stablehlo.fft" })
        guard case .generated(let why) = FFTLowering.path(op, useVendorLibraries: true, cuFFTDisabled: false) else {
            Issue.record("an fft_length that overflows went to cuFFT")
            return
        }
        #expect(why.contains("fft_length"))
    }
}
