import Foundation
import Testing

@testable import Workspace

/// Git settings that make the tests independent of the machine: no system or global
/// configuration, a fixed identity, `main` as the default branch. Set once, before any
/// fixture runs git.
let isolatedGitEnvironment: Bool = {
    let settings: [String: String] = [
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "Workspace Test",
        "GIT_AUTHOR_EMAIL": "workspace@test.invalid", "GIT_COMMITTER_NAME": "Workspace Test",
        "GIT_COMMITTER_EMAIL": "workspace@test.invalid",
    ]
    for (key, value) in settings { setenv(key, value, 1) }
    return true
}()

/// A temporary directory with bare "upstream" repositories (the remotes), a scratch clone
/// of each to make commits in, and a workspace root.
final class GitFixture {
    let base: URL
    let root: URL

    init() throws {
        _ = isolatedGitEnvironment
        base = FileManager.default.temporaryDirectory
            .appendingPathComponent("nvgpu-workspace-\(UUID().uuidString)").resolvingSymlinksInPath()
        root = base.appendingPathComponent("ws")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: base.appendingPathComponent("remotes"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: base.appendingPathComponent("work"), withIntermediateDirectories: true)
        try WorkspaceLayout.initialize(at: root)
    }

    deinit { try? FileManager.default.removeItem(at: base) }

    /// Runs git in `directory`, failing the test on a non-zero exit.
    @discardableResult
    func git(_ arguments: [String], in directory: URL) throws -> String {
        try Git(directory).run(arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func bare(_ name: String) -> URL { base.appendingPathComponent("remotes/\(name).git") }
    func work(_ name: String) -> URL { base.appendingPathComponent("work/\(name)") }
    func url(_ name: String) -> String { "file://" + bare(name).path }
    func checkout(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// Creates an upstream repository with one commit; returns that commit.
    @discardableResult
    func makeUpstream(_ name: String) throws -> String {
        try git(["init", "--quiet", "--bare", "-b", "main", bare(name).path], in: base)
        try git(["init", "--quiet", "-b", "main", work(name).path], in: base)
        try git(["remote", "add", "origin", url(name)], in: work(name))
        return try commit(name, files: ["README": "\(name)\n"], message: "\(name): initial commit")
    }

    /// Commits `files` upstream (on `main`) and returns the commit.
    @discardableResult
    func commit(_ name: String, files: [String: String], message: String) throws -> String {
        for (path, text) in files {
            let url = work(name).appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try git(["add", "--all"], in: work(name))
        try git(["commit", "--quiet", "--allow-empty", "-m", message], in: work(name))
        try git(["push", "--quiet", "origin", "HEAD:refs/heads/main"], in: work(name))
        return try git(["rev-parse", "HEAD"], in: work(name))
    }

    /// Commits `pins` as the upstream repository's own pin file.
    @discardableResult
    func commitPins(_ name: String, _ pins: PinFile, message: String) throws -> String {
        try commit(name, files: [WorkspaceLayout.pinFileName: pins.jsonText()], message: message)
    }

    /// Tags `commit` upstream.
    func tag(_ name: String, _ tag: String, at commit: String) throws {
        try git(["tag", tag, commit], in: work(name))
        try git(["push", "--quiet", "origin", "refs/tags/\(tag)"], in: work(name))
    }

    /// A dependency on upstream `name` pinned at `revision`.
    func dependency(_ name: String, _ revision: String, track: TrackingRule? = nil, submodules: Bool = false) -> Dependency {
        Dependency(name: name, url: url(name), revision: revision, submodules: submodules, track: track)
    }

    /// Creates the root project (a plain git repository in the workspace) with `pins`.
    func makeProject(_ name: String = "app", pins: PinFile) throws -> Workspace {
        let directory = checkout(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try pins.write(to: directory.appendingPathComponent(WorkspaceLayout.pinFileName))
        return try Workspace.open(from: directory)
    }

    /// Re-reads the project's pin file.
    func reopen(_ workspace: Workspace) throws -> Workspace {
        try Workspace(layout: workspace.layout, project: workspace.project)
    }

    /// The commit checked out in a workspace repository.
    func head(_ path: String) throws -> String { try git(["rev-parse", "HEAD"], in: checkout(path)) }

    func read(_ path: String) throws -> String {
        try String(contentsOf: checkout(path), encoding: .utf8)
    }

    func write(_ path: String, _ text: String) throws {
        try Data(text.utf8).write(to: checkout(path))
    }
}

/// Sync options for tests: one job unless asked, and no progress output.
func testSyncOptions(jobs: Int = 2) -> SyncOptions {
    var options = SyncOptions()
    options.jobs = jobs
    return options
}
