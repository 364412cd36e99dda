import Foundation

/// `nvgpu workspace foreach CMD`: runs a shell command in every repository, dependencies
/// first and the project last. The repository is named only through the environment
/// (`NVGPU_WORKSPACE_REPO`, `NVGPU_WORKSPACE_REPO_PATH`, `NVGPU_WORKSPACE_ROOT`), never
/// interpolated into the command.
public enum ForeachRunner {
    /// The exit status of the command in one repository.
    public struct Outcome: Sendable, Equatable {
        public var repository: String
        public var status: Int32
    }

    /// Runs `command` in each cloned repository; every output line goes to `output` as
    /// `(repository, line)`. Missing checkouts are skipped; `exclude` names are left out.
    public static func run(
        _ command: String, in workspace: Workspace, exclude: Set<String> = [],
        output: @escaping @Sendable (String, String) -> Void
    ) throws(WorkspaceError) -> [Outcome] {
        let graph = try workspace.graph()
        var targets: [(name: String, directory: URL)] = []
        for name in try graph.dependencyOrder() where !exclude.contains(name) {
            guard let pin = graph.repositories[name]?.pin else { continue }
            let directory = try workspace.directory(of: pin)
            if Git(directory).isRepository { targets.append((name, directory)) }
        }
        if !exclude.contains(workspace.project.name) {
            targets.append((workspace.project.name, workspace.projectDirectory))
        }
        var outcomes: [Outcome] = []
        for target in targets {
            let environment = [
                "NVGPU_WORKSPACE_ROOT": workspace.layout.root.path, "NVGPU_WORKSPACE_REPO": target.name,
                "NVGPU_WORKSPACE_REPO_PATH": target.directory.path,
            ]
            let name = target.name
            let status = try ProcessRunner.runShell(command, in: target.directory, environment: environment) { line in
                output(name, line)
            }
            outcomes.append(Outcome(repository: name, status: status))
        }
        return outcomes
    }
}
