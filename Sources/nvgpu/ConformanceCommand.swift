import ArgumentParser

/// `nvgpu conformance [DIR]`
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conformance", abstract: "Run the StableHLO conformance suite.")
}
