import Foundation

/// One of our own operations on a repository, recorded before it starts and removed when
/// it has finished, so that a run killed in the middle of it is recognised (and finished
/// or undone) by the next run instead of being mistaken for the user's work.
public struct JournalEntry: Codable, Sendable, Equatable {
    /// What we were doing.
    public enum Operation: String, Codable, Sendable {
        /// `sync` checking out `target` (resumed: the checkout is finished).
        case syncCheckout = "sync-checkout"
        /// `sync --force` stashing the user's work before a checkout (finished if the stash was made).
        case stash
        /// `roll`/`bisect` trying candidates (rolled back: the clone goes back to `branch` or `target`).
        case candidateCheckout = "candidate-checkout"
        /// A fetch, or a commit of the pin file: nothing to redo, only stale locks to clear.
        case plain
    }

    public var operation: Operation
    /// The repository's path relative to the workspace root.
    public var repository: String
    /// The commit to resume to (`syncCheckout`) or to go back to (`candidateCheckout`).
    public var target: String?
    /// The branch to go back to (`candidateCheckout` started on a branch).
    public var branch: String?
    /// The newest stash before `stash` began (nil: there was none).
    public var stashBefore: String?
    /// Our process id.
    public var owner: Int32
    /// The git process we started last for it, if any.
    public var child: Int32?

    public init(
        operation: Operation, repository: String, target: String? = nil, branch: String? = nil,
        stashBefore: String? = nil
    ) {
        self.operation = operation
        self.repository = repository
        self.target = target
        self.branch = branch
        self.stashBefore = stashBefore
        self.owner = getpid()
    }
}

/// The journal of a workspace: `<root>/.nvgpu-workspace-journal/`, one file per repository
/// with an operation of ours in progress.
public struct WorkspaceJournal: Sendable {
    /// The journal directory's name in the workspace root.
    public static let directoryName = ".nvgpu-workspace-journal"

    /// The workspace the journal belongs to.
    public let layout: WorkspaceLayout

    public init(layout: WorkspaceLayout) { self.layout = layout }

    var directory: URL { layout.root.appendingPathComponent(Self.directoryName) }

