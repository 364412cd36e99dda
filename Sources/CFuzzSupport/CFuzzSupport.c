#include "CFuzzSupport.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

// libFuzzer's entry for binaries that have their own main; absent (null) without it.
extern int LLVMFuzzerRunDriver(int* argc, char*** argv, int (*callback)(const uint8_t*, size_t)) __attribute__((weak));

static int replay_file(const char* path, nvgpu_fuzz_callback callback) {
    FILE* f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "nvgpu-fuzz: cannot open %s\n", path); return -1; }
    size_t capacity = 1 << 16, size = 0;
    uint8_t* data = malloc(capacity);
    size_t n;
    while (data && (n = fread(data + size, 1, capacity - size, f)) > 0) {
        size += n;
        if (size == capacity) {
            uint8_t* grown = realloc(data, capacity * 2);
            if (!grown) { free(data); data = NULL; break; }
            data = grown;
            capacity *= 2;
        }
    }
    fclose(f);
    if (!data) { fprintf(stderr, "nvgpu-fuzz: out of memory reading %s\n", path); return -1; }
    callback(data, size);
    free(data);
    return 1;
}

static int replay(const char* path, nvgpu_fuzz_callback callback) {
    struct stat st;
    if (stat(path, &st) != 0) { fprintf(stderr, "nvgpu-fuzz: no such file %s\n", path); return -1; }
    if (!S_ISDIR(st.st_mode)) return replay_file(path, callback);
    DIR* dir = opendir(path);
    if (!dir) return -1;
    int count = 0;
    struct dirent* entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        int r = replay(child, callback);
        if (r < 0) { closedir(dir); return -1; }
        count += r;
    }
    closedir(dir);
    return count;
}

int nvgpu_fuzz_run(int argc, char** argv, nvgpu_fuzz_callback callback) {
    if (LLVMFuzzerRunDriver) return LLVMFuzzerRunDriver(&argc, &argv, callback);
    int total = 0;
    for (int i = 1; i < argc; ++i) {
        if (argv[i][0] == '-') continue;  // libFuzzer flags mean nothing to a replay
        int r = replay(argv[i], callback);
        if (r < 0) return 1;
        total += r;
    }
    printf("nvgpu-fuzz: replayed %d inputs without a crash (not a fuzzing build: see scripts/fuzz.sh)\n", total);
    return 0;
}
