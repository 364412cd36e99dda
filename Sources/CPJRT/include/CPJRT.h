/*
 * CPJRT.h -- openxla-nvgpu's own C declarations of the PJRT plugin ABI.
 *
 * CLAIMED VERSION: PJRT C API 0.112  (NVGPU_PJRT_API_MAJOR 0, NVGPU_PJRT_API_MINOR 112)
 *
 * Why 0.112: jaxlib 0.10.2 (our host framework) was built at XLA commit
 * 5a9e73cbd92530cac2ac36f4736a774b2412afe2, whose PJRT C API is 0.112.  The
 * interface at that exact commit was available to us, so every declaration
 * below was checked against that version: 138 function slots, sizeof(PJRT_Api)
 * == 1144 on LP64.  Claiming the caller's own version means jaxlib never has to
 * gate features off, and every *_Args struct we read has the layout jaxlib
 * writes (struct_size must still be honoured; see "growth" below).
 *
 * Layout of this file (differs from upstream on purpose, ABI does not):
 *   1. version macros and helper macros
 *   2. a typedef for every struct tag (handles stay incomplete)
 *   3. all enums, every enumerator with an explicit value
 *   4. callback (function pointer) types
 *   5. struct definitions in dependency order, each followed by its
 *      <Name>_STRUCT_SIZE constant (offset of the versioned last member
 *      plus its size -- the value callers put in struct_size)
 *   6. entry point types  typedef R PJRT_Foo(PJRT_Foo_Args*)
 *   7. the PJRT_Api table
 *
 * Concrete (non-opaque) at 0.112: PJRT_Error and PJRT_Memory.  Both start with
 * a pointer to a function table (PJRT_Error_FunctionTable, 0.107;
 * PJRT_Memory_FunctionTable, 0.105) so a framework can operate on them without
 * calling back through PJRT_Api.  A plugin that claims >= 0.107 must hand out
 * PJRT_Error objects whose first word is a valid vtable pointer.
 *
 * SLOT TABLE (138 slots; byte offset = 40 + 8*index on LP64; "since" is
 * the first minor version whose table has the slot; "<=29" = present in 0.29,
 * the oldest version jaxlib accepts):
 *     0  PJRT_Error_Destroy                                           <=29
 *     1  PJRT_Error_Message                                           <=29
 *     2  PJRT_Error_GetCode                                           <=29
 *     3  PJRT_Plugin_Initialize                                       <=29
 *     4  PJRT_Plugin_Attributes                                       <=29
 *     5  PJRT_Event_Destroy                                           <=29
 *     6  PJRT_Event_IsReady                                           <=29
 *     7  PJRT_Event_Error                                             <=29
 *     8  PJRT_Event_Await                                             <=29
 *     9  PJRT_Event_OnReady                                           <=29
 *    10  PJRT_Client_Create                                           <=29
 *    11  PJRT_Client_Destroy                                          <=29
 *    12  PJRT_Client_PlatformName                                     <=29
 *    13  PJRT_Client_ProcessIndex                                     <=29
 *    14  PJRT_Client_PlatformVersion                                  <=29
 *    15  PJRT_Client_Devices                                          <=29
 *    16  PJRT_Client_AddressableDevices                               <=29
 *    17  PJRT_Client_LookupDevice                                     <=29
 *    18  PJRT_Client_LookupAddressableDevice                          <=29
 *    19  PJRT_Client_AddressableMemories                              <=29
 *    20  PJRT_Client_Compile                                          <=29
 *    21  PJRT_Client_DefaultDeviceAssignment                          <=29
 *    22  PJRT_Client_BufferFromHostBuffer                             <=29
 *    23  PJRT_DeviceDescription_Id                                    <=29
 *    24  PJRT_DeviceDescription_ProcessIndex                          <=29
 *    25  PJRT_DeviceDescription_Attributes                            <=29
 *    26  PJRT_DeviceDescription_Kind                                  <=29
 *    27  PJRT_DeviceDescription_DebugString                           <=29
 *    28  PJRT_DeviceDescription_ToString                              <=29
 *    29  PJRT_Device_GetDescription                                   <=29
 *    30  PJRT_Device_IsAddressable                                    <=29
 *    31  PJRT_Device_LocalHardwareId                                  <=29
 *    32  PJRT_Device_AddressableMemories                              <=29
 *    33  PJRT_Device_DefaultMemory                                    <=29
 *    34  PJRT_Device_MemoryStats                                      <=29
 *    35  PJRT_Memory_Id                                               <=29
 *    36  PJRT_Memory_Kind                                             <=29
 *    37  PJRT_Memory_DebugString                                      <=29
 *    38  PJRT_Memory_ToString                                         <=29
 *    39  PJRT_Memory_AddressableByDevices                             <=29
 *    40  PJRT_Executable_Destroy                                      <=29
 *    41  PJRT_Executable_Name                                         <=29
 *    42  PJRT_Executable_NumReplicas                                  <=29
 *    43  PJRT_Executable_NumPartitions                                <=29
 *    44  PJRT_Executable_NumOutputs                                   <=29
 *    45  PJRT_Executable_SizeOfGeneratedCodeInBytes                   <=29
 *    46  PJRT_Executable_GetCostAnalysis                              <=29
 *    47  PJRT_Executable_OutputMemoryKinds                            <=29
 *    48  PJRT_Executable_OptimizedProgram                             <=29
 *    49  PJRT_Executable_Serialize                                    <=29
 *    50  PJRT_LoadedExecutable_Destroy                                <=29
 *    51  PJRT_LoadedExecutable_GetExecutable                          <=29
 *    52  PJRT_LoadedExecutable_AddressableDevices                     <=29
 *    53  PJRT_LoadedExecutable_Delete                                 <=29
 *    54  PJRT_LoadedExecutable_IsDeleted                              <=29
 *    55  PJRT_LoadedExecutable_Execute                                <=29
 *    56  PJRT_Executable_DeserializeAndLoad                           <=29
 *    57  PJRT_LoadedExecutable_Fingerprint                            <=29
 *    58  PJRT_Buffer_Destroy                                          <=29
 *    59  PJRT_Buffer_ElementType                                      <=29
 *    60  PJRT_Buffer_Dimensions                                       <=29
 *    61  PJRT_Buffer_UnpaddedDimensions                               <=29
 *    62  PJRT_Buffer_DynamicDimensionIndices                          <=29
 *    63  PJRT_Buffer_GetMemoryLayout                                  <=29
 *    64  PJRT_Buffer_OnDeviceSizeInBytes                              <=29
 *    65  PJRT_Buffer_Device                                           <=29
 *    66  PJRT_Buffer_Memory                                           <=29
 *    67  PJRT_Buffer_Delete                                           <=29
 *    68  PJRT_Buffer_IsDeleted                                        <=29
 *    69  PJRT_Buffer_CopyToDevice                                     <=29
 *    70  PJRT_Buffer_ToHostBuffer                                     <=29
 *    71  PJRT_Buffer_IsOnCpu                                          <=29
 *    72  PJRT_Buffer_ReadyEvent                                       <=29
 *    73  PJRT_Buffer_UnsafePointer                                    <=29
 *    74  PJRT_Buffer_IncreaseExternalReferenceCount                   <=29
 *    75  PJRT_Buffer_DecreaseExternalReferenceCount                   <=29
 *    76  PJRT_Buffer_OpaqueDeviceMemoryDataPointer                    <=29
 *    77  PJRT_CopyToDeviceStream_Destroy                              <=29
 *    78  PJRT_CopyToDeviceStream_AddChunk                             <=29
 *    79  PJRT_CopyToDeviceStream_TotalBytes                           <=29
 *    80  PJRT_CopyToDeviceStream_GranuleSize                          <=29
 *    81  PJRT_CopyToDeviceStream_CurrentBytes                         <=29
 *    82  PJRT_TopologyDescription_Create                              <=29
 *    83  PJRT_TopologyDescription_Destroy                             <=29
 *    84  PJRT_TopologyDescription_PlatformName                        <=29
 *    85  PJRT_TopologyDescription_PlatformVersion                     <=29
 *    86  PJRT_TopologyDescription_GetDeviceDescriptions               <=29
 *    87  PJRT_TopologyDescription_Serialize                           <=29
 *    88  PJRT_TopologyDescription_Attributes                          <=29
 *    89  PJRT_Compile                                                 <=29
 *    90  PJRT_Executable_OutputElementTypes                           <=29
 *    91  PJRT_Executable_OutputDimensions                             <=29
 *    92  PJRT_Buffer_CopyToMemory                                     0.32
 *    93  PJRT_Client_CreateViewOfDeviceBuffer                         0.33
 *    94  PJRT_Executable_Fingerprint                                  0.35
 *    95  PJRT_Client_TopologyDescription                              0.36
 *    96  PJRT_Executable_GetCompiledMemoryStats                       0.40
 *    97  PJRT_Memory_Kind_Id                                          0.48
 *    98  PJRT_ExecuteContext_Create                                   0.52
 *    99  PJRT_ExecuteContext_Destroy                                  0.52
 *   100  PJRT_Buffer_CopyRawToHost                                    0.56
 *   101  PJRT_AsyncHostToDeviceTransferManager_Destroy                0.60
 *   102  PJRT_AsyncHostToDeviceTransferManager_TransferData           0.60
 *   103  PJRT_Client_CreateBuffersForAsyncHostToDevice                0.60
 *   104  PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer         0.62
 *   105  PJRT_AsyncHostToDeviceTransferManager_Device                 0.62
 *   106  PJRT_AsyncHostToDeviceTransferManager_BufferCount            0.62
 *   107  PJRT_AsyncHostToDeviceTransferManager_BufferSize             0.62
 *   108  PJRT_AsyncHostToDeviceTransferManager_SetBufferError         0.62
 *   109  PJRT_AsyncHostToDeviceTransferManager_AddMetadata            0.62
 *   110  PJRT_Client_DmaMap                                           0.67
 *   111  PJRT_Client_DmaUnmap                                         0.67
 *   112  PJRT_Client_CreateUninitializedBuffer                        0.69
 *   113  PJRT_Client_UpdateGlobalProcessInfo                          0.73
 *   114  PJRT_TopologyDescription_Deserialize                         0.75
 *   115  PJRT_Client_CreateAliasBuffer                                0.77
 *   116  PJRT_Client_FulfillAliasBuffer                               0.77
 *   117  PJRT_LoadedExecutable_GetDeviceAssignment                    0.79
 *   118  PJRT_Client_CreateErrorBuffer                                0.82
 *   119  PJRT_AsyncHostToDeviceTransferManager_TransferLiteral        0.83
 *   120  PJRT_Buffer_CopyRawToHostFuture                              0.84
 *   121  PJRT_Device_PoisonExecution                                  0.85
 *   122  PJRT_Device_CreateAsyncTrackingEvent                         0.86
 *   123  PJRT_AsyncTrackingEvent_Destroy                              0.86
 *   124  PJRT_Executable_GetCompileOptions                            0.87
 *   125  PJRT_Buffer_DonateWithControlDependency                      0.88
 *   126  PJRT_Event_Create                                            0.89
 *   127  PJRT_Event_Set                                               0.89
 *   128  PJRT_Device_GetAttributes                                    0.92
 *   129  PJRT_Client_Load                                             0.95
 *   130  PJRT_LoadedExecutable_AddressableDeviceLogicalIds            0.96
 *   131  PJRT_Buffer_Bitcast                                          0.98
 *   132  PJRT_Error_ForEachPayload                                    0.99
 *   133  PJRT_TopologyDescription_Fingerprint                         0.101
 *   134  PJRT_Executable_ParameterMemoryKinds                         0.102
 *   135  PJRT_Device_ClearMemoryStats                                 0.106
 *   136  PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace    0.109
 *   137  PJRT_TopologyDescription_GetMemorySpaceKindIds               0.110
 *
 * GROWTH: argument structs that gained members after 0.29.  An implementation
 * must accept a caller struct_size smaller than ours (older caller: members
 * past struct_size are absent, use defaults) and larger than ours (newer
 * caller: ignore the tail).  Listed as  minor: members added.
 *   PJRT_Extension_Base  (first in 0.41)
 *       0.45: next
 *   PJRT_Client_Create_Args  (first in 0.29 or earlier)
 *       0.61: kv_try_get_callback, kv_try_get_user_arg
 *   PJRT_ProcessInfo  (first in 0.73)
 *       0.75: error_message_size
 *   PJRT_Client_CreateErrorBuffer_Args  (first in 0.82)
 *       0.103: payload, num_payload
 *   PJRT_Client_CreateViewOfDeviceBuffer_Args  (first in 0.33)
 *       0.66: memory
 *   PJRT_Device_PoisonExecution_Args  (first in 0.85)
 *       0.100: payload, num_payload
 *   PJRT_ExecuteOptions  (first in 0.29 or earlier)
 *       0.39: non_donatable_input_indices, num_non_donatable_input_indices
 *       0.64: context
 *       0.76: call_location
 *       0.78: num_tasks, task_ids, incarnation_ids
 *       0.97: multi_slice_config
 *       0.108: use_major_to_minor_data_layout_for_callbacks
 *       0.112: hlo_output_callbacks, num_hlo_output_callbacks
 *   PJRT_Executable_GetCompiledMemoryStats_Args  (first in 0.40)
 *       0.43: host_generated_code_size_in_bytes, host_argument_size_in_bytes, host_output_size_in_bytes, host_alias_size_in_bytes, host_temp_size_in_bytes
 *       0.72: peak_memory_in_bytes
 *       0.90: total_size_in_bytes
 *       0.104: total_allocation_bytes, indefinite_allocations, peak_unpadded_heap_bytes
 *   PJRT_Executable_DeserializeAndLoad_Args  (first in 0.29 or earlier)
 *       0.71: overridden_serialized_compile_options, overridden_serialized_compile_options_size
 *       0.111: load_options
 * Size-macro lag (historic, matters for callers built at those versions):
 *   PJRT_Plugin_Initialize_Args: struct_size runs through
 *       priv from 0.29
 *       extension_start from 0.42
 *   PJRT_Plugin_Attributes_Args: struct_size runs through
 *       attributes from 0.29
 *       num_attributes from 0.71
 *   PJRT_Client_Create_Args: struct_size runs through
 *       client from 0.29
 *       kv_try_get_user_arg from 0.61
 *   PJRT_Client_CreateErrorBuffer_Args: struct_size runs through
 *       buffer from 0.82
 *       num_payload from 0.103
 *   PJRT_Client_CreateViewOfDeviceBuffer_Args: struct_size runs through
 *       buffer from 0.33
 *       memory from 0.66
 *   PJRT_Device_AddressableMemories_Args: struct_size runs through
 *       memories from 0.29
 *       num_memories from 0.46
 *   PJRT_Device_PoisonExecution_Args: struct_size runs through
 *       poisoned from 0.85
 *       num_payload from 0.100
 *   PJRT_Memory_Kind_Args: struct_size runs through
 *       memory_kind_size from 0.29
 *       kind_size from 0.48
 *   PJRT_ExecuteOptions: struct_size runs through
 *       launch_id from 0.29
 *       num_non_donatable_input_indices from 0.46
 *       context from 0.64
 *       call_location from 0.76
 *       incarnation_ids from 0.78
 *       multi_slice_config from 0.97
 *       use_major_to_minor_data_layout_for_callbacks from 0.108
 *       num_hlo_output_callbacks from 0.112
 *   PJRT_Executable_GetCompiledMemoryStats_Args: struct_size runs through
 *       temp_size_in_bytes from 0.40
 *       host_temp_size_in_bytes from 0.43
 *       peak_memory_in_bytes from 0.72
 *       total_size_in_bytes from 0.90
 *       peak_unpadded_heap_bytes from 0.104
 *   PJRT_Executable_DeserializeAndLoad_Args: struct_size runs through
 *       loaded_executable from 0.29
 *       overridden_serialized_compile_options_size from 0.71
 *       load_options from 0.111
 *   PJRT_ExecuteOptions in particular: 0.39-0.45 callers already had the
 *   non_donatable members but reported struct_size only through launch_id.
 *   Our PJRT_ExecuteOptions is 144 bytes at 0.112 (0.105 had 120).
 *   Also new in 0.112 only: PJRT_HloOutputCallbackInfo in PJRT_ExecuteOptions;
 *   0.111: PJRT_LoadOptions in PJRT_Executable_DeserializeAndLoad_Args.
 */

