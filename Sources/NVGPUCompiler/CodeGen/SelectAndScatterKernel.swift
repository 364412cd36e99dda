import StableHLO

/// `select_and_scatter` in two kernels with no atomics, so any scatter body (floating-point
/// add included) gives the reference's result bit for bit:
/// 1. one thread per source element walks its window in row-major order and records the
///    selected operand element (`select(current, candidate)` false moves the selection),
///    or -1 for a window entirely in the padding, in an i64 scratch buffer;
/// 2. one thread per result element starts from the init value and applies
///    `scatter(acc, source)` for every window that selected it, in source order (the
///    reference's order).
enum SelectAndScatterKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.select_and_scatter"]

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count == 3, op.results.count == 1, op.regions.count == 2 else {
            throw CodeGenError("select_and_scatter needs operand, source, init, one result and two regions", at: op.location)
        }
        let operand = op.operands[0], source = op.operands[1], initial = op.operands[2]
        let type = try DedicatedKernels.elementType(operand, of: op)
        for v in [source, initial, op.results[0]] where try DedicatedKernels.elementType(v, of: op) != type {
            throw CodeGenError("select_and_scatter operand \(operand.type), source \(source.type), init \(initial.type) and result \(op.results[0].type) differ in element type",
                               at: op.location)
        }
        let shape = try DedicatedKernels.shape(operand, of: op)
        let sourceShape = try DedicatedKernels.shape(source, of: op)
        let rank = shape.count
        guard try DedicatedKernels.shape(op.results[0], of: op) == shape, try DedicatedKernels.shape(initial, of: op).isEmpty else {
            throw CodeGenError("select_and_scatter result \(op.results[0].type) must match operand \(operand.type)", at: op.location)
        }
        let window = try DedicatedKernels.ints(op, "window_dimensions")
        let strides = try DedicatedKernels.ints(op, "window_strides", default: [Int](repeating: 1, count: rank))
        let padding = try DedicatedKernels.ints(op, "padding", default: [Int](repeating: 0, count: 2 * rank))
        guard window.count == rank, strides.count == rank, padding.count == 2 * rank,
              window.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }) else {
            throw CodeGenError("select_and_scatter window \(window), strides \(strides), padding \(padding) do not match rank \(rank)",
                               at: op.location)
        }
        let low = (0..<rank).map { padding[2 * $0] }
        let windowCounts: [Int] = (0..<rank).map { d in
            let padded = padding[2 * d] + shape[d] + padding[2 * d + 1]
            return (padded <= 0 || window[d] > padded) ? 0 : (padded - window[d]) / strides[d] + 1
        }
        guard windowCounts == sourceShape else {
            throw CodeGenError("select_and_scatter source \(source.type) must have the window count \(windowCounts)", at: op.location)
        }
        let select = try ScalarRegion(op.regions[0], of: op)
        let scatter = try ScalarRegion(op.regions[1], of: op)
        let count = shape.reduce(1, *), sourceCount = sourceShape.reduce(1, *)
        guard count > 0 else { return FusionKernels(kernels: [], scratch: []) }
        let scratch = ScratchBuffer(type: TensorType(shape: sourceShape, elementType: .si(64)))
        var kernels: [GeneratedKernel] = []
        let operandStrides = ElementIndex.strides(shape), sourceStrides = ElementIndex.strides(sourceShape)

        if sourceCount > 0 {
            var lines = DedicatedKernels.coordinates(of: "o", in: sourceShape, prefix: "s", indent: "    ")
            lines.append("    long long selected = -1;")
            lines.append("    \(type.compute) current = \(type.load("operand[0]"));")
            let windowStrides = ElementIndex.strides(window)
            lines.append("    for (idx_t w = 0; w < (idx_t)\(window.reduce(1, *)); ++w) {")
            lines.append("      bool inside = true;")
            lines.append("      idx_t at = 0;")
            for d in 0..<rank {
                var position = windowStrides[d] == 1 ? "w" : "(w / \(windowStrides[d]))"
                if d > 0 { position = "(\(position) % \(window[d]))" }
                lines.append("      const idx_t x\(d) = s\(d) * \(strides[d]) + \(position) - (\(low[d]));")
                lines.append("      if (x\(d) < 0 || x\(d) >= \(shape[d])) inside = false; else at += x\(d) * \(operandStrides[d]);")
            }
            lines.append("      if (!inside) continue;")
            lines.append("      const \(type.compute) candidate = \(type.load("operand[at]"));")
            lines.append("      if (selected < 0) { selected = at; current = candidate; continue; }")
            let keep = try select.emit(arguments: ["current", "candidate"], into: &lines, indent: "      ", prefix: "q")
            guard keep.count == 1 else { throw CodeGenError("select_and_scatter select must return one i1", at: op.location) }
            lines.append("      if (!(\(keep[0]))) { selected = at; current = candidate; }")
            lines.append("    }")
            lines.append("    selection[o] = selected;")
            kernels.append(DedicatedKernels.kernel(
                name: name + "_select", comment: "\(name)_select: select_and_scatter windows \(window) over \(shape)",
                parameters: ["const \(type.storage)* __restrict__ operand", "long long* __restrict__ selection"],
                bindings: [.value(operand), .scratch(0)], count: sourceCount, body: lines, operation: op))
        }

        var lines = DedicatedKernels.coordinates(of: "o", in: shape, prefix: "i", indent: "    ")
        lines.append("    \(type.compute) acc = \(type.load("init[0]"));")
        if sourceCount > 0 {
            // Windows s with s*stride - low <= i <= s*stride - low + window - 1, clipped to the source.
            for d in 0..<rank {
                let top = "i\(d) + (\(low[d]))"
                let bottom = "i\(d) + (\(low[d] - window[d] + 1))"
                lines.append("    const idx_t lo\(d) = \(bottom) <= 0 ? 0 : (\(bottom) + \(strides[d] - 1)) / \(strides[d]);")
                lines.append("    const idx_t hi\(d) = \(top) < 0 ? -1 : ((\(top)) / \(strides[d]) < \(sourceShape[d] - 1) ? (\(top)) / \(strides[d]) : \(sourceShape[d] - 1));")
            }
            for d in 0..<rank {
                lines.append(String(repeating: "  ", count: d + 2) + "for (idx_t s\(d) = lo\(d); s\(d) <= hi\(d); ++s\(d)) {")
            }
            let indent = String(repeating: "  ", count: rank + 2)
            let at = (0..<rank).map { "s\($0) * \(sourceStrides[$0])" }
            lines.append("\(indent)const idx_t at = \(at.isEmpty ? "0" : at.joined(separator: " + "));")
            lines.append("\(indent)if (selection[at] != o) continue;")
            lines.append("\(indent)const \(type.compute) update = \(type.load("source[at]"));")
            let combined = try scatter.emit(arguments: ["acc", "update"], into: &lines, indent: indent, prefix: "c")
            guard combined.count == 1 else { throw CodeGenError("select_and_scatter scatter must return one value", at: op.location) }
            lines.append("\(indent)acc = \(combined[0]);")
            for d in (0..<rank).reversed() { lines.append(String(repeating: "  ", count: d + 2) + "}") }
        }
        lines.append("    out[o] = \(type.store("acc"));")
        kernels.append(DedicatedKernels.kernel(
            name: name + "_scatter", comment: "\(name)_scatter: select_and_scatter of \(sourceShape) into \(shape)",
            parameters: ["const \(type.storage)* __restrict__ source"]
                + (sourceCount > 0 ? ["const long long* __restrict__ selection"] : [])
                + ["const \(type.storage)* __restrict__ init", "\(type.storage)* __restrict__ out"],
            bindings: [.value(source)] + (sourceCount > 0 ? [.scratch(0)] : []) + [.value(initial), .value(op.results[0])],
            count: count, body: lines, operation: op))
        return FusionKernels(kernels: kernels, scratch: sourceCount > 0 ? [scratch] : [])
    }
}
