import Foundation
import Runtime
import StableHLO

/// An executable read from an .nvx file or compiled from a program (.mlir text or .mlirbc
/// bytecode; then the module and the compile time are kept too).
public struct GPUProgram: Sendable {
    public var executable: Executable
    /// The source program, when compiled from one.
    public var module: Module?
    /// Seconds the compiler took, when compiled here.
    public var compileSeconds: Double?

    /// Reads `path`: an .nvx executable as it is, a program compiled with `configuration`
    /// for `function` (architecture: the configuration's, else `deviceArchitecture`, else sm_90).
    public init(
        path: String, function: String = "main", configuration: CompileConfiguration = CompileConfiguration(),
        deviceArchitecture: String? = nil
    ) throws {
        if path.hasSuffix(".nvx") {
            if let reason = TrustedFile.untrustedReason(path) {
                throw RuntimeError("\(path): error: refusing to load an executable others could have changed: \(reason)")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RuntimeError("\(path): error: cannot read the file")
            }
            executable = try Executable(decoding: [UInt8](data), file: path)
            try executable.validate()
            module = nil
            compileSeconds = nil
        } else {
            let module = try ProgramSource.load(path: path)
            let compilation = ExecutableCompilation(
                configuration, architecture: configuration.resolvedArchitecture(device: deviceArchitecture))
            let compiled = try compilation.compile(module, function: function)
            executable = compiled.executable
            self.module = module
            compileSeconds = compiled.seconds
        }
    }
}
