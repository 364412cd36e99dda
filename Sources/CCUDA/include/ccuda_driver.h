// Our own declarations for the part of the CUDA driver API that nvgpu uses.
// This is NOT the vendor header: it declares only the types and a table of function
// pointers, filled at run time from libcuda.so.1, so the package builds with no CUDA SDK.
#ifndef CCUDA_DRIVER_H
#define CCUDA_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A driver status code (`CUDA_SUCCESS` is 0).
typedef int CUresult;
/// A device ordinal handle.
typedef int CUdevice;
/// A device address.
typedef unsigned long long CUdeviceptr;
typedef uint64_t cuuint64_t;

typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;

typedef struct CUgraph_st *CUgraph;
typedef struct CUgraphNode_st *CUgraphNode;
typedef struct CUgraphExec_st *CUgraphExec;
/// A graph conditional node's handle (CUDA 12.3+).
typedef unsigned long long CUgraphConditionalHandle;

/// `CUgraphEdgeData` (CUDA 12.3+): all zero is an ordinary dependency.
typedef struct nvgpu_graph_edge_data {
    unsigned char from_port;
    unsigned char to_port;
    unsigned char type;
    unsigned char reserved[5];
} nvgpu_graph_edge_data;

/// `CUDA_CONDITIONAL_NODE_PARAMS`: type 0 IF, 1 WHILE, 2 SWITCH (CUDA 12.8+).
typedef struct nvgpu_conditional_node_params {
    CUgraphConditionalHandle handle;
    int type;
    unsigned int size;
    CUgraph *phGraph_out;
    CUcontext ctx;
} nvgpu_conditional_node_params;

/// `CUgraphNodeParams` (256 bytes): only the conditional member is declared; type 13 is
/// `CU_GRAPH_NODE_TYPE_CONDITIONAL`.
typedef struct nvgpu_graph_node_params {
    int type;
    int reserved0[3];
    union {
        long long reserved1[29];
        nvgpu_conditional_node_params conditional;
    };
    long long reserved2;
} nvgpu_graph_node_params;

/// How `cuGetProcAddress` found a symbol (0 found, 1 not found, 2 version too old).
typedef int CUdriverProcAddressQueryResult;

/// `cuGetProcAddress_v2` (CUDA 12.0+): the entry point that resolves every other symbol.
typedef CUresult (*nvgpu_cuGetProcAddress_fn)(const char *symbol, void **pfn, int cudaVersion,
                                               cuuint64_t flags,
                                               CUdriverProcAddressQueryResult *symbolStatus);

