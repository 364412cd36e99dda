/// Contractions and transforms: `dot_general`, `dot`, `convolution`, `fft`. Each infers
/// the result shape the spec gives and compares it with the declared one.
enum DotConvolutionRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.dot_general": dotGeneral,
        "stablehlo.dot": dot,
        "stablehlo.convolution": convolution,
        "stablehlo.fft": fft,
    ]

    static func expectPrecisionConfig(_ v: VerifiedOperation) throws {
        guard let config = v.op[attribute: "precision_config"] else { return }
        if case .array(let items) = config, !(items.isEmpty || items.count == 2) {
            throw v.error("precision_config has \(items.count) entries, expected 0 or 2")
        }
    }

    /// `dot_general`: batching and contracting dims pair up with equal sizes; result is
    /// batch dims, then lhs free dims, then rhs free dims.
    static func dotGeneral(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let lhs = try v.operand(0), rhs = try v.operand(1)
        let y = try v.result(0)
        // Element types may differ (each operand is converted to the result's element type
        // before the products, as the StableHLO interpreter computes them).
        try expectPrecisionConfig(v)
        guard let numbers = v.op[attribute: "dot_dimension_numbers"] else {
            throw v.error("missing attribute 'dot_dimension_numbers'")
        }
        let name = "dot_dimension_numbers"
        let lhsBatch = try v.parameterInts(numbers, "lhs_batching_dimensions", of: name)
        let rhsBatch = try v.parameterInts(numbers, "rhs_batching_dimensions", of: name)
        let lhsContract = try v.parameterInts(numbers, "lhs_contracting_dimensions", of: name)
        let rhsContract = try v.parameterInts(numbers, "rhs_contracting_dimensions", of: name)
        guard lhsBatch.count == rhsBatch.count else {
            throw v.error("lhs_batching_dimensions \(lhsBatch) and rhs_batching_dimensions \(rhsBatch) differ in size")
        }
        guard lhsContract.count == rhsContract.count else {
            throw v.error("lhs_contracting_dimensions \(lhsContract) and rhs_contracting_dimensions \(rhsContract) differ in size")
        }
        try v.expectUnique(lhsBatch + lhsContract, "lhs batching + contracting dimensions")
        try v.expectUnique(rhsBatch + rhsContract, "rhs batching + contracting dimensions")
        try v.expectInRange(lhsBatch, rank: lhs.rank, "lhs_batching_dimensions")
        try v.expectInRange(lhsContract, rank: lhs.rank, "lhs_contracting_dimensions")
        try v.expectInRange(rhsBatch, rank: rhs.rank, "rhs_batching_dimensions")
        try v.expectInRange(rhsContract, rank: rhs.rank, "rhs_contracting_dimensions")
        for (l, r) in zip(lhsBatch, rhsBatch) where !TensorType.compatibleDims(lhs.shape[l], rhs.shape[r]) {
            throw v.error("batching dimension sizes differ: lhs \(lhs) dimension \(l) vs rhs \(rhs) dimension \(r)")
        }
        for (l, r) in zip(lhsContract, rhsContract) where !TensorType.compatibleDims(lhs.shape[l], rhs.shape[r]) {
            throw v.error("contracting dimension sizes differ: lhs \(lhs) dimension \(l) vs rhs \(rhs) dimension \(r)")
        }
        let lhsFree = (0..<lhs.rank).filter { !lhsBatch.contains($0) && !lhsContract.contains($0) }
        let rhsFree = (0..<rhs.rank).filter { !rhsBatch.contains($0) && !rhsContract.contains($0) }
        let shape = lhsBatch.map { lhs.shape[$0] } + lhsFree.map { lhs.shape[$0] } + rhsFree.map { rhs.shape[$0] }
        try v.expectResult(0, TensorType(shape: shape, elementType: y.elementType))
    }

    /// Legacy `dot`: vector/matrix products of rank-1 or rank-2 operands.
    static func dot(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let lhs = try v.operand(0), rhs = try v.operand(1)
        let y = try v.result(0)
        // Element types may differ (each operand is converted to the result's element type
        // before the products, as the StableHLO interpreter computes them).
        guard (1...2).contains(lhs.rank), (1...2).contains(rhs.rank) else {
            throw v.error("operands must be vectors or matrices, got \(lhs) and \(rhs)")
        }
        guard let lhsLast = lhs.shape.last, let rhsFirst = rhs.shape.first,
              TensorType.compatibleDims(lhsLast, rhsFirst) else {
            throw v.error("contracting dimension sizes differ: \(lhs) and \(rhs)")
        }
        let shape = Array(lhs.shape.dropLast()) + Array(rhs.shape.dropFirst())
        try v.expectResult(0, TensorType(shape: shape, elementType: y.elementType))
    }

    /// `convolution`: dimension numbers are permutations of the right sizes, feature and
    /// batch groups divide their dimensions, and the result shape follows the window.
    static func convolution(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(2)
        try v.expectResultCount(1)
        let lhs = try v.operand(0), rhs = try v.operand(1)
        let y = try v.result(0)
        // Element types may differ (each operand is converted to the result's element type
        // before the products, as the StableHLO interpreter computes them).
        try expectPrecisionConfig(v)
        let n = lhs.rank
        guard n >= 2, rhs.rank == n else { throw v.error("lhs \(lhs) and rhs \(rhs) must have one rank of at least 2") }
        guard let numbers = v.op[attribute: "dimension_numbers"] else { throw v.error("missing attribute 'dimension_numbers'") }
        let name = "dimension_numbers"
        func dim(_ key: String) throws -> Int { try v.parameterInt(numbers, key, of: name) }
        func dims(_ key: String) throws -> [Int] { try v.parameterInts(numbers, key, of: name) }
        let inBatch = try dim("input_batch_dimension"), inFeature = try dim("input_feature_dimension")
        let inSpatial = try dims("input_spatial_dimensions")
        let kIn = try dim("kernel_input_feature_dimension"), kOut = try dim("kernel_output_feature_dimension")
        let kSpatial = try dims("kernel_spatial_dimensions")
        let outBatch = try dim("output_batch_dimension"), outFeature = try dim("output_feature_dimension")
        let outSpatial = try dims("output_spatial_dimensions")
        let spatial = n - 2
        for (what, list) in [("input", [inBatch, inFeature] + inSpatial), ("kernel", [kIn, kOut] + kSpatial),
                             ("output", [outBatch, outFeature] + outSpatial)] {
            guard list.count == n, list.isPermutation else {
                throw v.error("\(what) dimension numbers \(list) are not a permutation of 0..<\(n)")
            }
        }
        let ones = Array(repeating: 1, count: spatial)
        let strides = try v.ints("window_strides", default: ones)
        let lhsDilation = try v.ints("lhs_dilation", default: ones)
        let rhsDilation = try v.ints("rhs_dilation", default: ones)
        let padding = try v.padding("padding", defaultCount: spatial)
        for (what, list) in [("window_strides", strides), ("lhs_dilation", lhsDilation), ("rhs_dilation", rhsDilation)] {
            try v.expectSize(list, spatial, what)
            if let bad = list.first(where: { $0 <= 0 }) { throw v.error("\(what) \(list) has non-positive entry \(bad)") }
        }
        guard padding.count == spatial else { throw v.error("padding has \(padding.count) rows, expected \(spatial)") }
        if let reversal = v.op[attribute: "window_reversal"], let flags = reversal.intArray, flags.count != spatial {
            throw v.error("window_reversal has \(flags.count) entries, expected \(spatial)")
        }
        let featureGroups = try v.int("feature_group_count", default: 1)
        let batchGroups = try v.int("batch_group_count", default: 1)
        guard featureGroups > 0, batchGroups > 0 else {
            throw v.error("feature_group_count \(featureGroups) and batch_group_count \(batchGroups) must be positive")
        }
        guard featureGroups == 1 || batchGroups == 1 else {
            throw v.error("feature_group_count \(featureGroups) and batch_group_count \(batchGroups) cannot both exceed 1")
        }
        let batch = lhs.shape[inBatch], features = lhs.shape[inFeature]
        let kernelIn = rhs.shape[kIn], kernelOut = rhs.shape[kOut]
        let known = [batch, features, kernelIn, kernelOut].allSatisfy { $0 != TensorType.dynamic }
        if known {
            guard batch % batchGroups == 0 else { throw v.error("input batch size \(batch) is not a multiple of batch_group_count \(batchGroups)") }
            guard features % featureGroups == 0 else { throw v.error("input feature size \(features) is not a multiple of feature_group_count \(featureGroups)") }
            guard kernelIn == features / featureGroups else {
                throw v.error("kernel input feature size \(kernelIn) must equal input features \(features) / feature_group_count \(featureGroups)")
            }
            guard kernelOut % batchGroups == 0, kernelOut % featureGroups == 0 else {
                throw v.error("kernel output feature size \(kernelOut) must be a multiple of the group counts")
            }
        }
        var shape = Array(repeating: 0, count: n)
        shape[outBatch] = batch == TensorType.dynamic ? batch : batch / batchGroups
        shape[outFeature] = kernelOut
        let counts = try ReductionRules.windowCounts(
            v, shape: inSpatial.map { lhs.shape[$0] }, window: kSpatial.map { rhs.shape[$0] },
            strides: strides, baseDilations: lhsDilation, windowDilations: rhsDilation, padding: padding)
        for (i, d) in outSpatial.enumerated() { shape[d] = counts[i] }
        try v.expectResult(0, TensorType(shape: shape, elementType: y.elementType))
    }

    /// `fft`: `fft_length` covers the trailing dims; RFFT halves the last one, IRFFT restores it.
    static func fft(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        let x = try v.operand(0)
        let length = try v.ints("fft_length")
        guard (1...3).contains(length.count), length.count <= x.rank else {
            throw v.error("fft_length \(length) must have 1 to 3 entries and at most rank(\(x))")
        }
        guard let type = v.enumValue("fft_type") else { throw v.error("missing attribute 'fft_type'") }
        var inferred = x
        let trailing = Array(x.shape.suffix(length.count))
        switch type {
        case "FFT", "IFFT":
            try v.expectElementClass(x, .complex, "operand")
            guard TensorType.compatibleShapes(trailing, length) else {
                throw v.error("trailing dimensions of \(x) must equal fft_length \(length)")
            }
        case "RFFT":
            try v.expectElementClass(x, .float, "operand")
            guard case .float(let part) = x.elementType, part == .f32 || part == .f64 else {
                throw v.error("operand must be f32 or f64 for RFFT, got \(x)")
            }
            guard TensorType.compatibleShapes(trailing, length) else {
                throw v.error("trailing dimensions of \(x) must equal fft_length \(length)")
            }
            inferred.elementType = .complex(part)
            inferred.shape[x.rank - 1] = length[length.count - 1] / 2 + 1
        case "IRFFT":
            try v.expectElementClass(x, .complex, "operand")
            guard case .complex(let part) = x.elementType else { return }
            var expected = length
            expected[length.count - 1] = length[length.count - 1] / 2 + 1
            guard TensorType.compatibleShapes(trailing, expected) else {
                throw v.error("trailing dimensions of \(x) must equal \(expected) for fft_length \(length)")
            }
            inferred.elementType = .float(part)
            inferred.shape[x.rank - 1] = length[length.count - 1]
        default:
            throw v.error("unknown fft_type \(type)")
        }
        try v.expectResult(0, inferred)
    }
}
