import ArgumentParser

/// `nvgpu run` flags for programs that run as several processes on several GPUs.
struct MultiDeviceOptions: ParsableArguments {
    @Option(help: "With --device=cuda and a program of several replicas/partitions: time this many runs on every GPU (after 3 warm-ups) and print the times instead of the results.")
    var timeRuns: Int = 0
}
