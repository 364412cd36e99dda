/// `output = fft(input)` by cuFFT: a batch of 1-, 2- or 3-D transforms over the trailing
/// axes of densely packed row-major data (`cufftPlanMany`'s default layout). cuFFT does not
/// scale inverse transforms; the compiler follows an inverse step with a kernel that
/// multiplies by `1 / lengths.product`, as `stablehlo.fft` defines IFFT and IRFFT.
public struct FFTCall: Codable, Sendable, Hashable {
    /// The transform, as `stablehlo.fft`'s `fft_type` names it.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// Complex to complex, negative exponent.
        case fft = "FFT"
        /// Complex to complex, positive exponent (unscaled here).
        case ifft = "IFFT"
        /// Real to the `n/2 + 1` non-negative frequencies of the last axis.
        case rfft = "RFFT"
        /// Those frequencies back to `n` reals (unscaled here).
        case irfft = "IRFFT"
    }

    public var kind: Kind
    public var input: Int
    public var output: Int
    /// IRFFT: a buffer the size of `input` that the input is copied into first (cuFFT's
    /// complex-to-real transforms may overwrite what they read).
    public var scratch: Int?
    /// `fft_length`: the extents of one transform (the real extents for RFFT and IRFFT).
    public var lengths: [Int]
    /// Transforms in the batch (the product of the leading axes).
    public var batch: Int
    /// f64 / complex<f64> (cuFFT's Z2Z, D2Z, Z2D) rather than f32 / complex<f32>.
    public var doublePrecision: Bool

    public init(kind: Kind, input: Int, output: Int, scratch: Int?, lengths: [Int], batch: Int, doublePrecision: Bool) {
        self.kind = kind
        self.input = input
        self.output = output
        self.scratch = scratch
        self.lengths = lengths
        self.batch = batch
        self.doublePrecision = doublePrecision
    }

    /// Scalars (reals, or complex values) of input and output.
    public var elementCounts: (input: Int, output: Int) {
        let full = lengths.reduce(1, *)
        let half = lengths.dropLast().reduce(1, *) * ((lengths.last ?? 0) / 2 + 1)
        switch kind {
        case .fft, .ifft: return (batch * full, batch * full)
        case .rfft: return (batch * full, batch * half)
        case .irfft: return (batch * half, batch * full)
        }
    }

    /// Element types of input and output (`complex<f32>`, `f64`, ...).
    public var elementTypeNames: (input: String, output: String) {
        let real = doublePrecision ? "f64" : "f32", complex = "complex<\(real)>"
        switch kind {
        case .fft, .ifft: return (complex, complex)
        case .rfft: return (real, complex)
        case .irfft: return (complex, real)
        }
    }

    /// One line for listings: `cuFFT RFFT f32 64 x 1024 -> complex<f32>`.
    public var summary: String {
        let types = elementTypeNames
        return "cuFFT \(kind.rawValue) \(types.input) \(batch) x \(lengths.map(String.init).joined(separator: "x")) -> \(types.output)"
    }
}
