// Our own declarations for the cuFFT calls nvgpu uses (libcufft.so.12 / .11): the plan
// handle, the transform types and a function-pointer table filled at run time. Not the
// vendor header.
#ifndef CCUDA_CUFFT_H
#define CCUDA_CUFFT_H

#include <stddef.h>
#include <stdint.h>

#include "ccuda_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A cuFFT status code (`CUFFT_SUCCESS` is 0).
typedef int cufftResult;
/// A cuFFT plan.
typedef int cufftHandle;

/// `cufftType`: what a plan transforms.
enum {
    NVGPU_CUFFT_R2C = 0x2a,
    NVGPU_CUFFT_C2R = 0x2c,
    NVGPU_CUFFT_C2C = 0x29,
    NVGPU_CUFFT_D2Z = 0x6a,
    NVGPU_CUFFT_Z2D = 0x6c,
    NVGPU_CUFFT_Z2Z = 0x69,
};

/// The exponent sign of a complex-to-complex transform.
enum { NVGPU_CUFFT_FORWARD = -1, NVGPU_CUFFT_INVERSE = 1 };

/// The cuFFT functions nvgpu calls; NULL entries were not found in the library.
typedef struct nvgpu_cufft_functions {
    cufftResult (*cufftGetVersion)(int *version);
    cufftResult (*cufftPlanMany)(cufftHandle *plan, int rank, int *n, int *inembed, int istride, int idist,
                                 int *onembed, int ostride, int odist, int type, int batch);
    cufftResult (*cufftSetStream)(cufftHandle plan, CUstream stream);
    cufftResult (*cufftDestroy)(cufftHandle plan);
    cufftResult (*cufftExecC2C)(cufftHandle plan, void *input, void *output, int direction);
    cufftResult (*cufftExecZ2Z)(cufftHandle plan, void *input, void *output, int direction);
    cufftResult (*cufftExecR2C)(cufftHandle plan, void *input, void *output);
    cufftResult (*cufftExecD2Z)(cufftHandle plan, void *input, void *output);
    cufftResult (*cufftExecC2R)(cufftHandle plan, void *input, void *output);
    cufftResult (*cufftExecZ2D)(cufftHandle plan, void *input, void *output);
} nvgpu_cufft_functions;

#ifdef __cplusplus
}
#endif

#endif
