import StableHLO

/// `batch_norm_inference`, `batch_norm_training` and `batch_norm_grad`: per-feature
/// statistics over every dimension but `feature_index`, computed in `Double` and rounded
/// to the element type once.
enum BatchNorm {
    /// The operand's elements grouped by feature: `features[f]` lists the linear indices
    /// of feature `f` in row-major order.
    struct FeatureLayout {
        var features: [[Int]]

        init(_ shape: [Int], featureIndex: Int) {
            let count = shape[featureIndex]
            let strides = Indexing.strides(shape)
            var groups = [[Int]](repeating: [], count: count)
            let total = shape.reduce(1, *)
            for i in 0..<total { groups[(i / strides[featureIndex]) % count].append(i) }
            features = groups
        }

        /// Elements per feature.
        var size: Int { features.first?.count ?? 0 }
    }

    static func floats(_ t: Tensor, _ call: KernelCall) throws -> [Double] {
        guard let v = t.floats else { throw call.error("needs float operands, got \(t.type)") }
        return v
    }

    static func setup(_ call: KernelCall, featureOperands: [Int]) throws -> (Tensor, Int, Double, FeatureLayout) {
        let x = try call.tensor(0)
        let featureIndex = try call.int("feature_index")
        guard featureIndex >= 0, featureIndex < x.shape.count else {
            throw call.error("feature_index \(featureIndex) out of range for \(x.type)")
        }
        guard let epsilon = call.op[attribute: "epsilon"].flatMap({ a -> Double? in
            if case .float(let v, _) = a { return v }
            return a.intValue.map(Double.init)
        }) else { throw call.error("missing float attribute 'epsilon'") }
        for i in featureOperands {
            let t = try call.tensor(i)
            guard t.shape == [x.shape[featureIndex]] else {
                throw call.error("operand #\(i) \(t.type) must have one element per feature (\(x.shape[featureIndex]))")
            }
        }
        return (x, featureIndex, epsilon, FeatureLayout(x.shape, featureIndex: featureIndex))
    }

    static func inference(_ call: KernelCall) throws -> [RuntimeValue] {
        let (x, _, epsilon, layout) = try setup(call, featureOperands: [1, 2, 3, 4])
        let v = try floats(x, call), scale = try floats(try call.tensor(1), call), offset = try floats(try call.tensor(2), call)
        let mean = try floats(try call.tensor(3), call), variance = try floats(try call.tensor(4), call)
        var out = [Double](repeating: 0, count: v.count)
        for (f, indices) in layout.features.enumerated() {
            let deviation = (variance[f] + epsilon).squareRoot()
            for i in indices { out[i] = scale[f] * (v[i] - mean[f]) / deviation + offset[f] }
        }
        return [try call.result(shape: x.shape, storage: Tensor.rounded(x.type, floats: out).storage)]
    }

    static func training(_ call: KernelCall) throws -> [RuntimeValue] {
        let (x, _, epsilon, layout) = try setup(call, featureOperands: [1, 2])
        let v = try floats(x, call), scale = try floats(try call.tensor(1), call), offset = try floats(try call.tensor(2), call)
        let (mean, variance) = statistics(v, layout)
        var out = [Double](repeating: 0, count: v.count)
        for (f, indices) in layout.features.enumerated() {
            let deviation = (variance[f] + epsilon).squareRoot()
            for i in indices { out[i] = scale[f] * (v[i] - mean[f]) / deviation + offset[f] }
        }
        let featureType = TensorType(shape: [mean.count], elementType: x.elementType)
        return [try call.result(0, shape: x.shape, storage: Tensor.rounded(x.type, floats: out).storage),
                try call.result(1, shape: [mean.count], storage: Tensor.rounded(featureType, floats: mean).storage),
                try call.result(2, shape: [mean.count], storage: Tensor.rounded(featureType, floats: variance).storage)]
    }

    static func grad(_ call: KernelCall) throws -> [RuntimeValue] {
        let (x, _, epsilon, layout) = try setup(call, featureOperands: [1, 2, 3])
        let v = try floats(x, call), scale = try floats(try call.tensor(1), call)
        let mean = try floats(try call.tensor(2), call), variance = try floats(try call.tensor(3), call)
        let dyTensor = try call.tensor(4)
        guard dyTensor.shape == x.shape else { throw call.error("grad_output \(dyTensor.type) must match \(x.type)") }
        let dy = try floats(dyTensor, call)
        let n = Double(layout.size)
        var gradX = [Double](repeating: 0, count: v.count)
        var gradScale = [Double](repeating: 0, count: scale.count), gradOffset = gradScale
        for (f, indices) in layout.features.enumerated() {
            let deviation = (variance[f] + epsilon).squareRoot()
            var sumDy: Double = 0, sumDyNorm: Double = 0
            for i in indices {
                sumDy += dy[i]
                sumDyNorm += dy[i] * (v[i] - mean[f]) / deviation
            }
            gradOffset[f] = sumDy
            gradScale[f] = sumDyNorm
            for i in indices {
                let normalized: Double = (v[i] - mean[f]) / deviation
                let centered: Double = dy[i] - sumDy / n - normalized * sumDyNorm / n
                gradX[i] = scale[f] / deviation * centered
            }
        }
        let featureType = TensorType(shape: [scale.count], elementType: x.elementType)
        return [try call.result(0, shape: x.shape, storage: Tensor.rounded(x.type, floats: gradX).storage),
                try call.result(1, shape: [scale.count], storage: Tensor.rounded(featureType, floats: gradScale).storage),
                try call.result(2, shape: [scale.count], storage: Tensor.rounded(featureType, floats: gradOffset).storage)]
    }

    /// Per-feature mean and (biased) variance.
    static func statistics(_ v: [Double], _ layout: FeatureLayout) -> ([Double], [Double]) {
        var mean = [Double](repeating: 0, count: layout.features.count), variance = mean
        for (f, indices) in layout.features.enumerated() where !indices.isEmpty {
            let n = Double(indices.count)
            var s: Double = 0
            for i in indices { s += v[i] }
            mean[f] = s / n
            var q: Double = 0
            for i in indices { q += (v[i] - mean[f]) * (v[i] - mean[f]) }
            variance[f] = q / n
        }
        return (mean, variance)
    }
}
