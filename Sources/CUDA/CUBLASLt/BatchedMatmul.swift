import CCUDA

/// What cuBLASLt applies to the product before storing it (`cublasLtEpilogue_t`).
public enum MatmulEpilogue: String, Sendable, Hashable, CaseIterable {
    case none, bias, relu, biasRelu, gelu, biasGelu

    /// Whether the epilogue reads a bias vector.
    public var usesBias: Bool { self == .bias || self == .biasRelu || self == .biasGelu }

    /// `CUBLASLT_EPILOGUE_*`: DEFAULT 1, RELU 2, BIAS 4, RELU_BIAS 6, GELU 32, GELU_BIAS 36.
    var rawEpilogue: UInt32 {
        switch self {
        case .none: return 1
        case .relu: return 2
        case .bias: return 4
        case .biasRelu: return 6
        case .gelu: return 32
        case .biasGelu: return 36
        }
    }
}

/// `C[b] = epilogue(op(A[b]) · op(B[b]) (+ bias))` on row-major, densely packed matrices.
public struct BatchedMatmulDescription: Sendable, Hashable, CustomStringConvertible {
    public var m: Int
    public var n: Int
    public var k: Int
    /// Matrices per operand, stored back to back; 1 for a plain GEMM.
    public var batch: Int
    /// A is stored k×m instead of m×k.
    public var transposeA: Bool
    /// B is stored n×k instead of k×n.
    public var transposeB: Bool
    /// Element type of A and B.
    public var inputType: MatmulElementType
    /// Element type of C.
    public var outputType: MatmulElementType
    public var epilogue: MatmulEpilogue
    /// Element type of the bias vector (length n, shared by every batch), for bias epilogues.
    public var biasType: MatmulElementType?
    /// For f32 inputs: whether the tensor cores may round A and B to TF32 (XLA's precision
    /// DEFAULT); false keeps full f32 products (HIGH/HIGHEST). Ignored for 16-bit inputs.
    public var allowsTF32: Bool

    public init(m: Int, n: Int, k: Int, batch: Int = 1, transposeA: Bool = false, transposeB: Bool = false,
                inputType: MatmulElementType, outputType: MatmulElementType,
                epilogue: MatmulEpilogue = .none, biasType: MatmulElementType? = nil, allowsTF32: Bool = false) {
        self.allowsTF32 = allowsTF32
        self.m = m
        self.n = n
        self.k = k
        self.batch = batch
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.inputType = inputType
        self.outputType = outputType
        self.epilogue = epilogue
        self.biasType = biasType
    }

    public var description: String {
        let ops = (transposeA ? "T" : "N") + (transposeB ? "T" : "N")
        return "\(batch)x[\(m)x\(n)x\(k)] \(ops) \(inputType)->\(outputType) \(epilogue)" + (usesTF32 ? " tf32" : "")
    }

    /// Whether the product rounds its f32 inputs to TF32.
    public var usesTF32: Bool { inputType == .float32 && allowsTF32 }

    /// `cublasComputeType_t`: `CUBLAS_COMPUTE_32F_FAST_TF32` (77) when TF32 is allowed for
    /// f32 inputs, else `CUBLAS_COMPUTE_32F` (68); every type accumulates in f32.
    public var computeType: Int32 { usesTF32 ? 77 : 68 }
}

/// A planned batched row-major GEMM with transposes and an epilogue, made once and run
/// many times (the general form of `RowMajorMatmul`).
///
/// Row-major `C = op(A)·op(B)` is column-major `Cᵀ = op(B)ᵀ·op(A)ᵀ`: cuBLASLt's first
/// operand is our B buffer, its second our A buffer, and a stored transpose becomes
/// cuBLASLt's `TRANS` flag on that operand. cuBLASLt's bias runs along the rows of its
/// (column-major) output, which are our columns: a length-n vector, as the epilogue wants.
public final class BatchedMatmul: @unchecked Sendable {
    /// The handle it runs on.
    public let handle: CUBLASLtHandle
    /// What it computes.
    public let plan: BatchedMatmulDescription
    /// Workspace bytes the chosen algorithm needs.
    public private(set) var workspaceBytes: Int
    /// How many of the heuristic's algorithms were kept as candidates (best first).
    public var candidateCount: Int { candidates.count }
    /// The candidate in use (0: the heuristic's first choice).
    public private(set) var candidate = 0

