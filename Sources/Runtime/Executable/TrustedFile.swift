#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold code the GPU runs (`.nvx` executables) are loaded only when no other
/// user could have written them: owned by this user or by root, and not writable by their
/// group or by others.
public enum TrustedFile {
    /// Why `path` may not be loaded as code, or nil when it may (or does not exist: reading
    /// it reports that).
    public static func untrustedReason(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode & 0o777
        if info.st_uid != geteuid() && info.st_uid != 0 {
            return "\(path) belongs to user \(info.st_uid), not to this user (\(geteuid())) or root"
        }
        if mode & 0o022 != 0 {
            return "\(path) has mode \(String(mode, radix: 8)): its group or others may write it (chmod go-w \(path))"
        }
        return nil
    }
}