/// The driver functions nvgpu calls, one pointer each. Filled by the Swift side from one
/// symbol table; a NULL entry is a symbol the driver did not provide.
typedef struct nvgpu_cuda_driver_functions {
    CUresult (*cuGetErrorName)(CUresult error, const char **name);
    CUresult (*cuGetErrorString)(CUresult error, const char **message);
    CUresult (*cuInit)(unsigned int flags);
    CUresult (*cuDriverGetVersion)(int *version);

    CUresult (*cuDeviceGetCount)(int *count);
    CUresult (*cuDeviceGet)(CUdevice *device, int ordinal);
    CUresult (*cuDeviceGetName)(char *name, int length, CUdevice device);
    CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice device);
    CUresult (*cuDeviceTotalMem)(size_t *bytes, CUdevice device);

    CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *context, CUdevice device);
    CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device);
    CUresult (*cuDevicePrimaryCtxReset)(CUdevice device);
    CUresult (*cuCtxSetCurrent)(CUcontext context);
    CUresult (*cuCtxGetCurrent)(CUcontext *context);
    CUresult (*cuCtxSynchronize)(void);

    CUresult (*cuMemGetInfo)(size_t *free, size_t *total);
    CUresult (*cuMemAlloc)(CUdeviceptr *pointer, size_t bytes);
    CUresult (*cuMemFree)(CUdeviceptr pointer);
    CUresult (*cuMemcpyHtoD)(CUdeviceptr destination, const void *source, size_t bytes);
    CUresult (*cuMemcpyDtoH)(void *destination, CUdeviceptr source, size_t bytes);
    CUresult (*cuMemcpyDtoD)(CUdeviceptr destination, CUdeviceptr source, size_t bytes);
    CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr destination, const void *source, size_t bytes,
                                  CUstream stream);
    CUresult (*cuMemcpyDtoHAsync)(void *destination, CUdeviceptr source, size_t bytes,
                                  CUstream stream);
    CUresult (*cuMemcpyDtoDAsync)(CUdeviceptr destination, CUdeviceptr source, size_t bytes,
                                  CUstream stream);
    CUresult (*cuMemsetD8)(CUdeviceptr destination, unsigned char value, size_t count);
    CUresult (*cuMemsetD8Async)(CUdeviceptr destination, unsigned char value, size_t count,
                                CUstream stream);

    CUresult (*cuStreamCreate)(CUstream *stream, unsigned int flags);
    CUresult (*cuStreamDestroy)(CUstream stream);
    CUresult (*cuStreamSynchronize)(CUstream stream);
    CUresult (*cuStreamWaitEvent)(CUstream stream, CUevent event, unsigned int flags);

    CUresult (*cuEventCreate)(CUevent *event, unsigned int flags);
    CUresult (*cuEventDestroy)(CUevent event);
    CUresult (*cuEventRecord)(CUevent event, CUstream stream);
    CUresult (*cuEventSynchronize)(CUevent event);
    CUresult (*cuEventElapsedTime)(float *milliseconds, CUevent start, CUevent end);

    CUresult (*cuModuleLoadData)(CUmodule *module, const void *image);
    CUresult (*cuModuleUnload)(CUmodule module);
    CUresult (*cuModuleGetFunction)(CUfunction *function, CUmodule module, const char *name);
    CUresult (*cuFuncGetAttribute)(int *value, int attribute, CUfunction function);
    CUresult (*cuFuncSetAttribute)(CUfunction function, int attribute, int value);
    CUresult (*cuLaunchKernel)(CUfunction function, unsigned int gridX, unsigned int gridY,
                               unsigned int gridZ, unsigned int blockX, unsigned int blockY,
                               unsigned int blockZ, unsigned int sharedMemoryBytes,
                               CUstream stream, void **kernelParameters, void **extra);

    // Stream capture and graphs (optional: CUDA graphs and device-side control flow).
    CUresult (*cuStreamBeginCapture)(CUstream stream, int mode);
    CUresult (*cuStreamEndCapture)(CUstream stream, CUgraph *graph);
    CUresult (*cuStreamGetCaptureInfo)(CUstream stream, int *status, cuuint64_t *id, CUgraph *graph,
                                       const CUgraphNode **dependencies, size_t *count);
    CUresult (*cuStreamUpdateCaptureDependencies)(CUstream stream, CUgraphNode *dependencies, size_t count,
                                                  unsigned int flags);
    CUresult (*cuStreamBeginCaptureToGraph)(CUstream stream, CUgraph graph, const CUgraphNode *dependencies,
                                            const nvgpu_graph_edge_data *edges, size_t count, int mode);
    CUresult (*cuGraphConditionalHandleCreate)(CUgraphConditionalHandle *handle, CUgraph graph, CUcontext context,
                                               unsigned int defaultValue, unsigned int flags);
    CUresult (*cuGraphAddNode)(CUgraphNode *node, CUgraph graph, const CUgraphNode *dependencies, size_t count,
                               nvgpu_graph_node_params *params);
    CUresult (*cuGraphInstantiateWithFlags)(CUgraphExec *exec, CUgraph graph, unsigned long long flags);
    CUresult (*cuGraphLaunch)(CUgraphExec exec, CUstream stream);
    CUresult (*cuGraphExecDestroy)(CUgraphExec exec);
    CUresult (*cuGraphDestroy)(CUgraph graph);
} nvgpu_cuda_driver_functions;

#ifdef __cplusplus
}
#endif

#endif
