import ArgumentParser

/// `nvgpu run FILE.mlir --input=...`
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a StableHLO program.")
}
