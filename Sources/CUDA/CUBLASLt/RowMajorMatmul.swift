import CCUDA

/// Element types the GEMM wrapper supports; all accumulate and scale in f32.
public enum MatmulElementType: String, Sendable, CaseIterable {
    case bfloat16, float16, float32

    /// `cudaDataType_t`: CUDA_R_16BF, CUDA_R_16F, CUDA_R_32F.
    var dataType: Int32 {
        switch self {
        case .bfloat16: return 14
        case .float16: return 2
        case .float32: return 0
        }
    }

    /// Bytes per element.
    public var byteCount: Int { self == .float32 ? 4 : 2 }
}

/// The shape of `D[M×N] = A[M×K] · B[K×N]`, all row-major and densely packed.
public struct MatmulShape: Sendable, Hashable {
    public var m: Int
    public var n: Int
    public var k: Int
    public init(m: Int, n: Int, k: Int) {
        self.m = m
        self.n = n
        self.k = k
    }
}

/// A planned row-major GEMM: descriptors, layouts and the heuristic's algorithm, made
/// once and run many times.
///
/// cuBLASLt is column-major; a row-major `D = A·B` is the column-major `Dᵀ = Bᵀ·Aᵀ`, and a
/// row-major matrix read column-major is its transpose. So the plan passes B as cuBLASLt's
/// first operand (N×K, leading dimension N) and A as its second (K×M, leading dimension K).
public final class RowMajorMatmul: @unchecked Sendable {
    /// The handle it runs on.
    public let handle: CUBLASLtHandle
    /// Its shape.
    public let shape: MatmulShape
    /// Its element type (A, B and D).
    public let elementType: MatmulElementType
    /// Workspace bytes the chosen algorithm needs (at most the limit given).
    public let workspaceBytes: Int

    private let operation: cublasLtMatmulDesc_t
    private let layouts: [cublasLtMatrixLayout_t]  // first operand (B), second (A), output (D)
    private var algorithm: cublasLtMatmulAlgo_t

    /// Plans `shape` for `elementType`, letting the algorithm use up to `workspaceLimit` bytes.
    /// - Parameter allowTF32: for f32, let the tensor cores round inputs to TF32.
    public init(handle: CUBLASLtHandle, shape: MatmulShape, elementType: MatmulElementType,
                workspaceLimit: Int = 32 << 20, allowTF32: Bool = false) throws(CUBLASLtError) {
        let api = handle.library
        let context = "planning \(elementType) GEMM \(shape.m)x\(shape.n)x\(shape.k)"
        guard shape.m > 0, shape.n > 0, shape.k > 0 else {
            throw CUBLASLtError(call: "cublasLtMatrixLayoutCreate", status: 7, name: "CUBLAS_STATUS_INVALID_VALUE", context: context)
        }
        let computeType: Int32 = elementType == .float32 && allowTF32 ? 77 : 68  // 32F_FAST_TF32 : 32F
        let scaleType: Int32 = 0  // CUDA_R_32F
        var operation: cublasLtMatmulDesc_t?
        try api.check("cublasLtMatmulDescCreate", context: context) {
            $0.cublasLtMatmulDescCreate?(&operation, computeType, scaleType)
        }
        guard let operation else {
            throw CUBLASLtError(call: "cublasLtMatmulDescCreate", status: 14, name: "null descriptor", context: context)
        }
        var layouts: [cublasLtMatrixLayout_t] = []
        let dimensions: [(rows: Int, columns: Int)] = [(shape.n, shape.k), (shape.k, shape.m), (shape.n, shape.m)]
        do throws(CUBLASLtError) {
            for dimension in dimensions {
                var layout: cublasLtMatrixLayout_t?
                try api.check("cublasLtMatrixLayoutCreate", context: context) {
                    $0.cublasLtMatrixLayoutCreate?(&layout, elementType.dataType, UInt64(dimension.rows),
                                                   UInt64(dimension.columns), Int64(dimension.rows))
                }
                if let layout { layouts.append(layout) }
            }
        } catch {
            for layout in layouts { _ = api.functions.cublasLtMatrixLayoutDestroy?(layout) }
            _ = api.functions.cublasLtMatmulDescDestroy?(operation)
            throw error
        }
        let chosen: cublasLtMatmulHeuristicResult_t
        do throws(CUBLASLtError) {
            guard layouts.count == 3 else {
                throw CUBLASLtError(call: "cublasLtMatrixLayoutCreate", status: 14, name: "null layout", context: context)
            }
            chosen = try handle.algorithms(operation: operation, layouts: layouts, workspaceLimit: workspaceLimit,
                                           count: 1, context: context)[0]
        } catch {
            for layout in layouts { _ = api.functions.cublasLtMatrixLayoutDestroy?(layout) }
            _ = api.functions.cublasLtMatmulDescDestroy?(operation)
            throw error
        }
        self.handle = handle
        self.shape = shape
        self.elementType = elementType
        self.operation = operation
        self.layouts = layouts
        self.algorithm = chosen.algo
        self.workspaceBytes = chosen.workspaceSize
    }

    deinit {
        let api = handle.library.functions
        for layout in layouts { _ = api.cublasLtMatrixLayoutDestroy?(layout) }
        _ = api.cublasLtMatmulDescDestroy?(operation)
    }

    /// Queues `d = alpha · a · b + beta · d` on `stream`. `workspace` must hold
    /// `workspaceBytes` bytes (it may be nil when that is 0).
    public func run(a: DevicePointer, b: DevicePointer, d: DevicePointer, alpha: Float = 1, beta: Float = 0,
                    workspace: DevicePointer?, stream: CUDAStream) throws(CUBLASLtError) {
        let api = handle.library
        guard workspaceBytes == 0 || workspace != nil else {
            throw CUBLASLtError(call: "cublasLtMatmul", status: 7, name: "CUBLAS_STATUS_INVALID_VALUE",
                                context: "the plan needs \(workspaceBytes) workspace bytes")
        }
        var alpha = alpha
        var beta = beta
        let first = UnsafeRawPointer(bitPattern: UInt(b.rawValue))
        let second = UnsafeRawPointer(bitPattern: UInt(a.rawValue))
        let output = UnsafeMutableRawPointer(bitPattern: UInt(d.rawValue))
        let scratch = workspace.flatMap { UnsafeMutableRawPointer(bitPattern: UInt($0.rawValue)) }
        try api.check("cublasLtMatmul", context: "\(elementType) GEMM \(shape.m)x\(shape.n)x\(shape.k)") {
            $0.cublasLtMatmul?(handle.handle, operation, &alpha, first, layouts[0], second, layouts[1], &beta,
                               output, layouts[2], output, layouts[2], &algorithm, scratch, workspaceBytes,
                               stream.handle)
        }
    }
}
