import Foundation

/// A position in a text file: 1-based line and column (columns count UTF-8 bytes).
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
    /// The file the position is in, as the user named it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// Everything that can go wrong in a workspace operation, with the context needed to act on it.
public enum WorkspaceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A pin file (or an imported `sync_deps.py`) is malformed or unsafe.
    case invalidFile(SourcePosition, String)
    /// A git command exited with a failure status.
    case gitFailed(arguments: [String], directory: String, status: Int32, stderr: String)
    /// A process could not be started at all.
    case launchFailed(executable: String, reason: String)
    /// No workspace root marker was found above a directory.
    case noWorkspace(String)
    /// No pin file was found for a project.
    case noPinFile(String)
    /// A named dependency is not in the pin file.
    case unknownDependency(String)
    /// Two pin files pin one repository differently, or the dependency graph has a cycle.
    case inconsistentGraph(String)
    /// A repository is not in a state the operation can work on (missing, dirty, ...).
    case repositoryState(repo: String, String)
    /// A path, URL or revision was refused for safety.
    case refused(String)
    /// The operation was interrupted (by an injected hook in tests, or a signal).
    case interrupted(String)

    public var description: String {
        switch self {
        case .invalidFile(let position, let message):
            return "\(position): error: \(message)"
        case .gitFailed(let arguments, let directory, let status, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "git \(arguments.joined(separator: " ")) failed in \(directory) (exit \(status))"
                + (detail.isEmpty ? "" : ": \(detail)")
        case .launchFailed(let executable, let reason):
            return "cannot run \(executable): \(reason)"
        case .noWorkspace(let directory):
            return "no workspace root (\(WorkspaceLayout.markerFileName)) above \(directory); run `nvgpu workspace init` in the parent of your projects"
        case .noPinFile(let directory):
            return "no pin file (\(WorkspaceLayout.pinFileName)) in \(directory)"
        case .unknownDependency(let name):
            return "no dependency named '\(name)' in the pin file"
        case .inconsistentGraph(let message), .refused(let message), .interrupted(let message):
            return message
        case .repositoryState(let repo, let message):
            return "\(repo): \(message)"
        }
    }
}
