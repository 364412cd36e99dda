import Foundation

/// Options of `nvgpu workspace roll`.
public struct RollOptions: Sendable {
    /// A check a branch commit must pass to count as green (run before the project's check).
    public var candidateCheck: String?
    /// Only report what would roll.
    public var dryRun = false
    /// Find the newest candidate that passes by bisection over the candidates (oldest to
    /// newest, assuming they pass up to some point and fail after it) instead of trying them
    /// newest first: log2(n) checks instead of up to n.
    public var bisect = false
    /// Receives progress lines and the checks' output.
    public var output: (@Sendable (String) -> Void)?

    public init() {}
}

/// One check run on a candidate.
public struct CheckRecord: Sendable, Equatable {
    /// Which check: `--check` (`candidate`) or the pin file's `check` (`project`).
    public enum Kind: String, Sendable { case candidate, project }
    public var kind: Kind
    public var status: Int32
    public var passed: Bool { status == 0 }
}

/// A candidate a roll looked at, and the checks it ran there.
public struct RollAttempt: Sendable, Equatable {
    public var commit: String
    public var tag: String?
    public var checks: [CheckRecord] = []
    /// Why it was not taken without running a check (a conflict), if so.
    public var refused: String?
}

/// What rolling one dependency did.
public struct RollResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The pin moved and the pin file was written.
        case rolled
        /// `--dry-run`: the pin would move.
        case wouldRoll
        /// Nothing newer and green than the pin.
        case upToDate
        /// The project's check failed at the new point; the pin is unchanged.
        case checkFailed(status: Int32, tail: [String])
        /// The new point's own pins disagree with the project's; the pin is unchanged.
        case conflict(String)
        /// Not attempted because something it depends on did not roll green.
        case blocked(String)
    }

    public var dependency: String
    public var outcome: Outcome
    /// The range moved across (or that would be), when there is a new point.
    public var range: RollRange?
    /// Dependents rolled together with this one, so that their pins on it agree (item 3 of
    /// issue 15): each one's range.
    public var companions: [RollRange] = []
    /// The candidates looked at, newest first (in search order with `--bisect`).
    public var attempts: [RollAttempt] = []
    /// For a dependency rolled as another's companion: that dependency.
    public var rolledWith: String?

    public init(
        dependency: String, outcome: Outcome, range: RollRange? = nil, companions: [RollRange] = [],
        attempts: [RollAttempt] = [], rolledWith: String? = nil
    ) {
        self.dependency = dependency
        self.outcome = outcome
        self.range = range
        self.companions = companions
        self.attempts = attempts
        self.rolledWith = rolledWith
    }

    /// Whether the pin moved (or would, in a dry run).
    public var moved: Bool { outcome == .rolled || outcome == .wouldRoll }
}

/// The autoroller: finds a dependency's next green point after its pin, moves the pin,
/// runs the project's check and keeps the new pin only if the check passes.
public struct Roller: Sendable {
    /// The workspace; its `pins` follow the rolls made.
    public private(set) var workspace: Workspace
    public var options: RollOptions
    /// What was finished or undone of runs killed earlier (see `WorkspaceJournal`).
    public private(set) var recovered: [String] = []
    private var journalRecovered = false

    public init(workspace: Workspace, options: RollOptions = RollOptions()) {
        self.workspace = workspace
        self.options = options
    }

    func say(_ line: String) { options.output?(line) }

    var journal: WorkspaceJournal { WorkspaceJournal(layout: workspace.layout) }

    /// Recovers the journal once per roller.
    private mutating func recoverJournal() throws(WorkspaceError) {
        guard !journalRecovered else { return }
        journalRecovered = true
        recovered = try journal.recover()
        for note in recovered { say("recovered: \(note)") }
    }

