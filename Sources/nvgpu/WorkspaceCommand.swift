import ArgumentParser

/// `nvgpu workspace ...`
struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workspace", abstract: "Pinned multi-repo workspaces.")
}
