import Foundation

/// How a dependency's next green point is found when it is rolled.
public enum TrackingRule: Sendable, Equatable, CustomStringConvertible {
    /// The newest tag (by version order) matching a glob such as `candidate-*`.
    case tags(pattern: String)
    /// The newest commit on a branch of the remote (that passes `--check`, when one is given).
    case branch(String)

    public var description: String {
        switch self {
        case .tags(let pattern): return "tags \(pattern)"
        case .branch(let name): return "branch \(name)"
        }
    }
}

/// One pinned dependency of a project.
public struct Dependency: Sendable, Equatable {
    /// The repository's name, unique in a workspace (`iree`, `xla`, ...).
    public var name: String
    /// Where it is cloned from (https, ssh, git or file URL, or scp-like `user@host:path`).
    public var url: String
    /// Its checkout, relative to the workspace root (a sibling of the project by default).
    public var path: String
    /// The pinned revision: a full commit hash once frozen, else any revision git resolves.
    public var revision: String
    /// Whether its submodules are checked out too.
    public var submodules: Bool
    /// How `roll` finds the next green point; `nil` means the dependency is not rolled.
    public var track: TrackingRule?
    /// Where the dependency was declared (for conflict reports); not part of equality.
    public var declaredAt: SourcePosition?

    public init(
        name: String, url: String, path: String? = nil, revision: String, submodules: Bool = false,
        track: TrackingRule? = nil, declaredAt: SourcePosition? = nil
    ) {
        self.name = name
        self.url = url
        self.path = path ?? name
        self.revision = revision
        self.submodules = submodules
        self.track = track
        self.declaredAt = declaredAt
    }

    public static func == (lhs: Dependency, rhs: Dependency) -> Bool {
        lhs.name == rhs.name && lhs.url == rhs.url && lhs.path == rhs.path && lhs.revision == rhs.revision
            && lhs.submodules == rhs.submodules && lhs.track == rhs.track
    }
}

/// A project's pin file (`openxla-deps.json`): its dependencies and its check command.
public struct PinFile: Sendable, Equatable {
    /// The format version this code reads and writes.
    public static let currentVersion = 1

    /// The shell command that tells whether the project is green (run by `roll`).
    public var check: String?
    /// The pinned dependencies, in file order.
    public var dependencies: [Dependency]

    public init(check: String? = nil, dependencies: [Dependency] = []) {
        self.check = check
        self.dependencies = dependencies
    }

    /// The dependency named `name`, if any.
    public func dependency(named name: String) -> Dependency? {
        dependencies.first { $0.name == name }
    }

    /// Replaces the revision of dependency `name`.
    public mutating func setRevision(_ revision: String, of name: String) throws(WorkspaceError) {
        guard let index = dependencies.firstIndex(where: { $0.name == name }) else {
            throw .unknownDependency(name)
        }
        dependencies[index].revision = revision
    }

    /// Reads and validates pin-file text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(WorkspaceError) -> PinFile {
        try PinFileDecoder.decode(text, file: file)
    }

    /// Reads and validates the pin file at `url`.
    public static func load(from url: URL) throws(WorkspaceError) -> PinFile {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .invalidFile(SourcePosition(file: url.path, line: 1, column: 1), "cannot read: \(error.localizedDescription)")
        }
        return try PinFileDecoder.decode(text, file: url.path)
    }

    /// Writes the pin file atomically (a temporary file renamed over the old one).
    public func write(to url: URL) throws(WorkspaceError) {
        do {
            try Data(jsonText().utf8).write(to: url, options: .atomic)
        } catch {
            throw .refused("cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    /// The canonical JSON text of the pin file (stable key order, two-space indent).
    public func jsonText() -> String {
        var lines: [String] = ["{", "  \"version\": \(Self.currentVersion),"]
        if let check { lines.append("  \"check\": \(Self.quoted(check)),") }
        if dependencies.isEmpty {
            lines.append("  \"dependencies\": []")
        } else {
            lines.append("  \"dependencies\": [")
            for (index, dependency) in dependencies.enumerated() {
                var fields: [String] = [
                    "\"name\": \(Self.quoted(dependency.name))",
                    "\"url\": \(Self.quoted(dependency.url))",
                    "\"path\": \(Self.quoted(dependency.path))",
                    "\"revision\": \(Self.quoted(dependency.revision))",
                    "\"submodules\": \(dependency.submodules)",
                ]
                switch dependency.track {
                case .tags(let pattern): fields.append("\"track\": {\"tags\": \(Self.quoted(pattern))}")
                case .branch(let branch): fields.append("\"track\": {\"branch\": \(Self.quoted(branch))}")
                case nil: break
                }
                lines.append("    {")
                lines.append(fields.map { "      " + $0 }.joined(separator: ",\n"))
                lines.append(index + 1 < dependencies.count ? "    }," : "    }")
            }
            lines.append("  ]")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
