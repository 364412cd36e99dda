import Runtime
import Foundation

/// Where `--output=@FILE` writes one result: a `.npy` file, or raw little-endian bytes
/// for any other extension (`.bin`).
public struct OutputDestination: Hashable, Sendable {
    /// The file format written.
    public enum Format: Hashable, Sendable { case npy, raw }

    public var path: String
    public var format: Format

    /// Parses `@PATH` (the `@` is optional).
    public init(parsing text: String) throws(InputError) {
        let path = text.hasPrefix("@") ? String(text.dropFirst()) : text
        guard !path.isEmpty else { throw InputError(text, "missing file name", flag: "--output") }
        self.path = path
        self.format = path.hasSuffix(".npy") ? .npy : .raw
    }

    /// Writes `tensor` to the file.
    public func write(_ tensor: HostTensor) throws(InputError) {
        let bytes = format == .npy ? NPYArray(tensor).encoded : tensor.bytes
        guard OutputFile.write(Data(bytes), to: path) else {
            throw InputError("@" + path, "cannot write file '\(path)'", flag: "--output")
        }
    }
}
