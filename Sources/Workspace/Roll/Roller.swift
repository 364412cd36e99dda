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
}

/// The autoroller: finds a dependency's next green point after its pin, moves the pin,
/// runs the project's check and keeps the new pin only if the check passes.
public struct Roller: Sendable {
    /// The workspace; its `pins` follow the rolls made.
    public private(set) var workspace: Workspace
    public var options: RollOptions

    public init(workspace: Workspace, options: RollOptions = RollOptions()) {
        self.workspace = workspace
        self.options = options
    }

    private func say(_ line: String) { options.output?(line) }

    /// Rolls every tracked dependency, each after everything it depends on; a dependency
    /// is not rolled when one it depends on failed to roll.
    public mutating func rollAll() throws(WorkspaceError) -> [RollResult] {
        let graph = try workspace.graph()
        let direct = Set(workspace.pins.dependencies.filter { $0.track != nil }.map(\.name))
        var failed: Set<String> = []
        var results: [RollResult] = []
        for name in try graph.dependencyOrder() where direct.contains(name) {
            let blockers = transitiveDependencies(of: name, in: graph).intersection(failed)
            if !blockers.isEmpty {
                failed.insert(name)
                let list = blockers.sorted().joined(separator: ", ")
                results.append(RollResult(dependency: name, outcome: .blocked("depends on \(list), which did not roll green"), range: nil))
                continue
            }
            let result = try roll(name)
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

    /// Rolls dependency `name` to its next green point.
    public mutating func roll(_ name: String) throws(WorkspaceError) -> RollResult {
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
        say("\(name): pinned at \(from.prefix(12)); looking for the next green point (\(track))")
        var candidates = try self.candidates(pin, track: track, after: from, git: git)
        if options.bisect, !options.dryRun, workspace.pins.check != nil || options.candidateCheck != nil, candidates.count > 1 {
            candidates = try bisected(candidates, pin: pin, git: git)
        }
        // Newest first: the first candidate that passes `--check` and the project's check wins;
        // one failing the project's check sends us to the next older one.
        var firstFailure: RollResult?
        for (target, tag) in candidates {
            let range = try RollRange.read(dependency: name, from: from, to: target, tag: tag, git: git)
            if let check = options.candidateCheck {
                try checkOut(target, pin: pin, git: git)
                say("\(name): checking \(target.prefix(12))\(tag.map { " (\($0))" } ?? "") with --check")
                let outcome = try CheckCommand(check).run(in: workspace, dependency: pin, commit: target, output: options.output)
                guard outcome.passed else { continue }
            }
            if let conflict = try conflictWithProject(pin, at: target) {
                try restore(original, git: git)
                say("\(name): \(conflict)")
                return RollResult(dependency: name, outcome: .conflict(conflict), range: range)
            }
            if options.dryRun {
                try restore(original, git: git)
                try workspace.pins.setRevision(target, of: name)  // later dry-run rolls see this one
                return RollResult(dependency: name, outcome: .wouldRoll, range: range)
            }
            try checkOut(target, pin: pin, git: git)
            if let check = workspace.pins.check {
                say("\(name): running the project check at \(target.prefix(12)): \(check)")
                let outcome = try CheckCommand(check).run(in: workspace, dependency: pin, commit: target, output: options.output)
                guard outcome.passed else {
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
            try pins.write(to: workspace.pinFileURL)
            workspace.pins = pins
            say("\(name): rolled to \(target.prefix(12))")
            return RollResult(dependency: name, outcome: .rolled, range: range)
        }
        try restore(original, git: git)
        if let firstFailure {
            say("\(name): no candidate passed the check; pin left at \(from.prefix(12))")
            return firstFailure
        }
        say("\(name): up to date")
        return RollResult(dependency: name, outcome: .upToDate, range: nil)
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
        _ candidates: [(commit: String, tag: String?)], pin: Dependency, git: Git
    ) throws(WorkspaceError) -> [(commit: String, tag: String?)] {
        let ordered = Array(candidates.reversed())  // oldest first
        func passes(_ index: Int) throws(WorkspaceError) -> Bool {
            let commit = ordered[index].commit
            try checkOut(commit, pin: pin, git: git)
            for check in [options.candidateCheck, workspace.pins.check].compactMap({ $0 }) {
                let outcome = try CheckCommand(check).run(in: workspace, dependency: pin, commit: commit, output: options.output)
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
    private func candidates(
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
    private func conflictWithProject(_ pin: Dependency, at commit: String) throws(WorkspaceError) -> String? {
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

    private func checkOut(_ commit: String, pin: Dependency, git: Git) throws(WorkspaceError) {
        try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit])
        if pin.submodules {
            let settings = pin.url.hasPrefix("file://") ? ["-c", "protocol.file.allow=always"] : []
            try git.run(settings + ["submodule", "update", "--init", "--recursive", "--quiet"])
        }
    }

    private func restore(_ inspection: RepositoryInspection, git: Git) throws(WorkspaceError) {
        if let branch = inspection.branch {
            try git.run(["checkout", "--quiet", branch])
        } else if let head = inspection.head, try git.head() != head {
            try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", head])
        }
    }
}
