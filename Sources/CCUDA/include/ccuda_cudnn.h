// Our own declarations for the cuDNN calls nvgpu uses (libcudnn.so.9: the legacy
// convolution API, and the backend graph API for fused attention). Not the vendor header: opaque handle types, the one plain-data struct
// the API fills, and a function-pointer table filled at run time.
#ifndef CCUDA_CUDNN_H
#define CCUDA_CUDNN_H

#include <stddef.h>
#include <stdint.h>

#include "ccuda_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

/// A cuDNN status code (`CUDNN_STATUS_SUCCESS` is 0).
typedef int cudnnStatus_t;
typedef struct cudnnContext *cudnnHandle_t;
typedef struct cudnnTensorStruct *cudnnTensorDescriptor_t;
typedef struct cudnnFilterStruct *cudnnFilterDescriptor_t;
typedef struct cudnnConvolutionStruct *cudnnConvolutionDescriptor_t;
typedef struct cudnnActivationStruct *cudnnActivationDescriptor_t;
/// A backend-API descriptor (tensor, operation, graph, plan, variant pack, ...).
typedef void *cudnnBackendDescriptor_t;

/// One answer of `cudnnGetConvolution*Algorithm_v7` / `cudnnFindConvolution*AlgorithmEx`
/// (the forward, backward-data and backward-filter perf structs share this layout).
typedef struct nvgpu_cudnn_fwd_algo_perf {
    int algo;          // cudnnConvolutionFwdAlgo_t
    cudnnStatus_t status;
    float time;        // milliseconds (Find only)
    size_t memory;     // workspace bytes
    int determinism;   // cudnnDeterminism_t
    int mathType;      // cudnnMathType_t
    int reserved[3];
} nvgpu_cudnn_fwd_algo_perf;

