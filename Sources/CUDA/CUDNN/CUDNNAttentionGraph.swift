import CCUDA

/// The operation graph of one `CUDNNAttentionDescription`, as plain values (so it can be
/// checked without a GPU), in the form cuDNN's fused flash-attention engines match:
///
///     S = Q·Kᵀ (f32) → S·scale → (+ bias) → (select(row + offset ≥ col, S, -inf))
///       → P = exp(S - max(S)) / sum(exp(S - max(S)))  (P in the input type) → O = P·V
///
/// Kᵀ is K's view with its last two dimensions and strides swapped: no copy.
struct AttentionGraph: Hashable {
    struct Tensor: Hashable {
        var uid: Int64
        var dims: [Int]
        var strides: [Int]
        var type: CUDNNBackend.DataType
        var isVirtual = false
        var isByValue = false
    }

    enum Node: Hashable {
        case matmul(a: Tensor, b: Tensor, c: Tensor)
        /// `y = mode(x, b, t)`; `axis` for generated indices.
        case pointwise(CUDNNBackend.PointwiseMode, precision: CUDNNBackend.DataType, axis: Int?,
                       x: Tensor, b: Tensor?, t: Tensor?, y: Tensor)
        case reduction(CUDNNBackend.ReductionOperator, x: Tensor, y: Tensor)
    }

    private(set) var nodes: [Node] = []
    private var nextVirtual: Int64 = 100

    init(_ d: CUDNNAttentionDescription) {
        typealias UID = CUDNNAttention.UID
        let io: CUDNNBackend.DataType = d.elementType == .bfloat16 ? .bfloat16 : .half
        func real(_ uid: UID, _ layout: CUDNNAttentionDescription.Layout) -> Tensor {
            Tensor(uid: uid.rawValue, dims: layout.dims, strides: layout.strides, type: io)
        }
        func scalar(_ uid: UID, _ type: CUDNNBackend.DataType) -> Tensor {
            Tensor(uid: uid.rawValue, dims: [1, 1, 1, 1], strides: [1, 1, 1, 1], type: type, isByValue: true)
        }
        let scores = d.scoreDims
        let rows = [scores[0], scores[1], scores[2], 1]
        var keyT = d.key
        keyT.dims.swapAt(2, 3)
        keyT.strides.swapAt(2, 3)

        var s = virtual(scores, .float)
        nodes.append(.matmul(a: real(.query, d.query), b: real(.key, keyT), c: s))
        s = pointwise(.multiply, s, scalar(.scale, .float))
        if let bias = d.bias {
            s = pointwise(.add, s, real(.bias, bias))
        }
        if let offset = d.causalOffset {
            var row = virtual(scores, .int32)
            nodes.append(.pointwise(.generateIndex, precision: .float, axis: 2, x: s, b: nil, t: nil, y: row))
            let column = virtual(scores, .int32)
            nodes.append(.pointwise(.generateIndex, precision: .float, axis: 3, x: s, b: nil, t: nil, y: column))
            if offset != 0 {
                let shifted = virtual(scores, .int32)
                nodes.append(.pointwise(.add, precision: .int32, axis: nil, x: row, b: scalar(.causalOffset, .int32),
                                        t: nil, y: shifted))
                row = shifted
            }
            let keep = virtual(scores, .boolean)
            nodes.append(.pointwise(.greaterOrEqual, precision: .boolean, axis: nil, x: row, b: column, t: nil, y: keep))
            let masked = virtual(scores, .float)
            nodes.append(.pointwise(.binarySelect, precision: .float, axis: nil, x: s, b: scalar(.negativeInfinity, .float),
                                    t: keep, y: masked))
            s = masked
        }
        let maximum = virtual(rows, .float)
        nodes.append(.reduction(.max, x: s, y: maximum))
        let exponent = pointwise(.exp, pointwise(.subtract, s, maximum), nil)
        let sum = virtual(rows, .float)
        nodes.append(.reduction(.add, x: exponent, y: sum))
        let probabilities = virtual(scores, io)
        nodes.append(.pointwise(.divide, precision: .float, axis: nil, x: exponent, b: sum, t: nil, y: probabilities))
        nodes.append(.matmul(a: probabilities, b: real(.value, d.value), c: real(.output, d.output)))
    }

    /// A virtual tensor of `dims` (row-major).
    private mutating func virtual(_ dims: [Int], _ type: CUDNNBackend.DataType) -> Tensor {
        var strides = [Int](repeating: 1, count: dims.count)
        for i in stride(from: dims.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * dims[i + 1] }
        defer { nextVirtual += 1 }
        return Tensor(uid: nextVirtual, dims: dims, strides: strides, type: type, isVirtual: true)
    }

