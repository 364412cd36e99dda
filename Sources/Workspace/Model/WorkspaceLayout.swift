import Foundation

/// Where things are in a workspace: the root (marked by `.openxla_workspace.json`), the
/// sibling project checkouts under it, and each project's pin file.
public struct WorkspaceLayout: Sendable {
    /// The root marker file, as openxla-devtools wrote it.
    public static let markerFileName = ".openxla_workspace.json"
    /// The per-project pin file.
    public static let pinFileName = "openxla-deps.json"
    /// Scratch space for clones in progress (renamed into place when complete).
    public static let scratchDirectoryName = ".nvgpu-workspace-tmp"

    /// The workspace root, with symbolic links resolved.
    public let root: URL

    /// A layout rooted at `root` (which must exist).
    public init(root: URL) {
        self.root = root.resolvingSymlinksInPath().standardizedFileURL
    }

    /// Writes the root marker into `directory`; returns whether it was created (false: already there).
    @discardableResult
    public static func initialize(at directory: URL) throws(WorkspaceError) -> Bool {
        let marker = directory.appendingPathComponent(markerFileName)
        if FileManager.default.fileExists(atPath: marker.path) { return false }
        do {
            try Data("{\"version\": 0}\n".utf8).write(to: marker, options: .atomic)
        } catch {
            throw .refused("cannot write \(marker.path): \(error.localizedDescription)")
        }
        return true
    }

    /// Finds the workspace whose root is `directory` or one of its ancestors.
    public static func find(from directory: URL) throws(WorkspaceError) -> WorkspaceLayout {
        var current = directory.resolvingSymlinksInPath().standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: current.appendingPathComponent(markerFileName).path) {
                return WorkspaceLayout(root: current)
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { throw .noWorkspace(directory.path) }
            current = parent
        }
    }

    /// The project containing `directory`: the nearest ancestor (up to the root) with a pin file.
    public func project(containing directory: URL) throws(WorkspaceError) -> Project {
        var current = directory.resolvingSymlinksInPath().standardizedFileURL
        while current.path.hasPrefix(root.path + "/") {
            if FileManager.default.fileExists(atPath: current.appendingPathComponent(Self.pinFileName).path) {
                let relative = String(current.path.dropFirst(root.path.count + 1))
                return Project(name: current.lastPathComponent, path: relative)
            }
            current = current.deletingLastPathComponent()
        }
        throw .noPinFile(directory.path)
    }

    /// The absolute location of `relativePath`, refusing anything that leaves the root
    /// (`..`, absolute paths, or a symbolic link on the way that points outside).
    public func location(of relativePath: String) throws(WorkspaceError) -> URL {
        if let problem = PinValidation.validateRelativePath(relativePath) { throw .refused(problem) }
        var current = root
        for component in relativePath.split(separator: "/") {
            current = current.appendingPathComponent(String(component))
            let resolved = current.resolvingSymlinksInPath().standardizedFileURL
            if resolved.path != root.path && !resolved.path.hasPrefix(root.path + "/") {
                throw .refused("path '\(relativePath)' leads outside the workspace root through a link (\(resolved.path))")
            }
        }
        return current
    }

    /// The pin file of `project`.
    public func pinFileURL(of project: Project) throws(WorkspaceError) -> URL {
        try location(of: project.path).appendingPathComponent(Self.pinFileName)
    }
}

/// A project in the workspace: a checkout with its own pin file.
public struct Project: Sendable, Equatable {
    /// The project's name (its directory name).
    public var name: String
    /// Its path relative to the workspace root.
    public var path: String

    public init(name: String, path: String) {
        self.name = name
        self.path = path
    }
}