    /// Rolls every tracked dependency, each after everything it depends on; a dependency
    /// is not rolled when one it depends on failed to roll.
    public mutating func rollAll() throws(WorkspaceError) -> [RollResult] {
        try recoverJournal()
        let graph = try workspace.graph()
        let direct = Set(workspace.pins.dependencies.filter { $0.track != nil }.map(\.name))
        var failed: Set<String> = []
        var results: [RollResult] = []
        var companionResults: [String: RollResult] = [:]
        for name in try graph.dependencyOrder() where direct.contains(name) {
            let blockers = transitiveDependencies(of: name, in: graph).intersection(failed)
            if !blockers.isEmpty {
                failed.insert(name)
                let list = blockers.sorted().joined(separator: ", ")
                results.append(RollResult(dependency: name, outcome: .blocked("depends on \(list), which did not roll green"), range: nil))
                continue
            }
            var result = try roll(name)
            if let earlier = companionResults[name] {
                result = try merged(earlier, then: result)
            }
            for companion in result.companions {
                companionResults[companion.dependency] = RollResult(
                    dependency: companion.dependency, outcome: result.outcome, range: companion, rolledWith: name)
            }
            switch result.outcome {
            case .checkFailed, .conflict, .blocked: failed.insert(name)
            case .rolled, .wouldRoll, .upToDate: break
            }
            results.append(result)
        }
        return results
    }

