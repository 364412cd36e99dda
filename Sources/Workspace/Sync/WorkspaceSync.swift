import Foundation

/// Brings a workspace to its pins: clones what is missing and fetches the rest (in
/// parallel), then checks out each pinned commit detached, following dependencies' own
/// pin files transitively. Nothing is ever lost: a checkout with uncommitted work,
/// untracked files in the way or local-only commits is left alone and reported, unless
/// `force` is set, in which case the work is stashed (or kept on a backup branch) first.
public struct WorkspaceSync: Sendable {
    /// The workspace being synced.
    public let workspace: Workspace
    /// How to sync.
    public let options: SyncOptions

    public init(workspace: Workspace, options: SyncOptions = SyncOptions()) {
        self.workspace = workspace
        self.options = options
    }

    /// What the network step did to one repository.
    private struct NetworkResult: Sendable {
        var cloned = false
        var target: String?
        var failure: RepositorySyncResult.Outcome?
        var notes: [String] = []
    }

    /// Runs the sync. Throws only for problems that stop everything (a bad pin file, an
    /// interruption); per-repository problems are in the report.
    public func run() throws(WorkspaceError) -> SyncReport {
        let recovered = try journal.recover()
        let scratch = workspace.layout.root.appendingPathComponent(WorkspaceLayout.scratchDirectoryName)
        try? FileManager.default.removeItem(at: scratch)
        var network: [String: NetworkResult] = [:]
        var graph = try workspace.graph()
        let stop = StopFlag()
        while true {
            let conflicted = graph.conflictedNames
            let pending = graph.repositories.values.map(\.pin)
                .filter { network[$0.name] == nil && !options.excluded.contains($0.name) && !conflicted.contains($0.name) }
                .sorted { $0.name < $1.name }
            if pending.isEmpty { break }
            let results = ParallelWork.map(pending, jobs: options.jobs) { pin in
                (pin.name, self.networkStep(pin, stop: stop))
            }
            if let reason = stop.reason { throw reason }
            for (name, result) in results { network[name] = result }
            graph = try workspace.graph()
        }
        try? FileManager.default.removeItem(at: scratch)
        let order = try graph.dependencyOrder()
        let conflicted = graph.conflictedNames
        let pins = order.compactMap { graph.repositories[$0]?.pin }
        let fetchedResults = network
        let results = ParallelWork.map(pins, jobs: options.jobs) { pin -> RepositorySyncResult in
            var result = RepositorySyncResult(name: pin.name, path: pin.path, outcome: .excluded)
            if options.excluded.contains(pin.name) { return result }
            if conflicted.contains(pin.name) {
                result.outcome = .skipped("conflicting pins (see below); left as it is")
                return result
            }
            let fetched = fetchedResults[pin.name] ?? NetworkResult()
            result.cloned = fetched.cloned
            result.notes = fetched.notes
            if let failure = fetched.failure {
                result.outcome = failure
                return result
            }
            if stop.reason != nil {
                result.outcome = .skipped("sync interrupted")
                return result
            }
            self.checkoutStep(pin, target: fetched.target, into: &result, stop: stop)
            return result
        }
        if let reason = stop.reason { throw reason }
        return SyncReport(results: results, conflicts: graph.conflicts, recovered: recovered)
    }

    private func report(_ event: SyncEvent) { options.progress?(event) }

    private var journal: WorkspaceJournal { WorkspaceJournal(layout: workspace.layout) }

    /// `--progress` for clones and fetches when someone is watching (git prints none to a pipe otherwise).
    private var progressArguments: [String] { options.progress == nil ? ["--quiet"] : ["--progress"] }

    /// Turns git's transfer progress on standard error into `.transfer` events.
    private func transferWatcher(_ repo: String) -> TransferProgress? {
        guard let progress = options.progress else { return nil }
        return TransferProgress { line in progress(.transfer(repo: repo, line: line)) }
    }

    private func checkpoint(_ point: SyncCheckpoint, stop: StopFlag) throws(WorkspaceError) {
        do {
            try options.checkpoint?(point)
        } catch {
            stop.stop(error)
            throw error
        }
    }

    private var depthArguments: [String] { options.depth.map { ["--depth", String($0)] } ?? [] }

    // MARK: Clone or fetch

