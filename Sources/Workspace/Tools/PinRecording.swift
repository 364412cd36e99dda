import Foundation

/// `pin` and `freeze`: write revisions into pin files.
public enum PinRecording {
    /// Records what is checked out now as the project's pins (`nvgpu workspace pin`).
    /// Returns notes about pins others may not be able to fetch or that leave changes out.
    @discardableResult
    public static func pinCheckedOut(_ workspace: inout Workspace) throws(WorkspaceError) -> [String] {
        var notes = try WorkspaceJournal(layout: workspace.layout).recover().map { "recovered: \($0)" }
        var pins = workspace.pins
        for index in pins.dependencies.indices {
            let dependency = pins.dependencies[index]
            let directory = try workspace.directory(of: dependency)
            let inspection = try RepositoryInspection.inspect(directory, pinned: dependency.revision)
            guard inspection.isRepository, let head = inspection.head else {
                throw .repositoryState(repo: dependency.name, "not cloned at \(dependency.path); cannot pin it")
            }
            if inspection.isDirty {
                notes.append("\(dependency.name): uncommitted changes are not part of the pin")
            }
            if inspection.localOnlyCommits > 0 {
                notes.append("\(dependency.name): \(head.prefix(12)) is not on any remote; push it before others sync")
            }
            if dependency.revision != head {
                notes.append("\(dependency.name): \(dependency.revision.prefix(12)) -> \(head.prefix(12))")
            }
            pins.dependencies[index].revision = head
        }
        try refuseNewConflicts(pins, in: workspace, doing: "pin")
        try pins.writePreservingLayout(to: workspace.pinFileURL)
        workspace.pins = pins
        return notes
    }

    /// Throws when `pins` would make two pin files disagree about a repository where the
    /// project's current pins do not (issue 15 item 3: `pin` never writes conflicting pins).
    static func refuseNewConflicts(_ pins: PinFile, in workspace: Workspace, doing command: String) throws(WorkspaceError) {
        let before = Set(try workspace.graph().conflicts.map(\.name))
        let changed = Set(pins.dependencies.filter { workspace.pins.dependency(named: $0.name)?.revision != $0.revision }.map(\.name))
        let fresh = try workspace.graph(pins: pins).conflicts.filter {
            !before.contains($0.name) || changed.contains($0.name)
        }
        guard let conflict = fresh.first else { return }
        throw .inconsistentGraph(
            "\(command) would write conflicting pins: \(conflict); check out revisions that agree (or roll them "
                + "together with `nvgpu workspace roll`); nothing written")
    }

    /// Resolves every revision of the project's pin file to a full commit hash and writes
    /// it back (`nvgpu workspace freeze`).
    public static func freeze(_ workspace: inout Workspace) throws(WorkspaceError) {
        var pins = workspace.pins
        for index in pins.dependencies.indices {
            pins.dependencies[index].revision = try resolve(pins.dependencies[index], in: workspace)
        }
        try pins.writePreservingLayout(to: workspace.pinFileURL)
        workspace.pins = pins
    }

    /// A lock file for the whole graph: every repository reached (transitively), each pinned
    /// at a full commit hash, in dependency order (`nvgpu workspace freeze --output FILE`).
    public static func frozenGraph(_ workspace: Workspace) throws(WorkspaceError) -> PinFile {
        let graph = try workspace.graph()
        if let conflict = graph.conflicts.first { throw .inconsistentGraph(conflict.description) }
        var frozen = PinFile(check: workspace.pins.check)
        for name in try graph.dependencyOrder() {
            guard var pin = graph.repositories[name]?.pin else { continue }
            pin.revision = try resolve(pin, in: workspace)
            frozen.dependencies.append(pin)
        }
        return frozen
    }

    private static func resolve(_ dependency: Dependency, in workspace: Workspace) throws(WorkspaceError) -> String {
        let git = Git(try workspace.directory(of: dependency))
        guard git.isRepository else {
            throw .repositoryState(repo: dependency.name, "not cloned at \(dependency.path); run `nvgpu workspace sync` first")
        }
        guard let commit = try git.resolvePinned(dependency.revision) else {
            throw .repositoryState(repo: dependency.name, "revision \(dependency.revision) is not in the clone; sync first")
        }
        return commit
    }
}
