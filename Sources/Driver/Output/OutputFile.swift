import Foundation

/// Writing a file the user named (`-o`, `--output`, `--json`).
public enum OutputFile {
    /// Writes `bytes` to `path` in place: an existing file is truncated and rewritten, never
    /// replaced, so a device (`/dev/null`, `/dev/stdout`) or a FIFO stays what it is.
    /// (`FileManager.createFile` writes a temporary file and renames it over the path, which
    /// turns `-o /dev/null` run as root into a regular file.) Returns false when the file
    /// cannot be written.
    public static func write(_ bytes: Data, to path: String) -> Bool {
        do {
            try bytes.write(to: URL(fileURLWithPath: path), options: [])
            return true
        } catch {
            return false
        }
    }
}
