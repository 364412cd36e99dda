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
    /// How many commits reachable from HEAD are on no remote-tracking branch.
    public var localOnlyCommits: Int
    /// A merge, rebase, cherry-pick, revert or bisect in progress.
    public var operationInProgress: String?

    /// Whether there are uncommitted changes to tracked files.
    public var isDirty: Bool { !trackedChanges.isEmpty }

    /// Looks at the checkout in `directory`.
    public static func inspect(_ directory: URL) throws(WorkspaceError) -> RepositoryInspection {
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
            let count = try git.run(["rev-list", "--count", "HEAD", "--not", "--remotes"])
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

    /// Untracked files that checking out `commit` would overwrite.
    public func untrackedFiles(inTheWayOf commit: String, in directory: URL) throws(WorkspaceError) -> [String] {
        guard !untrackedFiles.isEmpty else { return [] }
        let listed = try Git(directory).run(["ls-tree", "-r", "-z", "--name-only", commit, "--"] + untrackedFiles)
        return listed.split(separator: "\0").map(String.init)
    }
}