#ifndef OPENXLA_NVGPU_CPJRT_H
#define OPENXLA_NVGPU_CPJRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ===== 1. versions and helpers ===== */

#define NVGPU_PJRT_API_MAJOR 0
#define NVGPU_PJRT_API_MINOR 112
#define NVGPU_PJRT_API_SLOT_COUNT 138

/* Bytes of T up to and including member M (the struct_size convention). */
#define NVGPU_PJRT_SIZE_THROUGH(T, M) (offsetof(T, M) + sizeof(((T*)0)->M))

#ifdef __cplusplus
extern "C" {
#endif

/* ===== 2. struct tags ===== */

/* Opaque handles: only the plugin knows their contents. */
typedef struct PJRT_Event PJRT_Event;
typedef struct PJRT_Client PJRT_Client;
typedef struct PJRT_Device PJRT_Device;
typedef struct PJRT_DeviceDescription PJRT_DeviceDescription;
typedef struct PJRT_TopologyDescription PJRT_TopologyDescription;
typedef struct PJRT_Executable PJRT_Executable;
typedef struct PJRT_LoadedExecutable PJRT_LoadedExecutable;
typedef struct PJRT_Buffer PJRT_Buffer;
typedef struct PJRT_FulfillAliasBufferCallback PJRT_FulfillAliasBufferCallback;
typedef struct PJRT_AsyncHostToDeviceTransferManager PJRT_AsyncHostToDeviceTransferManager;
typedef struct PJRT_PhaseCompiler PJRT_PhaseCompiler;
typedef struct PJRT_Device_Attributes PJRT_Device_Attributes;
typedef struct PJRT_AsyncTrackingEvent PJRT_AsyncTrackingEvent;
typedef struct PJRT_ExecuteContext PJRT_ExecuteContext;
typedef struct PJRT_DeviceAssignmentSerialized PJRT_DeviceAssignmentSerialized;
typedef struct PJRT_CopyToDeviceStream PJRT_CopyToDeviceStream;
typedef struct PJRT_MultiSlice_Config PJRT_MultiSlice_Config;
typedef struct PJRT_SerializedExecutable PJRT_SerializedExecutable;
typedef struct PJRT_SerializedCompileOptions PJRT_SerializedCompileOptions;
typedef struct PJRT_SerializedTopology PJRT_SerializedTopology;

/* Structs with a public layout (defined in section 5). */
typedef struct PJRT_Extension_Base PJRT_Extension_Base;
typedef struct PJRT_Api_Version PJRT_Api_Version;
typedef struct PJRT_Error_Destroy_Args PJRT_Error_Destroy_Args;
typedef struct PJRT_Error_Message_Args PJRT_Error_Message_Args;
typedef struct PJRT_Error_FunctionTable PJRT_Error_FunctionTable;
typedef struct PJRT_Error PJRT_Error;
typedef struct PJRT_Error_GetCode_Args PJRT_Error_GetCode_Args;
typedef struct PJRT_Error_ForEachPayload_Args PJRT_Error_ForEachPayload_Args;
typedef struct PJRT_NamedValue PJRT_NamedValue;
typedef struct PJRT_Plugin_Initialize_Args PJRT_Plugin_Initialize_Args;
typedef struct PJRT_Plugin_Attributes_Args PJRT_Plugin_Attributes_Args;
typedef struct PJRT_Event_Destroy_Args PJRT_Event_Destroy_Args;
typedef struct PJRT_Event_IsReady_Args PJRT_Event_IsReady_Args;
typedef struct PJRT_Event_Error_Args PJRT_Event_Error_Args;
typedef struct PJRT_Event_Await_Args PJRT_Event_Await_Args;
typedef struct PJRT_Event_OnReady_Args PJRT_Event_OnReady_Args;
typedef struct PJRT_Event_Create_Args PJRT_Event_Create_Args;
typedef struct PJRT_Event_Set_Args PJRT_Event_Set_Args;
typedef struct PJRT_Memory_FunctionTable PJRT_Memory_FunctionTable;
typedef struct PJRT_Memory PJRT_Memory;
typedef struct PJRT_KeyValueGetCallback_Args PJRT_KeyValueGetCallback_Args;
typedef struct PJRT_KeyValueTryGetCallback_Args PJRT_KeyValueTryGetCallback_Args;
typedef struct PJRT_KeyValuePutCallback_Args PJRT_KeyValuePutCallback_Args;
typedef struct PJRT_Client_Create_Args PJRT_Client_Create_Args;
typedef struct PJRT_Client_Destroy_Args PJRT_Client_Destroy_Args;
typedef struct PJRT_Client_PlatformName_Args PJRT_Client_PlatformName_Args;
typedef struct PJRT_Client_ProcessIndex_Args PJRT_Client_ProcessIndex_Args;
typedef struct PJRT_Client_PlatformVersion_Args PJRT_Client_PlatformVersion_Args;
typedef struct PJRT_Client_TopologyDescription_Args PJRT_Client_TopologyDescription_Args;
typedef struct PJRT_Client_Devices_Args PJRT_Client_Devices_Args;
typedef struct PJRT_Client_AddressableDevices_Args PJRT_Client_AddressableDevices_Args;
typedef struct PJRT_Client_LookupDevice_Args PJRT_Client_LookupDevice_Args;
typedef struct PJRT_Client_LookupAddressableDevice_Args PJRT_Client_LookupAddressableDevice_Args;
typedef struct PJRT_ProcessInfo PJRT_ProcessInfo;
typedef struct PJRT_Client_UpdateGlobalProcessInfo_Args PJRT_Client_UpdateGlobalProcessInfo_Args;
typedef struct PJRT_Client_AddressableMemories_Args PJRT_Client_AddressableMemories_Args;
typedef struct PJRT_Program PJRT_Program;
typedef struct PJRT_Client_Compile_Args PJRT_Client_Compile_Args;
typedef struct PJRT_Client_Load_Args PJRT_Client_Load_Args;
typedef struct PJRT_Client_DefaultDeviceAssignment_Args PJRT_Client_DefaultDeviceAssignment_Args;
typedef struct PJRT_Client_DmaMap_Args PJRT_Client_DmaMap_Args;
typedef struct PJRT_Client_DmaUnmap_Args PJRT_Client_DmaUnmap_Args;
typedef struct PJRT_AsyncHostToDeviceTransferManager_Destroy_Args PJRT_AsyncHostToDeviceTransferManager_Destroy_Args;
typedef struct PJRT_AsyncHostToDeviceTransferManager_TransferData_Args PJRT_AsyncHostToDeviceTransferManager_TransferData_Args;
typedef struct PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer_Args PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer_Args;
typedef struct PJRT_AsyncHostToDeviceTransferManager_Device_Args PJRT_AsyncHostToDeviceTransferManager_Device_Args;
typedef struct PJRT_AsyncHostToDeviceTransferManager_BufferCount_Args PJRT_AsyncHostToDeviceTransferManager_BufferCount_Args;
typedef struct PJRT_AsyncHostToDeviceTransferManager_BufferSize_Args PJRT_AsyncHostToDeviceTransferManager_BufferSize_Args;
typedef struct PJRT_AsyncHostToDeviceTransferManager_SetBufferError_Args PJRT_AsyncHostToDeviceTransferManager_SetBufferError_Args;
typedef struct PJRT_AsyncHostToDeviceTransferManager_AddMetadata_Args PJRT_AsyncHostToDeviceTransferManager_AddMetadata_Args;
typedef struct PJRT_Buffer_MemoryLayout_Tiled PJRT_Buffer_MemoryLayout_Tiled;
typedef struct PJRT_Buffer_MemoryLayout_Strides PJRT_Buffer_MemoryLayout_Strides;
typedef struct PJRT_Buffer_MemoryLayout PJRT_Buffer_MemoryLayout;
typedef struct PJRT_AsyncHostToDeviceTransferManager_TransferLiteral_Args PJRT_AsyncHostToDeviceTransferManager_TransferLiteral_Args;
typedef struct PJRT_Client_CreateUninitializedBuffer_Args PJRT_Client_CreateUninitializedBuffer_Args;
typedef struct PJRT_Client_CreateErrorBuffer_Args PJRT_Client_CreateErrorBuffer_Args;
typedef struct PJRT_Client_CreateAliasBuffer_Args PJRT_Client_CreateAliasBuffer_Args;
typedef struct PJRT_Client_FulfillAliasBuffer_Args PJRT_Client_FulfillAliasBuffer_Args;
typedef struct PJRT_Client_BufferFromHostBuffer_Args PJRT_Client_BufferFromHostBuffer_Args;
typedef struct PJRT_Client_CreateViewOfDeviceBuffer_Args PJRT_Client_CreateViewOfDeviceBuffer_Args;
typedef struct PJRT_ShapeSpec PJRT_ShapeSpec;
typedef struct PJRT_Client_CreateBuffersForAsyncHostToDevice_Args PJRT_Client_CreateBuffersForAsyncHostToDevice_Args;
typedef struct PJRT_DeviceDescription_Id_Args PJRT_DeviceDescription_Id_Args;
typedef struct PJRT_DeviceDescription_ProcessIndex_Args PJRT_DeviceDescription_ProcessIndex_Args;
typedef struct PJRT_DeviceDescription_Attributes_Args PJRT_DeviceDescription_Attributes_Args;
typedef struct PJRT_DeviceDescription_Kind_Args PJRT_DeviceDescription_Kind_Args;
typedef struct PJRT_DeviceDescription_DebugString_Args PJRT_DeviceDescription_DebugString_Args;
typedef struct PJRT_DeviceDescription_ToString_Args PJRT_DeviceDescription_ToString_Args;
typedef struct PJRT_Device_GetDescription_Args PJRT_Device_GetDescription_Args;
typedef struct PJRT_Device_IsAddressable_Args PJRT_Device_IsAddressable_Args;
typedef struct PJRT_Device_LocalHardwareId_Args PJRT_Device_LocalHardwareId_Args;
typedef struct PJRT_Device_AddressableMemories_Args PJRT_Device_AddressableMemories_Args;
typedef struct PJRT_Device_DefaultMemory_Args PJRT_Device_DefaultMemory_Args;
typedef struct PJRT_Device_MemoryStats_Args PJRT_Device_MemoryStats_Args;
typedef struct PJRT_Device_ClearMemoryStats_Args PJRT_Device_ClearMemoryStats_Args;
typedef struct PJRT_Device_PoisonExecution_Args PJRT_Device_PoisonExecution_Args;
typedef struct PJRT_Device_GetAttributes_Args PJRT_Device_GetAttributes_Args;
typedef struct PJRT_Device_CreateAsyncTrackingEvent_Args PJRT_Device_CreateAsyncTrackingEvent_Args;
typedef struct PJRT_AsyncTrackingEvent_Destroy_Args PJRT_AsyncTrackingEvent_Destroy_Args;
typedef struct PJRT_Memory_Id_Args PJRT_Memory_Id_Args;
typedef struct PJRT_Memory_Kind_Args PJRT_Memory_Kind_Args;
typedef struct PJRT_Memory_Kind_Id_Args PJRT_Memory_Kind_Id_Args;
typedef struct PJRT_Memory_DebugString_Args PJRT_Memory_DebugString_Args;
typedef struct PJRT_Memory_ToString_Args PJRT_Memory_ToString_Args;
typedef struct PJRT_Memory_AddressableByDevices_Args PJRT_Memory_AddressableByDevices_Args;
typedef struct PJRT_ExecuteContext_Create_Args PJRT_ExecuteContext_Create_Args;
typedef struct PJRT_ExecuteContext_Destroy_Args PJRT_ExecuteContext_Destroy_Args;
typedef struct PJRT_Executable_Destroy_Args PJRT_Executable_Destroy_Args;
typedef struct PJRT_LoadedExecutable_Destroy_Args PJRT_LoadedExecutable_Destroy_Args;
typedef struct PJRT_LoadedExecutable_GetExecutable_Args PJRT_LoadedExecutable_GetExecutable_Args;
typedef struct PJRT_LoadedExecutable_GetDeviceAssignment_Args PJRT_LoadedExecutable_GetDeviceAssignment_Args;
typedef struct PJRT_Executable_Name_Args PJRT_Executable_Name_Args;
typedef struct PJRT_Executable_NumReplicas_Args PJRT_Executable_NumReplicas_Args;
typedef struct PJRT_Executable_NumPartitions_Args PJRT_Executable_NumPartitions_Args;
typedef struct PJRT_LogicalDeviceIds PJRT_LogicalDeviceIds;
typedef struct PJRT_LoadedExecutable_AddressableDevices_Args PJRT_LoadedExecutable_AddressableDevices_Args;
typedef struct PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args;
typedef struct PJRT_Executable_OptimizedProgram_Args PJRT_Executable_OptimizedProgram_Args;
typedef struct PJRT_LoadedExecutable_Delete_Args PJRT_LoadedExecutable_Delete_Args;
typedef struct PJRT_LoadedExecutable_IsDeleted_Args PJRT_LoadedExecutable_IsDeleted_Args;
typedef struct PJRT_Chunk PJRT_Chunk;
typedef struct PJRT_SendCallbackInfo PJRT_SendCallbackInfo;
typedef struct PJRT_RecvCallbackInfo PJRT_RecvCallbackInfo;
typedef struct PJRT_HloOutputCallbackInfo PJRT_HloOutputCallbackInfo;
typedef struct PJRT_ExecuteOptions PJRT_ExecuteOptions;
typedef struct PJRT_LoadedExecutable_Execute_Args PJRT_LoadedExecutable_Execute_Args;
typedef struct PJRT_Executable_NumOutputs_Args PJRT_Executable_NumOutputs_Args;
typedef struct PJRT_Executable_SizeOfGeneratedCodeInBytes_Args PJRT_Executable_SizeOfGeneratedCodeInBytes_Args;
typedef struct PJRT_Executable_Fingerprint_Args PJRT_Executable_Fingerprint_Args;
typedef struct PJRT_Executable_GetCostAnalysis_Args PJRT_Executable_GetCostAnalysis_Args;
typedef struct PJRT_Executable_GetCompiledMemoryStats_Args PJRT_Executable_GetCompiledMemoryStats_Args;
typedef struct PJRT_Executable_OutputElementTypes_Args PJRT_Executable_OutputElementTypes_Args;
typedef struct PJRT_Executable_OutputDimensions_Args PJRT_Executable_OutputDimensions_Args;
typedef struct PJRT_Executable_ParameterMemoryKinds_Args PJRT_Executable_ParameterMemoryKinds_Args;
typedef struct PJRT_Executable_OutputMemoryKinds_Args PJRT_Executable_OutputMemoryKinds_Args;
typedef struct PJRT_Executable_Serialize_Args PJRT_Executable_Serialize_Args;
typedef struct PJRT_Executable_GetCompileOptions_Args PJRT_Executable_GetCompileOptions_Args;
typedef struct PJRT_LoadOptions PJRT_LoadOptions;
typedef struct PJRT_Executable_DeserializeAndLoad_Args PJRT_Executable_DeserializeAndLoad_Args;
typedef struct PJRT_LoadedExecutable_Fingerprint_Args PJRT_LoadedExecutable_Fingerprint_Args;
typedef struct PJRT_Buffer_Destroy_Args PJRT_Buffer_Destroy_Args;
typedef struct PJRT_Buffer_ElementType_Args PJRT_Buffer_ElementType_Args;
typedef struct PJRT_Buffer_Dimensions_Args PJRT_Buffer_Dimensions_Args;
typedef struct PJRT_Buffer_UnpaddedDimensions_Args PJRT_Buffer_UnpaddedDimensions_Args;
typedef struct PJRT_Buffer_DynamicDimensionIndices_Args PJRT_Buffer_DynamicDimensionIndices_Args;
typedef struct PJRT_Buffer_GetMemoryLayout_Args PJRT_Buffer_GetMemoryLayout_Args;
typedef struct PJRT_Buffer_ToHostBuffer_Args PJRT_Buffer_ToHostBuffer_Args;
typedef struct PJRT_Buffer_OnDeviceSizeInBytes_Args PJRT_Buffer_OnDeviceSizeInBytes_Args;
typedef struct PJRT_Buffer_Delete_Args PJRT_Buffer_Delete_Args;
typedef struct PJRT_Buffer_IsDeleted_Args PJRT_Buffer_IsDeleted_Args;
typedef struct PJRT_Buffer_CopyRawToHost_Args PJRT_Buffer_CopyRawToHost_Args;
typedef struct PJRT_Buffer_CopyRawToHostFuture_Callback_Args PJRT_Buffer_CopyRawToHostFuture_Callback_Args;
typedef struct PJRT_Buffer_CopyRawToHostFuture_Args PJRT_Buffer_CopyRawToHostFuture_Args;
typedef struct PJRT_Buffer_CopyToDevice_Args PJRT_Buffer_CopyToDevice_Args;
typedef struct PJRT_Buffer_CopyToMemory_Args PJRT_Buffer_CopyToMemory_Args;
typedef struct PJRT_Buffer_Bitcast_Args PJRT_Buffer_Bitcast_Args;
typedef struct PJRT_Buffer_IsOnCpu_Args PJRT_Buffer_IsOnCpu_Args;
typedef struct PJRT_Buffer_Device_Args PJRT_Buffer_Device_Args;
typedef struct PJRT_Buffer_Memory_Args PJRT_Buffer_Memory_Args;
typedef struct PJRT_Buffer_ReadyEvent_Args PJRT_Buffer_ReadyEvent_Args;
typedef struct PJRT_Buffer_UnsafePointer_Args PJRT_Buffer_UnsafePointer_Args;
typedef struct PJRT_Buffer_IncreaseExternalReferenceCount_Args PJRT_Buffer_IncreaseExternalReferenceCount_Args;
typedef struct PJRT_Buffer_DecreaseExternalReferenceCount_Args PJRT_Buffer_DecreaseExternalReferenceCount_Args;
typedef struct PJRT_Buffer_OpaqueDeviceMemoryDataPointer_Args PJRT_Buffer_OpaqueDeviceMemoryDataPointer_Args;
typedef struct PJRT_Buffer_DonateWithControlDependency_Callback_Args PJRT_Buffer_DonateWithControlDependency_Callback_Args;
typedef struct PJRT_Buffer_DonateWithControlDependency_Args PJRT_Buffer_DonateWithControlDependency_Args;
typedef struct PJRT_CopyToDeviceStream_Destroy_Args PJRT_CopyToDeviceStream_Destroy_Args;
typedef struct PJRT_CopyToDeviceStream_AddChunk_Args PJRT_CopyToDeviceStream_AddChunk_Args;
typedef struct PJRT_CopyToDeviceStream_TotalBytes_Args PJRT_CopyToDeviceStream_TotalBytes_Args;
typedef struct PJRT_CopyToDeviceStream_GranuleSize_Args PJRT_CopyToDeviceStream_GranuleSize_Args;
typedef struct PJRT_CopyToDeviceStream_CurrentBytes_Args PJRT_CopyToDeviceStream_CurrentBytes_Args;
typedef struct PJRT_TopologyDescription_Create_Args PJRT_TopologyDescription_Create_Args;
typedef struct PJRT_TopologyDescription_Destroy_Args PJRT_TopologyDescription_Destroy_Args;
typedef struct PJRT_TopologyDescription_PlatformVersion_Args PJRT_TopologyDescription_PlatformVersion_Args;
typedef struct PJRT_TopologyDescription_PlatformName_Args PJRT_TopologyDescription_PlatformName_Args;
typedef struct PJRT_TopologyDescription_GetDeviceDescriptions_Args PJRT_TopologyDescription_GetDeviceDescriptions_Args;
typedef struct PJRT_TopologyDescription_Serialize_Args PJRT_TopologyDescription_Serialize_Args;
typedef struct PJRT_TopologyDescription_Deserialize_Args PJRT_TopologyDescription_Deserialize_Args;
typedef struct PJRT_TopologyDescription_Attributes_Args PJRT_TopologyDescription_Attributes_Args;
typedef struct PJRT_TopologyDescription_Fingerprint_Args PJRT_TopologyDescription_Fingerprint_Args;
typedef struct PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace_Args PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace_Args;
typedef struct PJRT_TopologyDescription_GetMemorySpaceKindIds_Args PJRT_TopologyDescription_GetMemorySpaceKindIds_Args;
typedef struct PJRT_Compile_Args PJRT_Compile_Args;
typedef struct PJRT_Api PJRT_Api;

/* ===== 3. enums ===== */

typedef enum {
  PJRT_Extension_Type_Gpu_Custom_Call = 0,
  PJRT_Extension_Type_Profiler = 1,
  PJRT_Extension_Type_Custom_Partitioner = 2,
  PJRT_Extension_Type_Stream = 3,
  PJRT_Extension_Type_Layouts = 4,
  PJRT_Extension_Type_FFI = 5,
  PJRT_Extension_Type_MemoryDescriptions = 6,
  PJRT_Extension_Type_Triton = 7,
  PJRT_Extension_Type_RawBuffer = 8,
  PJRT_Extension_Type_PhaseCompile = 9,
  PJRT_Extension_Type_Example = 10,
  PJRT_Extension_Type_Unknown = 11,
  PJRT_Extension_Type_CrossHostTransfers = 12,
  PJRT_Extension_Type_ExecutableMetadata = 13,
  PJRT_Extension_Type_Callback = 14,
  PJRT_Extension_Type_HostAllocator = 15,
  PJRT_Extension_Type_TpuTopology = 16,
  PJRT_Extension_Type_TpuExecutable = 17,
  PJRT_Extension_Type_Megascale = 18,
  PJRT_Extension_Type_Shardings = 19,
  PJRT_Extension_Type_AbiVersion = 20,
  PJRT_Extension_Type_Collectives = 21,
  PJRT_Extension_Type_MultiSlice = 22,
  PJRT_Extension_Type_HostMemoryAllocator = 23,
  PJRT_Extension_Type_XlaTransform = 24,
} PJRT_Extension_Type;

typedef enum {
  PJRT_Error_Code_OK = 0,
  PJRT_Error_Code_CANCELLED = 1,
  PJRT_Error_Code_UNKNOWN = 2,
  PJRT_Error_Code_INVALID_ARGUMENT = 3,
  PJRT_Error_Code_DEADLINE_EXCEEDED = 4,
  PJRT_Error_Code_NOT_FOUND = 5,
  PJRT_Error_Code_ALREADY_EXISTS = 6,
  PJRT_Error_Code_PERMISSION_DENIED = 7,
  PJRT_Error_Code_RESOURCE_EXHAUSTED = 8,
  PJRT_Error_Code_FAILED_PRECONDITION = 9,
  PJRT_Error_Code_ABORTED = 10,
  PJRT_Error_Code_OUT_OF_RANGE = 11,
  PJRT_Error_Code_UNIMPLEMENTED = 12,
  PJRT_Error_Code_INTERNAL = 13,
  PJRT_Error_Code_UNAVAILABLE = 14,
  PJRT_Error_Code_DATA_LOSS = 15,
  PJRT_Error_Code_UNAUTHENTICATED = 16,
} PJRT_Error_Code;

typedef enum {
  PJRT_NamedValue_kString = 0,
  PJRT_NamedValue_kInt64 = 1,
  PJRT_NamedValue_kInt64List = 2,
  PJRT_NamedValue_kFloat = 3,
  PJRT_NamedValue_kBool = 4,
} PJRT_NamedValue_Type;

typedef enum {
  PJRT_ProcessState_kUnspecified = 0,
  PJRT_ProcessState_kUninitialized = 1,
  PJRT_ProcessState_kDisconnected = 2,
  PJRT_ProcessState_kConnected = 3,
  PJRT_ProcessState_kError = 4,
} PJRT_ProcessState;

typedef enum {
  PJRT_Buffer_Type_INVALID = 0,
  PJRT_Buffer_Type_PRED = 1,
  PJRT_Buffer_Type_S8 = 2,
  PJRT_Buffer_Type_S16 = 3,
  PJRT_Buffer_Type_S32 = 4,
  PJRT_Buffer_Type_S64 = 5,
  PJRT_Buffer_Type_U8 = 6,
  PJRT_Buffer_Type_U16 = 7,
  PJRT_Buffer_Type_U32 = 8,
  PJRT_Buffer_Type_U64 = 9,
  PJRT_Buffer_Type_F16 = 10,
  PJRT_Buffer_Type_F32 = 11,
  PJRT_Buffer_Type_F64 = 12,
  PJRT_Buffer_Type_BF16 = 13,
  PJRT_Buffer_Type_C64 = 14,
  PJRT_Buffer_Type_C128 = 15,
  PJRT_Buffer_Type_F8E5M2 = 16,
  PJRT_Buffer_Type_F8E4M3FN = 17,
  PJRT_Buffer_Type_F8E4M3B11FNUZ = 18,
  PJRT_Buffer_Type_F8E5M2FNUZ = 19,
  PJRT_Buffer_Type_F8E4M3FNUZ = 20,
  PJRT_Buffer_Type_S4 = 21,
  PJRT_Buffer_Type_U4 = 22,
  PJRT_Buffer_Type_TOKEN = 23,
  PJRT_Buffer_Type_S2 = 24,
  PJRT_Buffer_Type_U2 = 25,
  PJRT_Buffer_Type_F8E4M3 = 26,
  PJRT_Buffer_Type_F8E3M4 = 27,
  PJRT_Buffer_Type_F8E8M0FNU = 28,
  PJRT_Buffer_Type_F4E2M1FN = 29,
  PJRT_Buffer_Type_S1 = 30,
  PJRT_Buffer_Type_U1 = 31,
} PJRT_Buffer_Type;

typedef enum {
  PJRT_HostBufferSemantics_kImmutableOnlyDuringCall = 0,
  PJRT_HostBufferSemantics_kImmutableUntilTransferCompletes = 1,
  PJRT_HostBufferSemantics_kImmutableZeroCopy = 2,
  PJRT_HostBufferSemantics_kMutableZeroCopy = 3,
} PJRT_HostBufferSemantics;

typedef enum {
  PJRT_Buffer_MemoryLayout_Type_Tiled = 0,
  PJRT_Buffer_MemoryLayout_Type_Strides = 1,
} PJRT_Buffer_MemoryLayout_Type;

/* ===== 4. callback types ===== */

typedef void (*PJRT_Error_PayloadVisitor)(const char* key, size_t key_size, const char* value, size_t value_size, void* user_arg);
typedef PJRT_Error* (*PJRT_CallbackError)(PJRT_Error_Code code, const char* message, size_t message_size);
typedef void (*PJRT_Event_OnReadyCallback)(PJRT_Error* error, void* user_arg);
typedef void (*PJRT_KeyValueGetCallback_ValueDeleter)(char* value);
typedef PJRT_Error* (*PJRT_KeyValueGetCallback)(PJRT_KeyValueGetCallback_Args* args);
typedef void (*PJRT_KeyValueTryGetCallback_ValueDeleter)(char* value);
typedef PJRT_Error* (*PJRT_KeyValueTryGetCallback)(PJRT_KeyValueTryGetCallback_Args* args);
typedef PJRT_Error* (*PJRT_KeyValuePutCallback)(PJRT_KeyValuePutCallback_Args* args);
typedef PJRT_Error* (*PJRT_SendCallback)(PJRT_Chunk* chunk, PJRT_CallbackError* callback_error, size_t total_size_in_bytes, bool done, void* user_arg);
typedef void (*PJRT_RecvCallback)(PJRT_CopyToDeviceStream* stream, void* user_arg);
typedef void (*PJRT_HloOutputCallback)(int64_t replica_id, int64_t partition_id, const void* data, const int64_t* shape_dims, size_t shape_num_dims, PJRT_Buffer_Type shape_element_type, int64_t operand_index, void* user_arg);

/* ===== 5. structs ===== */

struct PJRT_Extension_Base {
  size_t struct_size;
  PJRT_Extension_Type type;
  struct PJRT_Extension_Base* next;
};
static const size_t PJRT_Extension_Base_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Extension_Base, next);

