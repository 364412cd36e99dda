import Foundation

/// A dependent rolled together with the dependency being rolled, so that its own pin on
/// that dependency agrees with the project's new pin.
struct CompanionMove {
    /// The dependent's pin in the project (before the roll).
    var pin: Dependency
    /// The range it moves across.
    var range: RollRange
    /// Its clone as it was, to put back if the project's check fails.
    var original: RepositoryInspection
    var directory: URL
}

/// The dependents a roll moves together with the rolled dependency.
struct CompanionPlan {
    var moves: [CompanionMove] = []

    /// Checks every companion out at its new point (journaled, so a killed run puts them back).
    func checkOut(roller: Roller) throws(WorkspaceError) {
        for move in moves {
            try roller.journal.record(
                JournalEntry(
                    operation: .candidateCheckout, repository: move.pin.path, target: move.original.head,
                    branch: move.original.branch))
            try roller.checkOut(move.range.to, pin: move.pin, git: Git(move.directory))
        }
    }

    /// Puts every companion back where it was.
    func restore(roller: Roller) throws(WorkspaceError) {
        for move in moves {
            try roller.restore(move.original, git: Git(move.directory))
            roller.journal.remove(move.pin.path)
        }
    }

    /// The roll was kept: the companions stay at their new points.
    func finish(roller: Roller) {
        for move in moves { roller.journal.remove(move.pin.path) }
    }
}

extension Roller {
    /// The dependents that must move with `pin` rolled to `target` so that no two pins of
    /// one repository disagree. A dependent that pins `pin` is rolled along when it is one
    /// of the project's own dependencies with a `track` rule and one of its candidates pins
    /// `pin` at `target` (and everything else as the project does); otherwise the roll is
    /// refused. Throws `.inconsistentGraph` (a refusal; nothing has been written) with the
    /// reason. Only fetches; checks nothing out.
    func companions(rolling pin: Dependency, to target: String) throws(WorkspaceError) -> CompanionPlan {
        if let conflict = try conflictWithProject(pin, at: target) { throw .inconsistentGraph(conflict) }
        let project = workspace.project.name
        let before = Set(try workspace.graph().conflicts.map(\.name))
        var planned: [String: String] = [pin.name: target]
        var plan = CompanionPlan()
        let refusal = "rolling \(pin.name) to \(target.prefix(12)) would write conflicting pins"
        for _ in 0...workspace.pins.dependencies.count {
            var pins = workspace.pins
            for (name, commit) in planned { try pins.setRevision(commit, of: name) }
            let graph = try workspace.graph(pins: pins)
            let fresh = graph.conflicts.filter { !before.contains($0.name) || planned[$0.name] != nil }
            guard let conflict = fresh.first else { return plan }
            guard planned[conflict.name] != nil else {
                throw .inconsistentGraph("\(refusal): \(conflict); nothing written")
            }
            // The project's own pin is met first (breadth-first); the other side holds the old pin.
            let holder = conflict.first.source == project ? conflict.second : conflict.first
            let heldAt = holder.pin.revision.prefix(12)
            guard let holderPin = pins.dependency(named: holder.source) else {
                throw .inconsistentGraph(
                    "\(refusal): \(holder.source) pins \(conflict.name) at \(heldAt), and \(project) does not pin "
                        + "\(holder.source) itself (it comes through another dependency); nothing written")
            }
            guard planned[holderPin.name] == nil, let track = holderPin.track else {
                throw .inconsistentGraph(
                    "\(refusal): \(holderPin.name) (at \(holderPin.revision.prefix(12))) pins \(conflict.name) at "
                        + "\(heldAt) and has no \"track\" rule to roll it with; nothing written")
            }
            let directory = try workspace.directory(of: holderPin)
            let original = try RepositoryInspection.inspect(directory, pinned: holderPin.revision)
            let git = try Self.prepareClone(holderPin, directory: directory)
            guard let from = try git.resolvePinned(holderPin.revision) else {
                throw .repositoryState(repo: holderPin.name, "pinned revision \(holderPin.revision) is not in the clone")
            }
            var found: (commit: String, tag: String?)?
            for candidate in try candidates(holderPin, track: track, after: from, git: git)
            where try agrees(holderPin, at: candidate.commit, with: pins) {
                found = candidate
                break
            }
            guard let found else {
                throw .inconsistentGraph(
                    "\(refusal): \(holderPin.name) (at \(from.prefix(12))) pins \(conflict.name) at \(heldAt), and no "
                        + "newer \(holderPin.name) on its track (\(track)) pins it at \(target.prefix(12)); nothing written")
            }
            say("\(pin.name): \(holderPin.name) pins \(conflict.name) too; rolling \(holderPin.name) to "
                + "\(found.commit.prefix(12)) with it")
            planned[holderPin.name] = found.commit
            let range = try RollRange.read(
                dependency: holderPin.name, from: from, to: found.commit, tag: found.tag, git: git)
            plan.moves.append(CompanionMove(pin: holderPin, range: range, original: original, directory: directory))
        }
        throw .inconsistentGraph("\(refusal): the dependents' pins do not settle; nothing written")
    }

    /// Whether `dependent`'s own pin file at `commit` pins everything it shares with `pins` alike.
    private func agrees(_ dependent: Dependency, at commit: String, with pins: PinFile) throws(WorkspaceError) -> Bool {
        guard let theirs = try workspace.pinsOf(dependent, at: commit) else { return false }
        for dependency in theirs.dependencies {
            guard let ours = pins.dependency(named: dependency.name) else { continue }
            if ours.revision != dependency.revision && !workspace.sameCommit(ours, ours.revision, dependency.revision) {
                return false
            }
        }
        return true
    }
}
