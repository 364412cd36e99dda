/* The C side of the PJRT plugin: error and memory objects, the API table, GetPjrtApi. */
#include "NVGPUPluginSupport.h"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ errors ---- */

typedef struct NVGPU_Error {
  PJRT_Error base;
  PJRT_Error_Code code;
  size_t message_size;
  char message[];
} NVGPU_Error;

static void error_vt_destroy(PJRT_Error* error) { nvgpu_error_free(error); }

static void error_vt_message(const PJRT_Error* error, const char** message, size_t* message_size) {
  const NVGPU_Error* e = (const NVGPU_Error*)error;
  *message = e ? e->message : "";
  *message_size = e ? e->message_size : 0;
}

static PJRT_Error_Code error_vt_get_code(const PJRT_Error* error) { return nvgpu_error_code(error); }

/* We attach no payloads: visiting them visits nothing (an error here would recurse). */
static void error_vt_for_each_payload(const PJRT_Error* error, PJRT_Error_PayloadVisitor visitor, void* user_arg) {
  (void)error; (void)visitor; (void)user_arg;
}

static const PJRT_Error_FunctionTable error_vtable = {
    sizeof(PJRT_Error_FunctionTable), sizeof(NVGPU_Error), NULL,
    error_vt_destroy, error_vt_message, error_vt_get_code, error_vt_for_each_payload,
};

PJRT_Error* nvgpu_error_create(PJRT_Error_Code code, const char* message, size_t message_size) {
  NVGPU_Error* e = (NVGPU_Error*)malloc(sizeof(NVGPU_Error) + message_size + 1);
  if (!e) return NULL;
  e->base.vtable = &error_vtable;
  e->code = code;
  e->message_size = message_size;
  if (message_size) memcpy(e->message, message, message_size);
  e->message[message_size] = 0;
  return &e->base;
}

PJRT_Error_Code nvgpu_error_code(const PJRT_Error* error) {
  return error ? ((const NVGPU_Error*)error)->code : PJRT_Error_Code_OK;
}

const char* nvgpu_error_message(const PJRT_Error* error) {
  return error ? ((const NVGPU_Error*)error)->message : "";
}

void nvgpu_error_free(PJRT_Error* error) { free(error); }

static void c_PJRT_Error_Destroy(PJRT_Error_Destroy_Args* args) {
  if (args) nvgpu_error_free(args->error);
}

static void c_PJRT_Error_Message(PJRT_Error_Message_Args* args) {
  if (!args) return;
  error_vt_message(args->error, &args->message, &args->message_size);
}

static PJRT_Error* c_PJRT_Error_GetCode(PJRT_Error_GetCode_Args* args) {
  args->code = nvgpu_error_code(args->error);
  return NULL;
}

static PJRT_Error* c_PJRT_Error_ForEachPayload(PJRT_Error_ForEachPayload_Args* args) {
  (void)args;
  return NULL;
}

/* ---------------------------------------------------------------- memories ---- */

enum { NVGPU_MEMORY_USER_SLOTS = 32 };

typedef struct NVGPU_Memory {
  PJRT_Memory base;
  void* owner;
  pthread_mutex_t lock;
  int count;
  struct {
    const void* key;
    void* data;
    void (*dtor)(void*);
  } slots[NVGPU_MEMORY_USER_SLOTS];
} NVGPU_Memory;

static void* memory_vt_get_user_data(PJRT_Memory* memory, const void* key) {
  NVGPU_Memory* m = (NVGPU_Memory*)memory;
  void* found = NULL;
  pthread_mutex_lock(&m->lock);
  for (int i = 0; i < m->count; i++) {
    if (m->slots[i].key == key) { found = m->slots[i].data; break; }
  }
  pthread_mutex_unlock(&m->lock);
  return found;
}

static void memory_vt_set_user_data(PJRT_Memory* memory, const void* key, void* data, void (*dtor)(void*)) {
  NVGPU_Memory* m = (NVGPU_Memory*)memory;
  void* old = NULL;
  void (*old_dtor)(void*) = NULL;
  pthread_mutex_lock(&m->lock);
  int i = 0;
  while (i < m->count && m->slots[i].key != key) i++;
  if (i < m->count) {
    old = m->slots[i].data;
    old_dtor = m->slots[i].dtor;
  } else if (m->count < NVGPU_MEMORY_USER_SLOTS) {
    m->count++;
  } else {
    pthread_mutex_unlock(&m->lock);
    fprintf(stderr, "nvgpu pjrt: more than %d user-data keys on one memory; dropping one\n", NVGPU_MEMORY_USER_SLOTS);
    if (dtor && data) dtor(data);
    return;
  }
  m->slots[i].key = key;
  m->slots[i].data = data;
  m->slots[i].dtor = dtor;
  pthread_mutex_unlock(&m->lock);
  if (old_dtor && old && old != data) old_dtor(old);
}

