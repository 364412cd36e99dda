/*
 * NVGPUPluginSupport.h -- the C side of openxla-nvgpu's PJRT plugin: the objects whose
 * layout the PJRT ABI fixes (PJRT_Error and PJRT_Memory start with a function-table
 * pointer since 0.107/0.105), and the list of every PJRT_Api slot with who implements it.
 * The table itself and GetPjrtApi live in PluginSupport.c; the Swift target PJRTPlugin
 * defines the X(...) entry points as nvgpu_<name> with @_cdecl.
 */
#ifndef OPENXLA_NVGPU_PLUGIN_SUPPORT_H
#define OPENXLA_NVGPU_PLUGIN_SUPPORT_H

#include "CPJRT.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An error: the vtable'd base, the code and a copy of the message. */
PJRT_Error* nvgpu_error_create(PJRT_Error_Code code, const char* message, size_t message_size);
PJRT_Error_Code nvgpu_error_code(const PJRT_Error* error);
/* The message (NUL-terminated, owned by the error). */
const char* nvgpu_error_message(const PJRT_Error* error);
void nvgpu_error_free(PJRT_Error* error);

/* A memory space: the vtable'd base, the Swift object that owns it (an unretained
 * pointer) and the user-data slots the framework may attach. */
PJRT_Memory* nvgpu_memory_create(void* owner);
void* nvgpu_memory_owner(const PJRT_Memory* memory);
void nvgpu_memory_free(PJRT_Memory* memory);

/* The plugin's PJRT_Api table (also exported as GetPjrtApi). */
const PJRT_Api* nvgpu_pjrt_api(void);

/* Every slot of the PJRT_Api table, in table order: X(name) for the entry points the
 * Swift side implements (as nvgpu_<name>), C(name) for those implemented in C beside the
 * table, U(name) for those that answer UNIMPLEMENTED naming themselves. */
