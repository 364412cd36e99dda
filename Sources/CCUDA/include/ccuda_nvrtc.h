// Our own declarations for the NVRTC calls nvgpu uses (libnvrtc.so.13 / .so.12).
// Not the vendor header: types and a function-pointer table filled at run time.
#ifndef CCUDA_NVRTC_H
#define CCUDA_NVRTC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An NVRTC status code (`NVRTC_SUCCESS` is 0).
typedef int nvrtcResult;
typedef struct _nvrtcProgram *nvrtcProgram;

/// The NVRTC functions nvgpu calls; NULL entries were not found in the library.
typedef struct nvgpu_nvrtc_functions {
    const char *(*nvrtcGetErrorString)(nvrtcResult result);
    nvrtcResult (*nvrtcVersion)(int *major, int *minor);
    nvrtcResult (*nvrtcCreateProgram)(nvrtcProgram *program, const char *source, const char *name,
                                      int headerCount, const char *const *headers,
                                      const char *const *includeNames);
    nvrtcResult (*nvrtcDestroyProgram)(nvrtcProgram *program);
    nvrtcResult (*nvrtcCompileProgram)(nvrtcProgram program, int optionCount,
                                       const char *const *options);
    nvrtcResult (*nvrtcGetProgramLogSize)(nvrtcProgram program, size_t *size);
    nvrtcResult (*nvrtcGetProgramLog)(nvrtcProgram program, char *log);
    nvrtcResult (*nvrtcGetCUBINSize)(nvrtcProgram program, size_t *size);
    nvrtcResult (*nvrtcGetCUBIN)(nvrtcProgram program, char *cubin);
    nvrtcResult (*nvrtcGetPTXSize)(nvrtcProgram program, size_t *size);
    nvrtcResult (*nvrtcGetPTX)(nvrtcProgram program, char *ptx);
} nvgpu_nvrtc_functions;

#ifdef __cplusplus
}
#endif

#endif