struct PJRT_Api_Version {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  int major_version;
  int minor_version;
};
static const size_t PJRT_Api_Version_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Api_Version, minor_version);

struct PJRT_Error_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Error* error;
};
static const size_t PJRT_Error_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Error_Destroy_Args, error);

struct PJRT_Error_Message_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_Error* error;
  const char* message;
  size_t message_size;
};
static const size_t PJRT_Error_Message_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Error_Message_Args, message_size);

struct PJRT_Error_FunctionTable {
  size_t struct_size;
  size_t instance_size;
  PJRT_Extension_Base* extension_start;
  void (*destroy)(PJRT_Error* error);
  void (*message)(const PJRT_Error* error, const char** message, size_t* message_size);
  PJRT_Error_Code (*get_code)(const PJRT_Error* error);
  void (*for_each_payload)(const PJRT_Error* error, PJRT_Error_PayloadVisitor visitor, void* user_arg);
};
static const size_t PJRT_Error_FunctionTable_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Error_FunctionTable, for_each_payload);

struct PJRT_Error {
  const struct PJRT_Error_FunctionTable* vtable;
};
static const size_t PJRT_Error_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Error, vtable);

struct PJRT_Error_GetCode_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_Error* error;
  PJRT_Error_Code code;
};
static const size_t PJRT_Error_GetCode_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Error_GetCode_Args, code);