/// The cuDNN functions nvgpu calls; NULL entries were not found in the library.
typedef struct nvgpu_cudnn_functions {
    size_t (*cudnnGetVersion)(void);
    const char *(*cudnnGetErrorString)(cudnnStatus_t status);
    cudnnStatus_t (*cudnnCreate)(cudnnHandle_t *handle);
    cudnnStatus_t (*cudnnDestroy)(cudnnHandle_t handle);
    cudnnStatus_t (*cudnnSetStream)(cudnnHandle_t handle, CUstream stream);
    cudnnStatus_t (*cudnnCreateTensorDescriptor)(cudnnTensorDescriptor_t *descriptor);
    cudnnStatus_t (*cudnnSetTensor4dDescriptor)(cudnnTensorDescriptor_t descriptor, int format,
                                                int dataType, int n, int c, int h, int w);
    cudnnStatus_t (*cudnnDestroyTensorDescriptor)(cudnnTensorDescriptor_t descriptor);
    cudnnStatus_t (*cudnnCreateFilterDescriptor)(cudnnFilterDescriptor_t *descriptor);
    cudnnStatus_t (*cudnnSetFilter4dDescriptor)(cudnnFilterDescriptor_t descriptor, int dataType,
                                                int format, int k, int c, int h, int w);
    cudnnStatus_t (*cudnnDestroyFilterDescriptor)(cudnnFilterDescriptor_t descriptor);
    cudnnStatus_t (*cudnnCreateConvolutionDescriptor)(cudnnConvolutionDescriptor_t *descriptor);
    cudnnStatus_t (*cudnnSetConvolution2dDescriptor)(cudnnConvolutionDescriptor_t descriptor,
                                                     int padH, int padW, int strideH, int strideW,
                                                     int dilationH, int dilationW, int mode,
                                                     int computeType);
    cudnnStatus_t (*cudnnSetConvolutionGroupCount)(cudnnConvolutionDescriptor_t descriptor,
                                                   int groupCount);
    cudnnStatus_t (*cudnnSetConvolutionMathType)(cudnnConvolutionDescriptor_t descriptor,
                                                 int mathType);
    cudnnStatus_t (*cudnnDestroyConvolutionDescriptor)(cudnnConvolutionDescriptor_t descriptor);
    cudnnStatus_t (*cudnnGetConvolution2dForwardOutputDim)(
        cudnnConvolutionDescriptor_t convolution, cudnnTensorDescriptor_t input,
        cudnnFilterDescriptor_t filter, int *n, int *c, int *h, int *w);
    cudnnStatus_t (*cudnnGetConvolutionForwardAlgorithm_v7)(
        cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
        cudnnConvolutionDescriptor_t convolution, cudnnTensorDescriptor_t y, int requestedCount,
        int *returnedCount, nvgpu_cudnn_fwd_algo_perf *results);
    cudnnStatus_t (*cudnnFindConvolutionForwardAlgorithmEx)(
        cudnnHandle_t handle, cudnnTensorDescriptor_t xDescriptor, const void *x,
        cudnnFilterDescriptor_t wDescriptor, const void *w,
        cudnnConvolutionDescriptor_t convolution, cudnnTensorDescriptor_t yDescriptor, void *y,
        int requestedCount, int *returnedCount, nvgpu_cudnn_fwd_algo_perf *results,
        void *workspace, size_t workspaceBytes);
    cudnnStatus_t (*cudnnGetConvolutionForwardWorkspaceSize)(
        cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
        cudnnConvolutionDescriptor_t convolution, cudnnTensorDescriptor_t y, int algorithm,
        size_t *bytes);
    cudnnStatus_t (*cudnnConvolutionForward)(
        cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDescriptor,
        const void *x, cudnnFilterDescriptor_t wDescriptor, const void *w,
        cudnnConvolutionDescriptor_t convolution, int algorithm, void *workspace,
        size_t workspaceBytes, const void *beta, cudnnTensorDescriptor_t yDescriptor, void *y);
    /// Backward data: dx = convolution^T(dy, w) (the gradient of the input).
    cudnnStatus_t (*cudnnGetConvolutionBackwardDataAlgorithm_v7)(
        cudnnHandle_t handle, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,
        cudnnConvolutionDescriptor_t convolution, cudnnTensorDescriptor_t dx, int requestedCount,
        int *returnedCount, nvgpu_cudnn_fwd_algo_perf *results);
    cudnnStatus_t (*cudnnFindConvolutionBackwardDataAlgorithmEx)(
        cudnnHandle_t handle, cudnnFilterDescriptor_t wDescriptor, const void *w,
        cudnnTensorDescriptor_t dyDescriptor, const void *dy,
        cudnnConvolutionDescriptor_t convolution, cudnnTensorDescriptor_t dxDescriptor, void *dx,
        int requestedCount, int *returnedCount, nvgpu_cudnn_fwd_algo_perf *results,
        void *workspace, size_t workspaceBytes);
    cudnnStatus_t (*cudnnGetConvolutionBackwardDataWorkspaceSize)(
        cudnnHandle_t handle, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,
        cudnnConvolutionDescriptor_t convolution, cudnnTensorDescriptor_t dx, int algorithm,
        size_t *bytes);
    cudnnStatus_t (*cudnnConvolutionBackwardData)(
        cudnnHandle_t handle, const void *alpha, cudnnFilterDescriptor_t wDescriptor,
        const void *w, cudnnTensorDescriptor_t dyDescriptor, const void *dy,
        cudnnConvolutionDescriptor_t convolution, int algorithm, void *workspace,
        size_t workspaceBytes, const void *beta, cudnnTensorDescriptor_t dxDescriptor, void *dx);
    /// Backward filter: dw = correlation(x, dy) (the gradient of the filter).
    cudnnStatus_t (*cudnnGetConvolutionBackwardFilterAlgorithm_v7)(
        cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnTensorDescriptor_t dy,
        cudnnConvolutionDescriptor_t convolution, cudnnFilterDescriptor_t dw, int requestedCount,
        int *returnedCount, nvgpu_cudnn_fwd_algo_perf *results);
    cudnnStatus_t (*cudnnFindConvolutionBackwardFilterAlgorithmEx)(
        cudnnHandle_t handle, cudnnTensorDescriptor_t xDescriptor, const void *x,
        cudnnTensorDescriptor_t dyDescriptor, const void *dy,
        cudnnConvolutionDescriptor_t convolution, cudnnFilterDescriptor_t dwDescriptor, void *dw,
        int requestedCount, int *returnedCount, nvgpu_cudnn_fwd_algo_perf *results,
        void *workspace, size_t workspaceBytes);
    cudnnStatus_t (*cudnnGetConvolutionBackwardFilterWorkspaceSize)(
        cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnTensorDescriptor_t dy,
        cudnnConvolutionDescriptor_t convolution, cudnnFilterDescriptor_t dw, int algorithm,
        size_t *bytes);
    cudnnStatus_t (*cudnnConvolutionBackwardFilter)(
        cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDescriptor,
        const void *x, cudnnTensorDescriptor_t dyDescriptor, const void *dy,
        cudnnConvolutionDescriptor_t convolution, int algorithm, void *workspace,
        size_t workspaceBytes, const void *beta, cudnnFilterDescriptor_t dwDescriptor, void *dw);
    cudnnStatus_t (*cudnnCreateActivationDescriptor)(cudnnActivationDescriptor_t *descriptor);
    /// mode: CUDNN_ACTIVATION_RELU 1, IDENTITY 5; nanPropagation: CUDNN_PROPAGATE_NAN 1.
    cudnnStatus_t (*cudnnSetActivationDescriptor)(cudnnActivationDescriptor_t descriptor, int mode,
                                                  int nanPropagation, double coefficient);
    cudnnStatus_t (*cudnnDestroyActivationDescriptor)(cudnnActivationDescriptor_t descriptor);
    /// y = activation(alpha1 * conv(x, w) + alpha2 * z + bias).
    cudnnStatus_t (*cudnnConvolutionBiasActivationForward)(
        cudnnHandle_t handle, const void *alpha1, cudnnTensorDescriptor_t xDescriptor,
        const void *x, cudnnFilterDescriptor_t wDescriptor, const void *w,
        cudnnConvolutionDescriptor_t convolution, int algorithm, void *workspace,
        size_t workspaceBytes, const void *alpha2, cudnnTensorDescriptor_t zDescriptor,
        const void *z, cudnnTensorDescriptor_t biasDescriptor, const void *bias,
        cudnnActivationDescriptor_t activation, cudnnTensorDescriptor_t yDescriptor, void *y);
    /// c = alpha * a (broadcast) + beta * c.
    cudnnStatus_t (*cudnnAddTensor)(cudnnHandle_t handle, const void *alpha,
                                    cudnnTensorDescriptor_t aDescriptor, const void *a,
                                    const void *beta, cudnnTensorDescriptor_t cDescriptor, void *c);
    /// y = alpha * activation(x) + beta * y.
    cudnnStatus_t (*cudnnActivationForward)(cudnnHandle_t handle,
                                            cudnnActivationDescriptor_t activation,
                                            const void *alpha, cudnnTensorDescriptor_t xDescriptor,
                                            const void *x, const void *beta,
                                            cudnnTensorDescriptor_t yDescriptor, void *y);
    /// The backend graph API (cuDNN 9's `cudnn_graph`): enums are passed as `int`/`int64_t`.
    cudnnStatus_t (*cudnnBackendCreateDescriptor)(int descriptorType, cudnnBackendDescriptor_t *descriptor);
    cudnnStatus_t (*cudnnBackendDestroyDescriptor)(cudnnBackendDescriptor_t descriptor);
    cudnnStatus_t (*cudnnBackendFinalize)(cudnnBackendDescriptor_t descriptor);
    cudnnStatus_t (*cudnnBackendSetAttribute)(cudnnBackendDescriptor_t descriptor, int attributeName,
                                              int attributeType, int64_t elementCount,
                                              const void *elements);
    cudnnStatus_t (*cudnnBackendGetAttribute)(cudnnBackendDescriptor_t descriptor, int attributeName,
                                              int attributeType, int64_t requestedElementCount,
                                              int64_t *elementCount, void *elements);
    cudnnStatus_t (*cudnnBackendExecute)(cudnnHandle_t handle, cudnnBackendDescriptor_t executionPlan,
                                         cudnnBackendDescriptor_t variantPack);
    /// The most recent error's message (cuDNN 9).
    void (*cudnnGetLastErrorString)(char *message, size_t maxSize);
} nvgpu_cudnn_functions;

#ifdef __cplusplus
}
#endif

#endif
