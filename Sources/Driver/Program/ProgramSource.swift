import Foundation
import Runtime
import StableHLO

/// Reads a program once: StableHLO text (`.mlir`) or MLIR bytecode (`.mlirbc`, a StableHLO
/// portable artifact of VHLO, as JAX hands it to a PJRT plugin), told apart by the bytecode
/// magic, never by the file name. The module is parsed and verified here and nowhere else;
/// multi-device annotations that pass values through (`ShardingAnnotations`) are dropped.
public enum ProgramSource {
    /// Parses and verifies the program in the file at `path`.
    public static func load(path: String) throws -> Module {
        guard FileManager.default.fileExists(atPath: path) else {
            throw RuntimeError("\(path): error: no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError("\(path): error: cannot read the file")
        }
        return try load(bytes: [UInt8](data), name: path)
    }

    /// Parses and verifies a program held in memory; `name` is what diagnostics call it.
    public static func load(bytes: [UInt8], name: String) throws -> Module {
        var module: Module
        if Module.isBytecode(bytes) {
            module = try Module.parse(bytecode: bytes, file: name)
        } else {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw RuntimeError("\(name): error: the file is neither UTF-8 text nor MLIR bytecode")
            }
            module = try Module.parse(text, file: name, firstLine: 1)
        }
        module = ShardingAnnotations.stripped(module)
        try module.verify()
        return module
    }
}