    private func transitiveDependencies(of name: String, in graph: DependencyGraph) -> Set<String> {
        var seen: Set<String> = []
        var stack = graph.repositories[name]?.dependencies ?? []
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack.append(contentsOf: graph.repositories[next]?.dependencies ?? []) }
        }
        return seen
    }

    /// One record for a dependency rolled as a companion and then rolled (or not) on its own.
    private func merged(_ earlier: RollResult, then own: RollResult) throws(WorkspaceError) -> RollResult {
        guard own.moved, let first = earlier.range, let last = own.range,
            let pin = workspace.pins.dependency(named: own.dependency)
        else {
            var result = earlier
            result.attempts += own.attempts
            return result
        }
        let git = Git(try workspace.directory(of: pin))
        var result = own
        result.range = try RollRange.read(dependency: own.dependency, from: first.from, to: last.to, tag: last.tag, git: git)
        result.rolledWith = earlier.rolledWith
        return result
    }

    /// Rolls dependency `name` to its next green point.
    public mutating func roll(_ name: String) throws(WorkspaceError) -> RollResult {
        try recoverJournal()
        guard let pin = workspace.pins.dependency(named: name) else { throw .unknownDependency(name) }
        guard let track = pin.track else {
            throw .refused("\(name) has no \"track\" rule in \(workspace.pinFileURL.path); nothing to roll to")
        }
        let directory = try workspace.directory(of: pin)
        let git = try Self.prepareClone(pin, directory: directory)
        guard let from = try git.resolvePinned(pin.revision) else {
            throw .repositoryState(repo: name, "pinned revision \(pin.revision) is not in the clone")
        }
        let original = try RepositoryInspection.inspect(directory, pinned: pin.revision)
        let entry = JournalEntry(
            operation: .candidateCheckout, repository: pin.path, target: original.head, branch: original.branch)
        var roller = self
        let result = try journal.performing(entry, in: directory) { (git) throws(WorkspaceError) -> RollResult in
            try roller.rollCandidates(pin, track: track, from: from, original: original, git: git)
        }
        self = roller
        return result
    }

    /// The candidate search of `roll`, with the clone journaled.
    private mutating func rollCandidates(
        _ pin: Dependency, track: TrackingRule, from: String, original: RepositoryInspection, git: Git
    ) throws(WorkspaceError) -> RollResult {
        let name = pin.name
        say("\(name): pinned at \(from.prefix(12)); looking for the next green point (\(track))")
        var attempts: [RollAttempt] = []
        var candidates = try self.candidates(pin, track: track, after: from, git: git)
        if options.bisect, !options.dryRun, workspace.pins.check != nil || options.candidateCheck != nil, candidates.count > 1 {
            candidates = try bisected(candidates, pin: pin, git: git, attempts: &attempts)
        }
        // Newest first: the first candidate that passes `--check` and the project's check wins;
        // one failing the project's check sends us to the next older one.
        var firstFailure: RollResult?
        for (target, tag) in candidates {
            let range = try RollRange.read(dependency: name, from: from, to: target, tag: tag, git: git)
            var attempt = RollAttempt(commit: target, tag: tag)
            if let check = options.candidateCheck {
                try checkOut(target, pin: pin, git: git)
                say("\(name): checking \(target.prefix(12))\(tag.map { " (\($0))" } ?? "") with --check")
                let outcome = try CheckCommand(check).run(in: workspace, dependency: pin, commit: target, output: options.output)
                attempt.checks.append(CheckRecord(kind: .candidate, status: outcome.status))
                guard outcome.passed else {
                    attempts.append(attempt)
                    continue
                }
            }
            // Nothing is written (or checked) before the whole set of new pins is known to agree.
            let plan: CompanionPlan
            do {
                plan = try companions(rolling: pin, to: target)
            } catch {
                guard case .inconsistentGraph(let conflict) = error else { throw error }
                say("\(name): \(conflict); trying an older candidate")
                attempt.refused = conflict
                attempts.append(attempt)
                firstFailure = firstFailure ?? RollResult(dependency: name, outcome: .conflict(conflict), range: range)
                continue
            }
            if options.dryRun {
                try restore(original, git: git)
                try workspace.pins.setRevision(target, of: name)  // later dry-run rolls see this one
                for companion in plan.moves { try workspace.pins.setRevision(companion.range.to, of: companion.pin.name) }
                attempts.append(attempt)
                return RollResult(
                    dependency: name, outcome: .wouldRoll, range: range, companions: plan.moves.map(\.range), attempts: attempts)
            }
            try checkOut(target, pin: pin, git: git)
            try plan.checkOut(roller: self)
            if let check = workspace.pins.check {
                say("\(name): running the project check at \(target.prefix(12)): \(check)")
                let outcome = try CheckCommand(check).run(in: workspace, dependency: pin, commit: target, output: options.output)
                attempt.checks.append(CheckRecord(kind: .project, status: outcome.status))
                guard outcome.passed else {
                    try plan.restore(roller: self)
                    attempts.append(attempt)
                    say("\(name): check failed at \(target.prefix(12)) (exit \(outcome.status)); trying an older candidate")
                    firstFailure = firstFailure
                        ?? RollResult(dependency: name, outcome: .checkFailed(status: outcome.status, tail: outcome.tail), range: range)
                    continue
                }
            } else if options.candidateCheck == nil {
                say("\(name): no check command (pin file \"check\" or --check); rolling unchecked")
            }
            var pins = workspace.pins
            try pins.setRevision(target, of: name)
            for companion in plan.moves { try pins.setRevision(companion.range.to, of: companion.pin.name) }
            try pins.writePreservingLayout(to: workspace.pinFileURL)
            workspace.pins = pins
            plan.finish(roller: self)
            say("\(name): rolled to \(target.prefix(12))")
            for companion in plan.moves {
                say("\(companion.pin.name): rolled to \(companion.range.to.prefix(12)) together with \(name)")
            }
            attempts.append(attempt)
            return RollResult(
                dependency: name, outcome: .rolled, range: range, companions: plan.moves.map(\.range), attempts: attempts)
        }
        try restore(original, git: git)
        if var firstFailure {
            say("\(name): no candidate passed (or agreed with the other pins); pin left at \(from.prefix(12))")
            firstFailure.attempts = attempts
            return firstFailure
        }
        say("\(name): up to date")
        return RollResult(dependency: name, outcome: .upToDate, range: nil, attempts: attempts)
    }

    /// A clone that is safe to move around: present, clean, no local-only commits; fetched.
    static func prepareClone(_ pin: Dependency, directory: URL) throws(WorkspaceError) -> Git {
        let inspection = try RepositoryInspection.inspect(directory, pinned: pin.revision)
        guard inspection.isRepository else {
            throw .repositoryState(repo: pin.name, "not cloned at \(pin.path); run `nvgpu workspace sync` first")
        }
        var problems: [String] = []
        if inspection.isDirty { problems.append("uncommitted changes in \(inspection.trackedChanges.count) file(s)") }
        if inspection.localOnlyCommits > 0 {
            problems.append("\(inspection.localOnlyCommits) local commit(s) not on any remote, tag or the pin")
        }
        if let operation = inspection.operationInProgress { problems.append("a \(operation) in progress") }
        guard problems.isEmpty else {
            throw .repositoryState(repo: pin.name, "has " + problems.joined(separator: ", ") + "; it is left as it is")
        }
        let git = Git(directory)
        let shallow = try git.run(["rev-parse", "--is-shallow-repository"]).hasPrefix("true")
        try git.run(["fetch", "--quiet", "--prune", "--tags"] + (shallow ? ["--unshallow"] : []) + ["origin"])
        return git
    }

    /// `--bisect`: the newest candidate that passes every check, found by binary search over
    /// `candidates` (newest first), followed by the newest one (so a failure still reports the
    /// newest candidate's check output); the caller's loop then checks the chosen one again
    /// and pins it. Only the newest is left when none passes.
    private func bisected(
        _ candidates: [(commit: String, tag: String?)], pin: Dependency, git: Git, attempts: inout [RollAttempt]
    ) throws(WorkspaceError) -> [(commit: String, tag: String?)] {
        let ordered = Array(candidates.reversed())  // oldest first
        func passes(_ index: Int) throws(WorkspaceError) -> Bool {
            let commit = ordered[index].commit
            try checkOut(commit, pin: pin, git: git)
            var attempt = RollAttempt(commit: commit, tag: ordered[index].tag)
            defer { attempts.append(attempt) }
            let checks: [(CheckRecord.Kind, String?)] = [(.candidate, options.candidateCheck), (.project, workspace.pins.check)]
            for case let (kind, check?) in checks {
                let outcome = try CheckCommand(check).run(in: workspace, dependency: pin, commit: commit, output: options.output)
                attempt.checks.append(CheckRecord(kind: kind, status: outcome.status))
                guard outcome.passed else {
                    say("\(pin.name): bisect: \(commit.prefix(12)) fails")
                    return false
                }
            }
            say("\(pin.name): bisect: \(commit.prefix(12)) passes")
            return true
        }
        let newest = ordered.count - 1
        if try passes(newest) { return [ordered[newest]] }
        // Invariant: ordered[low] passes (-1 stands for the pin), ordered[high] fails.
        var low = -1
        var high = newest
        while high - low > 1 {
            let middle = (low + high) / 2
            if try passes(middle) { low = middle } else { high = middle }
        }
        return low >= 0 ? [ordered[low]] : [ordered[newest]]
    }

    /// The points `pin` could roll to, newest first: tags matching the rule that descend
    /// from the pin, or the commits of the tracked branch after it.
    func candidates(
        _ pin: Dependency, track: TrackingRule, after from: String, git: Git
    ) throws(WorkspaceError) -> [(commit: String, tag: String?)] {
        switch track {
        case .tags(let pattern):
            var found: [(commit: String, tag: String?)] = []
            for tag in try git.lines(["tag", "--list", "--sort=-version:refname", pattern]) {
                guard let commit = try git.resolveCommit("refs/tags/\(tag)"), commit != from,
                      !found.contains(where: { $0.commit == commit }), try git.isAncestor(from, of: commit) else { continue }
                found.append((commit, tag))
            }
            return found
        case .branch(let branch):
            return try git.commits(from: from, to: "refs/remotes/origin/\(branch)").reversed().map { ($0, nil) }
        }
    }

    /// A description of how `pin` at `commit` pins something differently from the project, if it does.
    func conflictWithProject(_ pin: Dependency, at commit: String) throws(WorkspaceError) -> String? {
        guard let theirs = try workspace.pinsOf(pin, at: commit) else { return nil }
        for dependency in theirs.dependencies {
            guard let ours = workspace.pins.dependency(named: dependency.name) else { continue }
            if ours.revision != dependency.revision && !workspace.sameCommit(ours, ours.revision, dependency.revision) {
                return "\(pin.name) at \(commit.prefix(12)) pins \(dependency.name) at \(dependency.revision.prefix(12)), "
                    + "but \(workspace.project.name) pins it at \(ours.revision.prefix(12)); roll \(dependency.name) first"
            }
        }
        return nil
    }

    func checkOut(_ commit: String, pin: Dependency, git: Git) throws(WorkspaceError) {
        try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit])
        if pin.submodules {
            let settings = pin.url.hasPrefix("file://") ? ["-c", "protocol.file.allow=always"] : []
            try git.run(settings + ["submodule", "update", "--init", "--recursive", "--quiet"])
        }
    }

    func restore(_ inspection: RepositoryInspection, git: Git) throws(WorkspaceError) {
        if let branch = inspection.branch {
            try git.run(["checkout", "--quiet", branch])
        } else if let head = inspection.head, try git.head() != head {
            try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", head])
        }
    }
}