struct PJRT_Error_ForEachPayload_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_Error* error;
  PJRT_Error_PayloadVisitor visitor;
  void* user_arg;
};
static const size_t PJRT_Error_ForEachPayload_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Error_ForEachPayload_Args, user_arg);

struct PJRT_NamedValue {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const char* name;
  size_t name_size;
  PJRT_NamedValue_Type type;
  union {
    const char* string_value;
    int64_t int64_value;
    const int64_t* int64_array_value;
    float float_value;
    bool bool_value;
  };
  size_t value_size;
};
static const size_t PJRT_NamedValue_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_NamedValue, value_size);

struct PJRT_Plugin_Initialize_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
};
static const size_t PJRT_Plugin_Initialize_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Plugin_Initialize_Args, extension_start);

struct PJRT_Plugin_Attributes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_NamedValue* attributes;
  size_t num_attributes;
};
static const size_t PJRT_Plugin_Attributes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Plugin_Attributes_Args, num_attributes);

struct PJRT_Event_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Event* event;
};
static const size_t PJRT_Event_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Event_Destroy_Args, event);

struct PJRT_Event_IsReady_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Event* event;
  bool is_ready;
};
static const size_t PJRT_Event_IsReady_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Event_IsReady_Args, is_ready);

struct PJRT_Event_Error_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Event* event;
};
static const size_t PJRT_Event_Error_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Event_Error_Args, event);

struct PJRT_Event_Await_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Event* event;
};
static const size_t PJRT_Event_Await_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Event_Await_Args, event);

struct PJRT_Event_OnReady_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Event* event;
  PJRT_Event_OnReadyCallback callback;
  void* user_arg;
};
static const size_t PJRT_Event_OnReady_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Event_OnReady_Args, user_arg);

struct PJRT_Event_Create_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Event* event;
};
static const size_t PJRT_Event_Create_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Event_Create_Args, event);

struct PJRT_Event_Set_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Event* event;
  PJRT_Error_Code error_code;
  const char* error_message;
  size_t error_message_size;
};
static const size_t PJRT_Event_Set_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Event_Set_Args, error_message_size);

struct PJRT_Memory_FunctionTable {
  size_t struct_size;
  struct PJRT_Extension_Base* extension_start;
  size_t instance_struct_size;
  void* (*get_user_data)(struct PJRT_Memory* memory, const void* key);
  void (*set_user_data)(struct PJRT_Memory* memory, const void* key, void* data, void (*dtor)(void*));
};
static const size_t PJRT_Memory_FunctionTable_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Memory_FunctionTable, set_user_data);

struct PJRT_Memory {
  const struct PJRT_Memory_FunctionTable* vtable;
};
static const size_t PJRT_Memory_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Memory, vtable);

struct PJRT_KeyValueGetCallback_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const char* key;
  size_t key_size;
  int timeout_in_ms;
  PJRT_CallbackError* callback_error;
  void* user_arg;
  char* value;
  size_t value_size;
  PJRT_KeyValueGetCallback_ValueDeleter value_deleter_callback;
};
static const size_t PJRT_KeyValueGetCallback_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_KeyValueGetCallback_Args, value_deleter_callback);

struct PJRT_KeyValueTryGetCallback_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const char* key;
  size_t key_size;
  PJRT_CallbackError* callback_error;
  void* user_arg;
  char* value;
  size_t value_size;
  PJRT_KeyValueTryGetCallback_ValueDeleter value_deleter_callback;
};
static const size_t PJRT_KeyValueTryGetCallback_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_KeyValueTryGetCallback_Args, value_deleter_callback);

struct PJRT_KeyValuePutCallback_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const char* key;
  size_t key_size;
  const char* value;
  size_t value_size;
  PJRT_CallbackError* callback_error;
  void* user_arg;
};
static const size_t PJRT_KeyValuePutCallback_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_KeyValuePutCallback_Args, user_arg);

struct PJRT_Client_Create_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_NamedValue* create_options;
  size_t num_options;
  PJRT_KeyValueGetCallback kv_get_callback;
  void* kv_get_user_arg;
  PJRT_KeyValuePutCallback kv_put_callback;
  void* kv_put_user_arg;
  PJRT_Client* client;
  PJRT_KeyValueTryGetCallback kv_try_get_callback;
  void* kv_try_get_user_arg;
};
static const size_t PJRT_Client_Create_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_Create_Args, kv_try_get_user_arg);

struct PJRT_Client_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
};
static const size_t PJRT_Client_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_Destroy_Args, client);

struct PJRT_Client_PlatformName_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  const char* platform_name;
  size_t platform_name_size;
};
static const size_t PJRT_Client_PlatformName_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_PlatformName_Args, platform_name_size);

struct PJRT_Client_ProcessIndex_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  int process_index;
};
static const size_t PJRT_Client_ProcessIndex_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_ProcessIndex_Args, process_index);

struct PJRT_Client_PlatformVersion_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  const char* platform_version;
  size_t platform_version_size;
};
static const size_t PJRT_Client_PlatformVersion_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_PlatformVersion_Args, platform_version_size);

struct PJRT_Client_TopologyDescription_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_TopologyDescription* topology;
};
static const size_t PJRT_Client_TopologyDescription_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_TopologyDescription_Args, topology);

struct PJRT_Client_Devices_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_Device* const* devices;
  size_t num_devices;
};
static const size_t PJRT_Client_Devices_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_Devices_Args, num_devices);

struct PJRT_Client_AddressableDevices_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_Device* const* addressable_devices;
  size_t num_addressable_devices;
};
static const size_t PJRT_Client_AddressableDevices_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_AddressableDevices_Args, num_addressable_devices);

struct PJRT_Client_LookupDevice_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  int id;
  PJRT_Device* device;
};
static const size_t PJRT_Client_LookupDevice_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_LookupDevice_Args, device);

struct PJRT_Client_LookupAddressableDevice_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  int local_hardware_id;
  PJRT_Device* addressable_device;
};
static const size_t PJRT_Client_LookupAddressableDevice_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_LookupAddressableDevice_Args, addressable_device);

struct PJRT_ProcessInfo {
  size_t struct_size;
  int task_id;
  uint64_t incarnation_id;
  PJRT_ProcessState state;
  int error_code;
  const char* error_message;
  size_t error_message_size;
};
static const size_t PJRT_ProcessInfo_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_ProcessInfo, error_message_size);

struct PJRT_Client_UpdateGlobalProcessInfo_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_ProcessInfo* process_infos;
  size_t num_process_infos;
};
static const size_t PJRT_Client_UpdateGlobalProcessInfo_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_UpdateGlobalProcessInfo_Args, num_process_infos);

struct PJRT_Client_AddressableMemories_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_Memory* const* addressable_memories;
  size_t num_addressable_memories;
};
static const size_t PJRT_Client_AddressableMemories_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_AddressableMemories_Args, num_addressable_memories);

struct PJRT_Program {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  char* code;
  size_t code_size;
  const char* format;
  size_t format_size;
};
static const size_t PJRT_Program_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Program, format_size);

struct PJRT_Client_Compile_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  const PJRT_Program* program;
  const char* compile_options;
  size_t compile_options_size;
  PJRT_LoadedExecutable* executable;
};
static const size_t PJRT_Client_Compile_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_Compile_Args, executable);

struct PJRT_Client_Load_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_Executable* executable;
  const char* compile_options;
  size_t compile_options_size;
  PJRT_LoadedExecutable* loaded_executable;
};
static const size_t PJRT_Client_Load_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_Load_Args, loaded_executable);

struct PJRT_Client_DefaultDeviceAssignment_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  int num_replicas;
  int num_partitions;
  size_t default_assignment_size;
  int* default_assignment;
};
static const size_t PJRT_Client_DefaultDeviceAssignment_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_DefaultDeviceAssignment_Args, default_assignment);

struct PJRT_Client_DmaMap_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  void* data;
  size_t size;
};
static const size_t PJRT_Client_DmaMap_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_DmaMap_Args, size);

struct PJRT_Client_DmaUnmap_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  void* data;
};
static const size_t PJRT_Client_DmaUnmap_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_DmaUnmap_Args, data);

struct PJRT_AsyncHostToDeviceTransferManager_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_Destroy_Args, transfer_manager);

struct PJRT_AsyncHostToDeviceTransferManager_TransferData_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
  int buffer_index;
  const void* data;
  int64_t offset;
  int64_t transfer_size;
  bool is_last_transfer;
  PJRT_Event* done_with_h2d_transfer;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_TransferData_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_TransferData_Args, done_with_h2d_transfer);

struct PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
  int buffer_index;
  PJRT_Buffer* buffer_out;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer_Args, buffer_out);

struct PJRT_AsyncHostToDeviceTransferManager_Device_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
  PJRT_Device* device_out;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_Device_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_Device_Args, device_out);

struct PJRT_AsyncHostToDeviceTransferManager_BufferCount_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
  size_t buffer_count;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_BufferCount_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_BufferCount_Args, buffer_count);

struct PJRT_AsyncHostToDeviceTransferManager_BufferSize_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
  int buffer_index;
  size_t buffer_size;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_BufferSize_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_BufferSize_Args, buffer_size);

struct PJRT_AsyncHostToDeviceTransferManager_SetBufferError_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
  int buffer_index;
  PJRT_Error_Code error_code;
  const char* error_message;
  size_t error_message_size;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_SetBufferError_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_SetBufferError_Args, error_message_size);

struct PJRT_AsyncHostToDeviceTransferManager_AddMetadata_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
  const PJRT_NamedValue* transfer_metadata;
  size_t num_metadata;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_AddMetadata_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_AddMetadata_Args, num_metadata);

struct PJRT_Buffer_MemoryLayout_Tiled {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const int64_t* minor_to_major;
  size_t minor_to_major_size;
  const int64_t* tile_dims;
  const size_t* tile_dim_sizes;
  size_t num_tiles;
};
static const size_t PJRT_Buffer_MemoryLayout_Tiled_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_MemoryLayout_Tiled, num_tiles);

struct PJRT_Buffer_MemoryLayout_Strides {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const int64_t* byte_strides;
  size_t num_byte_strides;
};
static const size_t PJRT_Buffer_MemoryLayout_Strides_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_MemoryLayout_Strides, num_byte_strides);

struct PJRT_Buffer_MemoryLayout {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  union {
    PJRT_Buffer_MemoryLayout_Tiled tiled;
    PJRT_Buffer_MemoryLayout_Strides strides;
  };
  PJRT_Buffer_MemoryLayout_Type type;
};
static const size_t PJRT_Buffer_MemoryLayout_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_MemoryLayout, type);

struct PJRT_AsyncHostToDeviceTransferManager_TransferLiteral_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
  int buffer_index;
  const void* data;
  const int64_t* shape_dims;
  size_t shape_num_dims;
  PJRT_Buffer_Type shape_element_type;
  PJRT_Buffer_MemoryLayout* shape_layout;
  PJRT_Event* done_with_h2d_transfer;
};
static const size_t PJRT_AsyncHostToDeviceTransferManager_TransferLiteral_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncHostToDeviceTransferManager_TransferLiteral_Args, done_with_h2d_transfer);

struct PJRT_Client_CreateUninitializedBuffer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  const int64_t* shape_dims;
  size_t shape_num_dims;
  PJRT_Buffer_Type shape_element_type;
  PJRT_Buffer_MemoryLayout* shape_layout;
  PJRT_Device* device;
  PJRT_Memory* memory;
  PJRT_Buffer* buffer;
};
static const size_t PJRT_Client_CreateUninitializedBuffer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_CreateUninitializedBuffer_Args, buffer);

struct PJRT_Client_CreateErrorBuffer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_Error_Code error_code;
  const char* error_message;
  size_t error_message_size;
  const int64_t* shape_dims;
  size_t shape_num_dims;
  PJRT_Buffer_Type shape_element_type;
  PJRT_Buffer_MemoryLayout* shape_layout;
  PJRT_Memory* memory;
  PJRT_Buffer* buffer;
  const PJRT_NamedValue* payload;
  size_t num_payload;
};
static const size_t PJRT_Client_CreateErrorBuffer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_CreateErrorBuffer_Args, num_payload);

struct PJRT_Client_CreateAliasBuffer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_Memory* memory;
  const int64_t* shape_dims;
  size_t shape_num_dims;
  PJRT_Buffer_Type shape_element_type;
  PJRT_Buffer_MemoryLayout* shape_layout;
  PJRT_Buffer* alias_buffer;
  PJRT_FulfillAliasBufferCallback* fulfill_alias_buffer_cb;
};
static const size_t PJRT_Client_CreateAliasBuffer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_CreateAliasBuffer_Args, fulfill_alias_buffer_cb);

struct PJRT_Client_FulfillAliasBuffer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_Buffer* buffer;
  PJRT_Error_Code status_code;
  const char* error_message;
  size_t error_message_size;
  PJRT_FulfillAliasBufferCallback* fulfill_alias_buffer_cb;
};
static const size_t PJRT_Client_FulfillAliasBuffer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_FulfillAliasBuffer_Args, fulfill_alias_buffer_cb);

struct PJRT_Client_BufferFromHostBuffer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  const void* data;
  PJRT_Buffer_Type type;
  const int64_t* dims;
  size_t num_dims;
  const int64_t* byte_strides;
  size_t num_byte_strides;
  PJRT_HostBufferSemantics host_buffer_semantics;
  PJRT_Device* device;
  PJRT_Memory* memory;
  PJRT_Buffer_MemoryLayout* device_layout;
  PJRT_Event* done_with_host_buffer;
  PJRT_Buffer* buffer;
};
static const size_t PJRT_Client_BufferFromHostBuffer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_BufferFromHostBuffer_Args, buffer);

struct PJRT_Client_CreateViewOfDeviceBuffer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  void* device_buffer_ptr;
  const int64_t* dims;
  size_t num_dims;
  PJRT_Buffer_Type element_type;
  PJRT_Buffer_MemoryLayout* layout;
  PJRT_Device* device;
  void (*on_delete_callback)(void* device_buffer_ptr, void* user_arg);
  void* on_delete_callback_arg;
  intptr_t stream;
  PJRT_Buffer* buffer;
  PJRT_Memory* memory;
};
static const size_t PJRT_Client_CreateViewOfDeviceBuffer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_CreateViewOfDeviceBuffer_Args, memory);

