import Foundation
import Runtime
import StableHLO

/// How one `stablehlo.fft` runs: through cuFFT, or as the generated exact DFT
/// (`FFTKernel`), with the reason cuFFT was not used.
public enum FFTPath: Sendable, Equatable {
    /// A cuFFT step (buffers filled in by `Assembly.addFFT`).
    case vendor(FFTCall)
    /// The generated kernels.
    case generated(reason: String)
}

/// The decision between cuFFT and the generated DFT.
///
/// The generated kernels sum each line exactly as the reference does (O(n) work per output
/// element, bit for bit the oracle's result), which is also the cheaper choice for short
/// axes; an axis longer than `exactLengthLimit` makes the transform cuFFT's (O(n log n),
/// within cuFFT's accuracy rather than bit-exact). `--no-vendor-libs` or `NVGPU_CUFFT=0`
/// keeps every FFT on the generated kernels.
public enum FFTLowering {
    /// The longest axis the exact DFT is preferred for.
    public static let exactLengthLimit = 64

    /// Whether `NVGPU_CUFFT=0` turned cuFFT off.
    public static var isDisabledByEnvironment: Bool { ProcessInfo.processInfo.environment["NVGPU_CUFFT"] == "0" }

    public static func path(_ op: StableHLO.Operation, useVendorLibraries: Bool,
                            cuFFTDisabled: Bool = isDisabledByEnvironment) -> FFTPath {
        guard useVendorLibraries else { return .generated(reason: "vendor libraries are off") }
        guard !cuFFTDisabled else { return .generated(reason: "NVGPU_CUFFT=0") }
        guard op.name == "stablehlo.fft", op.operands.count == 1, op.results.count == 1,
              let input = op.operandTensorType(0), let output = op.resultTensorType(0),
              let lengths = op[attribute: "fft_length"]?.intArray.map({ $0.map { Int($0) } }),
              case .enumCase(_, _, let kindName)? = op[attribute: "fft_type"],
              let kind = FFTCall.Kind(rawValue: kindName) else {
            return .generated(reason: "not a well-formed fft")
        }
        // Verified programs have fft_length equal to the operand's trailing extents; check the
        // product anyway, so an unverified op cannot make the counts below overflow.
        var transformSize = 1, overflow = false
        for n in lengths {
            let (product, over) = transformSize.multipliedReportingOverflow(by: n)
            (transformSize, overflow) = (product, overflow || over)
        }
        guard (1...3).contains(lengths.count), lengths.allSatisfy({ $0 > 0 }), !overflow,
              input.shape.count >= lengths.count else {
            return .generated(reason: "fft_length \(lengths)")
        }
        guard let longest = lengths.max(), longest > exactLengthLimit else {
            return .generated(reason: "every axis is at most \(exactLengthLimit) long (the exact DFT)")
        }
        let doublePrecision: Bool
        switch (kind, input.elementType, output.elementType) {
        case (.fft, .complex(.f32), .complex(.f32)), (.ifft, .complex(.f32), .complex(.f32)),
             (.rfft, .float(.f32), .complex(.f32)), (.irfft, .complex(.f32), .float(.f32)):
            doublePrecision = false
        case (.fft, .complex(.f64), .complex(.f64)), (.ifft, .complex(.f64), .complex(.f64)),
             (.rfft, .float(.f64), .complex(.f64)), (.irfft, .complex(.f64), .float(.f64)):
            doublePrecision = true
        default:
            return .generated(reason: "\(kindName) of \(input.elementType) to \(output.elementType)")
        }
        let batch = input.shape.dropLast(lengths.count).reduce(1, *)
        guard !batch.multipliedReportingOverflow(by: transformSize).overflow else {
            return .generated(reason: "fft_length \(lengths) over \(input)")
        }
        let call = FFTCall(kind: kind, input: 0, output: 0, scratch: kind == .irfft ? 0 : nil, lengths: lengths,
                           batch: batch, doublePrecision: doublePrecision)
        let counts = call.elementCounts
        guard batch > 0, batch < Int(Int32.max), counts.input == input.elementCount, counts.output == output.elementCount else {
            return .generated(reason: "\(input) to \(output) does not fit fft_length \(lengths)")
        }
        return .vendor(call)
    }
}

extension Assembly {
    /// Adds a cuFFT step for `op` (after a copy of an IRFFT's input, which cuFFT may
    /// overwrite, into scratch) and, for IFFT and IRFFT, a kernel scaling the result by
    /// `1 / lengths.product`. Returns the names of the kernels it added.
    mutating func addFFT(_ op: StableHLO.Operation, call planned: FFTCall, name: String) throws -> [String] {
        var call = planned
        call.input = try buffer(for: op.operands[0], definedBy: "fft")
        call.output = try buffer(for: op.results[0], definedBy: "fft")
        if call.kind == .irfft, let type = op.operandTensorType(0) {
            let index = buffers.count
            buffers.append(BufferSlot(name: "\(name)_input_copy", type: type, placement: .arena(offset: 0)))
            arenaBuffers.insert(index)
            call.scratch = index
        }
        steps.append(.fft(call))
        stepBuffers.append([call.input, call.output] + (call.scratch.map { [$0] } ?? []))
        guard call.kind == .ifft || call.kind == .irfft else { return [] }
        let kernel = Self.scaleKernel(call, name: "\(name)_scale", operation: op)
        steps.append(.launch(KernelLaunch(kernel: kernels.count, grid: kernel.grid, block: kernel.block,
                                          arguments: [.buffer(call.output)])))
        kernels.append(KernelImage(entryPoint: kernel.name, binary: Data(), source: kernel.source))
        stepBuffers.append([call.output])
        return [kernel.name]
    }

    /// A kernel multiplying every real component of an inverse transform's result by
    /// `1 / lengths.product` (cuFFT leaves inverse transforms unscaled).
    static func scaleKernel(_ call: FFTCall, name: String, operation: StableHLO.Operation) -> GeneratedKernel {
        let scalar = call.doublePrecision ? "double" : "float"
        let n = call.lengths.reduce(1, *)
        return WideAttributes.loopKernel(
            name: name, comment: "\(name): \(call.kind.rawValue) result scaled by 1/\(n) (cuFFT does not scale inverse transforms)",
            parameters: ["\(scalar)* __restrict__ data"], bindings: [],
            count: call.elementCounts.output * (call.kind == .ifft ? 2 : 1), globals: [],
            body: ["    data[o] = data[o] * \(KernelElementType.floatLiteral(1 / Double(n), compute: scalar));"],
            operation: operation)
    }
}
