#ifndef NVGPU_CFUZZSUPPORT_H
#define NVGPU_CFUZZSUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// One fuzz input: returns 0 (libFuzzer's convention).
typedef int (*nvgpu_fuzz_callback)(const uint8_t* data, size_t size);

/// Runs libFuzzer's driver when the binary is linked with it (-sanitize=fuzzer); otherwise
/// replays every file named on the command line (a directory: each file in it) once through
/// `callback` and prints how many ran. Returns the process exit status.
int nvgpu_fuzz_run(int argc, char** argv, nvgpu_fuzz_callback callback);

#endif
