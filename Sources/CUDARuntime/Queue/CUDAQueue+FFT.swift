import CUDA
import Foundation
import Runtime

/// A queue's cuFFT state: the library (opened on first use) and one plan per distinct
/// transform, made the first time it runs (outside any graph capture: capture starts after
/// a first run step by step).
final class FFTPlans: @unchecked Sendable {
    /// What distinguishes two plans.
    struct Key: Hashable {
        var kind: FFTCall.Kind
        var lengths: [Int]
        var batch: Int
        var doublePrecision: Bool
    }

    private let lock = NSLock()
    private var library: CUFFT?
    private var plans: [Key: CUFFTPlan] = [:]

    /// The plan for `call`, made in `context` when first asked for.
    func plan(for call: FFTCall, context: CUDAContext) throws -> CUFFTPlan {
        lock.lock()
        defer { lock.unlock() }
        let key = Key(kind: call.kind, lengths: call.lengths, batch: call.batch, doublePrecision: call.doublePrecision)
        if let plan = plans[key] { return plan }
        let library = try self.library ?? CUFFT.load()
        self.library = library
        let transform: CUFFTPlan.Transform
        switch call.kind {
        case .fft: transform = .complexToComplex(inverse: false)
        case .ifft: transform = .complexToComplex(inverse: true)
        case .rfft: transform = .realToComplex
        case .irfft: transform = .complexToReal
        }
        let plan = try CUFFTPlan(library: library, lengths: call.lengths, batch: call.batch, transform: transform,
                                 doublePrecision: call.doublePrecision, context: context)
        plans[key] = plan
        return plan
    }

    /// Destroys the plans (their work areas go back to the device).
    func release() {
        lock.lock()
        defer { lock.unlock() }
        plans = [:]
    }
}

extension CUDAQueue {
    /// Runs a `.fft` step through cuFFT on the active stream: an IRFFT's input is first
    /// copied to its scratch buffer, which cuFFT may overwrite.
    public func fft(_ call: FFTCall, operands: FFTOperands) throws {
        let plan = try fftPlans.plan(for: call, context: context)
        var input = operands.input
        if call.kind == .irfft {
            guard let scratch = operands.scratch else { throw RuntimeError("IRFFT step without a scratch buffer (\(call.summary))") }
            let bytes = call.elementCounts.input * (call.doublePrecision ? 16 : 8)
            try copy(from: input, to: scratch, byteCount: bytes)
            input = scratch
        }
        try plan.execute(input: input, output: operands.output, stream: activeStream)
    }
}
