import Foundation

/// Options of `nvgpu workspace sync`.
public struct SyncOptions: Sendable {
    /// Clone (and fetch into shallow clones) with this history depth.
    public var depth: Int?
    /// Repositories to leave exactly as they are.
    public var excluded: Set<String> = []
    /// Stash uncommitted work (and keep local commits on a backup branch) instead of skipping.
    public var force = false
    /// How many repositories are cloned or fetched at once.
    public var jobs = 4
    /// Whether existing clones are fetched (false: only fetch when the pin is not known locally).
    public var fetchExisting = true
    /// Called at each step; a thrown error stops the sync there (used to test interrupted syncs).
    public var checkpoint: (@Sendable (SyncCheckpoint) throws(WorkspaceError) -> Void)?
    /// Receives progress events (from worker threads).
    public var progress: (@Sendable (SyncEvent) -> Void)?

    public init() {}
}

/// A point in a sync where an interruption can be injected.
public enum SyncCheckpoint: Sendable, Equatable {
    /// A clone is complete in scratch space, not yet moved into place.
    case clonedToScratch(String)
    /// A repository has been fetched (or cloned and moved into place).
    case fetched(String)
    /// A repository has been checked out at its pin.
    case checkedOut(String)
}

/// A progress event of a sync.
public enum SyncEvent: Sendable {
    /// Work on a repository started (`phase` is "clone", "fetch", "checkout").
    case started(repo: String, phase: String)
    /// Work on a repository finished in one phase.
    case finished(repo: String, phase: String, detail: String)
    /// A line of git's transfer progress for a clone or fetch (`Receiving objects:  45% ...`).
    case transfer(repo: String, line: String)
}

/// What a sync did to one repository.
public struct RepositorySyncResult: Sendable, Equatable {
    /// How it ended.
    public enum Outcome: Sendable, Equatable {
        /// Checked out at the pin (it may already have been there).
        case synced(commit: String, changed: Bool)
        /// Left as it was, with the reason (dirty, local commits, untracked files in the way, conflict, ...).
        case skipped(String)
        /// Excluded on the command line.
        case excluded
        /// A git step failed.
        case failed(String)
    }

    /// The repository's name.
    public var name: String
    /// Its path relative to the root.
    public var path: String
    /// Whether it was cloned in this run.
    public var cloned = false
    /// How it ended.
    public var outcome: Outcome
    /// Notes worth telling (stash made, backup branch created, URL differs, ...).
    public var notes: [String] = []
}

/// Everything a sync did.
public struct SyncReport: Sendable {
    /// One result per repository in the graph, in dependency order.
    public var results: [RepositorySyncResult]
    /// Disagreeing pins (those repositories are left alone).
    public var conflicts: [PinConflict]
    /// What was finished or undone of runs killed earlier (see `WorkspaceJournal`).
    public var recovered: [String] = []

    /// Whether every repository is at its pin (or was excluded) and there was no conflict.
    public var isComplete: Bool {
        conflicts.isEmpty
            && results.allSatisfy {
                switch $0.outcome {
                case .synced, .excluded: return true
                case .skipped, .failed: return false
                }
            }
    }

    /// The result for `name`.
    public func result(for name: String) -> RepositorySyncResult? { results.first { $0.name == name } }
}

/// Collects git's `--progress` output (lines ended by carriage returns or newlines) from
/// standard error chunks; passes each line on and keeps the last one of each kind, for a
/// one-line summary in logs.
final class TransferProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let onLine: @Sendable (String) -> Void
    private var pending = ""
    private var receiving: String?

    init(onLine: @escaping @Sendable (String) -> Void) { self.onLine = onLine }

    /// Takes a chunk of standard error.
    func take(_ chunk: String) {
        lock.lock()
        pending += chunk
        var lines: [String] = []
        while let end = pending.firstIndex(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
            let line = pending[..<end].trimmingCharacters(in: .whitespaces)
            pending.removeSubrange(...end)
            if !line.isEmpty { lines.append(line) }
        }
        // Small fetches are unpacked into loose objects ("Unpacking objects:") instead.
        for line in lines where line.hasPrefix("Receiving objects:") || line.hasPrefix("Unpacking objects:") {
            receiving = line
        }
        lock.unlock()
        for line in lines { onLine(line) }
    }

    /// ` (Receiving objects: 100% (n/n), size, done.)` (or `Unpacking objects: ...`), or empty
    /// when git reported no transfer.
    var summary: String {
        lock.lock()
        defer { lock.unlock() }
        return receiving.map { " (\($0))" } ?? ""
    }
}
