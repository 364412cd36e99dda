import ArgumentParser

/// The `nvgpu` command: run, compile, benchmark and inspect StableHLO programs.
@main
struct NVGPU: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nvgpu",
        abstract: "Run StableHLO programs on the CPU reference backend and NVIDIA GPUs.",
        subcommands: [RunCommand.self, ConformanceCommand.self, WorkspaceCommand.self])
}