struct PJRT_ShapeSpec {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const int64_t* dims;
  size_t num_dims;
  PJRT_Buffer_Type element_type;
};
static const size_t PJRT_ShapeSpec_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_ShapeSpec, element_type);

struct PJRT_Client_CreateBuffersForAsyncHostToDevice_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  PJRT_ShapeSpec* shape_specs;
  size_t num_shape_specs;
  PJRT_Buffer_MemoryLayout** device_layouts;
  size_t num_device_layouts;
  PJRT_Memory* memory;
  PJRT_AsyncHostToDeviceTransferManager* transfer_manager;
};
static const size_t PJRT_Client_CreateBuffersForAsyncHostToDevice_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Client_CreateBuffersForAsyncHostToDevice_Args, transfer_manager);

struct PJRT_DeviceDescription_Id_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_DeviceDescription* device_description;
  int id;
};
static const size_t PJRT_DeviceDescription_Id_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_DeviceDescription_Id_Args, id);

struct PJRT_DeviceDescription_ProcessIndex_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_DeviceDescription* device_description;
  int process_index;
};
static const size_t PJRT_DeviceDescription_ProcessIndex_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_DeviceDescription_ProcessIndex_Args, process_index);

struct PJRT_DeviceDescription_Attributes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_DeviceDescription* device_description;
  size_t num_attributes;
  const PJRT_NamedValue* attributes;
};
static const size_t PJRT_DeviceDescription_Attributes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_DeviceDescription_Attributes_Args, attributes);

struct PJRT_DeviceDescription_Kind_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_DeviceDescription* device_description;
  const char* device_kind;
  size_t device_kind_size;
};
static const size_t PJRT_DeviceDescription_Kind_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_DeviceDescription_Kind_Args, device_kind_size);

struct PJRT_DeviceDescription_DebugString_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_DeviceDescription* device_description;
  const char* debug_string;
  size_t debug_string_size;
};
static const size_t PJRT_DeviceDescription_DebugString_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_DeviceDescription_DebugString_Args, debug_string_size);

struct PJRT_DeviceDescription_ToString_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_DeviceDescription* device_description;
  const char* to_string;
  size_t to_string_size;
};
static const size_t PJRT_DeviceDescription_ToString_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_DeviceDescription_ToString_Args, to_string_size);

struct PJRT_Device_GetDescription_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  PJRT_DeviceDescription* device_description;
};
static const size_t PJRT_Device_GetDescription_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_GetDescription_Args, device_description);

struct PJRT_Device_IsAddressable_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  bool is_addressable;
};
static const size_t PJRT_Device_IsAddressable_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_IsAddressable_Args, is_addressable);

struct PJRT_Device_LocalHardwareId_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  int local_hardware_id;
};
static const size_t PJRT_Device_LocalHardwareId_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_LocalHardwareId_Args, local_hardware_id);

struct PJRT_Device_AddressableMemories_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  PJRT_Memory* const* memories;
  size_t num_memories;
};
static const size_t PJRT_Device_AddressableMemories_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_AddressableMemories_Args, num_memories);

struct PJRT_Device_DefaultMemory_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  PJRT_Memory* memory;
};
static const size_t PJRT_Device_DefaultMemory_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_DefaultMemory_Args, memory);

struct PJRT_Device_MemoryStats_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  int64_t bytes_in_use;
  int64_t peak_bytes_in_use;
  bool peak_bytes_in_use_is_set;
  int64_t num_allocs;
  bool num_allocs_is_set;
  int64_t largest_alloc_size;
  bool largest_alloc_size_is_set;
  int64_t bytes_limit;
  bool bytes_limit_is_set;
  int64_t bytes_reserved;
  bool bytes_reserved_is_set;
  int64_t peak_bytes_reserved;
  bool peak_bytes_reserved_is_set;
  int64_t bytes_reservable_limit;
  bool bytes_reservable_limit_is_set;
  int64_t largest_free_block_bytes;
  bool largest_free_block_bytes_is_set;
  int64_t pool_bytes;
  bool pool_bytes_is_set;
  int64_t peak_pool_bytes;
  bool peak_pool_bytes_is_set;
};
static const size_t PJRT_Device_MemoryStats_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_MemoryStats_Args, peak_pool_bytes_is_set);

struct PJRT_Device_ClearMemoryStats_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
};
static const size_t PJRT_Device_ClearMemoryStats_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_ClearMemoryStats_Args, device);

struct PJRT_Device_PoisonExecution_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  int32_t launch_id;
  PJRT_Error_Code error_code;
  const char* error_message;
  size_t error_message_size;
  bool poisoned;
  const PJRT_NamedValue* payload;
  size_t num_payload;
};
static const size_t PJRT_Device_PoisonExecution_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_PoisonExecution_Args, num_payload);

struct PJRT_Device_GetAttributes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  const PJRT_NamedValue* attributes;
  size_t num_attributes;
  PJRT_Device_Attributes* device_attributes;
  void (*attributes_deleter)(PJRT_Device_Attributes* device_attributes);
};
static const size_t PJRT_Device_GetAttributes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_GetAttributes_Args, attributes_deleter);

struct PJRT_Device_CreateAsyncTrackingEvent_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Device* device;
  const char* description;
  size_t description_size;
  PJRT_AsyncTrackingEvent* event;
};
static const size_t PJRT_Device_CreateAsyncTrackingEvent_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Device_CreateAsyncTrackingEvent_Args, event);

struct PJRT_AsyncTrackingEvent_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_AsyncTrackingEvent* event;
};
static const size_t PJRT_AsyncTrackingEvent_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_AsyncTrackingEvent_Destroy_Args, event);

struct PJRT_Memory_Id_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Memory* memory;
  int id;
};
static const size_t PJRT_Memory_Id_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Memory_Id_Args, id);

struct PJRT_Memory_Kind_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Memory* memory;
  const char* kind;
  size_t kind_size;
};
static const size_t PJRT_Memory_Kind_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Memory_Kind_Args, kind_size);

struct PJRT_Memory_Kind_Id_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Memory* memory;
  int kind_id;
};
static const size_t PJRT_Memory_Kind_Id_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Memory_Kind_Id_Args, kind_id);

struct PJRT_Memory_DebugString_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Memory* memory;
  const char* debug_string;
  size_t debug_string_size;
};
static const size_t PJRT_Memory_DebugString_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Memory_DebugString_Args, debug_string_size);

struct PJRT_Memory_ToString_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Memory* memory;
  const char* to_string;
  size_t to_string_size;
};
static const size_t PJRT_Memory_ToString_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Memory_ToString_Args, to_string_size);

struct PJRT_Memory_AddressableByDevices_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Memory* memory;
  PJRT_Device* const* devices;
  size_t num_devices;
};
static const size_t PJRT_Memory_AddressableByDevices_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Memory_AddressableByDevices_Args, num_devices);

struct PJRT_ExecuteContext_Create_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_ExecuteContext* context;
};
static const size_t PJRT_ExecuteContext_Create_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_ExecuteContext_Create_Args, context);

struct PJRT_ExecuteContext_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_ExecuteContext* context;
};
static const size_t PJRT_ExecuteContext_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_ExecuteContext_Destroy_Args, context);

struct PJRT_Executable_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
};
static const size_t PJRT_Executable_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_Destroy_Args, executable);

struct PJRT_LoadedExecutable_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* executable;
};
static const size_t PJRT_LoadedExecutable_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_Destroy_Args, executable);

struct PJRT_LoadedExecutable_GetExecutable_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* loaded_executable;
  PJRT_Executable* executable;
};
static const size_t PJRT_LoadedExecutable_GetExecutable_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_GetExecutable_Args, executable);

struct PJRT_LoadedExecutable_GetDeviceAssignment_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* executable;
  const char* serialized_bytes;
  size_t serialized_bytes_size;
  PJRT_DeviceAssignmentSerialized* serialized_device_assignment;
  void (*serialized_device_assignment_deleter)(PJRT_DeviceAssignmentSerialized* da);
};
static const size_t PJRT_LoadedExecutable_GetDeviceAssignment_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_GetDeviceAssignment_Args, serialized_device_assignment_deleter);

struct PJRT_Executable_Name_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  const char* executable_name;
  size_t executable_name_size;
};
static const size_t PJRT_Executable_Name_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_Name_Args, executable_name_size);

struct PJRT_Executable_NumReplicas_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  size_t num_replicas;
};
static const size_t PJRT_Executable_NumReplicas_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_NumReplicas_Args, num_replicas);

struct PJRT_Executable_NumPartitions_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  size_t num_partitions;
};
static const size_t PJRT_Executable_NumPartitions_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_NumPartitions_Args, num_partitions);

struct PJRT_LogicalDeviceIds {
  int replica;
  int partition;
};

struct PJRT_LoadedExecutable_AddressableDevices_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* executable;
  PJRT_Device* const* addressable_devices;
  size_t num_addressable_devices;
};
static const size_t PJRT_LoadedExecutable_AddressableDevices_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_AddressableDevices_Args, num_addressable_devices);

struct PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* executable;
  PJRT_LogicalDeviceIds* addressable_device_logical_ids;
  size_t num_addressable_device_logical_ids;
};
static const size_t PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args, num_addressable_device_logical_ids);

struct PJRT_Executable_OptimizedProgram_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  PJRT_Program* program;
};
static const size_t PJRT_Executable_OptimizedProgram_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_OptimizedProgram_Args, program);

struct PJRT_LoadedExecutable_Delete_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* executable;
};
static const size_t PJRT_LoadedExecutable_Delete_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_Delete_Args, executable);

struct PJRT_LoadedExecutable_IsDeleted_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* executable;
  bool is_deleted;
};
static const size_t PJRT_LoadedExecutable_IsDeleted_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_IsDeleted_Args, is_deleted);

struct PJRT_Chunk {
  void* data;
  size_t size;
  void (*deleter)(void* data, void* deleter_arg);
  void* deleter_arg;
};

struct PJRT_SendCallbackInfo {
  int64_t channel_id;
  void* user_arg;
  PJRT_SendCallback send_callback;
};
static const size_t PJRT_SendCallbackInfo_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_SendCallbackInfo, send_callback);

struct PJRT_RecvCallbackInfo {
  int64_t channel_id;
  void* user_arg;
  PJRT_RecvCallback recv_callback;
};
static const size_t PJRT_RecvCallbackInfo_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_RecvCallbackInfo, recv_callback);

struct PJRT_HloOutputCallbackInfo {
  void* user_arg;
  PJRT_HloOutputCallback callback;
  int64_t callback_id;
  size_t num_operands;
};
static const size_t PJRT_HloOutputCallbackInfo_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_HloOutputCallbackInfo, num_operands);

struct PJRT_ExecuteOptions {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_SendCallbackInfo** send_callbacks;
  PJRT_RecvCallbackInfo** recv_callbacks;
  size_t num_send_ops;
  size_t num_recv_ops;
  int launch_id;
  const int64_t* non_donatable_input_indices;
  size_t num_non_donatable_input_indices;
  PJRT_ExecuteContext* context;
  const char* call_location;
  size_t num_tasks;
  int* task_ids;
  int64_t* incarnation_ids;
  PJRT_MultiSlice_Config* multi_slice_config;
  bool use_major_to_minor_data_layout_for_callbacks;
  PJRT_HloOutputCallbackInfo* hlo_output_callbacks;
  size_t num_hlo_output_callbacks;
};
static const size_t PJRT_ExecuteOptions_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_ExecuteOptions, num_hlo_output_callbacks);

struct PJRT_LoadedExecutable_Execute_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* executable;
  PJRT_ExecuteOptions* options;
  PJRT_Buffer* const* const* argument_lists;
  size_t num_devices;
  size_t num_args;
  PJRT_Buffer** const* output_lists;
  PJRT_Event** device_complete_events;
  PJRT_Device* execute_device;
};
static const size_t PJRT_LoadedExecutable_Execute_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_Execute_Args, execute_device);

struct PJRT_Executable_NumOutputs_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  size_t num_outputs;
};
static const size_t PJRT_Executable_NumOutputs_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_NumOutputs_Args, num_outputs);

struct PJRT_Executable_SizeOfGeneratedCodeInBytes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  int64_t size_in_bytes;
};
static const size_t PJRT_Executable_SizeOfGeneratedCodeInBytes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_SizeOfGeneratedCodeInBytes_Args, size_in_bytes);

struct PJRT_Executable_Fingerprint_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  const char* executable_fingerprint;
  size_t executable_fingerprint_size;
};
static const size_t PJRT_Executable_Fingerprint_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_Fingerprint_Args, executable_fingerprint_size);

struct PJRT_Executable_GetCostAnalysis_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  size_t num_properties;
  const PJRT_NamedValue* properties;
};
static const size_t PJRT_Executable_GetCostAnalysis_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_GetCostAnalysis_Args, properties);

struct PJRT_Executable_GetCompiledMemoryStats_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  int64_t generated_code_size_in_bytes;
  int64_t argument_size_in_bytes;
  int64_t output_size_in_bytes;
  int64_t alias_size_in_bytes;
  int64_t temp_size_in_bytes;
  int64_t host_generated_code_size_in_bytes;
  int64_t host_argument_size_in_bytes;
  int64_t host_output_size_in_bytes;
  int64_t host_alias_size_in_bytes;
  int64_t host_temp_size_in_bytes;
  int64_t peak_memory_in_bytes;
  int64_t total_size_in_bytes;
  int64_t total_allocation_bytes;
  int64_t indefinite_allocations;
  int64_t peak_unpadded_heap_bytes;
};
static const size_t PJRT_Executable_GetCompiledMemoryStats_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_GetCompiledMemoryStats_Args, peak_unpadded_heap_bytes);

struct PJRT_Executable_OutputElementTypes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  PJRT_Buffer_Type* output_types;
  size_t num_output_types;
};
static const size_t PJRT_Executable_OutputElementTypes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_OutputElementTypes_Args, num_output_types);

struct PJRT_Executable_OutputDimensions_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  size_t num_outputs;
  const int64_t* dims;
  const size_t* dim_sizes;
};
static const size_t PJRT_Executable_OutputDimensions_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_OutputDimensions_Args, dim_sizes);

struct PJRT_Executable_ParameterMemoryKinds_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  size_t num_parameters;
  const char* const* memory_kinds;
  const size_t* memory_kind_sizes;
};
static const size_t PJRT_Executable_ParameterMemoryKinds_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_ParameterMemoryKinds_Args, memory_kind_sizes);

struct PJRT_Executable_OutputMemoryKinds_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  size_t num_outputs;
  const char* const* memory_kinds;
  const size_t* memory_kind_sizes;
};
static const size_t PJRT_Executable_OutputMemoryKinds_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_OutputMemoryKinds_Args, memory_kind_sizes);

struct PJRT_Executable_Serialize_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_Executable* executable;
  const char* serialized_bytes;
  size_t serialized_bytes_size;
  PJRT_SerializedExecutable* serialized_executable;
  void (*serialized_executable_deleter)(PJRT_SerializedExecutable* exec);
};
static const size_t PJRT_Executable_Serialize_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_Serialize_Args, serialized_executable_deleter);