    private func file(for repository: String) -> URL {
        let name = repository.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "/", with: "%2F")
        return directory.appendingPathComponent(name + ".json")
    }

    /// The entries in the journal now (unreadable files are skipped).
    public func entries() -> [JournalEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { $0.hasSuffix(".json") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
                return nil
            }
            return try? JSONDecoder().decode(JournalEntry.self, from: data)
        }
    }

    /// Records `entry` (replacing any entry for its repository).
    public func record(_ entry: JournalEntry) throws(WorkspaceError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(entry)
            // Twice: another thread's `remove` may take the emptied directory away in between.
            for attempt in 0..<2 {
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    try data.write(to: file(for: entry.repository), options: .atomic)
                    break
                } catch where attempt == 0 {
                    continue
                }
            }
        } catch {
            throw .refused("cannot write the workspace journal in \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Removes the entry for `repository` (the operation finished).
    public func remove(_ repository: String) {
        try? FileManager.default.removeItem(at: file(for: repository))
        // Gone with the last entry: anything else left is a temporary file of a write that
        // was killed before its rename.
        if let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path),
            !names.contains(where: { $0.hasSuffix(".json") })
        {
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Runs `body` with `entry` recorded; `body` gets a `Git` for the repository whose
    /// children's process ids go into the entry (and whose standard error goes to
    /// `standardError`, when given). The entry is removed when `body` returns or fails (our
    /// own failures are reported, not left for recovery); only a killed process, or an
    /// injected interruption, leaves it behind.
    @discardableResult
    public func performing<T>(
        _ entry: JournalEntry, in directory: URL, standardError: (@Sendable (String) -> Void)? = nil,
        _ body: (Git) throws(WorkspaceError) -> T
    ) throws(WorkspaceError) -> T {
        try record(entry)
        let journal = self
        let observer = ProcessObserver(
            launched: { pid in
                var updated = entry
                updated.child = pid
                try? journal.record(updated)
            }, standardError: standardError)
        do {
            let result = try body(Git(directory).observed(by: observer))
            remove(entry.repository)
            return result
        } catch {
            if case .interrupted = error { throw error }
            remove(entry.repository)
            throw error
        }
    }

    /// Finishes or undoes what killed runs left in the journal: stale git locks are cleared
    /// (only when the git process we started there is gone and, where `/proc` tells, no git
    /// process is working in that repository), an interrupted sync checkout is completed,
    /// candidates a roll or bisect left checked out are put back. Returns one note per
    /// repository recovered (or that could not be: its entry is kept for the next run).
    /// Throws when the nvgpu process or the git it started is still running.
    public func recover() throws(WorkspaceError) -> [String] {
        var notes: [String] = []
        if entries().isEmpty {
            try? FileManager.default.removeItem(at: directory)  // only temporary files of killed writes, if anything
        }
        for entry in entries() {
            do {
                if let note = try recover(entry) { notes.append(note) }
            } catch {
                if case .refused = error { throw error }
                notes.append("\(entry.repository): could not finish what a killed run left (kept for the next run): \(error)")
            }
        }
        return notes
    }

    /// Recovers one entry (see `recover()`); the note, if there is anything to tell.
    private func recover(_ entry: JournalEntry) throws(WorkspaceError) -> String? {
        if entry.owner != getpid() && ProcessRunner.isRunning(entry.owner) {
            throw .refused(
                "\(entry.repository): another nvgpu process (pid \(entry.owner)) is working there "
                    + "(\(file(for: entry.repository).path)); wait for it to finish")
        }
        if let child = entry.child, ProcessRunner.isRunning(child) {
            throw .refused(
                "\(entry.repository): git (pid \(child)) started by a killed nvgpu run is still running there; "
                    + "wait for it to finish")
        }
        let directory = try layout.location(of: entry.repository)
        let git = Git(directory)
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git").path) else {
            remove(entry.repository)
            return nil
        }
        var done: [String] = []
        let working = Self.gitProcesses(in: directory)
        if !working.isEmpty {
            done.append("git locks left alone: git (pid \(working.map(String.init).joined(separator: ", "))) works there")
        } else if entry.child != nil || Self.canListProcesses {
            // Our git is gone (or, its id not recorded yet, no git at all works there).
            let cleared = try Self.clearStaleLocks(in: directory)
            if !cleared.isEmpty { done.append("cleared stale \(cleared.joined(separator: ", "))") }
        }
        switch entry.operation {
        case .syncCheckout:
            if let target = entry.target, try git.resolveCommit(target) != nil {
                try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--force", "--detach", target])
                try RepositoryInspection.recordCheckout(target, git: git)
                done.append("finished the checkout of \(target.prefix(12)) a killed sync had started")
            } else {
                try git.run(["reset", "--quiet", "--hard"])
                done.append("undid the checkout a killed sync had started (its target is gone)")
            }
        case .candidateCheckout:
            if let branch = entry.branch {
                try git.run(["checkout", "--quiet", "--force", branch])
                done.append("put back branch \(branch) (a killed roll or bisect had checked out a candidate)")
            } else if let target = entry.target {
                try git.run(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--force", "--detach", target])
                done.append("put back \(target.prefix(12)) (a killed roll or bisect had checked out a candidate)")
            }
        case .stash:
            let top = try git.resolveCommit("refs/stash")
            if let top, top != entry.stashBefore {
                try git.run(["reset", "--quiet", "--hard"])
                done.append("finished stashing (the work is in stash@{0}, \(top.prefix(12)))")
            }
        case .plain:
            break
        }
        remove(entry.repository)
        return done.isEmpty ? nil : "\(entry.repository): " + done.joined(separator: "; ")
    }

    /// Whether `gitProcesses(in:)` can tell (it reads `/proc`).
    static var canListProcesses: Bool {
        #if os(Linux)
            return FileManager.default.fileExists(atPath: "/proc/self/cwd")
        #else
            return false
        #endif
    }

    /// The ids of running git processes whose working directory is `directory` or inside it
    /// (empty where `/proc` is not available).
    static func gitProcesses(in directory: URL) -> [Int32] {
        #if os(Linux)
            let target = directory.resolvingSymlinksInPath().path
            let manager = FileManager.default
            let names = (try? manager.contentsOfDirectory(atPath: "/proc")) ?? []
            return names.compactMap { name -> Int32? in
                guard let pid = Int32(name), pid != getpid(),
                    let command = try? String(contentsOfFile: "/proc/\(name)/comm", encoding: .utf8),
                    command.hasPrefix("git"),
                    let cwd = try? manager.destinationOfSymbolicLink(atPath: "/proc/\(name)/cwd"),
                    cwd == target || cwd.hasPrefix(target + "/"), ProcessRunner.isRunning(pid)
                else { return nil }
                return pid
            }
        #else
            return []
        #endif
    }

    /// Removes the lock files a killed git leaves in the repository's git directory:
    /// `index.lock`, `HEAD.lock`, `shallow.lock`, `packed-refs.lock`, `config.lock` and
    /// `*.lock` under `refs/`. Returns the names removed.
    static func clearStaleLocks(in directory: URL) throws(WorkspaceError) -> [String] {
        let git = Git(directory)
        let common = try git.run(["rev-parse", "--git-common-dir"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let gitDirectory = common.hasPrefix("/") ? URL(fileURLWithPath: common) : directory.appendingPathComponent(common)
        var removed: [String] = []
        let manager = FileManager.default
        for name in ["index.lock", "HEAD.lock", "shallow.lock", "packed-refs.lock", "config.lock", "ORIG_HEAD.lock"] {
            let url = gitDirectory.appendingPathComponent(name)
            if manager.fileExists(atPath: url.path), (try? manager.removeItem(at: url)) != nil { removed.append(name) }
        }
        let refs = gitDirectory.appendingPathComponent("refs")
        if let walker = manager.enumerator(atPath: refs.path) {
            for case let path as String in walker where path.hasSuffix(".lock") {
                if (try? manager.removeItem(at: refs.appendingPathComponent(path))) != nil { removed.append("refs/" + path) }
            }
        }
        return removed
    }
}
