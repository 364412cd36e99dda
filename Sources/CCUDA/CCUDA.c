// CCUDA declares types and function-pointer tables only; the functions themselves are
// resolved at run time with dlopen/dlsym. SwiftPM needs one translation unit per C target,
// and this one checks at compile time that the tables hold nothing but pointers.
#include "ccuda_driver.h"
#include "ccuda_nvrtc.h"
#include "ccuda_cublaslt.h"
#include "ccuda_cudnn.h"
#include "ccuda_nccl.h"
#include "ccuda_cufft.h"

_Static_assert(sizeof(nvgpu_cuda_driver_functions) % sizeof(void *) == 0, "driver table holds only pointers");
_Static_assert(sizeof(nvgpu_nvrtc_functions) % sizeof(void *) == 0, "NVRTC table holds only pointers");
_Static_assert(sizeof(nvgpu_cublaslt_functions) % sizeof(void *) == 0, "cuBLASLt table holds only pointers");
_Static_assert(sizeof(cublasLtMatmulAlgo_t) == 64, "cublasLtMatmulAlgo_t is 8 x uint64");
_Static_assert(sizeof(cublasLtMatmulHeuristicResult_t) == 96, "heuristic result layout");
_Static_assert(sizeof(nvgpu_cudnn_functions) % sizeof(void *) == 0, "cuDNN table holds only pointers");
_Static_assert(sizeof(nvgpu_cudnn_fwd_algo_perf) == 48, "cudnnConvolutionFwdAlgoPerf_t layout");
_Static_assert(sizeof(nvgpu_nccl_functions) % sizeof(void *) == 0, "NCCL table holds only pointers");
_Static_assert(sizeof(nvgpu_nccl_unique_id) == 128, "ncclUniqueId is NCCL_UNIQUE_ID_BYTES (128) bytes");
_Static_assert(sizeof(nvgpu_cufft_functions) % sizeof(void *) == 0, "cuFFT table holds only pointers");
