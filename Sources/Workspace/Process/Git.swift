import Foundation

/// Runs git in one repository, with arguments (never a shell), non-interactively.
public struct Git: Sendable {
    /// The repository's working directory.
    public let directory: URL
    /// Extra `-c key=value` settings put before every command.
    public var configuration: [String] = []
    /// Told each child's process id and its standard error as it arrives (journal, progress).
    public var observer: ProcessObserver?

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
            throw .gitFailed(
                arguments: arguments, directory: directory.path, status: output.status, stderr: reason(for: output))
        }
        return output.stdout
    }

    /// What git said about a failure: its standard error (progress lines removed), else its
    /// standard output, else (some commands, `git stash` among them, fail silently when the
    /// index is locked) the lock file that is in the way.
    private func reason(for output: ProcessOutput) -> String {
        let stderr = Self.withoutProgress(output.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        if !stderr.isEmpty { return stderr }
        let stdout = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if !stdout.isEmpty { return stdout }
        guard let path = try? attempt(["rev-parse", "--git-path", "index.lock"]), path.status == 0 else { return "" }
        let relative = path.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let lock = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : directory.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: lock.path) else { return "" }
        return "git printed no reason, but '\(lock.path)' exists: File exists. Another git process seems to be running "
            + "in this repository, or one was killed; remove the file if no git process is running there"
    }

    /// git's standard error without its transfer-progress lines (kept: what went wrong).
    public static func withoutProgress(_ stderr: String) -> String {
        let progress = [
            "Counting objects:", "Compressing objects:", "Receiving objects:", "Resolving deltas:",
            "Enumerating objects:", "Updating files:", "Total ", "Unpacking objects:", "Checking out files:",
        ]
        let lines = stderr.split(separator: "\n").compactMap { line -> String? in
            let last = line.split(separator: "\r").last.map(String.init) ?? ""
            let text = last.hasPrefix("remote: ") ? String(last.dropFirst(8)) : last
            if progress.contains(where: { text.hasPrefix($0) }) || text.trimmingCharacters(in: .whitespaces).isEmpty {
                return nil
            }
            return last
        }
        return lines.joined(separator: "\n")
    }

    /// Runs `git <arguments>` and returns its output whatever the exit status.
    public func attempt(_ arguments: [String]) throws(WorkspaceError) -> ProcessOutput {
        let settings = configuration.flatMap { ["-c", $0] }
        return try ProcessRunner.run(
            "git", settings + arguments, in: directory, environment: Self.environment, observer: observer)
    }

    /// A copy of this runner whose children are reported to `observer`.
    public func observed(by observer: ProcessObserver?) -> Git {
        var copy = self
        copy.observer = observer
        return copy
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
