import Foundation
import StableHLO

/// `fft` (FFT, IFFT, RFFT, IRFFT over the last 1–3 dimensions) as the reference computes it
/// (`FFT.fft`): an exact DFT per line in complex `double`, one axis at a time in ascending
/// order, each axis a kernel with one thread per output element, rounded to the result type
/// once at the end (intermediate axes go through `double` scratch buffers).
///
/// Each output element sums its line in the reference's order, `j` ascending, with the
/// twiddle index `t = f·j mod n` advanced as the reference does and the same products
/// (`re·cos − im·sin`, `re·sin + im·cos`), never fused into multiply-adds; an inverse axis
/// multiplies by `1/n`. RFFT transforms the real input (imaginary parts `+0`) and computes
/// only the `n/2 + 1` kept frequencies on the last axis; IRFFT applies the inverse on the
/// leading axes, then the reference's Hermitian real inverse on the last (DC imaginary part
/// ignored, Nyquist term not doubled, the sum divided by `n`). Axes of length 1 are the
/// identity and are skipped, as in the reference.
///
/// Twiddles are `cos` and `sin` of `2π·j/n` (evaluated as the reference does): computed on
/// the host by the same C library the reference uses and written into the kernel source for
/// `n <= FFTKernel.embeddedTableLimit`, so results match the reference bit for bit; longer
/// axes compute them once on the device (CUDA's `cos`/`sin`, within 2 ULP of the host's).
enum FFTKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.fft"]

    /// The longest axis whose twiddle table is written into the kernel source.
    static let embeddedTableLimit = 1024

    /// A buffer a pass reads or writes.
    enum Place {
        /// The op's operand or result, in its own element type.
        case value(Value, WideElement)
        /// A scratch buffer of complex `double` pairs, by number.
        case scratch(Int)

        func parameter(_ name: String, constant: Bool) -> String {
            switch self {
            case .value(_, let element): return element.parameter(name, constant: constant)
            case .scratch: return "\(constant ? "const " : "")double* __restrict__ \(name)"
            }
        }

        var binding: GeneratedKernel.Binding {
            switch self {
            case .value(let v, _): return .value(v)
            case .scratch(let k): return .scratch(k)
            }
        }

        func load(_ pointer: String, _ index: String) -> String {
            switch self {
            case .value(_, let element): return element.load(pointer, index)
            case .scratch: return "nv_wc_make(\(pointer)[2 * (\(index))], \(pointer)[2 * (\(index)) + 1])"
            }
        }

        func store(_ value: String, to pointer: String, _ index: String) -> String {
            switch self {
            case .value(_, let element): return element.store(value, to: pointer, index)
            case .scratch: return "\(pointer)[2 * (\(index))] = \(value).re; \(pointer)[2 * (\(index)) + 1] = \(value).im;"
            }
        }
    }

    /// Where a pass finds the twiddles of its length.
    enum Table {
        /// Arrays `nv_fft_cos_<n>` and `nv_fft_sin_<n>` in the kernel's source.
        case embedded
        /// `cos` then `sin` (2n doubles) in a scratch buffer, by number.
        case scratch(Int)
    }

    static func build(_ op: StableHLO.Operation, name: String) throws -> FusionKernels {
        guard op.operands.count == 1, op.results.count == 1 else {
            throw CodeGenError("fft needs one operand and one result", at: op.location)
        }
        let operand = op.operands[0], result = op.results[0]
        let input = try WideElement.of(operand, in: op), output = try WideElement.of(result, in: op)
        let inShape = try DedicatedKernels.shape(operand, of: op), outShape = try DedicatedKernels.shape(result, of: op)
        let lengths = try DedicatedKernels.ints(op, "fft_length")
        guard let kind = try WideAttributes.enumCase(op, "fft_type") else {
            throw CodeGenError("fft is missing 'fft_type'", at: op.location)
        }
        let rank = inShape.count, l = lengths.count
        guard (1...3).contains(l), l <= rank, lengths.allSatisfy({ $0 >= 0 }), outShape.count == rank else {
            throw CodeGenError("fft_length \(lengths) does not fit an operand of rank \(rank)", at: op.location)
        }
        let axes = Array((rank - l)..<rank)
        let outer = Array(inShape[..<(rank - l)])
        let n = lengths[l - 1], half = n / 2 + 1
        let expectedIn: [Int], expectedOut: [Int], complexIn: Bool, complexOut: Bool
        switch kind {
        case "FFT", "IFFT":
            (expectedIn, expectedOut, complexIn, complexOut) = (outer + lengths, outer + lengths, true, true)
        case "RFFT":
            (expectedIn, expectedOut, complexIn, complexOut) = (outer + lengths, outer + lengths.dropLast() + [half], false, true)
        case "IRFFT":
            (expectedIn, expectedOut, complexIn, complexOut) = (outer + lengths.dropLast() + [half], outer + lengths, true, false)
        default:
            throw CodeGenError("fft has an unknown fft_type \(kind)", at: op.location)
        }
        guard input.isComplex == complexIn, output.isComplex == complexOut, inShape == expectedIn, outShape == expectedOut else {
            throw CodeGenError("\(kind) of \(operand.type) to \(result.type) does not match fft_length \(lengths)", at: op.location)
        }
        let inCount = inShape.reduce(1, *), outCount = outShape.reduce(1, *)
        guard outCount > 0 else { return FusionKernels(kernels: [], scratch: []) }
        guard inCount > 0 else {
            throw CodeGenError("\(kind) of an empty \(operand.type) to a non-empty \(result.type)", at: op.location)
        }

        var plan = Plan(op: op, name: name, pairs: 2 * inCount)
        let source = Place.value(operand, input), destination = Place.value(result, output)
        switch kind {
        case "IRFFT":
            var current = source
            for axis in axes.dropLast() where inShape[axis] > 1 {
                let next = plan.nextScratch()
                try plan.transform(axis: axis, shape: inShape, outLength: inShape[axis], inverse: true, from: current, to: next)
                current = next
            }
            try plan.hermitianInverse(rows: inCount / half, half: half, n: n, from: current, to: destination)
        default:
            let active = axes.filter { inShape[$0] > 1 }
            var current = source
            for (k, axis) in active.enumerated() {
                let next = k == active.count - 1 ? destination : plan.nextScratch()
                let outLength = kind == "RFFT" && axis == rank - 1 ? half : inShape[axis]
                try plan.transform(axis: axis, shape: inShape, outLength: outLength, inverse: kind == "IFFT", from: current, to: next)
                current = next
            }
            if active.isEmpty { plan.copy(count: outCount, from: source, to: destination) }
        }
        return FusionKernels(kernels: plan.twiddleKernels + plan.kernels, scratch: plan.scratch)
    }

    /// The kernels of one op, built pass by pass.
    struct Plan {
        let op: StableHLO.Operation
        let name: String
        /// Doubles in one intermediate buffer (complex pairs of the operand's shape).
        let pairs: Int
        var kernels: [GeneratedKernel] = []
        var twiddleKernels: [GeneratedKernel] = []
        var scratch: [ScratchBuffer] = []
        /// The two intermediate buffers (allocated when first used) and which is next.
        var intermediates: [Int] = []
        var nextIntermediate = 0
        /// Axis length → the scratch buffer holding its device-computed twiddles.
        var deviceTables: [Int: Int] = [:]

        init(op: StableHLO.Operation, name: String, pairs: Int) {
            self.op = op
            self.name = name
            self.pairs = pairs
        }

        /// The next intermediate buffer, alternating between two.
        mutating func nextScratch() -> Place {
            if intermediates.count < 2 {
                intermediates.append(scratch.count)
                scratch.append(ScratchBuffer(type: TensorType(shape: [pairs], elementType: .float(.f64))))
            }
            let k = intermediates[nextIntermediate % intermediates.count]
            nextIntermediate += 1
            return .scratch(k)
        }

        /// The twiddles of length `n`: embedded, or a scratch table a first kernel fills.
        mutating func table(_ n: Int) -> Table {
            guard n > FFTKernel.embeddedTableLimit else { return .embedded }
            if let k = deviceTables[n] { return .scratch(k) }
            let k = scratch.count
            scratch.append(ScratchBuffer(type: TensorType(shape: [2 * n], elementType: .float(.f64))))
            deviceTables[n] = k
            let angle = "__ddiv_rn(__dmul_rn(\(2 * Double.pi), (double)o), (double)\(n))"
            twiddleKernels.append(WideAttributes.loopKernel(
                name: "\(name)_twiddles\(n)", comment: "\(name)_twiddles\(n): cos and sin of 2*pi*j/\(n)",
                parameters: ["double* __restrict__ tw"], bindings: [.scratch(k)], count: n, globals: [],
                body: ["    const double angle = \(angle);", "    tw[o] = cos(angle); tw[\(n) + o] = sin(angle);"],
                operation: op))
            return .scratch(k)
        }

        /// Globals, parameters, bindings and the `tc`/`ts` pointer statements for `table`.
        static func tableCode(_ table: Table, n: Int) -> (globals: [String], parameters: [String], bindings: [GeneratedKernel.Binding], lines: [String]) {
            switch table {
            case .embedded:
                let cosines = (0..<n).map { j -> String in
                    let angle: Double = 2 * Double.pi * Double(j) / Double(n)
                    return KernelElementType.floatLiteral(cos(angle), compute: "double")
                }
                let sines = (0..<n).map { j -> String in
                    let angle: Double = 2 * Double.pi * Double(j) / Double(n)
                    return KernelElementType.floatLiteral(sin(angle), compute: "double")
                }
                return (["__device__ const double nv_fft_cos_\(n)[\(n)] = {\(cosines.joined(separator: ", "))};",
                         "__device__ const double nv_fft_sin_\(n)[\(n)] = {\(sines.joined(separator: ", "))};"],
                        [], [],
                        ["    const double* const tc = nv_fft_cos_\(n);", "    const double* const ts = nv_fft_sin_\(n);"])
            case .scratch(let k):
                return ([], ["const double* __restrict__ tw"], [.scratch(k)],
                        ["    const double* const tc = tw;", "    const double* const ts = tw + \(n);"])
            }
        }

        /// One axis of the DFT: output element `o` (of `shape` with `outLength` along
        /// `axis`) sums the line of `from` through it.
        mutating func transform(axis: Int, shape: [Int], outLength: Int, inverse: Bool, from: Place, to: Place) throws {
            let n = shape[axis]
            let step = shape[(axis + 1)...].reduce(1, *)
            var outShape = shape
            outShape[axis] = outLength
            let count = outShape.reduce(1, *)
            let twiddles = Self.tableCode(table(n), n: n)
            let scale: Double = 1 / Double(n)
            let sine = inverse ? "ts[t]" : "-ts[t]"
            let result = inverse
                ? "nv_wc_make(__dmul_rn(sr, \(KernelElementType.floatLiteral(scale, compute: "double"))), __dmul_rn(si, \(KernelElementType.floatLiteral(scale, compute: "double"))))"
                : "nv_wc_make(sr, si)"
            let body = twiddles.lines + [
                "    const idx_t inner = o % \(step), rest = o / \(step);",
                "    const idx_t f = rest % \(outLength), outer = rest / \(outLength);",
                "    const idx_t base = outer * \(n * step) + inner;",
                "    double sr = 0.0, si = 0.0;",
                "    idx_t t = 0;",
                "    for (idx_t j = 0; j < \(n); ++j) {",
                "      const nv_wc e = \(from.load("src", "base + j * \(step)"));",
                "      const double c = tc[t], s = \(sine);",
                "      sr = __dadd_rn(sr, __dsub_rn(__dmul_rn(e.re, c), __dmul_rn(e.im, s)));",
                "      si = __dadd_rn(si, __dadd_rn(__dmul_rn(e.re, s), __dmul_rn(e.im, c)));",
                "      t += f;",
                "      if (t >= \(n)) t -= \(n);",
                "    }",
                "    const nv_wc r = \(result);",
                "    " + to.store("r", to: "dst", "o"),
            ]
            let label = "\(name)_axis\(axis)"
            kernels.append(WideAttributes.loopKernel(
                name: label, comment: "\(label): \(inverse ? "inverse " : "")DFT of length \(n) along axis \(axis) of \(shape), \(outLength) outputs per line",
                parameters: [from.parameter("src", constant: true), to.parameter("dst", constant: false)] + twiddles.parameters,
                bindings: [from.binding, to.binding] + twiddles.bindings, count: count, globals: twiddles.globals,
                body: body, operation: op))
        }

        /// IRFFT's last axis: each of `rows` rows of `half` Hermitian coefficients becomes
        /// `n` reals.
        mutating func hermitianInverse(rows: Int, half: Int, n: Int, from: Place, to: Place) throws {
            let twiddles = Self.tableCode(table(n), n: n)
            let body = twiddles.lines + [
                "    const idx_t row = o / \(n), t = o % \(n);",
                "    const idx_t base = row * \(half);",
                "    double s = \(from.load("src", "base")).re;",
                "    idx_t idx = t;",
                "    for (idx_t f = 1; f < \(half); ++f) {",
                "      const nv_wc e = \(from.load("src", "base + f"));",
                "      const double term = __dsub_rn(__dmul_rn(e.re, tc[idx]), __dmul_rn(e.im, ts[idx]));",
                "      s = __dadd_rn(s, 2 * f == \(n) ? __dmul_rn(e.re, tc[idx]) : __dmul_rn(2.0, term));",
                "      idx += t;",
                "      if (idx >= \(n)) idx -= \(n);",
                "    }",
                "    const nv_wc r = nv_wc_make(__ddiv_rn(s, \(Double(n))), 0.0);",
                "    " + to.store("r", to: "dst", "o"),
            ]
            let label = "\(name)_hermitian"
            kernels.append(WideAttributes.loopKernel(
                name: label, comment: "\(label): real inverse DFT of length \(n) of \(rows) rows of \(half) coefficients",
                parameters: [from.parameter("src", constant: true), to.parameter("dst", constant: false)] + twiddles.parameters,
                bindings: [from.binding, to.binding] + twiddles.bindings, count: rows * n, globals: twiddles.globals,
                body: body, operation: op))
        }

        /// No axis longer than 1: the result is the operand, converted.
        mutating func copy(count: Int, from: Place, to: Place) {
            let label = "\(name)_copy"
            kernels.append(WideAttributes.loopKernel(
                name: label, comment: "\(label): fft over axes of length 1 (the identity)",
                parameters: [from.parameter("src", constant: true), to.parameter("dst", constant: false)],
                bindings: [from.binding, to.binding], count: count, globals: [],
                body: ["    const nv_wc r = \(from.load("src", "o"));", "    " + to.store("r", to: "dst", "o")],
                operation: op))
        }
    }
}
