/// The safety rules for what a pin file may contain. Each check returns a problem
/// description, or `nil` when the value is acceptable.
public enum PinValidation {
    /// URL schemes a dependency may be cloned from.
    public static let allowedSchemes: Set<String> = ["https", "ssh", "git", "file"]

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func consists(of text: String, extra: String) -> Bool {
        let extraBytes = Set(extra.utf8)
        return text.utf8.allSatisfy { isAlphanumeric($0) || extraBytes.contains($0) }
    }

    /// A repository name: letters, digits, `.`, `_`, `-`, starting with a letter or digit.
    public static func validateName(_ name: String) -> String? {
        guard let first = name.utf8.first, isAlphanumeric(first), name.utf8.count <= 100,
            consists(of: name, extra: "._-")
        else {
            return "invalid name '\(name)': use letters, digits, '.', '_' and '-', starting with a letter or digit"
        }
        return nil
    }

    /// A path relative to the workspace root that cannot leave it: no `..`, no absolute paths.
    public static func validateRelativePath(_ path: String) -> String? {
        if path.isEmpty { return "empty path" }
        if path.hasPrefix("/") || path.hasPrefix("~") { return "path '\(path)' must be relative to the workspace root" }
        if path.contains("\\") || path.utf8.contains(where: { $0 < 0x20 }) {
            return "path '\(path)' contains a backslash or control character"
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty || component == "." { return "path '\(path)' has an empty or '.' component" }
            if component == ".." { return "path '\(path)' must stay inside the workspace root (no '..')" }
            if component.hasPrefix("-") { return "path '\(path)' has a component starting with '-'" }
            if component == ".git" { return "path '\(path)' must not name a .git directory" }
        }
        return nil
    }

    /// A clone URL with an allowed scheme (https, ssh, git, file) or scp-like `user@host:path`.
    public static func validateURL(_ url: String) -> String? {
        if url.isEmpty || url.hasPrefix("-") || url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            return "invalid URL '\(url)'"
        }
        if let range = url.range(of: "://") {
            let scheme = url[url.startIndex..<range.lowerBound].lowercased()
            guard allowedSchemes.contains(scheme) else {
                return "URL scheme '\(scheme)' is not allowed (use \(allowedSchemes.sorted().joined(separator: ", ")))"
            }
            if url[range.upperBound...].isEmpty { return "URL '\(url)' has no location" }
            return nil
        }
        // scp-like syntax: [user@]host:path, which git treats as ssh. `::` would be a remote helper.
        if url.contains("::") { return "remote helpers ('transport::address') are not allowed: '\(url)'" }
        guard let colon = url.firstIndex(of: ":") else {
            return "URL '\(url)' has no scheme (use https://, ssh://, git://, file:// or user@host:path)"
        }
        let host = url[url.startIndex..<colon]
        if host.isEmpty || host.contains("/") || url[url.index(after: colon)...].isEmpty {
            return "URL '\(url)' has no scheme (use https://, ssh://, git://, file:// or user@host:path)"
        }
        return nil
    }

    /// A revision (commit hash, tag or branch name) that git cannot mistake for an option.
    public static func validateRevision(_ revision: String) -> String? {
        guard let first = revision.utf8.first, isAlphanumeric(first), revision.utf8.count <= 255,
            consists(of: revision, extra: "._/+-"), !revision.contains(".."), !revision.hasSuffix("/"),
            !revision.hasSuffix(".lock")
        else {
            return "invalid revision '\(revision)'"
        }
        return nil
    }

    /// A tag glob such as `candidate-*` or `iree-3.*`.
    public static func validateTagPattern(_ pattern: String) -> String? {
        guard let first = pattern.utf8.first, first != UInt8(ascii: "-"), pattern.utf8.count <= 255,
            consists(of: pattern, extra: "._/+-*?[]")
        else {
            return "invalid tag pattern '\(pattern)'"
        }
        return nil
    }

    /// Whether `text` is a full (SHA-1 or SHA-256) commit hash.
    public static func isFullHash(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64)
            && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }
}
