/// Pinned multi-repo workspaces (`nvgpu workspace`).
public enum WorkspaceInfo { public static let markerFile = ".openxla_workspace.json" }
