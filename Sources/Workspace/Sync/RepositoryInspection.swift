import Foundation

/// What is in a checkout right now, as far as "nothing is ever lost" is concerned.
public struct RepositoryInspection: Sendable, Equatable {
    /// Whether the directory exists at all.
    public var exists: Bool
    /// Whether it is the top of a git working tree.
    public var isRepository: Bool
    /// Whether it exists, is not a repository, and has files in it.
    public var isOccupied: Bool
    /// The commit checked out, if any.
    public var head: String?
    /// The branch checked out, or `nil` when detached.
    public var branch: String?
    /// Tracked files with uncommitted changes (staged or not).
    public var trackedChanges: [String]
    /// Untracked files (ignored files are not counted).
    public var untrackedFiles: [String]
    /// How many commits reachable from HEAD are local work: on no remote-tracking branch or
    /// tag, not reachable from the pinned commit, and never checked out by `sync` itself (in a
    /// shallow clone a fetched pin has no remote ref, yet it is not the user's work).
    public var localOnlyCommits: Int
    /// A merge, rebase, cherry-pick, revert or bisect in progress.
    public var operationInProgress: String?

    /// Whether there are uncommitted changes to tracked files.
    public var isDirty: Bool { !trackedChanges.isEmpty }

    /// The file in a clone's git directory listing the commits `sync` checked out there.
    static let checkoutRecordName = "nvgpu-workspace-checkouts"

    /// Looks at the checkout in `directory`; `pinned` is the revision the pin file names.
    public static func inspect(_ directory: URL, pinned: String? = nil) throws(WorkspaceError) -> RepositoryInspection {
        var inspection = RepositoryInspection(
            exists: false, isRepository: false, isOccupied: false, head: nil, branch: nil, trackedChanges: [],
            untrackedFiles: [], localOnlyCommits: 0, operationInProgress: nil)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return inspection }
        inspection.exists = true
        let git = Git(directory)
        guard isDirectory.boolValue, git.isRepository else {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? ["file"]
            inspection.isOccupied = !contents.isEmpty
            return inspection
        }
        inspection.isRepository = true
        inspection.head = try git.head()
        let branch = try git.attempt(["symbolic-ref", "--quiet", "--short", "HEAD"])
        if branch.status == 0 { inspection.branch = branch.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
        let status = try git.run(["status", "--porcelain=v1", "-z", "--untracked-files=all"])
        var entries = status.split(separator: "\0", omittingEmptySubsequences: true).makeIterator()
        while let entry = entries.next() {
            guard entry.count > 3 else { continue }
            let code = entry.prefix(2)
            let path = String(entry.dropFirst(3))
            if code == "??" {
                inspection.untrackedFiles.append(path)
            } else if code != "!!" {
                inspection.trackedChanges.append(path)
                if code.contains("R") || code.contains("C") { _ = entries.next() }
            }
        }
        if inspection.head != nil {
            var known = try recordedCheckouts(git)
            if let pinned, let commit = try git.resolvePinned(pinned) { known.append(commit) }
            let count = try git.run(["rev-list", "--count", "--ignore-missing", "HEAD", "--not", "--remotes", "--tags"] + known)
            inspection.localOnlyCommits = Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        for (marker, name) in [
            ("MERGE_HEAD", "merge"), ("rebase-merge", "rebase"), ("rebase-apply", "rebase"),
            ("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert"), ("BISECT_LOG", "bisect"),
        ] {
            let path = try git.run(["rev-parse", "--git-path", marker]).trimmingCharacters(in: .whitespacesAndNewlines)
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
            if FileManager.default.fileExists(atPath: url.path) {
                inspection.operationInProgress = name
                break
            }
        }
        return inspection
    }

    /// The commits `sync` checked out in the clone of `git` (oldest first).
    static func recordedCheckouts(_ git: Git) throws(WorkspaceError) -> [String] {
        let path = try git.run(["rev-parse", "--git-path", checkoutRecordName]).trimmingCharacters(in: .whitespacesAndNewlines)
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : git.directory.appendingPathComponent(path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { $0.count == 40 && $0.allSatisfy(\.isHexDigit) }
    }

    /// Records that `sync` checked out `commit` in the clone of `git` (the last 64 kept).
    static func recordCheckout(_ commit: String, git: Git) throws(WorkspaceError) {
        var commits = try recordedCheckouts(git).filter { $0 != commit }
        commits.append(commit)
        let path = try git.run(["rev-parse", "--git-path", checkoutRecordName]).trimmingCharacters(in: .whitespacesAndNewlines)
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : git.directory.appendingPathComponent(path)
        do {
            try Data((commits.suffix(64).joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            throw .repositoryState(repo: git.directory.lastPathComponent, "cannot record the checkout in \(url.path): \(error)")
        }
    }

    /// Untracked files that checking out `commit` would overwrite.
    public func untrackedFiles(inTheWayOf commit: String, in directory: URL) throws(WorkspaceError) -> [String] {
        guard !untrackedFiles.isEmpty else { return [] }
        let listed = try Git(directory).run(["ls-tree", "-r", "-z", "--name-only", commit, "--"] + untrackedFiles)
        return listed.split(separator: "\0").map(String.init)
    }
}