#define NVGPU_PJRT_SLOTS(X, C, U) \
  C(PJRT_Error_Destroy) \
  C(PJRT_Error_Message) \
  C(PJRT_Error_GetCode) \
  X(PJRT_Plugin_Initialize) \
  X(PJRT_Plugin_Attributes) \
  X(PJRT_Event_Destroy) \
  X(PJRT_Event_IsReady) \
  X(PJRT_Event_Error) \
  X(PJRT_Event_Await) \
  X(PJRT_Event_OnReady) \
  X(PJRT_Client_Create) \
  X(PJRT_Client_Destroy) \
  X(PJRT_Client_PlatformName) \
  X(PJRT_Client_ProcessIndex) \
  X(PJRT_Client_PlatformVersion) \
  X(PJRT_Client_Devices) \
  X(PJRT_Client_AddressableDevices) \
  X(PJRT_Client_LookupDevice) \
  X(PJRT_Client_LookupAddressableDevice) \
  X(PJRT_Client_AddressableMemories) \
  X(PJRT_Client_Compile) \
  X(PJRT_Client_DefaultDeviceAssignment) \
  X(PJRT_Client_BufferFromHostBuffer) \
  X(PJRT_DeviceDescription_Id) \
  X(PJRT_DeviceDescription_ProcessIndex) \
  X(PJRT_DeviceDescription_Attributes) \
  X(PJRT_DeviceDescription_Kind) \
  X(PJRT_DeviceDescription_DebugString) \
  X(PJRT_DeviceDescription_ToString) \
  X(PJRT_Device_GetDescription) \
  X(PJRT_Device_IsAddressable) \
  X(PJRT_Device_LocalHardwareId) \
  X(PJRT_Device_AddressableMemories) \
  X(PJRT_Device_DefaultMemory) \
  X(PJRT_Device_MemoryStats) \
  X(PJRT_Memory_Id) \
  X(PJRT_Memory_Kind) \
  X(PJRT_Memory_DebugString) \
  X(PJRT_Memory_ToString) \
  X(PJRT_Memory_AddressableByDevices) \
  X(PJRT_Executable_Destroy) \
  X(PJRT_Executable_Name) \
  X(PJRT_Executable_NumReplicas) \
  X(PJRT_Executable_NumPartitions) \
  X(PJRT_Executable_NumOutputs) \
  X(PJRT_Executable_SizeOfGeneratedCodeInBytes) \
  X(PJRT_Executable_GetCostAnalysis) \
  X(PJRT_Executable_OutputMemoryKinds) \
  X(PJRT_Executable_OptimizedProgram) \
  X(PJRT_Executable_Serialize) \
  X(PJRT_LoadedExecutable_Destroy) \
  X(PJRT_LoadedExecutable_GetExecutable) \
  X(PJRT_LoadedExecutable_AddressableDevices) \
  X(PJRT_LoadedExecutable_Delete) \
  X(PJRT_LoadedExecutable_IsDeleted) \
  X(PJRT_LoadedExecutable_Execute) \
  X(PJRT_Executable_DeserializeAndLoad) \
  X(PJRT_LoadedExecutable_Fingerprint) \
  X(PJRT_Buffer_Destroy) \
  X(PJRT_Buffer_ElementType) \
  X(PJRT_Buffer_Dimensions) \
  X(PJRT_Buffer_UnpaddedDimensions) \
  X(PJRT_Buffer_DynamicDimensionIndices) \
  X(PJRT_Buffer_GetMemoryLayout) \
  X(PJRT_Buffer_OnDeviceSizeInBytes) \
  X(PJRT_Buffer_Device) \
  X(PJRT_Buffer_Memory) \
  X(PJRT_Buffer_Delete) \
  X(PJRT_Buffer_IsDeleted) \
  X(PJRT_Buffer_CopyToDevice) \
  X(PJRT_Buffer_ToHostBuffer) \
  X(PJRT_Buffer_IsOnCpu) \
  X(PJRT_Buffer_ReadyEvent) \
  U(PJRT_Buffer_UnsafePointer) \
  X(PJRT_Buffer_IncreaseExternalReferenceCount) \
  X(PJRT_Buffer_DecreaseExternalReferenceCount) \
  U(PJRT_Buffer_OpaqueDeviceMemoryDataPointer) \
  U(PJRT_CopyToDeviceStream_Destroy) \
  U(PJRT_CopyToDeviceStream_AddChunk) \
  U(PJRT_CopyToDeviceStream_TotalBytes) \
  U(PJRT_CopyToDeviceStream_GranuleSize) \
  U(PJRT_CopyToDeviceStream_CurrentBytes) \
  U(PJRT_TopologyDescription_Create) \
  U(PJRT_TopologyDescription_Destroy) \
  U(PJRT_TopologyDescription_PlatformName) \
  U(PJRT_TopologyDescription_PlatformVersion) \
  U(PJRT_TopologyDescription_GetDeviceDescriptions) \
  U(PJRT_TopologyDescription_Serialize) \
  U(PJRT_TopologyDescription_Attributes) \
  U(PJRT_Compile) \
  X(PJRT_Executable_OutputElementTypes) \
  X(PJRT_Executable_OutputDimensions) \
  X(PJRT_Buffer_CopyToMemory) \
  U(PJRT_Client_CreateViewOfDeviceBuffer) \
  X(PJRT_Executable_Fingerprint) \
  U(PJRT_Client_TopologyDescription) \
  X(PJRT_Executable_GetCompiledMemoryStats) \
  X(PJRT_Memory_Kind_Id) \
  U(PJRT_ExecuteContext_Create) \
  U(PJRT_ExecuteContext_Destroy) \
  X(PJRT_Buffer_CopyRawToHost) \
  U(PJRT_AsyncHostToDeviceTransferManager_Destroy) \
  U(PJRT_AsyncHostToDeviceTransferManager_TransferData) \
  U(PJRT_Client_CreateBuffersForAsyncHostToDevice) \
  U(PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer) \
  U(PJRT_AsyncHostToDeviceTransferManager_Device) \
  U(PJRT_AsyncHostToDeviceTransferManager_BufferCount) \
  U(PJRT_AsyncHostToDeviceTransferManager_BufferSize) \
  U(PJRT_AsyncHostToDeviceTransferManager_SetBufferError) \
  U(PJRT_AsyncHostToDeviceTransferManager_AddMetadata) \
  U(PJRT_Client_DmaMap) \
  U(PJRT_Client_DmaUnmap) \
  X(PJRT_Client_CreateUninitializedBuffer) \
  U(PJRT_Client_UpdateGlobalProcessInfo) \
  U(PJRT_TopologyDescription_Deserialize) \
  U(PJRT_Client_CreateAliasBuffer) \
  U(PJRT_Client_FulfillAliasBuffer) \
  X(PJRT_LoadedExecutable_GetDeviceAssignment) \
  X(PJRT_Client_CreateErrorBuffer) \
  U(PJRT_AsyncHostToDeviceTransferManager_TransferLiteral) \
  U(PJRT_Buffer_CopyRawToHostFuture) \
  U(PJRT_Device_PoisonExecution) \
  U(PJRT_Device_CreateAsyncTrackingEvent) \
  U(PJRT_AsyncTrackingEvent_Destroy) \
  X(PJRT_Executable_GetCompileOptions) \
  U(PJRT_Buffer_DonateWithControlDependency) \
  X(PJRT_Event_Create) \
  X(PJRT_Event_Set) \
  X(PJRT_Device_GetAttributes) \
  U(PJRT_Client_Load) \
  X(PJRT_LoadedExecutable_AddressableDeviceLogicalIds) \
  U(PJRT_Buffer_Bitcast) \
  C(PJRT_Error_ForEachPayload) \
  U(PJRT_TopologyDescription_Fingerprint) \
  X(PJRT_Executable_ParameterMemoryKinds) \
  X(PJRT_Device_ClearMemoryStats) \
  U(PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace) \
  U(PJRT_TopologyDescription_GetMemorySpaceKindIds)

#ifdef __cplusplus
}
#endif

#endif /* OPENXLA_NVGPU_PLUGIN_SUPPORT_H */
