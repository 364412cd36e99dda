import StableHLO

/// `reduce_window`: folds every window of the (base-dilated, padded) inputs, with window
/// strides and window dilations; padding and dilation holes read the init values.
enum ReduceWindow {
    static func reduceWindow(_ call: KernelCall) throws -> [RuntimeValue] {
        let all = try call.tensors()
        guard all.count % 2 == 0, !all.isEmpty else { throw call.error("needs inputs followed by as many init values") }
        let n = all.count / 2
        let inputs = Array(all[..<n]), inits = Array(all[n...])
        guard let body = call.op.regions.first else { throw call.error("missing body region") }
        let shape = inputs[0].shape
        guard inputs.allSatisfy({ $0.shape == shape }) else { throw call.error("inputs have different shapes") }
        let rank = shape.count
        let ones = [Int](repeating: 1, count: rank)
        let window = try call.ints("window_dimensions")
        let strides = try call.ints("window_strides", default: ones)
        let baseDilations = try call.ints("base_dilations", default: ones)
        let windowDilations = try call.ints("window_dilations", default: ones)
        let padding = try paddingPairs(call, rank: rank)
        guard window.count == rank, strides.count == rank, baseDilations.count == rank, windowDilations.count == rank else {
            throw call.error("window attributes must have \(rank) entries")
        }
        guard (strides + baseDilations + windowDilations).allSatisfy({ $0 > 0 }), window.allSatisfy({ $0 >= 0 }) else {
            throw call.error("window sizes must be non-negative and strides and dilations positive")
        }
        let bound = 1 << 32
        guard (window + strides + baseDilations + windowDilations).allSatisfy({ $0 < bound }),
              padding.allSatisfy({ $0.low.magnitude < bound && $0.high.magnitude < bound }) else {
            throw call.error("window attributes out of range")
        }
        var resultShape = [Int](repeating: 0, count: rank)
        // coords[d][o * window[d] + w]: the input coordinate read, or -1 for padding.
        var coords: [[Int]] = []
        for d in 0..<rank {
            let dilated = shape[d] == 0 ? 0 : (shape[d] - 1) * baseDilations[d] + 1
            let padded = dilated + padding[d].low + padding[d].high
            let span = window[d] == 0 ? 0 : (window[d] - 1) * windowDilations[d] + 1
            resultShape[d] = padded < span ? 0 : (padded - span) / strides[d] + 1
            var table = [Int](repeating: -1, count: resultShape[d] * window[d])
            for o in 0..<resultShape[d] {
                for w in 0..<window[d] {
                    let x = o * strides[d] + w * windowDilations[d] - padding[d].low
                    if x >= 0, x % baseDilations[d] == 0, x / baseDilations[d] < shape[d] {
                        table[o * window[d] + w] = x / baseDilations[d]
                    }
                }
            }
            coords.append(table)
        }
        let inputStrides = Indexing.strides(shape)
        let groupCount = resultShape.reduce(1, *), groupSize = window.reduce(1, *)
        var indices = [Int](repeating: -1, count: groupCount * groupSize)
        var k = 0
        Indexing.forEachIndex(resultShape) { o in
            Indexing.forEachIndex(window) { w in
                var linear = 0
                for d in 0..<rank {
                    let c = coords[d][o[d] * window[d] + w[d]]
                    if c < 0 { linear = -1; break }
                    linear += c * inputStrides[d]
                }
                indices[k] = linear
                k += 1
            }
        }
        let plan = ReductionPlan(groupCount: groupCount, groupSize: groupSize, indices: indices)
        let storages = try Reduction.fold(inputs, inits: inits, body: body, plan: plan, call)
        return try storages.enumerated().map { i, s in try call.result(i, shape: resultShape, storage: s) }
    }

    /// The `padding` attribute (an N×2 dense or a flat list) as (low, high) pairs; zeros when absent.
    static func paddingPairs(_ call: KernelCall, rank: Int) throws -> [(low: Int, high: Int)] {
        guard let attribute = call.op[attribute: "padding"] else {
            return Array(repeating: (0, 0), count: rank)
        }
        let flat: [Int64]?
        switch attribute {
        case .dense(let d): flat = d.isSplat ? d.int64Values.map { Array(repeating: $0.first ?? 0, count: 2 * rank) } : d.int64Values
        case .array(let rows):
            var out: [Int64] = []
            for row in rows {
                guard let v = row.intArray ?? row.intValue.map({ [$0] }) else { return try bad(call) }
                out += v
            }
            flat = out
        default: flat = attribute.intArray
        }
        guard let values = flat, values.count == 2 * rank else { return try bad(call) }
        return (0..<rank).map { (Int(values[2 * $0]), Int(values[2 * $0 + 1])) }
    }

    private static func bad(_ call: KernelCall) throws -> [(low: Int, high: Int)] {
        throw call.error("padding must be a (rank)x2 integer tensor")
    }
}
