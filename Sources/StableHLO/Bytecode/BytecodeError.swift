/// An error found while reading MLIR bytecode: where it is (file, byte offset and
/// section) and what is wrong.
///
/// Prints as one line, `model.mlirbc: byte 1234 (attribute section): unknown VHLO
/// attribute code 99`.
public struct BytecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file name given to `Module.parse(bytecode:file:)`.
    public var file: String
    /// The offset of the offending byte from the start of the file.
    public var offset: Int
    /// The part of the file being read (`header`, `string section`, `IR section`, ...).
    public var section: String
    /// What is wrong.
    public var message: String

    public init(file: String, offset: Int, section: String, message: String) {
        self.file = file
        self.offset = offset
        self.section = section
        self.message = message
    }

    public var description: String { "\(file): byte \(offset) (\(section)): \(message)" }
}