    private let operation: cublasLtMatmulDesc_t
    private let layouts: [cublasLtMatrixLayout_t]  // first operand (B), second (A), output (C)
    private var algorithm: cublasLtMatmulAlgo_t
    private let candidates: [cublasLtMatmulHeuristicResult_t]

    /// Plans `plan`, letting the algorithm use up to `workspaceLimit` bytes of workspace and
    /// keeping up to `candidates` of the heuristic's algorithms (see `select(candidate:)`).
    public init(handle: CUBLASLtHandle, plan: BatchedMatmulDescription,
                workspaceLimit: Int = 32 << 20, candidates: Int = 1) throws(CUBLASLtError) {
        let api = handle.library
        let context = "planning GEMM \(plan)"
        func invalid(_ what: String) -> CUBLASLtError {
            CUBLASLtError(call: "cublasLtMatrixLayoutCreate", status: 7, name: "CUBLAS_STATUS_INVALID_VALUE",
                          context: context + ": " + what)
        }
        guard plan.m > 0, plan.n > 0, plan.k > 0, plan.batch > 0 else { throw invalid("empty dimension") }
        guard !plan.epilogue.usesBias || plan.biasType != nil else { throw invalid("bias epilogue without a bias type") }
        var operation: cublasLtMatmulDesc_t?
        let computeType = plan.computeType
        try api.check("cublasLtMatmulDescCreate", context: context) {
            $0.cublasLtMatmulDescCreate?(&operation, computeType, 0)  // CUDA_R_32F scale
        }
        guard let operation else {
            throw CUBLASLtError(call: "cublasLtMatmulDescCreate", status: 14, name: "null descriptor", context: context)
        }
        var layouts: [cublasLtMatrixLayout_t] = []
        let found: [cublasLtMatmulHeuristicResult_t]
        do throws(CUBLASLtError) {
            try Self.configure(operation, plan: plan, api: api, context: context)
            // (rows, columns, leading dimension, type) of each operand as cuBLASLt reads it.
            let first = plan.transposeB ? (plan.k, plan.n) : (plan.n, plan.k)
            let second = plan.transposeA ? (plan.m, plan.k) : (plan.k, plan.m)
            let shapes: [(Int, Int, MatmulElementType)] = [
                (first.0, first.1, plan.inputType), (second.0, second.1, plan.inputType), (plan.n, plan.m, plan.outputType),
            ]
            for (rows, columns, type) in shapes {
                var layout: cublasLtMatrixLayout_t?
                try api.check("cublasLtMatrixLayoutCreate", context: context) {
                    $0.cublasLtMatrixLayoutCreate?(&layout, type.dataType, UInt64(rows), UInt64(columns), Int64(rows))
                }
                guard let layout else { throw invalid("null layout") }
                layouts.append(layout)
                if plan.batch > 1 {
                    var count = Int32(clamping: plan.batch)
                    var stride = Int64(rows * columns)
                    try api.check("cublasLtMatrixLayoutSetAttribute", context: context) {
                        $0.cublasLtMatrixLayoutSetAttribute?(layout, 5, &count, MemoryLayout<Int32>.size)  // BATCH_COUNT
                    }
                    try api.check("cublasLtMatrixLayoutSetAttribute", context: context) {
                        $0.cublasLtMatrixLayoutSetAttribute?(layout, 6, &stride, MemoryLayout<Int64>.size)  // STRIDED_BATCH_OFFSET
                    }
                }
            }
            found = try handle.algorithms(operation: operation, layouts: layouts, workspaceLimit: workspaceLimit,
                                          count: candidates, context: context)
        } catch {
            for layout in layouts { _ = api.functions.cublasLtMatrixLayoutDestroy?(layout) }
            _ = api.functions.cublasLtMatmulDescDestroy?(operation)
            throw error
        }
        self.handle = handle
        self.plan = plan
        self.operation = operation
        self.layouts = layouts
        self.candidates = found
        self.algorithm = found[0].algo
        self.workspaceBytes = found[0].workspaceSize
    }

