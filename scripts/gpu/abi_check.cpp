// Compiled on a machine with the CUDA toolkit (scripts/gpu/smoke.sh): checks that the
// constants and struct layouts nvgpu declares by hand (Sources/CCUDA, Sources/CUDA) match
// the vendor headers. It compiles only if every static_assert holds.
#include <cstddef>
#include <cstdio>

#include <cuda.h>
#include <cublasLt.h>
#include <library_types.h>

// Our declarations, in their own namespace and with renamed types so they do not clash
// with the vendor's names.
#define CUresult ours_CUresult
#define CUdevice ours_CUdevice
#define CUdeviceptr ours_CUdeviceptr
#define cuuint64_t ours_cuuint64_t
#define CUcontext ours_CUcontext
#define CUmodule ours_CUmodule
#define CUfunction ours_CUfunction
#define CUstream ours_CUstream
#define CUevent ours_CUevent
#define CUdriverProcAddressQueryResult ours_CUdriverProcAddressQueryResult
#define cublasStatus_t ours_cublasStatus_t
#define cublasLtHandle_t ours_cublasLtHandle_t
#define cublasLtMatmulDesc_t ours_cublasLtMatmulDesc_t
#define cublasLtMatrixLayout_t ours_cublasLtMatrixLayout_t
#define cublasLtMatmulPreference_t ours_cublasLtMatmulPreference_t
#define cublasLtMatmulAlgo_t ours_cublasLtMatmulAlgo_t
#define cublasLtMatmulHeuristicResult_t ours_cublasLtMatmulHeuristicResult_t
#define cublasLtContext ours_cublasLtContext
#define cublasLtMatmulPreferenceOpaque_t ours_cublasLtMatmulPreferenceOpaque_t
#define cublasLtMatrixLayoutOpaque_t ours_cublasLtMatrixLayoutOpaque_t
#define cublasLtMatmulDescOpaque_t ours_cublasLtMatmulDescOpaque_t
namespace ours {
#include "ccuda_cublaslt.h"
}
#undef CUresult
#undef CUdevice
#undef CUdeviceptr
#undef cuuint64_t
#undef CUcontext
#undef CUmodule
#undef CUfunction
#undef CUstream
#undef CUevent
#undef CUdriverProcAddressQueryResult
#undef cublasStatus_t
#undef cublasLtHandle_t
#undef cublasLtMatmulDesc_t
#undef cublasLtMatrixLayout_t
#undef cublasLtMatmulPreference_t
#undef cublasLtMatmulAlgo_t
#undef cublasLtMatmulHeuristicResult_t
#undef cublasLtContext
#undef cublasLtMatmulPreferenceOpaque_t
#undef cublasLtMatrixLayoutOpaque_t
#undef cublasLtMatmulDescOpaque_t

static_assert(sizeof(ours::ours_CUdeviceptr) == sizeof(::CUdeviceptr), "CUdeviceptr");
static_assert(sizeof(ours::ours_cublasLtMatmulAlgo_t) == sizeof(::cublasLtMatmulAlgo_t), "algo size");
static_assert(sizeof(ours::ours_cublasLtMatmulHeuristicResult_t) == sizeof(::cublasLtMatmulHeuristicResult_t), "heuristic size");
static_assert(offsetof(ours::ours_cublasLtMatmulHeuristicResult_t, workspaceSize) == offsetof(::cublasLtMatmulHeuristicResult_t, workspaceSize), "workspaceSize");
static_assert(offsetof(ours::ours_cublasLtMatmulHeuristicResult_t, state) == offsetof(::cublasLtMatmulHeuristicResult_t, state), "state");

// Driver constants (Sources/CUDA/Driver/*.swift).
static_assert(CU_GET_PROC_ADDRESS_LEGACY_STREAM == 1, "legacy stream flag");
static_assert(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK == 1, "");
static_assert(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK == 8, "");
static_assert(CU_DEVICE_ATTRIBUTE_WARP_SIZE == 10, "");
static_assert(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK == 12, "");
static_assert(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT == 16, "");
static_assert(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH == 37, "");
static_assert(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE == 38, "");
static_assert(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR == 39, "");
static_assert(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR == 75, "");
static_assert(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR == 76, "");
static_assert(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR == 81, "");
static_assert(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN == 97, "");
static_assert(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK == 0, "");
static_assert(CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES == 3, "");
static_assert(CU_FUNC_ATTRIBUTE_NUM_REGS == 4, "");
static_assert(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES == 8, "");
static_assert(CU_STREAM_NON_BLOCKING == 1, "");
static_assert(CU_EVENT_DEFAULT == 0, "");
static_assert(CUDA_ERROR_OUT_OF_MEMORY == 2 && CUDA_ERROR_STUB_LIBRARY == 34 && CUDA_ERROR_SYSTEM_DRIVER_MISMATCH == 803, "");
static_assert(CUDA_ERROR_NO_DEVICE == 100 && CUDA_ERROR_INVALID_IMAGE == 200 && CUDA_ERROR_NO_BINARY_FOR_GPU == 209, "");
static_assert(CUDA_ERROR_INVALID_PTX == 218 && CUDA_ERROR_INVALID_HANDLE == 400 && CUDA_ERROR_NOT_FOUND == 500, "");
static_assert(CUDA_ERROR_ILLEGAL_ADDRESS == 700 && CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES == 701, "");
static_assert(CUDA_ERROR_LAUNCH_FAILED == 719 && CUDA_ERROR_NOT_SUPPORTED == 801 && CUDA_ERROR_UNKNOWN == 999, "");

// cuBLASLt constants (Sources/CUDA/CUBLASLt/*.swift).
static_assert(CUDA_R_32F == 0 && CUDA_R_16F == 2 && CUDA_R_16BF == 14, "data types");
static_assert(CUBLAS_COMPUTE_32F == 68 && CUBLAS_COMPUTE_32F_FAST_TF32 == 77, "compute types");
static_assert(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES == 1, "preference attribute");
static_assert(CUBLAS_STATUS_NOT_SUPPORTED == 15 && CUBLAS_STATUS_INVALID_VALUE == 7, "status codes");

int main() {
    std::printf("abi check passed (cuda.h %d, cuBLAS %d)\n", CUDA_VERSION, CUBLAS_VERSION);
    return 0;
}
