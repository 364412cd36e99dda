import Foundation

/// What an autoroller run did, for machines (`roll --json`) and for the commit it makes
/// (`roll --commit`): one record per dependency.
public struct RollReport: Sendable {
    /// One record per dependency, in the order they were rolled.
    public var results: [RollResult]
    /// The commit `--commit` made in the project, if any.
    public var commit: String?
    /// The branch `--branch` committed on, if any.
    public var branch: String?

    public init(results: [RollResult], commit: String? = nil, branch: String? = nil) {
        self.results = results
        self.commit = commit
        self.branch = branch
    }

    /// The dependencies whose pins moved (or would, in a dry run), companions included.
    public var moved: [RollResult] { results.filter(\.moved) }

    /// Whether a roll failed its check, conflicted or was blocked.
    public var hasFailures: Bool {
        results.contains {
            switch $0.outcome {
            case .checkFailed, .conflict, .blocked: return true
            case .rolled, .wouldRoll, .upToDate: return false
            }
        }
    }

    /// The commit message for the pin file change: a summary line naming each dependency
    /// and its new point, then each range (as `RollRange.commitMessage` lists it).
    public var commitMessage: String {
        let ranges = moved.compactMap(\.range)
        let summary: String
        if ranges.count == 1, let range = ranges.first {
            summary = range.commitMessage.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        } else {
            summary = "Roll " + ranges.map { "\($0.dependency) to \($0.tag ?? String($0.to.prefix(12)))" }.joined(separator: ", ")
        }
        var lines = [summary, ""]
        for range in ranges {
            let body = range.commitMessage.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2)
            lines.append("\(range.dependency) \(range.from.prefix(12))..\(range.to.prefix(12))" + (range.tag.map { " (\($0))" } ?? ""))
            lines.append(contentsOf: body.map(String.init).filter { !$0.isEmpty })
            lines.append("")
        }
        let rolledWith = moved.filter { $0.rolledWith != nil }
        for result in rolledWith {
            lines.append("\(result.dependency) was rolled together with \(result.rolledWith ?? "") (its pins follow it).")
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .newlines) + "\n"
    }

    /// The report as JSON: `{"branch", "commit", "rolls": [...]}` with one record per
    /// dependency (`dependency`, `outcome`, `from`, `to`, `tag`, `commits`, `reason`,
    /// `rolled_with`, `companions`, `candidates` with each one's `checks`). Sorted keys,
    /// slashes unescaped.
    public func json() throws(WorkspaceError) -> String {
        let document = Document(
            branch: branch, commit: commit, rolls: results.map(Record.init), message: moved.isEmpty ? nil : commitMessage)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
        } catch {
            throw .refused("cannot encode the roll report: \(error)")
        }
    }

    private struct Document: Encodable {
        var branch: String?
        var commit: String?
        var rolls: [Record]
        var message: String?
    }

    private struct Record: Encodable {
        struct Check: Encodable {
            var kind: String
            var status: Int32
            var passed: Bool
        }
        struct Candidate: Encodable {
            var commit: String
            var tag: String?
            var checks: [Check]
            var refused: String?
        }
        var dependency: String
        var outcome: String
        var from: String?
        var to: String?
        var tag: String?
        var commits: Int?
        var reason: String?
        var rolled_with: String?
        var companions: [String]
        var candidates: [Candidate]

        init(_ result: RollResult) {
            dependency = result.dependency
            switch result.outcome {
            case .rolled: outcome = "rolled"
            case .wouldRoll: outcome = "would-roll"
            case .upToDate: outcome = "up-to-date"
            case .checkFailed(let status, let tail):
                outcome = "check-failed"
                reason = "exit \(status)" + (tail.isEmpty ? "" : ": " + tail.suffix(5).joined(separator: "\n"))
            case .conflict(let why):
                outcome = "conflict"
                reason = why
            case .blocked(let why):
                outcome = "blocked"
                reason = why
            }
            from = result.range?.from
            to = result.range?.to
            tag = result.range?.tag
            commits = result.range?.commits.count
            rolled_with = result.rolledWith
            companions = result.companions.map(\.dependency)
            candidates = result.attempts.map { attempt in
                Candidate(
                    commit: attempt.commit, tag: attempt.tag,
                    checks: attempt.checks.map { Check(kind: $0.kind.rawValue, status: $0.status, passed: $0.passed) },
                    refused: attempt.refused)
            }
        }
    }
}

/// Commits the project's pin file after a roll (`roll --commit`, `--branch NAME`).
public enum RollCommitter {
    /// Commits only the pin file of `workspace`'s project with `report`'s message, first
    /// switching the project's checkout to a new branch `branch` (from where it is) when
    /// given. Returns the new commit, or `nil` when no pin moved. Journaled: a killed commit
    /// leaves no lock behind for the next run.
    public static func commit(
        _ report: RollReport, in workspace: Workspace, branch: String? = nil
    ) throws(WorkspaceError) -> String? {
        guard !report.moved.isEmpty else { return nil }
        let directory = workspace.projectDirectory
        guard Git(directory).isRepository else {
            throw .repositoryState(repo: workspace.project.name, "is not a git checkout; --commit needs one")
        }
        if let branch, let problem = PinValidation.validateRevision(branch) { throw .refused("--branch: \(problem)") }
        let journal = WorkspaceJournal(layout: workspace.layout)
        let entry = JournalEntry(operation: .plain, repository: workspace.project.path)
        return try journal.performing(entry, in: directory) { (git) throws(WorkspaceError) -> String? in
            if let branch { try git.run(["checkout", "--quiet", "-B", branch]) }
            let file = WorkspaceLayout.pinFileName
            try git.run(["add", "--", file])
            try git.run(["commit", "--quiet", "--no-verify", "-m", report.commitMessage, "--", file])
            return try git.head()
        }
    }
}
