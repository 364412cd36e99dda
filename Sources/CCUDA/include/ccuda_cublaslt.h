// Our own declarations for the cuBLASLt calls nvgpu uses (libcublasLt.so.13).
// Not the vendor header: types, the two plain-data structs the API passes by pointer,
// and a function-pointer table filled at run time.
#ifndef CCUDA_CUBLASLT_H
#define CCUDA_CUBLASLT_H

#include <stddef.h>
#include <stdint.h>

#include "ccuda_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A cuBLAS status code (`CUBLAS_STATUS_SUCCESS` is 0).
typedef int cublasStatus_t;
typedef struct cublasLtContext *cublasLtHandle_t;
typedef struct cublasLtMatmulDescOpaque_t *cublasLtMatmulDesc_t;
typedef struct cublasLtMatrixLayoutOpaque_t *cublasLtMatrixLayout_t;
typedef struct cublasLtMatmulPreferenceOpaque_t *cublasLtMatmulPreference_t;

/// An algorithm chosen by the heuristic: opaque, 8 x 64 bits.
typedef struct cublasLtMatmulAlgo_t {
    uint64_t data[8];
} cublasLtMatmulAlgo_t;

/// One answer of `cublasLtMatmulAlgoGetHeuristic`.
typedef struct cublasLtMatmulHeuristicResult_t {
    cublasLtMatmulAlgo_t algo;
    size_t workspaceSize;
    cublasStatus_t state;
    float wavesCount;
    int reserved[4];
} cublasLtMatmulHeuristicResult_t;

/// The cuBLASLt functions nvgpu calls; NULL entries were not found in the library.
typedef struct nvgpu_cublaslt_functions {
    size_t (*cublasLtGetVersion)(void);
    const char *(*cublasLtGetStatusName)(cublasStatus_t status);
    cublasStatus_t (*cublasLtCreate)(cublasLtHandle_t *handle);
    cublasStatus_t (*cublasLtDestroy)(cublasLtHandle_t handle);
    cublasStatus_t (*cublasLtMatmulDescCreate)(cublasLtMatmulDesc_t *description, int computeType,
                                               int scaleType);
    cublasStatus_t (*cublasLtMatmulDescDestroy)(cublasLtMatmulDesc_t description);
    cublasStatus_t (*cublasLtMatmulDescSetAttribute)(cublasLtMatmulDesc_t description,
                                                     int attribute, const void *value,
                                                     size_t size);
    cublasStatus_t (*cublasLtMatrixLayoutCreate)(cublasLtMatrixLayout_t *layout, int dataType,
                                                 uint64_t rows, uint64_t columns,
                                                 int64_t leadingDimension);
    cublasStatus_t (*cublasLtMatrixLayoutDestroy)(cublasLtMatrixLayout_t layout);
    cublasStatus_t (*cublasLtMatrixLayoutSetAttribute)(cublasLtMatrixLayout_t layout,
                                                       int attribute, const void *value,
                                                       size_t size);
    cublasStatus_t (*cublasLtMatmulPreferenceCreate)(cublasLtMatmulPreference_t *preference);
    cublasStatus_t (*cublasLtMatmulPreferenceDestroy)(cublasLtMatmulPreference_t preference);
    cublasStatus_t (*cublasLtMatmulPreferenceSetAttribute)(cublasLtMatmulPreference_t preference,
                                                           int attribute, const void *value,
                                                           size_t size);
    cublasStatus_t (*cublasLtMatmulAlgoGetHeuristic)(
        cublasLtHandle_t handle, cublasLtMatmulDesc_t operation, cublasLtMatrixLayout_t a,
        cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
        cublasLtMatmulPreference_t preference, int requestedCount,
        cublasLtMatmulHeuristicResult_t *results, int *returnedCount);
    cublasStatus_t (*cublasLtMatmul)(cublasLtHandle_t handle, cublasLtMatmulDesc_t operation,
                                     const void *alpha, const void *a, cublasLtMatrixLayout_t aLayout,
                                     const void *b, cublasLtMatrixLayout_t bLayout,
                                     const void *beta, const void *c,
                                     cublasLtMatrixLayout_t cLayout, void *d,
                                     cublasLtMatrixLayout_t dLayout,
                                     const cublasLtMatmulAlgo_t *algorithm, void *workspace,
                                     size_t workspaceBytes, CUstream stream);
} nvgpu_cublaslt_functions;

#ifdef __cplusplus
}
#endif

#endif