struct PJRT_Executable_GetCompileOptions_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Executable* executable;
  const char* serialized_bytes;
  size_t serialized_bytes_size;
  PJRT_SerializedCompileOptions* serialized_compile_options;
  void (*serialized_compile_options_deleter)(PJRT_SerializedCompileOptions* options);
};
static const size_t PJRT_Executable_GetCompileOptions_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_GetCompileOptions_Args, serialized_compile_options_deleter);

struct PJRT_LoadOptions {
  size_t struct_size;
  const int32_t* computation_origin;
  size_t computation_origin_size;
  PJRT_MultiSlice_Config* multi_slice_config;
};
static const size_t PJRT_LoadOptions_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadOptions, multi_slice_config);

struct PJRT_Executable_DeserializeAndLoad_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Client* client;
  const char* serialized_executable;
  size_t serialized_executable_size;
  PJRT_LoadedExecutable* loaded_executable;
  const char* overridden_serialized_compile_options;
  size_t overridden_serialized_compile_options_size;
  PJRT_LoadOptions* load_options;
};
static const size_t PJRT_Executable_DeserializeAndLoad_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Executable_DeserializeAndLoad_Args, load_options);

struct PJRT_LoadedExecutable_Fingerprint_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_LoadedExecutable* executable;
  const char* executable_fingerprint;
  size_t executable_fingerprint_size;
};
static const size_t PJRT_LoadedExecutable_Fingerprint_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_LoadedExecutable_Fingerprint_Args, executable_fingerprint_size);

struct PJRT_Buffer_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
};
static const size_t PJRT_Buffer_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_Destroy_Args, buffer);

struct PJRT_Buffer_ElementType_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  PJRT_Buffer_Type type;
};
static const size_t PJRT_Buffer_ElementType_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_ElementType_Args, type);

struct PJRT_Buffer_Dimensions_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  const int64_t* dims;
  size_t num_dims;
};
static const size_t PJRT_Buffer_Dimensions_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_Dimensions_Args, num_dims);

struct PJRT_Buffer_UnpaddedDimensions_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  const int64_t* unpadded_dims;
  size_t num_dims;
};
static const size_t PJRT_Buffer_UnpaddedDimensions_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_UnpaddedDimensions_Args, num_dims);

struct PJRT_Buffer_DynamicDimensionIndices_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  const size_t* dynamic_dim_indices;
  size_t num_dynamic_dims;
};
static const size_t PJRT_Buffer_DynamicDimensionIndices_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_DynamicDimensionIndices_Args, num_dynamic_dims);

struct PJRT_Buffer_GetMemoryLayout_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  PJRT_Buffer_MemoryLayout layout;
};
static const size_t PJRT_Buffer_GetMemoryLayout_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_GetMemoryLayout_Args, layout);

struct PJRT_Buffer_ToHostBuffer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* src;
  PJRT_Buffer_MemoryLayout* host_layout;
  void* dst;
  size_t dst_size;
  PJRT_Event* event;
};
static const size_t PJRT_Buffer_ToHostBuffer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_ToHostBuffer_Args, event);

struct PJRT_Buffer_OnDeviceSizeInBytes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  size_t on_device_size_in_bytes;
};
static const size_t PJRT_Buffer_OnDeviceSizeInBytes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_OnDeviceSizeInBytes_Args, on_device_size_in_bytes);

struct PJRT_Buffer_Delete_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
};
static const size_t PJRT_Buffer_Delete_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_Delete_Args, buffer);

struct PJRT_Buffer_IsDeleted_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  bool is_deleted;
};
static const size_t PJRT_Buffer_IsDeleted_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_IsDeleted_Args, is_deleted);

struct PJRT_Buffer_CopyRawToHost_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  void* dst;
  int64_t offset;
  int64_t transfer_size;
  PJRT_Event* event;
};
static const size_t PJRT_Buffer_CopyRawToHost_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_CopyRawToHost_Args, event);

struct PJRT_Buffer_CopyRawToHostFuture_Callback_Args {
  size_t struct_size;
  void* callback_data;
  PJRT_Error_Code error_code;
  const char* error_message;
  size_t error_message_size;
  void* dst;
};
static const size_t PJRT_Buffer_CopyRawToHostFuture_Callback_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_CopyRawToHostFuture_Callback_Args, dst);

struct PJRT_Buffer_CopyRawToHostFuture_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  int64_t offset;
  int64_t transfer_size;
  PJRT_Event* event;
  void* callback_data;
  void (*future_ready_callback)(PJRT_Buffer_CopyRawToHostFuture_Callback_Args* args);
};
static const size_t PJRT_Buffer_CopyRawToHostFuture_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_CopyRawToHostFuture_Args, future_ready_callback);

struct PJRT_Buffer_CopyToDevice_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  PJRT_Device* dst_device;
  PJRT_Buffer* dst_buffer;
};
static const size_t PJRT_Buffer_CopyToDevice_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_CopyToDevice_Args, dst_buffer);

struct PJRT_Buffer_CopyToMemory_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  PJRT_Memory* dst_memory;
  PJRT_Buffer* dst_buffer;
};
static const size_t PJRT_Buffer_CopyToMemory_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_CopyToMemory_Args, dst_buffer);

struct PJRT_Buffer_Bitcast_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  PJRT_Buffer_Type element_type;
  const int64_t* dims;
  size_t num_dims;
  PJRT_Buffer_MemoryLayout* device_layout;
  PJRT_Buffer* out_buffer;
};
static const size_t PJRT_Buffer_Bitcast_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_Bitcast_Args, out_buffer);

struct PJRT_Buffer_IsOnCpu_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  bool is_on_cpu;
};
static const size_t PJRT_Buffer_IsOnCpu_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_IsOnCpu_Args, is_on_cpu);

struct PJRT_Buffer_Device_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  PJRT_Device* device;
};
static const size_t PJRT_Buffer_Device_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_Device_Args, device);

struct PJRT_Buffer_Memory_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  PJRT_Memory* memory;
};
static const size_t PJRT_Buffer_Memory_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_Memory_Args, memory);

struct PJRT_Buffer_ReadyEvent_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  PJRT_Event* event;
};
static const size_t PJRT_Buffer_ReadyEvent_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_ReadyEvent_Args, event);

struct PJRT_Buffer_UnsafePointer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  uintptr_t buffer_pointer;
};
static const size_t PJRT_Buffer_UnsafePointer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_UnsafePointer_Args, buffer_pointer);

struct PJRT_Buffer_IncreaseExternalReferenceCount_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
};
static const size_t PJRT_Buffer_IncreaseExternalReferenceCount_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_IncreaseExternalReferenceCount_Args, buffer);

struct PJRT_Buffer_DecreaseExternalReferenceCount_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
};
static const size_t PJRT_Buffer_DecreaseExternalReferenceCount_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_DecreaseExternalReferenceCount_Args, buffer);

struct PJRT_Buffer_OpaqueDeviceMemoryDataPointer_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  void* device_memory_ptr;
};
static const size_t PJRT_Buffer_OpaqueDeviceMemoryDataPointer_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_OpaqueDeviceMemoryDataPointer_Args, device_memory_ptr);

struct PJRT_Buffer_DonateWithControlDependency_Callback_Args {
  size_t struct_size;
  void* callback_data;
  PJRT_Error_Code error_code;
  const char* error_message;
  size_t error_message_size;
};
static const size_t PJRT_Buffer_DonateWithControlDependency_Callback_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_DonateWithControlDependency_Callback_Args, error_message_size);

struct PJRT_Buffer_DonateWithControlDependency_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Buffer* buffer;
  void* callback_data;
  void (*dependency_ready_callback)(PJRT_Buffer_DonateWithControlDependency_Callback_Args* args);
  PJRT_Buffer* out_buffer;
};
static const size_t PJRT_Buffer_DonateWithControlDependency_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Buffer_DonateWithControlDependency_Args, out_buffer);

struct PJRT_CopyToDeviceStream_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_CopyToDeviceStream* stream;
};
static const size_t PJRT_CopyToDeviceStream_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_CopyToDeviceStream_Destroy_Args, stream);

struct PJRT_CopyToDeviceStream_AddChunk_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_CopyToDeviceStream* stream;
  PJRT_Chunk* chunk;
  PJRT_Event* transfer_complete;
};
static const size_t PJRT_CopyToDeviceStream_AddChunk_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_CopyToDeviceStream_AddChunk_Args, transfer_complete);

struct PJRT_CopyToDeviceStream_TotalBytes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_CopyToDeviceStream* stream;
  int64_t total_bytes;
};
static const size_t PJRT_CopyToDeviceStream_TotalBytes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_CopyToDeviceStream_TotalBytes_Args, total_bytes);

struct PJRT_CopyToDeviceStream_GranuleSize_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_CopyToDeviceStream* stream;
  int64_t granule_size_in_bytes;
};
static const size_t PJRT_CopyToDeviceStream_GranuleSize_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_CopyToDeviceStream_GranuleSize_Args, granule_size_in_bytes);

struct PJRT_CopyToDeviceStream_CurrentBytes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_CopyToDeviceStream* stream;
  int64_t current_bytes;
};
static const size_t PJRT_CopyToDeviceStream_CurrentBytes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_CopyToDeviceStream_CurrentBytes_Args, current_bytes);

struct PJRT_TopologyDescription_Create_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const char* topology_name;
  size_t topology_name_size;
  const PJRT_NamedValue* create_options;
  size_t num_options;
  PJRT_TopologyDescription* topology;
};
static const size_t PJRT_TopologyDescription_Create_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_Create_Args, topology);

struct PJRT_TopologyDescription_Destroy_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_TopologyDescription* topology;
};
static const size_t PJRT_TopologyDescription_Destroy_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_Destroy_Args, topology);

struct PJRT_TopologyDescription_PlatformVersion_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_TopologyDescription* topology;
  const char* platform_version;
  size_t platform_version_size;
};
static const size_t PJRT_TopologyDescription_PlatformVersion_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_PlatformVersion_Args, platform_version_size);

struct PJRT_TopologyDescription_PlatformName_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_TopologyDescription* topology;
  const char* platform_name;
  size_t platform_name_size;
};
static const size_t PJRT_TopologyDescription_PlatformName_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_PlatformName_Args, platform_name_size);

struct PJRT_TopologyDescription_GetDeviceDescriptions_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_TopologyDescription* topology;
  PJRT_DeviceDescription* const* descriptions;
  size_t num_descriptions;
};
static const size_t PJRT_TopologyDescription_GetDeviceDescriptions_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_GetDeviceDescriptions_Args, num_descriptions);

struct PJRT_TopologyDescription_Serialize_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_TopologyDescription* topology;
  const char* serialized_bytes;
  size_t serialized_bytes_size;
  PJRT_SerializedTopology* serialized_topology;
  void (*serialized_topology_deleter)(PJRT_SerializedTopology* serialized_topology);
};
static const size_t PJRT_TopologyDescription_Serialize_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_Serialize_Args, serialized_topology_deleter);

struct PJRT_TopologyDescription_Deserialize_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const char* serialized_topology;
  size_t serialized_topology_size;
  PJRT_TopologyDescription* topology;
};
static const size_t PJRT_TopologyDescription_Deserialize_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_Deserialize_Args, topology);

struct PJRT_TopologyDescription_Attributes_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_TopologyDescription* topology;
  const PJRT_NamedValue* attributes;
  size_t num_attributes;
};
static const size_t PJRT_TopologyDescription_Attributes_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_Attributes_Args, num_attributes);

struct PJRT_TopologyDescription_Fingerprint_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_TopologyDescription* topology;
  uint64_t fingerprint;
};
static const size_t PJRT_TopologyDescription_Fingerprint_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_Fingerprint_Args, fingerprint);

struct PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_TopologyDescription* topology;
  int memory_space_kind_id;
  const int64_t* dims;
  size_t num_dims;
  PJRT_Buffer_Type element_type;
  const PJRT_Buffer_MemoryLayout* layout;
  const char* serialized_shape;
  size_t serialized_shape_size;
  void (*serialized_shape_deleter)(const char*);
};
static const size_t PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace_Args, serialized_shape_deleter);

struct PJRT_TopologyDescription_GetMemorySpaceKindIds_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_TopologyDescription* topology;
  const int* memory_space_kind_ids;
  size_t num_memory_space_kind_ids;
};
static const size_t PJRT_TopologyDescription_GetMemorySpaceKindIds_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_TopologyDescription_GetMemorySpaceKindIds_Args, num_memory_space_kind_ids);

struct PJRT_Compile_Args {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  const PJRT_TopologyDescription* topology;
  const PJRT_Program* program;
  const char* compile_options;
  size_t compile_options_size;
  PJRT_Client* client;
  PJRT_Executable* executable;
};
static const size_t PJRT_Compile_Args_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Compile_Args, executable);

/* ===== 6. entry point types ===== */

