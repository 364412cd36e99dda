import StableHLO

/// `convolution` with every dimension-number layout, window strides, (negative) padding,
/// lhs and rhs dilation, window reversal, feature groups and batch groups.
///
/// Computed as im2col: for each run of output features that share a feature group and a
/// batch group, the padded/dilated input windows become the rows of a patch matrix, which
/// is multiplied by the kernel's rows for those features (`MatrixProduct`).
enum Convolution {
    /// `dynamic_conv`: `convolution` with its padding given as a third operand, an
    /// `N×2` integer tensor of (low, high) pairs.
    static func dynamicConvolution(_ call: KernelCall) throws -> [RuntimeValue] {
        guard call.operands.count == 3, call.op.operands.count == 3 else {
            throw call.error("expects 3 operands (lhs, rhs, padding), got \(call.operands.count)")
        }
        let padding = try call.tensor(2)
        guard padding.shape.count == 2, padding.shape[1] == 2, let values = padding.ints else {
            throw call.error("padding must be an N×2 integer tensor, got \(padding.type)")
        }
        var op = call.op
        op.operands.removeLast()
        let type = TensorType(shape: padding.shape, elementType: .si(64))
        op[attribute: "padding"] = .dense(DenseElements(type: type, littleEndianWords: values.map { UInt64(bitPattern: $0) }))
        let inner = KernelCall(op: op, operands: Array(call.operands.prefix(2)), interpreter: call.interpreter, scope: call.scope)
        return try convolution(inner)
    }

