import Foundation

/// Runs git in one repository, with arguments (never a shell), non-interactively.
public struct Git: Sendable {
    /// The repository's working directory.
    public let directory: URL
    /// Extra `-c key=value` settings put before every command.
    public var configuration: [String] = []

    public init(_ directory: URL) {
        self.directory = directory
    }

    /// Environment for every git run: never prompt, stable messages, no editor.
    static let environment: [String: String] = [
        "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "GIT_EDITOR": "true", "GIT_MERGE_AUTOEDIT": "no",
    ]

    /// Runs `git <arguments>`; returns standard output, throwing on a non-zero exit.
    @discardableResult
    public func run(_ arguments: [String]) throws(WorkspaceError) -> String {
        let output = try attempt(arguments)
        guard output.status == 0 else {
            throw .gitFailed(arguments: arguments, directory: directory.path, status: output.status, stderr: output.stderr)
        }
        return output.stdout
    }

    /// Runs `git <arguments>` and returns its output whatever the exit status.
    public func attempt(_ arguments: [String]) throws(WorkspaceError) -> ProcessOutput {
        let settings = configuration.flatMap { ["-c", $0] }
        return try ProcessRunner.run("git", settings + arguments, in: directory, environment: Self.environment)
    }

    /// Output lines of `git <arguments>`, without empty lines.
    public func lines(_ arguments: [String]) throws(WorkspaceError) -> [String] {
        try run(arguments).split(separator: "\n").map(String.init)
    }

    /// The full commit hash `revision` names, or `nil` if it is not known locally.
    public func resolveCommit(_ revision: String) throws(WorkspaceError) -> String? {
        let output = try attempt(["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"])
        guard output.status == 0 else { return nil }
        let hash = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return hash.isEmpty ? nil : hash
    }

    /// The commit a pin's revision names: a full hash as is; otherwise the tag, then the
    /// remote's branch of that name (a local branch of the same name may be stale), then
    /// whatever git resolves. `nil` when it is not known locally.
    public func resolvePinned(_ revision: String) throws(WorkspaceError) -> String? {
        if PinValidation.isFullHash(revision) { return try resolveCommit(revision) }
        for candidate in ["refs/tags/\(revision)", "refs/remotes/origin/\(revision)", revision] {
            if let commit = try resolveCommit(candidate) { return commit }
        }
        return nil
    }

    /// Whether `directory` is the top of a git working tree.
    public var isRepository: Bool {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path),
            let output = try? attempt(["rev-parse", "--show-toplevel"]), output.status == 0
        else { return false }
        let top = URL(fileURLWithPath: output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        return top.resolvingSymlinksInPath().path == directory.resolvingSymlinksInPath().path
    }

    /// The commit checked out now, or `nil` in an empty repository.
    public func head() throws(WorkspaceError) -> String? {
        try resolveCommit("HEAD")
    }

    /// Whether `ancestor` is an ancestor of (or equal to) `descendant`.
    public func isAncestor(_ ancestor: String, of descendant: String) throws(WorkspaceError) -> Bool {
        try attempt(["merge-base", "--is-ancestor", ancestor, descendant]).status == 0
    }

    /// The first line of a commit's message.
    public func subject(of commit: String) throws(WorkspaceError) -> String {
        try run(["log", "-1", "--format=%s", commit]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Commits in `from..to`, oldest first, following first parents (the branch's own history).
    public func commits(from: String, to: String) throws(WorkspaceError) -> [String] {
        try lines(["rev-list", "--first-parent", "--reverse", "\(from)..\(to)"])
    }
}
