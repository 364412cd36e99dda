import Foundation

/// What a bisection found.
public struct BisectResult: Sendable, Equatable {
    /// The first commit (following first parents) at which the check fails, or `nil` when
    /// the end of the range passes.
    public var firstBad: RollRange.Entry?
    /// The last commit that passed (the pin when the first commit fails).
    public var lastGood: String
    /// How many times the check ran.
    public var checksRun: Int
    /// How many commits were in the range.
    public var rangeSize: Int
}

/// Finds the first commit in `pin..to` at which a check fails, by binary search over the
/// dependency's first-parent history (the pin is taken as good). The clone is returned to
/// where it was afterwards; git's own bisect state is not used.
public struct Bisector: Sendable {
    public let workspace: Workspace
    public let check: CheckCommand
    public var output: (@Sendable (String) -> Void)?

    public init(workspace: Workspace, check: CheckCommand, output: (@Sendable (String) -> Void)? = nil) {
        self.workspace = workspace
        self.check = check
        self.output = output
    }

    /// Bisects dependency `name` between its pin and `end` (default: the tip of its tracked
    /// branch, or the newest matching tag, or `origin/HEAD`).
    public func bisect(_ name: String, to end: String? = nil) throws(WorkspaceError) -> BisectResult {
        let journal = WorkspaceJournal(layout: workspace.layout)
        for note in try journal.recover() { output?("recovered: \(note)") }
        guard let pin = workspace.pins.dependency(named: name) else { throw .unknownDependency(name) }
        if let end, let problem = PinValidation.validateRevision(end) { throw .refused(problem) }
        let directory = try workspace.directory(of: pin)
        let original = try RepositoryInspection.inspect(directory, pinned: pin.revision)
        let entry = JournalEntry(
            operation: .candidateCheckout, repository: pin.path, target: original.head, branch: original.branch)
        _ = try Roller.prepareClone(pin, directory: directory)
        return try journal.performing(entry, in: directory) { (git) throws(WorkspaceError) -> BisectResult in
            try search(pin, end: end, original: original, git: git)
        }
    }

    private func search(
        _ pin: Dependency, end: String?, original: RepositoryInspection, git: Git
    ) throws(WorkspaceError) -> BisectResult {
        let name = pin.name
        guard let good = try git.resolvePinned(pin.revision) else {
            throw .repositoryState(repo: name, "pinned revision \(pin.revision) is not in the clone")
        }
        var endRevision = end ?? ""
        if end == nil { endRevision = try defaultEnd(pin, git: git) }
        guard let bad = try git.resolveCommit(endRevision) else {
            throw .repositoryState(repo: name, "revision \(endRevision) is not in the clone")
        }
        let commits = try git.commits(from: good, to: bad)
        guard !commits.isEmpty else {
            throw .repositoryState(repo: name, "\(endRevision) is not after the pin \(good.prefix(12)); nothing to bisect")
        }
        output?("\(name): bisecting \(commits.count) commit(s) \(good.prefix(12))..\(bad.prefix(12))")
        var checksRun = 0
        func passes(_ commit: String) throws(WorkspaceError) -> Bool {
            try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit])
            checksRun += 1
            let outcome = try check.run(in: workspace, dependency: pin, commit: commit, output: output)
            output?("\(name): \(commit.prefix(12)) \(outcome.passed ? "passes" : "fails (exit \(outcome.status))")")
            return outcome.passed
        }
        defer { try? restore(original, git: git) }
        if let last = commits.last, try passes(last) {
            return BisectResult(firstBad: nil, lastGood: last, checksRun: checksRun, rangeSize: commits.count)
        }
        // The search assumes the pin passes; a pin that already fails would blame the wrong commit.
        guard try passes(good) else {
            throw .refused("\(name): the check already fails at the pin \(good.prefix(12)); bisecting from it would name "
                           + "the wrong commit (fix the check or pin a commit where it passes)")
        }
        // Invariant: commits[low] passes (low == -1 stands for the pin), commits[high] fails.
        var low = -1
        var high = commits.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if try passes(commits[middle]) { low = middle } else { high = middle }
        }
        let firstBad = RollRange.Entry(commit: commits[high], subject: try git.subject(of: commits[high]))
        return BisectResult(
            firstBad: firstBad, lastGood: low < 0 ? good : commits[low], checksRun: checksRun, rangeSize: commits.count)
    }

    private func defaultEnd(_ pin: Dependency, git: Git) throws(WorkspaceError) -> String {
        switch pin.track {
        case .branch(let branch):
            return "refs/remotes/origin/\(branch)"
        case .tags(let pattern):
            guard let newest = try git.lines(["tag", "--list", "--sort=-version:refname", pattern]).first else {
                throw .repositoryState(repo: pin.name, "no tag matches \(pattern); pass --to REV")
            }
            return "refs/tags/\(newest)"
        case nil:
            return "refs/remotes/origin/HEAD"
        }
    }

    private func restore(_ inspection: RepositoryInspection, git: Git) throws(WorkspaceError) {
        if let branch = inspection.branch {
            try git.run(["checkout", "--quiet", branch])
        } else if let head = inspection.head {
            try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", head])
        }
    }
}
