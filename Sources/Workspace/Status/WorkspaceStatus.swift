import Foundation

/// The state of one repository against its pin.
public struct RepositoryStatus: Codable, Sendable, Equatable {
    /// The summary state.
    public enum State: String, Codable, Sendable {
        /// At the pin, no uncommitted changes.
        case ok
        /// At another commit than the pin.
        case drift
        /// Uncommitted changes to tracked files.
        case dirty
        /// Not cloned.
        case missing
        /// Not cloned, and left out on purpose (`status --exclude`, as `sync --exclude`).
        case excluded
        /// The path exists and is not a git repository.
        case notRepository = "not-a-repository"
        /// The pinned revision is not in the clone (fetch needed).
        case unknownPin = "unknown-pin"
        /// Two pin files disagree about it.
        case conflict
    }

    public var name: String
    public var path: String
    public var pinnedBy: String
    public var pinned: String
    public var pinnedCommit: String?
    public var checkedOut: String?
    public var branch: String?
    public var state: State
    public var dirty: Bool
    public var untrackedFiles: Int
    /// Commits checked out that the pin does not have.
    public var ahead: Int?
    /// Commits of the pin that are not checked out.
    public var behind: Int?
    public var localOnlyCommits: Int
}

/// Every repository of a workspace against its pins (`nvgpu workspace status`).
public struct WorkspaceStatus: Codable, Sendable {
    public var root: String
    public var project: String
    public var repositories: [RepositoryStatus]
    public var conflicts: [String]

    /// Inspects every repository in the workspace's dependency graph (without fetching).
    /// The status of every repository; those in `excluded` that are not cloned count as
    /// left out on purpose (`excluded`), not as missing.
    public static func collect(_ workspace: Workspace, excluded: Set<String> = []) throws(WorkspaceError) -> WorkspaceStatus {
        let graph = try workspace.graph()
        let conflicted = graph.conflictedNames
        var repositories: [RepositoryStatus] = []
        for name in try graph.dependencyOrder() {
            guard let repo = graph.repositories[name] else { continue }
            let directory = try workspace.directory(of: repo.pin)
            let inspection = try RepositoryInspection.inspect(directory, pinned: repo.pin.revision)
            var status = RepositoryStatus(
                name: name, path: repo.pin.path, pinnedBy: repo.pinnedBy, pinned: repo.pin.revision, pinnedCommit: nil,
                checkedOut: inspection.head, branch: inspection.branch, state: .ok, dirty: inspection.isDirty,
                untrackedFiles: inspection.untrackedFiles.count, ahead: nil, behind: nil,
                localOnlyCommits: inspection.localOnlyCommits)
            if !inspection.exists || (!inspection.isRepository && !inspection.isOccupied) {
                status.state = excluded.contains(name) ? .excluded : .missing
            } else if !inspection.isRepository {
                status.state = .notRepository
            } else {
                let git = Git(directory)
                status.pinnedCommit = try git.resolvePinned(repo.pin.revision)
                if let pinned = status.pinnedCommit, let head = inspection.head {
                    status.ahead = Int(try git.run(["rev-list", "--count", "\(pinned)..\(head)"]).trimmingCharacters(in: .whitespacesAndNewlines))
                    status.behind = Int(try git.run(["rev-list", "--count", "\(head)..\(pinned)"]).trimmingCharacters(in: .whitespacesAndNewlines))
                    status.state = head != pinned ? .drift : (inspection.isDirty ? .dirty : .ok)
                } else {
                    status.state = .unknownPin
                }
            }
            if conflicted.contains(name) { status.state = .conflict }
            repositories.append(status)
        }
        return WorkspaceStatus(
            root: workspace.layout.root.path, project: workspace.project.name, repositories: repositories,
            conflicts: graph.conflicts.map(\.description))
    }

    /// Whether every repository is at its pin with no local changes (or left out on purpose).
    public var isClean: Bool {
        conflicts.isEmpty && repositories.allSatisfy { $0.state == .ok || $0.state == .excluded }
    }

    /// The status as an aligned text table, conflicts listed below it.
    public func table() -> String {
        let header = ["REPO", "PATH", "PINNED", "CHECKED OUT", "STATE", "DIRTY", "AHEAD", "BEHIND"]
        var rows: [[String]] = [header]
        for repo in repositories {
            let checkedOut = repo.checkedOut.map { String($0.prefix(12)) + (repo.branch.map { " (\($0))" } ?? "") } ?? "-"
            let dirty = repo.dirty ? "yes" : (repo.untrackedFiles > 0 ? "untracked" : "no")
            rows.append([
                repo.name, repo.path, String((repo.pinnedCommit ?? repo.pinned).prefix(12)), checkedOut,
                repo.state.rawValue, dirty, repo.ahead.map(String.init) ?? "-", repo.behind.map(String.init) ?? "-",
            ])
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var lines = rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        lines.append(contentsOf: conflicts.map { "conflict: \($0)" })
        return lines.joined(separator: "\n") + "\n"
    }

    /// The status as JSON (sorted keys, pretty-printed).
    public func json() throws(WorkspaceError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        } catch {
            throw .refused("cannot encode the status: \(error.localizedDescription)")
        }
    }
}
