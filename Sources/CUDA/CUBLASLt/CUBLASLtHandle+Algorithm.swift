import CCUDA

extension CUBLASLtHandle {
    /// The heuristic's best algorithm for `operation` over `layouts` (A, B, C/D) within
    /// `workspaceLimit` bytes of workspace.
    func bestAlgorithm(
        operation: cublasLtMatmulDesc_t, layouts: [cublasLtMatrixLayout_t],
        workspaceLimit: Int, context: String
    ) throws(CUBLASLtError) -> cublasLtMatmulHeuristicResult_t {
        let api = library
        var preference: cublasLtMatmulPreference_t?
        try api.check("cublasLtMatmulPreferenceCreate", context: context) { $0.cublasLtMatmulPreferenceCreate?(&preference) }
        defer { _ = api.functions.cublasLtMatmulPreferenceDestroy?(preference) }
        var limit = UInt64(max(0, workspaceLimit))
        try api.check("cublasLtMatmulPreferenceSetAttribute", context: context) {
            $0.cublasLtMatmulPreferenceSetAttribute?(preference, 1, &limit, MemoryLayout<UInt64>.size)  // MAX_WORKSPACE_BYTES
        }
        var result = cublasLtMatmulHeuristicResult_t()
        var returned: Int32 = 0
        try api.check("cublasLtMatmulAlgoGetHeuristic", context: context) {
            $0.cublasLtMatmulAlgoGetHeuristic?(self.handle, operation, layouts[0], layouts[1], layouts[2], layouts[2],
                                               preference, 1, &result, &returned)
        }
        guard returned > 0, result.state == 0 else {
            throw CUBLASLtError(call: "cublasLtMatmulAlgoGetHeuristic", status: 15,
                                name: "CUBLAS_STATUS_NOT_SUPPORTED (no algorithm)", context: context)
        }
        return result
    }
}
