import ArgumentParser
import Driver
import Foundation
import Reference
import Runtime

extension DeviceChoice: ExpressibleByArgument {}

/// Flags every command that runs programs shares.
struct DeviceOptions: ParsableArguments {
    @Option(help: "Where to run: auto (a GPU when supported, else the CPU), cpu, or cuda.")
    var device: DeviceChoice = .auto

    /// The selected device; a GPU compiles with `configuration`.
    func selectedDevice(configuration: CompileConfiguration = CompileConfiguration()) throws -> any Device {
        try DeviceSelection.device(for: device, configuration: configuration)
    }
}

/// Prints an error as one line on stderr and exits with status 1, instead of
/// ArgumentParser's `Error:` prefix and usage text.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        var text = "\(error)"
        if !text.contains("error:") { text = "error: " + text }
        FileHandle.standardError.write(Data((text + "\n").utf8))
        throw ExitCode.failure
    }
}
