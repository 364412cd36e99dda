// Compile-time layout checks for CPJRT.h. Every number below was compared
// with the PJRT C API 0.112 interface (XLA 5a9e73cbd925, the one jaxlib 0.10.2
// is built against), for an LP64 target (x86_64 / aarch64 Linux). This file
// holds no code; a layout slip in CPJRT.h breaks the build here.
#include "CPJRT.h"

#define CHECK_SIZE(T, n) _Static_assert(sizeof(T) == (n), "sizeof " #T)
#define CHECK_AT(T, m, n) _Static_assert(offsetof(T, m) == (n), #T "." #m)
// T_STRUCT_SIZE is a static const object: clang folds it in _Static_assert,
// strict C11 (gcc) does not, so there only the formula is checked.
#if defined(__clang__)
#define CHECK_VERSIONED(T, last, n)                                          \
  _Static_assert(NVGPU_PJRT_SIZE_THROUGH(T, last) == (n), #T " through " #last); \
  _Static_assert(T##_STRUCT_SIZE == (n), #T "_STRUCT_SIZE")
#else
#define CHECK_VERSIONED(T, last, n) \
  _Static_assert(NVGPU_PJRT_SIZE_THROUGH(T, last) == (n), #T " through " #last)
#endif

_Static_assert(sizeof(void*) == 8, "CPJRT.h layout checks assume LP64");
_Static_assert(NVGPU_PJRT_API_MAJOR == 0 && NVGPU_PJRT_API_MINOR == 112, "claimed version");
_Static_assert(NVGPU_PJRT_API_SLOT_COUNT == 138, "slot count");

// The table: 40 header bytes then one pointer per slot.
CHECK_SIZE(PJRT_Api_Version, 24);
CHECK_SIZE(PJRT_Api, 1144);
_Static_assert(sizeof(PJRT_Api) == 40 + 8 * NVGPU_PJRT_API_SLOT_COUNT, "slot arithmetic");
CHECK_VERSIONED(PJRT_Api, PJRT_TopologyDescription_GetMemorySpaceKindIds, 1144);
CHECK_AT(PJRT_Api, pjrt_api_version, 16);
CHECK_AT(PJRT_Api, PJRT_Error_Destroy, 40);                           // [0]
CHECK_AT(PJRT_Api, PJRT_Plugin_Initialize, 64);                       // [3]
CHECK_AT(PJRT_Api, PJRT_Client_Create, 120);                          // [10]
CHECK_AT(PJRT_Api, PJRT_Client_Compile, 200);                         // [20]
CHECK_AT(PJRT_Api, PJRT_Client_BufferFromHostBuffer, 216);            // [22]
CHECK_AT(PJRT_Api, PJRT_Executable_Serialize, 432);                   // [49]
CHECK_AT(PJRT_Api, PJRT_LoadedExecutable_Execute, 480);               // [55]
CHECK_AT(PJRT_Api, PJRT_Buffer_ToHostBuffer, 600);                    // [70]
CHECK_AT(PJRT_Api, PJRT_Event_Create, 1048);                          // [126]
CHECK_AT(PJRT_Api, PJRT_Error_ForEachPayload, 1096);                  // [132]
CHECK_AT(PJRT_Api, PJRT_Device_ClearMemoryStats, 1120);               // [135]
CHECK_AT(PJRT_Api, PJRT_TopologyDescription_GetMemorySpaceKindIds, 1136); // [137]

// Concrete objects at 0.105 / 0.107.
CHECK_SIZE(PJRT_Error, 8);
CHECK_SIZE(PJRT_Memory, 8);
CHECK_SIZE(PJRT_Error_FunctionTable, 56);
CHECK_AT(PJRT_Error_FunctionTable, instance_size, 8);
CHECK_AT(PJRT_Error_FunctionTable, destroy, 24);
CHECK_AT(PJRT_Error_FunctionTable, for_each_payload, 48);
CHECK_SIZE(PJRT_Memory_FunctionTable, 40);
CHECK_AT(PJRT_Memory_FunctionTable, instance_struct_size, 16);

// Named values (anonymous union at 40).
CHECK_SIZE(PJRT_NamedValue, 56);
CHECK_AT(PJRT_NamedValue, type, 32);
CHECK_AT(PJRT_NamedValue, int64_value, 40);
CHECK_AT(PJRT_NamedValue, bool_value, 40);
CHECK_AT(PJRT_NamedValue, value_size, 48);

// Client creation / compilation / transfers.
CHECK_SIZE(PJRT_Client_Create_Args, 88);
CHECK_AT(PJRT_Client_Create_Args, client, 64);
CHECK_AT(PJRT_Client_Create_Args, kv_try_get_user_arg, 80);
CHECK_SIZE(PJRT_Program, 48);
CHECK_SIZE(PJRT_Client_Compile_Args, 56);
CHECK_AT(PJRT_Client_Compile_Args, compile_options_size, 40);
CHECK_AT(PJRT_Client_Compile_Args, executable, 48);
CHECK_SIZE(PJRT_Client_BufferFromHostBuffer_Args, 120);
CHECK_AT(PJRT_Client_BufferFromHostBuffer_Args, type, 32);
CHECK_AT(PJRT_Client_BufferFromHostBuffer_Args, host_buffer_semantics, 72);
CHECK_AT(PJRT_Client_BufferFromHostBuffer_Args, done_with_host_buffer, 104);
CHECK_AT(PJRT_Client_BufferFromHostBuffer_Args, buffer, 112);

// Layouts: the versioned size (76) is smaller than sizeof (80).
CHECK_SIZE(PJRT_Buffer_MemoryLayout_Tiled, 56);
CHECK_SIZE(PJRT_Buffer_MemoryLayout, 80);
CHECK_AT(PJRT_Buffer_MemoryLayout, type, 72);
CHECK_VERSIONED(PJRT_Buffer_MemoryLayout, type, 76);

// Execution.
CHECK_SIZE(PJRT_ExecuteOptions, 144);
CHECK_VERSIONED(PJRT_ExecuteOptions, num_hlo_output_callbacks, 144);
CHECK_AT(PJRT_ExecuteOptions, launch_id, 48);
CHECK_AT(PJRT_ExecuteOptions, context, 72);
CHECK_AT(PJRT_ExecuteOptions, multi_slice_config, 112);
CHECK_AT(PJRT_ExecuteOptions, use_major_to_minor_data_layout_for_callbacks, 120);
CHECK_AT(PJRT_ExecuteOptions, hlo_output_callbacks, 128);
CHECK_AT(PJRT_ExecuteOptions, num_hlo_output_callbacks, 136);
CHECK_SIZE(PJRT_LoadedExecutable_Execute_Args, 80);
CHECK_AT(PJRT_LoadedExecutable_Execute_Args, options, 24);
CHECK_AT(PJRT_LoadedExecutable_Execute_Args, argument_lists, 32);
CHECK_AT(PJRT_LoadedExecutable_Execute_Args, output_lists, 56);
CHECK_AT(PJRT_LoadedExecutable_Execute_Args, device_complete_events, 64);
CHECK_AT(PJRT_LoadedExecutable_Execute_Args, execute_device, 72);
CHECK_SIZE(PJRT_Executable_DeserializeAndLoad_Args, 72);
CHECK_AT(PJRT_Executable_DeserializeAndLoad_Args, load_options, 64);
CHECK_SIZE(PJRT_Event_OnReady_Args, 40);
CHECK_VERSIONED(PJRT_Plugin_Attributes_Args, num_attributes, 32);

// Element types keep their wire values.
_Static_assert(PJRT_Buffer_Type_INVALID == 0, "INVALID");
_Static_assert(PJRT_Buffer_Type_F32 == 11, "F32");
_Static_assert(PJRT_Buffer_Type_BF16 == 13, "BF16");
_Static_assert(PJRT_Buffer_Type_F8E8M0FNU == 28, "F8E8M0FNU");
_Static_assert(PJRT_Buffer_Type_U1 == 31, "U1");
_Static_assert(PJRT_Error_Code_UNAUTHENTICATED == 16, "error codes");
