// Our own declarations for the NCCL calls nvgpu uses (libnccl.so.2).
// Not the vendor header: the result/handle types, the unique-id struct passed by value,
// and a function-pointer table filled at run time. Enum arguments (ncclDataType_t,
// ncclRedOp_t) are C ints; their values live in Swift (NCCLDataType, NCCLReduction).
#ifndef CCUDA_NCCL_H
#define CCUDA_NCCL_H

#include <stddef.h>

#include "ccuda_driver.h"

#ifdef __cplusplus
extern "C" {
#endif

/// An NCCL result code (`ncclSuccess` is 0, `ncclInProgress` is 7).
typedef int ncclResult_t;
/// An NCCL communicator: one rank of a clique.
typedef struct ncclComm *ncclComm_t;

/// `ncclUniqueId`: 128 opaque bytes that name a clique while it is being created.
typedef struct nvgpu_nccl_unique_id {
    char internal[128];
} nvgpu_nccl_unique_id;

/// The NCCL functions nvgpu calls; NULL entries were not found in the library.
typedef struct nvgpu_nccl_functions {
    ncclResult_t (*ncclGetVersion)(int *version);
    const char *(*ncclGetErrorString)(ncclResult_t result);
    ncclResult_t (*ncclGetUniqueId)(nvgpu_nccl_unique_id *uniqueId);
    ncclResult_t (*ncclCommInitRank)(ncclComm_t *comm, int rankCount, nvgpu_nccl_unique_id commId, int rank);
    ncclResult_t (*ncclCommInitAll)(ncclComm_t *comms, int deviceCount, const int *deviceList);
    ncclResult_t (*ncclCommDestroy)(ncclComm_t comm);
    ncclResult_t (*ncclCommCount)(ncclComm_t comm, int *count);
    ncclResult_t (*ncclCommUserRank)(ncclComm_t comm, int *rank);
    ncclResult_t (*ncclGroupStart)(void);
    ncclResult_t (*ncclGroupEnd)(void);
    ncclResult_t (*ncclAllReduce)(const void *sendBuffer, void *receiveBuffer, size_t count, int dataType,
                                  int reduction, ncclComm_t comm, CUstream stream);
    ncclResult_t (*ncclAllGather)(const void *sendBuffer, void *receiveBuffer, size_t sendCount, int dataType,
                                  ncclComm_t comm, CUstream stream);
    ncclResult_t (*ncclReduceScatter)(const void *sendBuffer, void *receiveBuffer, size_t receiveCount,
                                      int dataType, int reduction, ncclComm_t comm, CUstream stream);
    ncclResult_t (*ncclBroadcast)(const void *sendBuffer, void *receiveBuffer, size_t count, int dataType,
                                  int root, ncclComm_t comm, CUstream stream);
    ncclResult_t (*ncclSend)(const void *sendBuffer, size_t count, int dataType, int peer, ncclComm_t comm,
                             CUstream stream);
    ncclResult_t (*ncclRecv)(void *receiveBuffer, size_t count, int dataType, int peer, ncclComm_t comm,
                             CUstream stream);
    ncclResult_t (*ncclCommAbort)(ncclComm_t comm);
} nvgpu_nccl_functions;

#ifdef __cplusplus
}
#endif

#endif
