/// The commits a roll moves a pin across, and the commit message describing them.
public struct RollRange: Sendable, Equatable {
    /// One commit in the range.
    public struct Entry: Sendable, Equatable {
        public var commit: String
        public var subject: String
    }

    public var dependency: String
    public var from: String
    public var to: String
    /// The tag the new pin came from, if any.
    public var tag: String?
    /// Commits in `from..to`, newest first.
    public var commits: [Entry]

    /// Reads the range from the dependency's clone.
    static func read(dependency: String, from: String, to: String, tag: String?, git: Git) throws(WorkspaceError) -> RollRange {
        let log = try git.run(["log", "--format=%H%x09%s", "\(from)..\(to)"])
        let entries = log.split(separator: "\n").map { line -> Entry in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            return Entry(commit: String(parts[0]), subject: parts.count > 1 ? String(parts[1]) : "")
        }
        return RollRange(dependency: dependency, from: from, to: to, tag: tag, commits: entries)
    }

    /// A commit message for the pin change: a summary line, then the rolled commits.
    public var commitMessage: String {
        let target = String(to.prefix(12)) + (tag.map { " (\($0))" } ?? "")
        var lines = [
            "Roll \(dependency) from \(from.prefix(12)) to \(target)", "",
            "\(commits.count) commit\(commits.count == 1 ? "" : "s") in \(dependency) \(from.prefix(12))..\(to.prefix(12)):",
        ]
        let shown = commits.prefix(50)
        lines.append(contentsOf: shown.map { "  \($0.commit.prefix(12)) \($0.subject)" })
        if commits.count > shown.count { lines.append("  ... and \(commits.count - shown.count) more") }
        return lines.joined(separator: "\n") + "\n"
    }
}