    /// Uses candidate `index` (best first) from now on; out-of-range indices are ignored.
    public func select(candidate index: Int) {
        guard candidates.indices.contains(index) else { return }
        candidate = index
        algorithm = candidates[index].algo
        workspaceBytes = candidates[index].workspaceSize
    }

    deinit {
        let api = handle.library.functions
        for layout in layouts { _ = api.cublasLtMatrixLayoutDestroy?(layout) }
        _ = api.cublasLtMatmulDescDestroy?(operation)
    }

    private static func configure(_ operation: cublasLtMatmulDesc_t, plan: BatchedMatmulDescription,
                                  api: CUBLASLt, context: String) throws(CUBLASLtError) {
        var transposeFirst: Int32 = plan.transposeB ? 1 : 0  // CUBLAS_OP_T : CUBLAS_OP_N
        var transposeSecond: Int32 = plan.transposeA ? 1 : 0
        var epilogue = plan.epilogue.rawEpilogue
        try api.check("cublasLtMatmulDescSetAttribute", context: context) {
            $0.cublasLtMatmulDescSetAttribute?(operation, 3, &transposeFirst, MemoryLayout<Int32>.size)  // TRANSA
        }
        try api.check("cublasLtMatmulDescSetAttribute", context: context) {
            $0.cublasLtMatmulDescSetAttribute?(operation, 4, &transposeSecond, MemoryLayout<Int32>.size)  // TRANSB
        }
        try api.check("cublasLtMatmulDescSetAttribute", context: context) {
            $0.cublasLtMatmulDescSetAttribute?(operation, 7, &epilogue, MemoryLayout<UInt32>.size)  // EPILOGUE
        }
        if plan.epilogue.usesBias, let biasType = plan.biasType {
            var type = biasType.dataType
            try api.check("cublasLtMatmulDescSetAttribute", context: context) {
                $0.cublasLtMatmulDescSetAttribute?(operation, 26, &type, MemoryLayout<Int32>.size)  // BIAS_DATA_TYPE
            }
        }
    }

    /// Queues the product on `stream`. `bias` is needed by the bias epilogues; `workspace`
    /// must hold `workspaceBytes` bytes (nil when that is 0).
    public func run(a: DevicePointer, b: DevicePointer, c: DevicePointer, bias: DevicePointer?,
                    workspace: DevicePointer?, stream: CUDAStream) throws(CUBLASLtError) {
        let api = handle.library
        let context = "GEMM \(plan)"
        guard workspaceBytes == 0 || workspace != nil else {
            throw CUBLASLtError(call: "cublasLtMatmul", status: 7, name: "CUBLAS_STATUS_INVALID_VALUE",
                                context: "the plan needs \(workspaceBytes) workspace bytes")
        }
        if plan.epilogue.usesBias {
            guard var biasAddress = bias.flatMap({ UnsafeRawPointer(bitPattern: UInt($0.rawValue)) }) else {
                throw CUBLASLtError(call: "cublasLtMatmul", status: 7, name: "CUBLAS_STATUS_INVALID_VALUE",
                                    context: context + ": no bias buffer")
            }
            try api.check("cublasLtMatmulDescSetAttribute", context: context) {
                $0.cublasLtMatmulDescSetAttribute?(operation, 8, &biasAddress, MemoryLayout<UnsafeRawPointer>.size)  // BIAS_POINTER
            }
        }
        var alpha: Float = 1
        var beta: Float = 0
        let first = UnsafeRawPointer(bitPattern: UInt(b.rawValue))
        let second = UnsafeRawPointer(bitPattern: UInt(a.rawValue))
        let output = UnsafeMutableRawPointer(bitPattern: UInt(c.rawValue))
        let scratch = workspace.flatMap { UnsafeMutableRawPointer(bitPattern: UInt($0.rawValue)) }
        try api.check("cublasLtMatmul", context: context) {
            $0.cublasLtMatmul?(handle.handle, operation, &alpha, first, layouts[0], second, layouts[1], &beta,
                               output, layouts[2], output, layouts[2], &algorithm, scratch, workspaceBytes,
                               stream.handle)
        }
    }
}
