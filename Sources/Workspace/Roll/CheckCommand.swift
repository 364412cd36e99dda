import Foundation

/// A user-supplied check (`--check CMD`, or the pin file's `check`), run with `/bin/sh -c`
/// in the project's checkout. What it is checking is passed only through the environment:
/// `NVGPU_WORKSPACE_ROOT`, `NVGPU_WORKSPACE_PROJECT`, `NVGPU_WORKSPACE_REPO`,
/// `NVGPU_WORKSPACE_REPO_PATH` and `NVGPU_WORKSPACE_COMMIT`.
public struct CheckCommand: Sendable {
    /// The shell command line, as the user wrote it.
    public var command: String

    public init(_ command: String) { self.command = command }

    /// The outcome of one run.
    public struct Outcome: Sendable {
        public var status: Int32
        /// The last lines the command printed (for reports).
        public var tail: [String]
        public var passed: Bool { status == 0 }
    }

    /// Runs the check for `dependency` checked out at `commit`; each output line also goes to `output`.
    public func run(
        in workspace: Workspace, dependency: Dependency, commit: String, output: (@Sendable (String) -> Void)?
    ) throws(WorkspaceError) -> Outcome {
        let environment = [
            "NVGPU_WORKSPACE_ROOT": workspace.layout.root.path,
            "NVGPU_WORKSPACE_PROJECT": workspace.projectDirectory.path,
            "NVGPU_WORKSPACE_REPO": dependency.name,
            "NVGPU_WORKSPACE_REPO_PATH": try workspace.directory(of: dependency).path,
            "NVGPU_WORKSPACE_COMMIT": commit,
        ]
        let tail = LineTail(limit: 20)
        let status = try ProcessRunner.runShell(command, in: workspace.projectDirectory, environment: environment) { line in
            tail.append(line)
            output?(line)
        }
        return Outcome(status: status, tail: tail.lines)
    }
}

/// The last lines of some output, collected from a callback.
final class LineTail: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    private var stored: [String] = []

    init(limit: Int) { self.limit = limit }

    func append(_ line: String) {
        lock.lock()
        stored.append(line)
        if stored.count > limit { stored.removeFirst() }
        lock.unlock()
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
