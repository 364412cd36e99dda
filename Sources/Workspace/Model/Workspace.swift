import Foundation

/// An opened workspace seen from one project: the layout, the project and its pins.
public struct Workspace: Sendable {
    /// Where the root and the checkouts are.
    public let layout: WorkspaceLayout
    /// The project whose pin file drives the operations.
    public let project: Project
    /// The project's pin file location.
    public let pinFileURL: URL
    /// The project's pins as read when the workspace was opened.
    public var pins: PinFile

    /// Opens the workspace around `directory`: finds the root marker above it and the
    /// project (the nearest directory with a pin file) containing it.
    public static func open(from directory: URL) throws(WorkspaceError) -> Workspace {
        let layout = try WorkspaceLayout.find(from: directory)
        let project = try layout.project(containing: directory)
        return try Workspace(layout: layout, project: project)
    }

    /// Opens `project` in `layout`, reading its pin file.
    public init(layout: WorkspaceLayout, project: Project) throws(WorkspaceError) {
        self.layout = layout
        self.project = project
        self.pinFileURL = try layout.pinFileURL(of: project)
        self.pins = try PinFile.load(from: pinFileURL)
    }

    /// The project's own checkout.
    public var projectDirectory: URL { pinFileURL.deletingLastPathComponent() }

    /// The checkout of `dependency` (inside the root, or an error).
    /// A dependency may not live in (or around) the project's own checkout.
    public func directory(of dependency: Dependency) throws(WorkspaceError) -> URL {
        let path = dependency.path
        if path == project.path || path.hasPrefix(project.path + "/") || project.path.hasPrefix(path + "/") {
            throw .refused("\(dependency.name): path '\(path)' overlaps the project's own checkout '\(project.path)'")
        }
        return try layout.location(of: path)
    }

    /// Reads `dependency`'s own pin file at its pinned revision from its clone, without
    /// touching the working tree; empty when it has no pin file, `nil` when it is not
    /// cloned or the revision is not fetched yet.
    public func pinsOf(_ dependency: Dependency) throws(WorkspaceError) -> PinFile? {
        try pinsOf(dependency, at: dependency.revision)
    }

    /// Reads `dependency`'s pin file at `revision` (see `pinsOf(_:)`).
    public func pinsOf(_ dependency: Dependency, at revision: String) throws(WorkspaceError) -> PinFile? {
        let directory = try directory(of: dependency)
        let git = Git(directory)
        guard git.isRepository, let commit = try git.resolvePinned(revision) else { return nil }
        let listed = try git.run(["ls-tree", "--name-only", commit, "--", WorkspaceLayout.pinFileName])
        if listed.isEmpty { return PinFile() }
        let output = try git.attempt(["show", "\(commit):\(WorkspaceLayout.pinFileName)"])
        guard output.status == 0 else { return nil }
        let file = "\(dependency.path)/\(WorkspaceLayout.pinFileName)@\(commit.prefix(12))"
        return try PinFileDecoder.decode(output.stdout, file: file)
    }

    /// The transitive dependency graph with what is cloned now.
    public func graph(pins: PinFile? = nil) throws(WorkspaceError) -> DependencyGraph {
        let workspace = self
        return try DependencyGraph.resolve(
            project: project, pins: pins ?? self.pins,
            readPins: { (dependency) throws(WorkspaceError) -> PinFile? in try workspace.pinsOf(dependency) },
            sameCommit: { dependency, a, b in workspace.sameCommit(dependency, a, b) })
    }

    /// Whether revisions `a` and `b` resolve to the same commit in `dependency`'s clone.
    func sameCommit(_ dependency: Dependency, _ a: String, _ b: String) -> Bool {
        guard let directory = try? directory(of: dependency) else { return false }
        let git = Git(directory)
        guard let first = try? git.resolvePinned(a), let second = try? git.resolvePinned(b) else { return false }
        return first == second
    }
}