typedef void PJRT_Error_Destroy(PJRT_Error_Destroy_Args* args);
typedef void PJRT_Error_Message(PJRT_Error_Message_Args* args);
typedef PJRT_Error* PJRT_Error_GetCode(PJRT_Error_GetCode_Args* args);
typedef PJRT_Error* PJRT_Error_ForEachPayload(PJRT_Error_ForEachPayload_Args* args);
typedef PJRT_Error* PJRT_Plugin_Initialize(PJRT_Plugin_Initialize_Args* args);
typedef PJRT_Error* PJRT_Plugin_Attributes(PJRT_Plugin_Attributes_Args* args);
typedef PJRT_Error* PJRT_Event_Destroy(PJRT_Event_Destroy_Args* args);
typedef PJRT_Error* PJRT_Event_IsReady(PJRT_Event_IsReady_Args* args);
typedef PJRT_Error* PJRT_Event_Error(PJRT_Event_Error_Args* args);
typedef PJRT_Error* PJRT_Event_Await(PJRT_Event_Await_Args* args);
typedef PJRT_Error* PJRT_Event_OnReady(PJRT_Event_OnReady_Args* args);
typedef PJRT_Error* PJRT_Event_Create(PJRT_Event_Create_Args* args);
typedef PJRT_Error* PJRT_Event_Set(PJRT_Event_Set_Args* args);
typedef PJRT_Error* PJRT_Client_Create(PJRT_Client_Create_Args* args);
typedef PJRT_Error* PJRT_Client_Destroy(PJRT_Client_Destroy_Args* args);
typedef PJRT_Error* PJRT_Client_PlatformName(PJRT_Client_PlatformName_Args* args);
typedef PJRT_Error* PJRT_Client_ProcessIndex(PJRT_Client_ProcessIndex_Args* args);
typedef PJRT_Error* PJRT_Client_PlatformVersion(PJRT_Client_PlatformVersion_Args* args);
typedef PJRT_Error* PJRT_Client_TopologyDescription(PJRT_Client_TopologyDescription_Args* args);
typedef PJRT_Error* PJRT_Client_Devices(PJRT_Client_Devices_Args* args);
typedef PJRT_Error* PJRT_Client_AddressableDevices(PJRT_Client_AddressableDevices_Args* args);
typedef PJRT_Error* PJRT_Client_LookupDevice(PJRT_Client_LookupDevice_Args* args);
typedef PJRT_Error* PJRT_Client_LookupAddressableDevice(PJRT_Client_LookupAddressableDevice_Args* args);
typedef PJRT_Error* PJRT_Client_UpdateGlobalProcessInfo(PJRT_Client_UpdateGlobalProcessInfo_Args* args);
typedef PJRT_Error* PJRT_Client_AddressableMemories(PJRT_Client_AddressableMemories_Args* args);
typedef PJRT_Error* PJRT_Client_Compile(PJRT_Client_Compile_Args* args);
typedef PJRT_Error* PJRT_Client_Load(PJRT_Client_Load_Args* args);
typedef PJRT_Error* PJRT_Client_DefaultDeviceAssignment(PJRT_Client_DefaultDeviceAssignment_Args* args);
typedef PJRT_Error* PJRT_Client_DmaMap(PJRT_Client_DmaMap_Args* args);
typedef PJRT_Error* PJRT_Client_DmaUnmap(PJRT_Client_DmaUnmap_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_Destroy(PJRT_AsyncHostToDeviceTransferManager_Destroy_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_TransferData(PJRT_AsyncHostToDeviceTransferManager_TransferData_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer(PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_Device(PJRT_AsyncHostToDeviceTransferManager_Device_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_BufferCount(PJRT_AsyncHostToDeviceTransferManager_BufferCount_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_BufferSize(PJRT_AsyncHostToDeviceTransferManager_BufferSize_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_SetBufferError(PJRT_AsyncHostToDeviceTransferManager_SetBufferError_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_AddMetadata(PJRT_AsyncHostToDeviceTransferManager_AddMetadata_Args* args);
typedef PJRT_Error* PJRT_AsyncHostToDeviceTransferManager_TransferLiteral(PJRT_AsyncHostToDeviceTransferManager_TransferLiteral_Args* args);
typedef PJRT_Error* PJRT_Client_CreateUninitializedBuffer(PJRT_Client_CreateUninitializedBuffer_Args* args);
typedef PJRT_Error* PJRT_Client_CreateErrorBuffer(PJRT_Client_CreateErrorBuffer_Args* args);
typedef PJRT_Error* PJRT_Client_CreateAliasBuffer(PJRT_Client_CreateAliasBuffer_Args* args);
typedef PJRT_Error* PJRT_Client_FulfillAliasBuffer(PJRT_Client_FulfillAliasBuffer_Args* args);
typedef PJRT_Error* PJRT_Client_BufferFromHostBuffer(PJRT_Client_BufferFromHostBuffer_Args* args);
typedef PJRT_Error* PJRT_Client_CreateViewOfDeviceBuffer(PJRT_Client_CreateViewOfDeviceBuffer_Args* args);
typedef PJRT_Error* PJRT_Client_CreateBuffersForAsyncHostToDevice(PJRT_Client_CreateBuffersForAsyncHostToDevice_Args* args);
typedef PJRT_Error* PJRT_DeviceDescription_Id(PJRT_DeviceDescription_Id_Args* args);
typedef PJRT_Error* PJRT_DeviceDescription_ProcessIndex(PJRT_DeviceDescription_ProcessIndex_Args* args);
typedef PJRT_Error* PJRT_DeviceDescription_Attributes(PJRT_DeviceDescription_Attributes_Args* args);
typedef PJRT_Error* PJRT_DeviceDescription_Kind(PJRT_DeviceDescription_Kind_Args* args);
typedef PJRT_Error* PJRT_DeviceDescription_DebugString(PJRT_DeviceDescription_DebugString_Args* args);
typedef PJRT_Error* PJRT_DeviceDescription_ToString(PJRT_DeviceDescription_ToString_Args* args);
typedef PJRT_Error* PJRT_Device_GetDescription(PJRT_Device_GetDescription_Args* args);
typedef PJRT_Error* PJRT_Device_IsAddressable(PJRT_Device_IsAddressable_Args* args);
typedef PJRT_Error* PJRT_Device_LocalHardwareId(PJRT_Device_LocalHardwareId_Args* args);
typedef PJRT_Error* PJRT_Device_AddressableMemories(PJRT_Device_AddressableMemories_Args* args);
typedef PJRT_Error* PJRT_Device_DefaultMemory(PJRT_Device_DefaultMemory_Args* args);
typedef PJRT_Error* PJRT_Device_MemoryStats(PJRT_Device_MemoryStats_Args* args);
typedef PJRT_Error* PJRT_Device_ClearMemoryStats(PJRT_Device_ClearMemoryStats_Args* args);
typedef PJRT_Error* PJRT_Device_PoisonExecution(PJRT_Device_PoisonExecution_Args* args);
typedef PJRT_Error* PJRT_Device_GetAttributes(PJRT_Device_GetAttributes_Args* args);
typedef PJRT_Error* PJRT_Device_CreateAsyncTrackingEvent(PJRT_Device_CreateAsyncTrackingEvent_Args* args);
typedef PJRT_Error* PJRT_AsyncTrackingEvent_Destroy(PJRT_AsyncTrackingEvent_Destroy_Args* args);
typedef PJRT_Error* PJRT_Memory_Id(PJRT_Memory_Id_Args* args);
typedef PJRT_Error* PJRT_Memory_Kind(PJRT_Memory_Kind_Args* args);
typedef PJRT_Error* PJRT_Memory_Kind_Id(PJRT_Memory_Kind_Id_Args* args);
typedef PJRT_Error* PJRT_Memory_DebugString(PJRT_Memory_DebugString_Args* args);
typedef PJRT_Error* PJRT_Memory_ToString(PJRT_Memory_ToString_Args* args);
typedef PJRT_Error* PJRT_Memory_AddressableByDevices(PJRT_Memory_AddressableByDevices_Args* args);
typedef PJRT_Error* PJRT_ExecuteContext_Create(PJRT_ExecuteContext_Create_Args* args);
typedef PJRT_Error* PJRT_ExecuteContext_Destroy(PJRT_ExecuteContext_Destroy_Args* args);
typedef PJRT_Error* PJRT_Executable_Destroy(PJRT_Executable_Destroy_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_Destroy(PJRT_LoadedExecutable_Destroy_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_GetExecutable(PJRT_LoadedExecutable_GetExecutable_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_GetDeviceAssignment(PJRT_LoadedExecutable_GetDeviceAssignment_Args* args);
typedef PJRT_Error* PJRT_Executable_Name(PJRT_Executable_Name_Args* args);
typedef PJRT_Error* PJRT_Executable_NumReplicas(PJRT_Executable_NumReplicas_Args* args);
typedef PJRT_Error* PJRT_Executable_NumPartitions(PJRT_Executable_NumPartitions_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_AddressableDevices(PJRT_LoadedExecutable_AddressableDevices_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_AddressableDeviceLogicalIds(PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args* args);
typedef PJRT_Error* PJRT_Executable_OptimizedProgram(PJRT_Executable_OptimizedProgram_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_Delete(PJRT_LoadedExecutable_Delete_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_IsDeleted(PJRT_LoadedExecutable_IsDeleted_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_Execute(PJRT_LoadedExecutable_Execute_Args* args);
typedef PJRT_Error* PJRT_Executable_NumOutputs(PJRT_Executable_NumOutputs_Args* args);
typedef PJRT_Error* PJRT_Executable_SizeOfGeneratedCodeInBytes(PJRT_Executable_SizeOfGeneratedCodeInBytes_Args* args);
typedef PJRT_Error* PJRT_Executable_Fingerprint(PJRT_Executable_Fingerprint_Args* args);
typedef PJRT_Error* PJRT_Executable_GetCostAnalysis(PJRT_Executable_GetCostAnalysis_Args* args);
typedef PJRT_Error* PJRT_Executable_GetCompiledMemoryStats(PJRT_Executable_GetCompiledMemoryStats_Args* args);
typedef PJRT_Error* PJRT_Executable_OutputElementTypes(PJRT_Executable_OutputElementTypes_Args* args);
typedef PJRT_Error* PJRT_Executable_OutputDimensions(PJRT_Executable_OutputDimensions_Args* args);
typedef PJRT_Error* PJRT_Executable_ParameterMemoryKinds(PJRT_Executable_ParameterMemoryKinds_Args* args);
typedef PJRT_Error* PJRT_Executable_OutputMemoryKinds(PJRT_Executable_OutputMemoryKinds_Args* args);
typedef PJRT_Error* PJRT_Executable_Serialize(PJRT_Executable_Serialize_Args* args);
typedef PJRT_Error* PJRT_Executable_GetCompileOptions(PJRT_Executable_GetCompileOptions_Args* args);
typedef PJRT_Error* PJRT_Executable_DeserializeAndLoad(PJRT_Executable_DeserializeAndLoad_Args* args);
typedef PJRT_Error* PJRT_LoadedExecutable_Fingerprint(PJRT_LoadedExecutable_Fingerprint_Args* args);
typedef PJRT_Error* PJRT_Buffer_Destroy(PJRT_Buffer_Destroy_Args* args);
typedef PJRT_Error* PJRT_Buffer_ElementType(PJRT_Buffer_ElementType_Args* args);
typedef PJRT_Error* PJRT_Buffer_Dimensions(PJRT_Buffer_Dimensions_Args* args);
typedef PJRT_Error* PJRT_Buffer_UnpaddedDimensions(PJRT_Buffer_UnpaddedDimensions_Args* args);
typedef PJRT_Error* PJRT_Buffer_DynamicDimensionIndices(PJRT_Buffer_DynamicDimensionIndices_Args* args);
typedef PJRT_Error* PJRT_Buffer_GetMemoryLayout(PJRT_Buffer_GetMemoryLayout_Args* args);
typedef PJRT_Error* PJRT_Buffer_ToHostBuffer(PJRT_Buffer_ToHostBuffer_Args* args);
typedef PJRT_Error* PJRT_Buffer_OnDeviceSizeInBytes(PJRT_Buffer_OnDeviceSizeInBytes_Args* args);
typedef PJRT_Error* PJRT_Buffer_Delete(PJRT_Buffer_Delete_Args* args);
typedef PJRT_Error* PJRT_Buffer_IsDeleted(PJRT_Buffer_IsDeleted_Args* args);
typedef PJRT_Error* PJRT_Buffer_CopyRawToHost(PJRT_Buffer_CopyRawToHost_Args* args);
typedef PJRT_Error* PJRT_Buffer_CopyRawToHostFuture(PJRT_Buffer_CopyRawToHostFuture_Args* args);
typedef PJRT_Error* PJRT_Buffer_CopyToDevice(PJRT_Buffer_CopyToDevice_Args* args);
typedef PJRT_Error* PJRT_Buffer_CopyToMemory(PJRT_Buffer_CopyToMemory_Args* args);
typedef PJRT_Error* PJRT_Buffer_Bitcast(PJRT_Buffer_Bitcast_Args* args);
typedef PJRT_Error* PJRT_Buffer_IsOnCpu(PJRT_Buffer_IsOnCpu_Args* args);
typedef PJRT_Error* PJRT_Buffer_Device(PJRT_Buffer_Device_Args* args);
typedef PJRT_Error* PJRT_Buffer_Memory(PJRT_Buffer_Memory_Args* args);
typedef PJRT_Error* PJRT_Buffer_ReadyEvent(PJRT_Buffer_ReadyEvent_Args* args);
typedef PJRT_Error* PJRT_Buffer_UnsafePointer(PJRT_Buffer_UnsafePointer_Args* args);
typedef PJRT_Error* PJRT_Buffer_IncreaseExternalReferenceCount(PJRT_Buffer_IncreaseExternalReferenceCount_Args* args);
typedef PJRT_Error* PJRT_Buffer_DecreaseExternalReferenceCount(PJRT_Buffer_DecreaseExternalReferenceCount_Args* args);
typedef PJRT_Error* PJRT_Buffer_OpaqueDeviceMemoryDataPointer(PJRT_Buffer_OpaqueDeviceMemoryDataPointer_Args* args);
typedef PJRT_Error* PJRT_Buffer_DonateWithControlDependency(PJRT_Buffer_DonateWithControlDependency_Args* args);
typedef PJRT_Error* PJRT_CopyToDeviceStream_Destroy(PJRT_CopyToDeviceStream_Destroy_Args* args);
typedef PJRT_Error* PJRT_CopyToDeviceStream_AddChunk(PJRT_CopyToDeviceStream_AddChunk_Args* args);
typedef PJRT_Error* PJRT_CopyToDeviceStream_TotalBytes(PJRT_CopyToDeviceStream_TotalBytes_Args* args);
typedef PJRT_Error* PJRT_CopyToDeviceStream_GranuleSize(PJRT_CopyToDeviceStream_GranuleSize_Args* args);
typedef PJRT_Error* PJRT_CopyToDeviceStream_CurrentBytes(PJRT_CopyToDeviceStream_CurrentBytes_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_Create(PJRT_TopologyDescription_Create_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_Destroy(PJRT_TopologyDescription_Destroy_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_PlatformVersion(PJRT_TopologyDescription_PlatformVersion_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_PlatformName(PJRT_TopologyDescription_PlatformName_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_GetDeviceDescriptions(PJRT_TopologyDescription_GetDeviceDescriptions_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_Serialize(PJRT_TopologyDescription_Serialize_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_Deserialize(PJRT_TopologyDescription_Deserialize_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_Attributes(PJRT_TopologyDescription_Attributes_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_Fingerprint(PJRT_TopologyDescription_Fingerprint_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace(PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace_Args* args);
typedef PJRT_Error* PJRT_TopologyDescription_GetMemorySpaceKindIds(PJRT_TopologyDescription_GetMemorySpaceKindIds_Args* args);
typedef PJRT_Error* PJRT_Compile(PJRT_Compile_Args* args);

/* ===== 7. the function table =====
 * [index] before each slot; byte offset = 40 + 8 * index. */

struct PJRT_Api {
  size_t struct_size;
  PJRT_Extension_Base* extension_start;
  PJRT_Api_Version pjrt_api_version;
  /* [  0] */ PJRT_Error_Destroy* PJRT_Error_Destroy;
  /* [  1] */ PJRT_Error_Message* PJRT_Error_Message;
  /* [  2] */ PJRT_Error_GetCode* PJRT_Error_GetCode;
  /* [  3] */ PJRT_Plugin_Initialize* PJRT_Plugin_Initialize;
  /* [  4] */ PJRT_Plugin_Attributes* PJRT_Plugin_Attributes;
  /* [  5] */ PJRT_Event_Destroy* PJRT_Event_Destroy;
  /* [  6] */ PJRT_Event_IsReady* PJRT_Event_IsReady;
  /* [  7] */ PJRT_Event_Error* PJRT_Event_Error;
  /* [  8] */ PJRT_Event_Await* PJRT_Event_Await;
  /* [  9] */ PJRT_Event_OnReady* PJRT_Event_OnReady;
  /* [ 10] */ PJRT_Client_Create* PJRT_Client_Create;
  /* [ 11] */ PJRT_Client_Destroy* PJRT_Client_Destroy;
  /* [ 12] */ PJRT_Client_PlatformName* PJRT_Client_PlatformName;
  /* [ 13] */ PJRT_Client_ProcessIndex* PJRT_Client_ProcessIndex;
  /* [ 14] */ PJRT_Client_PlatformVersion* PJRT_Client_PlatformVersion;
  /* [ 15] */ PJRT_Client_Devices* PJRT_Client_Devices;
  /* [ 16] */ PJRT_Client_AddressableDevices* PJRT_Client_AddressableDevices;
  /* [ 17] */ PJRT_Client_LookupDevice* PJRT_Client_LookupDevice;
  /* [ 18] */ PJRT_Client_LookupAddressableDevice* PJRT_Client_LookupAddressableDevice;
  /* [ 19] */ PJRT_Client_AddressableMemories* PJRT_Client_AddressableMemories;
  /* [ 20] */ PJRT_Client_Compile* PJRT_Client_Compile;
  /* [ 21] */ PJRT_Client_DefaultDeviceAssignment* PJRT_Client_DefaultDeviceAssignment;
  /* [ 22] */ PJRT_Client_BufferFromHostBuffer* PJRT_Client_BufferFromHostBuffer;
  /* [ 23] */ PJRT_DeviceDescription_Id* PJRT_DeviceDescription_Id;
  /* [ 24] */ PJRT_DeviceDescription_ProcessIndex* PJRT_DeviceDescription_ProcessIndex;
  /* [ 25] */ PJRT_DeviceDescription_Attributes* PJRT_DeviceDescription_Attributes;
  /* [ 26] */ PJRT_DeviceDescription_Kind* PJRT_DeviceDescription_Kind;
  /* [ 27] */ PJRT_DeviceDescription_DebugString* PJRT_DeviceDescription_DebugString;
  /* [ 28] */ PJRT_DeviceDescription_ToString* PJRT_DeviceDescription_ToString;
  /* [ 29] */ PJRT_Device_GetDescription* PJRT_Device_GetDescription;
  /* [ 30] */ PJRT_Device_IsAddressable* PJRT_Device_IsAddressable;
  /* [ 31] */ PJRT_Device_LocalHardwareId* PJRT_Device_LocalHardwareId;
  /* [ 32] */ PJRT_Device_AddressableMemories* PJRT_Device_AddressableMemories;
  /* [ 33] */ PJRT_Device_DefaultMemory* PJRT_Device_DefaultMemory;
  /* [ 34] */ PJRT_Device_MemoryStats* PJRT_Device_MemoryStats;
  /* [ 35] */ PJRT_Memory_Id* PJRT_Memory_Id;
  /* [ 36] */ PJRT_Memory_Kind* PJRT_Memory_Kind;
  /* [ 37] */ PJRT_Memory_DebugString* PJRT_Memory_DebugString;
  /* [ 38] */ PJRT_Memory_ToString* PJRT_Memory_ToString;
  /* [ 39] */ PJRT_Memory_AddressableByDevices* PJRT_Memory_AddressableByDevices;
  /* [ 40] */ PJRT_Executable_Destroy* PJRT_Executable_Destroy;
  /* [ 41] */ PJRT_Executable_Name* PJRT_Executable_Name;
  /* [ 42] */ PJRT_Executable_NumReplicas* PJRT_Executable_NumReplicas;
  /* [ 43] */ PJRT_Executable_NumPartitions* PJRT_Executable_NumPartitions;
  /* [ 44] */ PJRT_Executable_NumOutputs* PJRT_Executable_NumOutputs;
  /* [ 45] */ PJRT_Executable_SizeOfGeneratedCodeInBytes* PJRT_Executable_SizeOfGeneratedCodeInBytes;
  /* [ 46] */ PJRT_Executable_GetCostAnalysis* PJRT_Executable_GetCostAnalysis;
  /* [ 47] */ PJRT_Executable_OutputMemoryKinds* PJRT_Executable_OutputMemoryKinds;
  /* [ 48] */ PJRT_Executable_OptimizedProgram* PJRT_Executable_OptimizedProgram;
  /* [ 49] */ PJRT_Executable_Serialize* PJRT_Executable_Serialize;
  /* [ 50] */ PJRT_LoadedExecutable_Destroy* PJRT_LoadedExecutable_Destroy;
  /* [ 51] */ PJRT_LoadedExecutable_GetExecutable* PJRT_LoadedExecutable_GetExecutable;
  /* [ 52] */ PJRT_LoadedExecutable_AddressableDevices* PJRT_LoadedExecutable_AddressableDevices;
  /* [ 53] */ PJRT_LoadedExecutable_Delete* PJRT_LoadedExecutable_Delete;
  /* [ 54] */ PJRT_LoadedExecutable_IsDeleted* PJRT_LoadedExecutable_IsDeleted;
  /* [ 55] */ PJRT_LoadedExecutable_Execute* PJRT_LoadedExecutable_Execute;
  /* [ 56] */ PJRT_Executable_DeserializeAndLoad* PJRT_Executable_DeserializeAndLoad;
  /* [ 57] */ PJRT_LoadedExecutable_Fingerprint* PJRT_LoadedExecutable_Fingerprint;
  /* [ 58] */ PJRT_Buffer_Destroy* PJRT_Buffer_Destroy;
  /* [ 59] */ PJRT_Buffer_ElementType* PJRT_Buffer_ElementType;
  /* [ 60] */ PJRT_Buffer_Dimensions* PJRT_Buffer_Dimensions;
  /* [ 61] */ PJRT_Buffer_UnpaddedDimensions* PJRT_Buffer_UnpaddedDimensions;
  /* [ 62] */ PJRT_Buffer_DynamicDimensionIndices* PJRT_Buffer_DynamicDimensionIndices;
  /* [ 63] */ PJRT_Buffer_GetMemoryLayout* PJRT_Buffer_GetMemoryLayout;
  /* [ 64] */ PJRT_Buffer_OnDeviceSizeInBytes* PJRT_Buffer_OnDeviceSizeInBytes;
  /* [ 65] */ PJRT_Buffer_Device* PJRT_Buffer_Device;
  /* [ 66] */ PJRT_Buffer_Memory* PJRT_Buffer_Memory;
  /* [ 67] */ PJRT_Buffer_Delete* PJRT_Buffer_Delete;
  /* [ 68] */ PJRT_Buffer_IsDeleted* PJRT_Buffer_IsDeleted;
  /* [ 69] */ PJRT_Buffer_CopyToDevice* PJRT_Buffer_CopyToDevice;
  /* [ 70] */ PJRT_Buffer_ToHostBuffer* PJRT_Buffer_ToHostBuffer;
  /* [ 71] */ PJRT_Buffer_IsOnCpu* PJRT_Buffer_IsOnCpu;
  /* [ 72] */ PJRT_Buffer_ReadyEvent* PJRT_Buffer_ReadyEvent;
  /* [ 73] */ PJRT_Buffer_UnsafePointer* PJRT_Buffer_UnsafePointer;
  /* [ 74] */ PJRT_Buffer_IncreaseExternalReferenceCount* PJRT_Buffer_IncreaseExternalReferenceCount;
  /* [ 75] */ PJRT_Buffer_DecreaseExternalReferenceCount* PJRT_Buffer_DecreaseExternalReferenceCount;
  /* [ 76] */ PJRT_Buffer_OpaqueDeviceMemoryDataPointer* PJRT_Buffer_OpaqueDeviceMemoryDataPointer;
  /* [ 77] */ PJRT_CopyToDeviceStream_Destroy* PJRT_CopyToDeviceStream_Destroy;
  /* [ 78] */ PJRT_CopyToDeviceStream_AddChunk* PJRT_CopyToDeviceStream_AddChunk;
  /* [ 79] */ PJRT_CopyToDeviceStream_TotalBytes* PJRT_CopyToDeviceStream_TotalBytes;
  /* [ 80] */ PJRT_CopyToDeviceStream_GranuleSize* PJRT_CopyToDeviceStream_GranuleSize;
  /* [ 81] */ PJRT_CopyToDeviceStream_CurrentBytes* PJRT_CopyToDeviceStream_CurrentBytes;
  /* [ 82] */ PJRT_TopologyDescription_Create* PJRT_TopologyDescription_Create;
  /* [ 83] */ PJRT_TopologyDescription_Destroy* PJRT_TopologyDescription_Destroy;
  /* [ 84] */ PJRT_TopologyDescription_PlatformName* PJRT_TopologyDescription_PlatformName;
  /* [ 85] */ PJRT_TopologyDescription_PlatformVersion* PJRT_TopologyDescription_PlatformVersion;
  /* [ 86] */ PJRT_TopologyDescription_GetDeviceDescriptions* PJRT_TopologyDescription_GetDeviceDescriptions;
  /* [ 87] */ PJRT_TopologyDescription_Serialize* PJRT_TopologyDescription_Serialize;
  /* [ 88] */ PJRT_TopologyDescription_Attributes* PJRT_TopologyDescription_Attributes;
  /* [ 89] */ PJRT_Compile* PJRT_Compile;
  /* [ 90] */ PJRT_Executable_OutputElementTypes* PJRT_Executable_OutputElementTypes;
  /* [ 91] */ PJRT_Executable_OutputDimensions* PJRT_Executable_OutputDimensions;
  /* [ 92] */ PJRT_Buffer_CopyToMemory* PJRT_Buffer_CopyToMemory;
  /* [ 93] */ PJRT_Client_CreateViewOfDeviceBuffer* PJRT_Client_CreateViewOfDeviceBuffer;
  /* [ 94] */ PJRT_Executable_Fingerprint* PJRT_Executable_Fingerprint;
  /* [ 95] */ PJRT_Client_TopologyDescription* PJRT_Client_TopologyDescription;
  /* [ 96] */ PJRT_Executable_GetCompiledMemoryStats* PJRT_Executable_GetCompiledMemoryStats;
  /* [ 97] */ PJRT_Memory_Kind_Id* PJRT_Memory_Kind_Id;
  /* [ 98] */ PJRT_ExecuteContext_Create* PJRT_ExecuteContext_Create;
  /* [ 99] */ PJRT_ExecuteContext_Destroy* PJRT_ExecuteContext_Destroy;
  /* [100] */ PJRT_Buffer_CopyRawToHost* PJRT_Buffer_CopyRawToHost;
  /* [101] */ PJRT_AsyncHostToDeviceTransferManager_Destroy* PJRT_AsyncHostToDeviceTransferManager_Destroy;
  /* [102] */ PJRT_AsyncHostToDeviceTransferManager_TransferData* PJRT_AsyncHostToDeviceTransferManager_TransferData;
  /* [103] */ PJRT_Client_CreateBuffersForAsyncHostToDevice* PJRT_Client_CreateBuffersForAsyncHostToDevice;
  /* [104] */ PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer* PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer;
  /* [105] */ PJRT_AsyncHostToDeviceTransferManager_Device* PJRT_AsyncHostToDeviceTransferManager_Device;
  /* [106] */ PJRT_AsyncHostToDeviceTransferManager_BufferCount* PJRT_AsyncHostToDeviceTransferManager_BufferCount;
  /* [107] */ PJRT_AsyncHostToDeviceTransferManager_BufferSize* PJRT_AsyncHostToDeviceTransferManager_BufferSize;
  /* [108] */ PJRT_AsyncHostToDeviceTransferManager_SetBufferError* PJRT_AsyncHostToDeviceTransferManager_SetBufferError;
  /* [109] */ PJRT_AsyncHostToDeviceTransferManager_AddMetadata* PJRT_AsyncHostToDeviceTransferManager_AddMetadata;
  /* [110] */ PJRT_Client_DmaMap* PJRT_Client_DmaMap;
  /* [111] */ PJRT_Client_DmaUnmap* PJRT_Client_DmaUnmap;
  /* [112] */ PJRT_Client_CreateUninitializedBuffer* PJRT_Client_CreateUninitializedBuffer;
  /* [113] */ PJRT_Client_UpdateGlobalProcessInfo* PJRT_Client_UpdateGlobalProcessInfo;
  /* [114] */ PJRT_TopologyDescription_Deserialize* PJRT_TopologyDescription_Deserialize;
  /* [115] */ PJRT_Client_CreateAliasBuffer* PJRT_Client_CreateAliasBuffer;
  /* [116] */ PJRT_Client_FulfillAliasBuffer* PJRT_Client_FulfillAliasBuffer;
  /* [117] */ PJRT_LoadedExecutable_GetDeviceAssignment* PJRT_LoadedExecutable_GetDeviceAssignment;
  /* [118] */ PJRT_Client_CreateErrorBuffer* PJRT_Client_CreateErrorBuffer;
  /* [119] */ PJRT_AsyncHostToDeviceTransferManager_TransferLiteral* PJRT_AsyncHostToDeviceTransferManager_TransferLiteral;
  /* [120] */ PJRT_Buffer_CopyRawToHostFuture* PJRT_Buffer_CopyRawToHostFuture;
  /* [121] */ PJRT_Device_PoisonExecution* PJRT_Device_PoisonExecution;
  /* [122] */ PJRT_Device_CreateAsyncTrackingEvent* PJRT_Device_CreateAsyncTrackingEvent;
  /* [123] */ PJRT_AsyncTrackingEvent_Destroy* PJRT_AsyncTrackingEvent_Destroy;
  /* [124] */ PJRT_Executable_GetCompileOptions* PJRT_Executable_GetCompileOptions;
  /* [125] */ PJRT_Buffer_DonateWithControlDependency* PJRT_Buffer_DonateWithControlDependency;
  /* [126] */ PJRT_Event_Create* PJRT_Event_Create;
  /* [127] */ PJRT_Event_Set* PJRT_Event_Set;
  /* [128] */ PJRT_Device_GetAttributes* PJRT_Device_GetAttributes;
  /* [129] */ PJRT_Client_Load* PJRT_Client_Load;
  /* [130] */ PJRT_LoadedExecutable_AddressableDeviceLogicalIds* PJRT_LoadedExecutable_AddressableDeviceLogicalIds;
  /* [131] */ PJRT_Buffer_Bitcast* PJRT_Buffer_Bitcast;
  /* [132] */ PJRT_Error_ForEachPayload* PJRT_Error_ForEachPayload;
  /* [133] */ PJRT_TopologyDescription_Fingerprint* PJRT_TopologyDescription_Fingerprint;
  /* [134] */ PJRT_Executable_ParameterMemoryKinds* PJRT_Executable_ParameterMemoryKinds;
  /* [135] */ PJRT_Device_ClearMemoryStats* PJRT_Device_ClearMemoryStats;
  /* [136] */ PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace* PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace;
  /* [137] */ PJRT_TopologyDescription_GetMemorySpaceKindIds* PJRT_TopologyDescription_GetMemorySpaceKindIds;
};
static const size_t PJRT_Api_STRUCT_SIZE = NVGPU_PJRT_SIZE_THROUGH(PJRT_Api, PJRT_TopologyDescription_GetMemorySpaceKindIds);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* OPENXLA_NVGPU_CPJRT_H */
