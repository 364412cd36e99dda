import Foundation
import StableHLO

/// `fft`: FFT, IFFT, RFFT and IRFFT over the last `fft_length.count` dimensions.
///
/// Each axis is transformed line by line with an exact DFT in `Double` (precomputed
/// twiddles), so the cost is elements × line length per axis; results are rounded to the
/// result type once.
enum FFT {
    static func fft(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        let lengths = try call.ints("fft_length")
        guard let kind = try call.enumValue("fft_type") else { throw call.error("missing attribute 'fft_type'") }
        let rank = operand.shape.count
        let l = lengths.count
        guard (1...3).contains(l), l <= rank, lengths.allSatisfy({ $0 >= 0 }) else {
            throw call.error("fft_length \(lengths) does not fit an operand of rank \(rank)")
        }
        let outer = Array(operand.shape[..<(rank - l)])
        let axes = Array((rank - l)..<rank)
        let resultType = try call.resultType()
        switch kind {
        case "FFT", "IFFT":
            guard case .complexes(let data) = operand.storage, Array(operand.shape[(rank - l)...]) == lengths else {
                throw call.error("\(kind) needs a complex operand whose last dimensions are \(lengths)")
            }
            var v = data
            for axis in axes { transform(&v, shape: operand.shape, axis: axis, inverse: kind == "IFFT") }
            return [try call.result(shape: operand.shape, storage: Tensor.rounded(resultType, complexes: v).storage)]
        case "RFFT":
            guard case .floats(let real) = operand.storage, Array(operand.shape[(rank - l)...]) == lengths else {
                throw call.error("RFFT needs a real operand whose last dimensions are \(lengths)")
            }
            var v = [Double](repeating: 0, count: 2 * real.count)
            for i in 0..<real.count { v[2 * i] = real[i] }
            for axis in axes { transform(&v, shape: operand.shape, axis: axis, inverse: false) }
            // Keep the non-negative frequencies of the last axis.
            var shape = operand.shape
            let n = lengths[l - 1]
            shape[rank - 1] = n / 2 + 1
            let kept = keepPrefix(v, rows: operand.elementCount / max(n, 1), from: n, to: shape[rank - 1])
            return [try call.result(shape: shape, storage: Tensor.rounded(resultType, complexes: kept).storage)]
        case "IRFFT":
            guard case .complexes(let data) = operand.storage else { throw call.error("IRFFT needs a complex operand") }
            let n = lengths[l - 1]
            let expected = Array(lengths.dropLast()) + [n / 2 + 1]
            guard Array(operand.shape[(rank - l)...]) == expected else {
                throw call.error("IRFFT operand's last dimensions must be \(expected), got \(operand.shape)")
            }
            var v = data
            for axis in axes.dropLast() { transform(&v, shape: operand.shape, axis: axis, inverse: true) }
            let shape = outer + lengths
            let rows = operand.elementCount / max(n / 2 + 1, 1)
            let real = hermitianInverse(v, rows: operand.shape[rank - 1] == 0 ? 0 : rows, half: n / 2 + 1, n: n)
            return [try call.result(shape: shape, storage: Tensor.rounded(resultType, floats: real).storage)]
        default:
            throw call.error("unknown fft_type \(kind)")
        }
    }

    /// Transforms every line of `v` (interleaved complex, row-major `shape`) along `axis`.
    static func transform(_ v: inout [Double], shape: [Int], axis: Int, inverse: Bool) {
        let n = shape[axis]
        guard n > 1, !shape.contains(0) else { return }
        let strides = Indexing.strides(shape)
        let step = strides[axis]
        let sign: Double = inverse ? 1 : -1
        var cosTable = [Double](repeating: 0, count: n), sinTable = [Double](repeating: 0, count: n)
        for j in 0..<n {
            let angle: Double = 2 * Double.pi * Double(j) / Double(n)
            cosTable[j] = cos(angle)
            sinTable[j] = sign * sin(angle)
        }
        let scale: Double = inverse ? 1 / Double(n) : 1
        var lineShape = shape
        lineShape[axis] = 1
        var re = [Double](repeating: 0, count: n), im = [Double](repeating: 0, count: n)
        for start in Indexing.affineIndices(shape: lineShape, strides: strides, base: 0) {
            for j in 0..<n {
                re[j] = v[2 * (start + j * step)]
                im[j] = v[2 * (start + j * step) + 1]
            }
            for f in 0..<n {
                var sr: Double = 0, si: Double = 0
                var t = 0
                for j in 0..<n {
                    let c = cosTable[t], s = sinTable[t]
                    sr += re[j] * c - im[j] * s
                    si += re[j] * s + im[j] * c
                    t += f
                    if t >= n { t -= n }
                }
                v[2 * (start + f * step)] = sr * scale
                v[2 * (start + f * step) + 1] = si * scale
            }
        }
    }

    /// Keeps the first `to` of every `from` complex elements.
    private static func keepPrefix(_ v: [Double], rows: Int, from: Int, to: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(2 * rows * to)
        for r in 0..<rows { out.append(contentsOf: v[(2 * r * from)..<(2 * (r * from + to))]) }
        return out
    }

    /// The real inverse DFT of length `n` of each row of `half` Hermitian coefficients
    /// (the imaginary parts of the DC and Nyquist terms are ignored).
    private static func hermitianInverse(_ v: [Double], rows: Int, half: Int, n: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * n)
        guard n > 0 else { return out }
        var cosTable = [Double](repeating: 0, count: n), sinTable = [Double](repeating: 0, count: n)
        for j in 0..<n {
            let angle: Double = 2 * Double.pi * Double(j) / Double(n)
            cosTable[j] = cos(angle)
            sinTable[j] = sin(angle)
        }
        for r in 0..<rows {
            let base = 2 * r * half
            for t in 0..<n {
                var s: Double = v[base]
                var idx = t % n
                for f in 1..<max(half, 1) {
                    let re = v[base + 2 * f], im = v[base + 2 * f + 1]
                    let isNyquist = 2 * f == n
                    let term: Double = re * cosTable[idx] - im * sinTable[idx]
                    s += isNyquist ? re * cosTable[idx] : 2 * term
                    idx += t
                    if idx >= n { idx -= n }
                }
                out[r * n + t] = s / Double(n)
            }
        }
        return out
    }
}