    /// `mode(x, b)` into a new f32 virtual tensor shaped like `x`.
    private mutating func pointwise(_ mode: CUDNNBackend.PointwiseMode, _ x: Tensor, _ b: Tensor?) -> Tensor {
        let y = virtual(x.dims, .float)
        nodes.append(.pointwise(mode, precision: .float, axis: nil, x: x, b: b, t: nil, y: y))
        return y
    }
}

/// Turns an `AttentionGraph` into backend descriptors: one tensor descriptor per UID, one
/// operation per node.
struct AttentionGraphBuilder {
    let library: CUDNN
    let graph: AttentionGraph
    /// Tensor and op-attribute descriptors the operations refer to.
    private(set) var retained: [CUDNNBackendDescriptor] = []
    private var tensors: [Int64: CUDNNBackendDescriptor] = [:]

    init(library: CUDNN, description: CUDNNAttentionDescription) {
        self.library = library
        self.graph = AttentionGraph(description)
    }

    mutating func operations() throws(CUDNNError) -> [CUDNNBackendDescriptor] {
        var operations: [CUDNNBackendDescriptor] = []
        for node in graph.nodes {
            switch node {
            case let .matmul(a, b, c):
                let matmul = try descriptor(.matmul)
                try matmul.set(.matmulComputeType, dataType: .float)
                try matmul.finalize()
                let op = try CUDNNBackendDescriptor(.matmulOperation, library: library)
                try op.set(.matmulA, descriptors: [try tensor(a)])
                try op.set(.matmulB, descriptors: [try tensor(b)])
                try op.set(.matmulC, descriptors: [try tensor(c)])
                try op.set(.matmulDescriptor, descriptors: [matmul])
                try op.finalize()
                operations.append(op)
            case let .pointwise(mode, precision, axis, x, b, t, y):
                let pointwise = try descriptor(.pointwise)
                try pointwise.set(.pointwiseMode, .pointwiseMode, [mode.rawValue])
                try pointwise.set(.pointwiseMathPrecision, dataType: precision)
                if let axis { try pointwise.set(.pointwiseAxis, int64s: [axis]) }
                try pointwise.finalize()
                let op = try CUDNNBackendDescriptor(.pointwiseOperation, library: library)
                try op.set(.pointwiseDescriptor, descriptors: [pointwise])
                try op.set(.pointwiseX, descriptors: [try tensor(x)])
                if let b { try op.set(.pointwiseB, descriptors: [try tensor(b)]) }
                if let t { try op.set(.pointwiseT, descriptors: [try tensor(t)]) }
                try op.set(.pointwiseY, descriptors: [try tensor(y)])
                try op.set(.pointwiseAlpha1, .float, [Float(1)])
                try op.set(.pointwiseAlpha2, .float, [Float(1)])
                try op.finalize()
                operations.append(op)
            case let .reduction(operation, x, y):
                let reduction = try descriptor(.reduction)
                try reduction.set(.reductionOperator, .reductionOperator, [operation.rawValue])
                try reduction.set(.reductionComputeType, dataType: .float)
                try reduction.finalize()
                let op = try CUDNNBackendDescriptor(.reductionOperation, library: library)
                try op.set(.reductionDescriptor, descriptors: [reduction])
                try op.set(.reductionX, descriptors: [try tensor(x)])
                try op.set(.reductionY, descriptors: [try tensor(y)])
                try op.finalize()
                operations.append(op)
            }
        }
        return operations
    }

    private mutating func descriptor(_ type: CUDNNBackend.DescriptorType) throws(CUDNNError) -> CUDNNBackendDescriptor {
        let descriptor = try CUDNNBackendDescriptor(type, library: library)
        retained.append(descriptor)
        return descriptor
    }

    /// The (finalized) descriptor of `tensor`, made on first use.
    private mutating func tensor(_ tensor: AttentionGraph.Tensor) throws(CUDNNError) -> CUDNNBackendDescriptor {
        if let made = tensors[tensor.uid] { return made }
        let descriptor = try descriptor(.tensor)
        try descriptor.set(.tensorDataType, dataType: tensor.type)
        try descriptor.set(.tensorDimensions, int64s: tensor.dims)
        try descriptor.set(.tensorStrides, int64s: tensor.strides)
        try descriptor.set(.tensorUniqueID, int64s: [Int(tensor.uid)])
        try descriptor.set(.tensorAlignment, int64s: [16])
        if tensor.isVirtual { try descriptor.set(.tensorIsVirtual, .boolean, [true]) }
        if tensor.isByValue { try descriptor.set(.tensorIsByValue, .boolean, [true]) }
        try descriptor.finalize()
        tensors[tensor.uid] = descriptor
        return descriptor
    }
}
