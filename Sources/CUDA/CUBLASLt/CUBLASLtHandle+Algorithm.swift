import CCUDA

extension CUBLASLtHandle {
    /// The heuristic's best `count` algorithms for `operation` over `layouts` (A, B, C/D)
    /// within `workspaceLimit` bytes of workspace, best first (at least one).
    func algorithms(
        operation: cublasLtMatmulDesc_t, layouts: [cublasLtMatrixLayout_t],
        workspaceLimit: Int, count: Int, context: String
    ) throws(CUBLASLtError) -> [cublasLtMatmulHeuristicResult_t] {
        let api = library
        var preference: cublasLtMatmulPreference_t?
        try api.check("cublasLtMatmulPreferenceCreate", context: context) { $0.cublasLtMatmulPreferenceCreate?(&preference) }
        defer { _ = api.functions.cublasLtMatmulPreferenceDestroy?(preference) }
        var limit = UInt64(max(0, workspaceLimit))
        try api.check("cublasLtMatmulPreferenceSetAttribute", context: context) {
            $0.cublasLtMatmulPreferenceSetAttribute?(preference, 1, &limit, MemoryLayout<UInt64>.size)  // MAX_WORKSPACE_BYTES
        }
        let requested = max(1, count)
        var results = [cublasLtMatmulHeuristicResult_t](repeating: cublasLtMatmulHeuristicResult_t(), count: requested)
        var returned: Int32 = 0
        try api.check("cublasLtMatmulAlgoGetHeuristic", context: context) {
            $0.cublasLtMatmulAlgoGetHeuristic?(self.handle, operation, layouts[0], layouts[1], layouts[2], layouts[2],
                                               preference, Int32(requested), &results, &returned)
        }
        let usable = results.prefix(Int(max(0, returned))).filter { $0.state == 0 }
        guard !usable.isEmpty else {
            throw CUBLASLtError(call: "cublasLtMatmulAlgoGetHeuristic", status: 15,
                                name: "CUBLAS_STATUS_NOT_SUPPORTED (no algorithm)", context: context)
        }
        return Array(usable)
    }
}
