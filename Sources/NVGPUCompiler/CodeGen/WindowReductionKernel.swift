import StableHLO

/// `reduce_window` as one thread per result element: the thread walks its window in
/// row-major order and folds `body(acc..., element...)` from the init values, reading the
/// init values at padding and base-dilation holes (as the reference does). Any window,
/// stride, padding and dilation; variadic (n inputs, n inits, n results).
enum WindowReductionKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.reduce_window"]

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count % 2 == 0, !op.operands.isEmpty, op.results.count == op.operands.count / 2 else {
            throw CodeGenError("reduce_window needs n inputs, n init values and n results", at: op.location)
        }
        let n = op.results.count
        let inputs = Array(op.operands[..<n]), inits = Array(op.operands[n...])
        let shape = try DedicatedKernels.shape(inputs[0], of: op)
        let rank = shape.count
        for v in inputs where try DedicatedKernels.shape(v, of: op) != shape {
            throw CodeGenError("reduce_window inputs have different shapes", at: op.location)
        }
        var types: [KernelElementType] = []
        for k in 0..<n {
            let input = try DedicatedKernels.elementType(inputs[k], of: op)
            let initial = try DedicatedKernels.elementType(inits[k], of: op)
            let result = try DedicatedKernels.elementType(op.results[k], of: op)
            guard input == initial, initial == result, try DedicatedKernels.shape(inits[k], of: op).isEmpty else {
                throw CodeGenError("reduce_window input \(inputs[k].type), init \(inits[k].type) and result \(op.results[k].type) differ in element type",
                                   at: op.location)
            }
            types.append(result)
        }
        let ones = [Int](repeating: 1, count: rank)
        let window = try DedicatedKernels.ints(op, "window_dimensions")
        let strides = try DedicatedKernels.ints(op, "window_strides", default: ones)
        let baseDilations = try DedicatedKernels.ints(op, "base_dilations", default: ones)
        let windowDilations = try DedicatedKernels.ints(op, "window_dilations", default: ones)
        let padding = try DedicatedKernels.ints(op, "padding", default: [Int](repeating: 0, count: 2 * rank))
        guard window.count == rank, strides.count == rank, baseDilations.count == rank, windowDilations.count == rank,
              padding.count == 2 * rank, window.allSatisfy({ $0 >= 0 }),
              (strides + baseDilations + windowDilations).allSatisfy({ $0 > 0 }) else {
            throw CodeGenError("reduce_window attributes do not match rank \(rank)", at: op.location)
        }
        var resultShape: [Int] = []
        for d in 0..<rank {
            let dilated = shape[d] == 0 ? 0 : (shape[d] - 1) * baseDilations[d] + 1
            let padded = dilated + padding[2 * d] + padding[2 * d + 1]
            let span = window[d] == 0 ? 0 : (window[d] - 1) * windowDilations[d] + 1
            resultShape.append(padded < span ? 0 : (padded - span) / strides[d] + 1)
        }
        for r in op.results where try DedicatedKernels.shape(r, of: op) != resultShape {
            throw CodeGenError("reduce_window result \(r.type) does not match the window count \(resultShape)", at: op.location)
        }
        guard let region = op.regions.first else { throw CodeGenError("reduce_window without a body", at: op.location) }
        let body = try ScalarRegion(region, of: op)
        let count = resultShape.reduce(1, *)
        guard count > 0 else { return FusionKernels(kernels: [], scratch: []) }

        let (parameters, bindings) = DedicatedKernels.reductionParameters(
            inputs: inputs, inits: inits, results: op.results, types: types)
        var lines = DedicatedKernels.coordinates(of: "o", in: resultShape, prefix: "o", indent: "    ")
        for k in 0..<n {
            lines.append("    const \(types[k].compute) pad\(k) = \(types[k].load("init\(k)[0]"));")
            lines.append("    \(types[k].compute) acc\(k) = pad\(k);")
        }
        let windowCount = window.reduce(1, *)
        let windowStrides = ElementIndex.strides(window)
        let inputStrides = ElementIndex.strides(shape)
        lines.append("    for (idx_t w = 0; w < (idx_t)\(windowCount); ++w) {")
        lines.append("      bool inside = true;")
        lines.append("      idx_t at = 0;")
        for d in 0..<rank {
            var position = windowStrides[d] == 1 ? "w" : "(w / \(windowStrides[d]))"
            if d > 0 { position = "(\(position) % \(window[d]))" }
            if window[d] == 1 { position = "0" }
            let scaled = windowDilations[d] == 1 ? position : "\(position) * \(windowDilations[d])"
            lines.append("      const idx_t x\(d) = o\(d) * \(strides[d]) + \(scaled) - (\(padding[2 * d]));")
            if baseDilations[d] == 1 {
                lines.append("      if (x\(d) < 0 || x\(d) >= \(shape[d])) inside = false; else at += x\(d) * \(inputStrides[d]);")
            } else {
                lines.append("      if (x\(d) < 0 || x\(d) % \(baseDilations[d]) != 0 || x\(d) / \(baseDilations[d]) >= \(shape[d])) inside = false; else at += (x\(d) / \(baseDilations[d])) * \(inputStrides[d]);")
            }
        }
        for k in 0..<n {
            lines.append("      const \(types[k].compute) e\(k) = inside ? \(types[k].load("in\(k)[at]")) : pad\(k);")
        }
        let results = try body.emit(arguments: (0..<n).map { "acc\($0)" } + (0..<n).map { "e\($0)" },
                                    into: &lines, indent: "      ", prefix: "b")
        for k in 0..<n { lines.append("      acc\(k) = \(results[k]);") }
        lines.append("    }")
        for k in 0..<n { lines.append("    out\(k)[o] = \(types[k].store("acc\(k)"));") }
        let kernel = DedicatedKernels.kernel(
            name: name, comment: "\(name): reduce_window \(shape) -> \(resultShape), window \(window)",
            parameters: parameters, bindings: bindings, count: count, body: lines, operation: op)
        return FusionKernels(kernels: [kernel], scratch: [])
    }
}
