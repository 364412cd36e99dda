import ArgumentParser
import Foundation

/// The `nvgpu` command: run, compile, benchmark and inspect StableHLO programs.
@main
struct NVGPU: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nvgpu",
        abstract: "Run StableHLO programs on the CPU reference backend and NVIDIA GPUs.",
        subcommands: [
            RunCommand.self, CompileCommand.self, InspectCommand.self, BenchCommand.self, ConformanceCommand.self,
            DevicesCommand.self, WorkspaceCommand.self,
        ])

    /// Runs the command. A bad command line is one `error:` line on stderr and exit
    /// status 1, like every other bad input (ArgumentParser's default is 64 plus usage).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let text = message(for: error).split(separator: "\n").joined(separator: " ")
                FileHandle.standardError.write(Data("error: \(text) (see --help)\n".utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}