    private func networkStep(_ pin: Dependency, stop: StopFlag) -> NetworkResult {
        var result = NetworkResult()
        if stop.reason != nil {
            result.failure = .skipped("sync interrupted")
            return result
        }
        do {
            let directory = try workspace.directory(of: pin)
            let inspection = try RepositoryInspection.inspect(directory)
            if inspection.isRepository {
                report(.started(repo: pin.name, phase: "fetch"))
                let watcher = transferWatcher(pin.name)
                var onError: (@Sendable (String) -> Void)?
                if let watcher { onError = { watcher.take($0) } }
                var fetched = result
                try journal.performing(
                    JournalEntry(operation: .plain, repository: pin.path), in: directory, standardError: onError
                ) { (git) throws(WorkspaceError) in try fetch(pin, git: git, into: &fetched) }
                result = fetched
                report(.finished(repo: pin.name, phase: "fetch", detail: "fetched" + (watcher?.summary ?? "")))
                try checkpoint(.fetched(pin.name), stop: stop)
            } else if inspection.isOccupied {
                result.failure = .skipped("\(pin.path) exists and is not a git repository; left as it is")
            } else {
                report(.started(repo: pin.name, phase: "clone"))
                let watcher = transferWatcher(pin.name)
                try clone(pin, into: directory, result: &result, stop: stop, watcher: watcher)
                report(.finished(repo: pin.name, phase: "clone", detail: "cloned" + (watcher?.summary ?? "")))
                try checkpoint(.fetched(pin.name), stop: stop)
            }
        } catch {
            if case .interrupted = error { return result }
            result.failure = .failed(error.description)
            report(.finished(repo: pin.name, phase: "fetch", detail: "failed"))
        }
        return result
    }

    private func clone(
        _ pin: Dependency, into directory: URL, result: inout NetworkResult, stop: StopFlag, watcher: TransferProgress?
    ) throws(WorkspaceError) {
        let root = workspace.layout.root
        let scratchRoot = root.appendingPathComponent(WorkspaceLayout.scratchDirectoryName)
        let scratch = scratchRoot.appendingPathComponent(pin.name)
        do {
            try? FileManager.default.removeItem(at: scratch)
            try FileManager.default.createDirectory(at: scratchRoot, withIntermediateDirectories: true)
        } catch {
            throw .refused("cannot create \(scratchRoot.path): \(error.localizedDescription)")
        }
        let observer = watcher.map { watcher in ProcessObserver(standardError: { watcher.take($0) }) }
        try Git(root).observed(by: observer).run(
            ["clone", "--no-checkout"] + progressArguments + depthArguments + ["--", pin.url, scratch.path])
        let git = Git(scratch)
        let target = try ensureCommit(pin, git: git, shallow: options.depth != nil)
        try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", target])
        result.cloned = true
        result.target = target
        try checkpoint(.clonedToScratch(pin.name), stop: stop)
        do {
            try FileManager.default.createDirectory(
                at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
            if FileManager.default.fileExists(atPath: directory.path) {
                try FileManager.default.removeItem(at: directory)  // an empty directory (checked by the caller)
            }
            try FileManager.default.moveItem(at: scratch, to: directory)
        } catch {
            throw .refused("cannot move the clone of \(pin.name) into \(directory.path): \(error.localizedDescription)")
        }
    }

    private func fetch(_ pin: Dependency, git: Git, into result: inout NetworkResult) throws(WorkspaceError) {
        let remotes = try git.lines(["remote"])
        if !remotes.contains("origin") {
            try git.run(["remote", "add", "origin", pin.url])
            result.notes.append("added remote origin \(pin.url)")
        } else {
            let origin = try git.run(["remote", "get-url", "origin"]).trimmingCharacters(in: .whitespacesAndNewlines)
            if origin != pin.url {
                result.notes.append("origin is \(origin), the pin names \(pin.url); fetched from origin")
            }
        }
        let shallow = try git.run(["rev-parse", "--is-shallow-repository"]).hasPrefix("true")
        let depth = shallow ? ["--depth", String(options.depth ?? 1)] : []
        let known = try git.resolvePinned(pin.revision) != nil
        if options.fetchExisting || !known {
            try git.run(["fetch"] + progressArguments + ["--prune", "--tags"] + depth + ["origin"])
        }
        result.target = try ensureCommit(pin, git: git, shallow: shallow)
    }

    /// The pinned commit, fetching it by name when the normal fetch did not bring it.
    private func ensureCommit(_ pin: Dependency, git: Git, shallow: Bool) throws(WorkspaceError) -> String {
        if let commit = try git.resolvePinned(pin.revision) { return commit }
        let depth = shallow ? ["--depth", String(options.depth ?? 1)] : []
        let output = try git.attempt(["fetch", "--quiet"] + depth + ["origin", pin.revision])
        if output.status == 0, let commit = try git.resolveCommit("FETCH_HEAD") { return commit }
        let reason = Git.withoutProgress(output.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        throw .repositoryState(
            repo: pin.name, "revision \(pin.revision) is not in \(pin.url)" + (reason.isEmpty ? "" : " (git: \(reason))"))
    }

    // MARK: Check out

    private func checkoutStep(_ pin: Dependency, target: String?, into result: inout RepositorySyncResult, stop: StopFlag) {
        do {
            let directory = try workspace.directory(of: pin)
            let git = Git(directory)
            var resolved = target
            if resolved == nil { resolved = try git.resolvePinned(pin.revision) }
            guard let commit = resolved else {
                result.outcome = .failed("revision \(pin.revision) is not in \(pin.url)")
                return
            }
            report(.started(repo: pin.name, phase: "checkout"))
            var changed = false
            if !result.cloned {
                let inspection = try RepositoryInspection.inspect(directory, pinned: commit)
                if let operation = inspection.operationInProgress {
                    result.outcome = .skipped("a \(operation) is in progress; left as it is")
                    return
                }
                if inspection.head != commit {
                    guard try makeRoom(pin, inspection, target: commit, directory: directory, into: &result) else { return }
                    try journal.performing(
                        JournalEntry(operation: .syncCheckout, repository: pin.path, target: commit), in: directory
                    ) { (git) throws(WorkspaceError) in
                        try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit])
                    }
                    changed = true
                } else if inspection.isDirty {
                    result.notes.append("uncommitted changes on the pinned commit were left as they are")
                }
            } else {
                changed = true
            }
            if pin.submodules {
                var settings: [String] = []
                if pin.url.hasPrefix("file://") || pin.url.hasPrefix("/") { settings = ["-c", "protocol.file.allow=always"] }
                try git.run(settings + ["submodule", "update", "--init", "--recursive", "--quiet"] + depthArguments)
            }
            try RepositoryInspection.recordCheckout(commit, git: git)
            result.outcome = .synced(commit: commit, changed: changed)
            report(.finished(repo: pin.name, phase: "checkout", detail: "at \(commit.prefix(12))"))
            try checkpoint(.checkedOut(pin.name), stop: stop)
        } catch {
            if case .interrupted = error {
                result.outcome = .skipped("sync interrupted")
                return
            }
            result.outcome = .failed(error.description)
            report(.finished(repo: pin.name, phase: "checkout", detail: "failed"))
        }
    }