static const PJRT_Memory_FunctionTable memory_vtable = {
    sizeof(PJRT_Memory_FunctionTable), NULL, sizeof(NVGPU_Memory), memory_vt_get_user_data, memory_vt_set_user_data,
};

PJRT_Memory* nvgpu_memory_create(void* owner) {
  NVGPU_Memory* m = (NVGPU_Memory*)calloc(1, sizeof(NVGPU_Memory));
  if (!m) return NULL;
  m->base.vtable = &memory_vtable;
  m->owner = owner;
  pthread_mutex_init(&m->lock, NULL);
  return &m->base;
}

void* nvgpu_memory_owner(const PJRT_Memory* memory) {
  return memory ? ((const NVGPU_Memory*)memory)->owner : NULL;
}

void nvgpu_memory_free(PJRT_Memory* memory) {
  NVGPU_Memory* m = (NVGPU_Memory*)memory;
  if (!m) return;
  for (int i = 0; i < m->count; i++) {
    if (m->slots[i].dtor && m->slots[i].data) m->slots[i].dtor(m->slots[i].data);
  }
  pthread_mutex_destroy(&m->lock);
  free(m);
}

/* ------------------------------------------------------------------- table ---- */

/* Swift entry points (defined with @_cdecl in the PJRTPlugin target). */
#define NVGPU_DECLARE_SWIFT(name) extern name nvgpu_##name;
#define NVGPU_IGNORE(name)
/* Slots we do not implement answer UNIMPLEMENTED naming themselves and never read their
 * arguments beyond the pointer (a NULL slot would crash the caller). */
#define NVGPU_DEFINE_STUB(name)                                                         \
  static PJRT_Error* stub_##name(name##_Args* args) {                                   \
    (void)args;                                                                         \
    static const char message[] = #name " is not implemented by the nvgpu PJRT plugin"; \
    return nvgpu_error_create(PJRT_Error_Code_UNIMPLEMENTED, message, sizeof(message) - 1); \
  }

NVGPU_PJRT_SLOTS(NVGPU_DECLARE_SWIFT, NVGPU_IGNORE, NVGPU_IGNORE)
NVGPU_PJRT_SLOTS(NVGPU_IGNORE, NVGPU_IGNORE, NVGPU_DEFINE_STUB)

#define NVGPU_SLOT_SWIFT(name) .name = nvgpu_##name,
#define NVGPU_SLOT_C(name) .name = c_##name,
#define NVGPU_SLOT_STUB(name) .name = stub_##name,

static const PJRT_Api api = {
    .struct_size = NVGPU_PJRT_SIZE_THROUGH(PJRT_Api, PJRT_TopologyDescription_GetMemorySpaceKindIds),
    .extension_start = NULL,
    .pjrt_api_version = {
        .struct_size = NVGPU_PJRT_SIZE_THROUGH(PJRT_Api_Version, minor_version),
        .extension_start = NULL,
        .major_version = NVGPU_PJRT_API_MAJOR,
        .minor_version = NVGPU_PJRT_API_MINOR,
    },
    NVGPU_PJRT_SLOTS(NVGPU_SLOT_SWIFT, NVGPU_SLOT_C, NVGPU_SLOT_STUB)
};

const PJRT_Api* nvgpu_pjrt_api(void) { return &api; }

/* ------------------------------------------------------------ crash backtraces ---- */

/* With NVGPU_CRASH_BACKTRACE=1, a SIGSEGV/SIGBUS/SIGILL/SIGABRT in the process prints the
 * native frames (module+offset, symbolized offline with addr2line against the unstripped
 * plugin) on stderr before the default action; the handler runs on an alternate stack, so
 * a stack overflow is reported too. A diagnostic for crashes the Python traceback cannot
 * place. */
static void crash_handler(int sig) {
  static const char header[] = "\nnvgpu PJRT plugin: fatal signal; native backtrace:\n";
  ssize_t ignored = write(2, header, sizeof(header) - 1);
  (void)ignored;
  void* frames[96];
  int n = backtrace(frames, 96);
  backtrace_symbols_fd(frames, n, 2);
  signal(sig, SIG_DFL);
  raise(sig);
}

static void install_crash_backtrace(void) {
  const char* on = getenv("NVGPU_CRASH_BACKTRACE");
  if (!on || strcmp(on, "1") != 0) return;
  static char alternate[1 << 16];
  stack_t stack = {.ss_sp = alternate, .ss_size = sizeof(alternate), .ss_flags = 0};
  sigaltstack(&stack, NULL);
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = crash_handler;
  action.sa_flags = SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE, SIGTRAP};
  for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); ++i) sigaction(signals[i], &action, NULL);
  void* warm[1];
  backtrace(warm, 1); /* loads the unwinder now, not inside the handler */
}

static pthread_once_t crash_once = PTHREAD_ONCE_INIT;

__attribute__((visibility("default"))) const PJRT_Api* GetPjrtApi(void) {
  pthread_once(&crash_once, install_crash_backtrace);
  return &api;
}
