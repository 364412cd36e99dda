import Foundation

/// `nvgpu workspace foreach CMD`: runs a shell command in every repository, dependencies
/// first and the project last. The repository is named only through the environment
/// (`NVGPU_WORKSPACE_REPO`, `NVGPU_WORKSPACE_REPO_PATH`, `NVGPU_WORKSPACE_ROOT`), never
/// interpolated into the command.
public enum ForeachRunner {
    /// The exit status of the command in one repository, or why it did not run there.
    public struct Outcome: Sendable, Equatable {
        public var repository: String
        /// The command's exit status (0 when it was skipped).
        public var status: Int32
        /// Why the command did not run in this repository (`excluded`, `not cloned`), if it did not.
        public var skipped: String?

        public init(repository: String, status: Int32, skipped: String? = nil) {
            self.repository = repository
            self.status = status
            self.skipped = skipped
        }
    }

    /// Runs `command` in each cloned repository; every output line goes to `output` as
    /// `(repository, line)`. Missing checkouts and `exclude` names are skipped, and reported
    /// as skipped outcomes, in order with the rest.
    public static func run(
        _ command: String, in workspace: Workspace, exclude: Set<String> = [],
        output: @escaping @Sendable (String, String) -> Void
    ) throws(WorkspaceError) -> [Outcome] {
        let graph = try workspace.graph()
        var targets: [(name: String, directory: URL?, skipped: String?)] = []
        for name in try graph.dependencyOrder() {
            guard let pin = graph.repositories[name]?.pin else { continue }
            if exclude.contains(name) {
                targets.append((name, nil, "excluded"))
                continue
            }
            let directory = try workspace.directory(of: pin)
            if Git(directory).isRepository {
                targets.append((name, directory, nil))
            } else {
                targets.append((name, nil, "not cloned at \(pin.path)"))
            }
        }
        if exclude.contains(workspace.project.name) {
            targets.append((workspace.project.name, nil, "excluded"))
        } else {
            targets.append((workspace.project.name, workspace.projectDirectory, nil))
        }
        var outcomes: [Outcome] = []
        for target in targets {
            guard let directory = target.directory else {
                outcomes.append(Outcome(repository: target.name, status: 0, skipped: target.skipped))
                continue
            }
            let environment = [
                "NVGPU_WORKSPACE_ROOT": workspace.layout.root.path, "NVGPU_WORKSPACE_REPO": target.name,
                "NVGPU_WORKSPACE_REPO_PATH": directory.path,
            ]
            let name = target.name
            let status = try ProcessRunner.runShell(command, in: directory, environment: environment) { line in
                output(name, line)
            }
            outcomes.append(Outcome(repository: name, status: status))
        }
        return outcomes
    }
}