    /// Makes sure moving to `target` loses nothing. Returns false (with the result set to
    /// skipped) when the repository must be left alone; with `force`, stashes or backs up first.
    private func makeRoom(
        _ pin: Dependency, _ inspection: RepositoryInspection, target: String, directory: URL,
        into result: inout RepositorySyncResult
    ) throws(WorkspaceError) -> Bool {
        let inTheWay = try inspection.untrackedFiles(inTheWayOf: target, in: directory)
        var problems: [String] = []
        func sample(_ paths: [String]) -> String {
            paths.prefix(3).joined(separator: ", ") + (paths.count > 3 ? ", ..." : "")
        }
        if inspection.isDirty {
            problems.append("uncommitted changes in \(inspection.trackedChanges.count) file(s) (\(sample(inspection.trackedChanges)))")
        }
        if !inTheWay.isEmpty { problems.append("untracked files in the way (\(sample(inTheWay)))") }
        if inspection.localOnlyCommits > 0 {
            let place = inspection.branch.map { "on branch \($0)" } ?? "on a detached HEAD"
            problems.append("\(inspection.localOnlyCommits) local commit(s) not on any remote \(place)")
        }
        if problems.isEmpty { return true }
        guard options.force else {
            result.outcome = .skipped(problems.joined(separator: "; ") + "; left as it is (--force stashes and syncs)")
            return false
        }
        let git = Git(directory)
        if inspection.isDirty || !inTheWay.isEmpty {
            let message = "nvgpu workspace sync: work saved before checking out \(target.prefix(12))"
            let before = try git.resolveCommit("refs/stash")
            try journal.performing(
                JournalEntry(operation: .stash, repository: pin.path, stashBefore: before), in: directory
            ) { (git) throws(WorkspaceError) in
                try git.run(["stash", "push", "--quiet", "--include-untracked", "-m", message])
            }
            let stash = try git.run(["rev-parse", "stash@{0}"]).trimmingCharacters(in: .whitespacesAndNewlines)
            result.notes.append(
                "stashed uncommitted work as stash@{0} (\(stash.prefix(12))) in \(pin.path); `git stash pop` there restores it")
        }
        if inspection.localOnlyCommits > 0 {
            if let branch = inspection.branch {
                result.notes.append("local commits stay on branch \(branch)")
            } else if let head = inspection.head {
                let name = "nvgpu-workspace-backup-\(head.prefix(12))"
                try git.run(["branch", "--force", name, head])
                result.notes.append("local commits kept on branch \(name) in \(pin.path)")
            }
        }
        return true
    }
}