    static func convolution(_ call: KernelCall) throws -> [RuntimeValue] {
        // Operands are converted to the result's element type first (as in `DotGeneral`).
        let resultElement = try call.resultType().elementType
        let lhs = try ElementwiseKernels.converted(try call.tensor(0), toElementType: resultElement, call)
        let rhs = try ElementwiseKernels.converted(try call.tensor(1), toElementType: resultElement, call)
        let dims = try DimensionChecks.decoding(call, ConvolutionDimensionNumbers.init)
        let s = dims.inputSpatial.count
        guard dims.kernelSpatial.count == s, dims.outputSpatial.count == s,
              lhs.shape.count == s + 2, rhs.shape.count == s + 2 else {
            throw call.error("dimension numbers do not fit operands \(lhs.type) and \(rhs.type)")
        }
        try call.checkDimensions([dims.inputBatch, dims.inputFeature] + dims.inputSpatial, rank: s + 2, "input dimension")
        try call.checkDimensions([dims.kernelInput, dims.kernelOutput] + dims.kernelSpatial, rank: s + 2, "kernel dimension")
        try call.checkDimensions([dims.outputBatch, dims.outputFeature] + dims.outputSpatial, rank: s + 2, "output dimension")
        let ones = [Int](repeating: 1, count: s)
        let strides = try call.ints("window_strides", default: ones)
        let lhsDilation = try call.ints("lhs_dilation", default: ones)
        let rhsDilation = try call.ints("rhs_dilation", default: ones)
        let padding = try ReduceWindow.paddingPairs(call, rank: s)
        let reversal: [Bool] = try {
            guard let a = call.op[attribute: "window_reversal"] else { return Array(repeating: false, count: s) }
            guard let v = a.intArray ?? boolArray(a) else { throw call.error("window_reversal is not a boolean list") }
            return v.map { $0 != 0 }
        }()
        guard strides.count == s, lhsDilation.count == s, rhsDilation.count == s, reversal.count == s,
              (strides + lhsDilation + rhsDilation).allSatisfy({ $0 > 0 }) else {
            throw call.error("window attributes must have \(s) positive entries")
        }
        let bound = 1 << 32
        guard (strides + lhsDilation + rhsDilation).allSatisfy({ $0 < bound }),
              padding.allSatisfy({ $0.low.magnitude < bound && $0.high.magnitude < bound }) else {
            throw call.error("window attributes out of range")
        }
        let groups = try call.int("feature_group_count", default: 1)
        let batchGroups = try call.int("batch_group_count", default: 1)
        let batch = lhs.shape[dims.inputBatch], features = lhs.shape[dims.inputFeature]
        let kernelInput = rhs.shape[dims.kernelInput], outFeatures = rhs.shape[dims.kernelOutput]
        guard groups > 0, batchGroups > 0, features % groups == 0, kernelInput == features / groups,
              outFeatures % groups == 0, batch % batchGroups == 0, outFeatures % batchGroups == 0 else {
            throw call.error("feature_group_count \(groups) / batch_group_count \(batchGroups) do not fit \(lhs.type) and \(rhs.type)")
        }
        let inSizes = dims.inputSpatial.map { lhs.shape[$0] }
        let kSizes = dims.kernelSpatial.map { rhs.shape[$0] }
        var outSizes = [Int](repeating: 0, count: s)
        // taps[d][p * kSizes[d] + k]: the input coordinate tap k of output p reads, or -1.
        var taps: [[Int]] = []
        for d in 0..<s {
            let dilated = inSizes[d] == 0 ? 0 : (inSizes[d] - 1) * lhsDilation[d] + 1
            let padded = dilated + padding[d].low + padding[d].high
            let span = kSizes[d] == 0 ? 0 : (kSizes[d] - 1) * rhsDilation[d] + 1
            outSizes[d] = padded < span ? 0 : (padded - span) / strides[d] + 1
            var table = [Int](repeating: -1, count: outSizes[d] * kSizes[d])
            for p in 0..<outSizes[d] {
                for k in 0..<kSizes[d] {
                    let x = p * strides[d] + k * rhsDilation[d] - padding[d].low
                    if x >= 0, x % lhsDilation[d] == 0, x / lhsDilation[d] < inSizes[d] {
                        table[p * kSizes[d] + k] = x / lhsDilation[d]
                    }
                }
            }
            taps.append(table)
        }
        let outBatch = batch / batchGroups
        let positions = outSizes.reduce(1, *), kernelPositions = kSizes.reduce(1, *)
        let lhsStrides = Indexing.strides(lhs.shape), rhsStrides = Indexing.strides(rhs.shape)
        // Spatial part of the input offset for (output position, kernel position), or -1.
        var spatialOffsets = [Int](repeating: -1, count: positions * kernelPositions)
        var w = 0
        Indexing.forEachIndex(outSizes) { p in
            Indexing.forEachIndex(kSizes) { k in
                var o = 0
                for d in 0..<s {
                    let c = taps[d][p[d] * kSizes[d] + k[d]]
                    if c < 0 { o = -1; break }
                    o += c * lhsStrides[dims.inputSpatial[d]]
                }
                spatialOffsets[w] = o
                w += 1
            }
        }
        // Spatial part of the kernel offset for each kernel position (with reversal).
        var kernelOffsets: [Int] = []
        kernelOffsets.reserveCapacity(kernelPositions)
        Indexing.forEachIndex(kSizes) { k in
            var o = 0
            for d in 0..<s { o += (reversal[d] ? kSizes[d] - 1 - k[d] : k[d]) * rhsStrides[dims.kernelSpatial[d]] }
            kernelOffsets.append(o)
        }
        if kSizes.contains(0) { kernelOffsets = [] }
        let zero = Tensor.zeros(TensorType(shape: [1], elementType: lhs.elementType)).storage
        guard let lhsPadded = Tensor.Storage.joined([lhs.storage, zero]) else { throw call.error("internal: storage domains") }
        let zeroIndex = lhs.elementCount
        let elementType = try call.resultType().elementType
        let perGroup = outFeatures / groups, perBatchGroup = outFeatures / batchGroups
        // Runs of output features sharing (feature group, batch group).
        var runs: [(start: Int, end: Int)] = []
        var o0 = 0
        while o0 < outFeatures {
            let end = min((o0 / perGroup + 1) * perGroup, (o0 / perBatchGroup + 1) * perBatchGroup)
            runs.append((o0, end))
            o0 = end
        }
        var parts: [Tensor.Storage] = []
        var runBase: [Int] = []
        var total = 0
        let columns = kernelInput * kernelPositions
        for run in runs {
            let g = run.start / perGroup, bg = run.start / perBatchGroup
            var patchIndices = [Int](repeating: zeroIndex, count: outBatch * positions * columns)
            var i = 0
            for ob in 0..<outBatch {
                let n = bg * outBatch + ob
                for p in 0..<positions {
                    for ic in 0..<kernelInput {
                        let base = n * lhsStrides[dims.inputBatch] + (g * kernelInput + ic) * lhsStrides[dims.inputFeature]
                        for k in 0..<kernelPositions {
                            let sp = spatialOffsets[p * kernelPositions + k]
                            if sp >= 0 { patchIndices[i] = base + sp }
                            i += 1
                        }
                    }
                }
            }
            var kernelIndices: [Int] = []
            kernelIndices.reserveCapacity((run.end - run.start) * columns)
            for oc in run.start..<run.end {
                for ic in 0..<kernelInput {
                    let base = oc * rhsStrides[dims.kernelOutput] + ic * rhsStrides[dims.kernelInput]
                    for k in kernelOffsets { kernelIndices.append(base + k) }
                }
            }
            let rows = outBatch * positions, width = run.end - run.start
            let product = try MatrixProduct(batch: 1, m: rows, n: width, k: columns)
                .multiply(lhsPadded.gathering(patchIndices), rhs.storage.gathering(kernelIndices), resultType: elementType, call)
            parts.append(product.storage(as: TensorType(shape: [rows, width], elementType: elementType)))
            runBase.append(total)
            total += rows * width
        }
        var shape = [Int](repeating: 0, count: s + 2)
        shape[dims.outputBatch] = outBatch
        shape[dims.outputFeature] = outFeatures
        for d in 0..<s { shape[dims.outputSpatial[d]] = outSizes[d] }
        let outCount = shape.reduce(1, *)
        guard outCount > 0 else {
            return [try call.result(shape: shape, storage: Tensor.zeros(TensorType(shape: shape, elementType: elementType)).storage)]
        }
        guard let joined = Tensor.Storage.joined(parts) else { throw call.error("internal: storage domains") }
        let runOf = (0..<outFeatures).map { oc in runs.firstIndex { oc < $0.end } ?? 0 }
        var indices = [Int](repeating: 0, count: outCount)
        var linear = 0
        Indexing.forEachIndex(shape) { idx in
            let ob = idx[dims.outputBatch], oc = idx[dims.outputFeature]
            var p = 0
            for d in 0..<s { p = p * outSizes[d] + idx[dims.outputSpatial[d]] }
            let r = runOf[oc], width = runs[r].end - runs[r].start
            indices[linear] = runBase[r] + (ob * positions + p) * width + (oc - runs[r].start)
            linear += 1
        }
        return [try call.result(shape: shape, storage: joined.gathering(indices))]
    }

    private static func boolArray(_ a: Attribute) -> [Int64]? {
        if case .array(let items) = a { return items.compactMap { $0.intValue } }
        return nil
    }
}
