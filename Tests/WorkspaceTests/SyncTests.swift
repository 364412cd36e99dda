import Foundation
import Testing

@testable import Workspace

@Suite("Workspace sync against real git")
struct SyncTests {
    @Test func firstSyncClonesAndChecksOutPins() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        try fixture.commit("alpha", files: ["x": "later"], message: "alpha: after the pin")
        let b1 = try fixture.makeUpstream("beta")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("alpha", a1), fixture.dependency("beta", b1),
        ]))
        let report = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        #expect(report.isComplete)
        #expect(report.results.map(\.name) == ["alpha", "beta"])
        #expect(report.results.allSatisfy { $0.cloned })
        #expect(try fixture.head("alpha") == a1)
        #expect(try fixture.head("beta") == b1)
        #expect(!FileManager.default.fileExists(atPath: fixture.checkout("alpha/x").path))
        #expect(!FileManager.default.fileExists(atPath: fixture.checkout(WorkspaceLayout.scratchDirectoryName).path))
    }

    @Test func resyncMovesToNewPinsAndIsIdempotent() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        var workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a1)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let again = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        #expect(again.result(for: "alpha")?.outcome == .synced(commit: a1, changed: false))
        let a2 = try fixture.commit("alpha", files: ["x": "2"], message: "alpha: two")
        try fixture.tag("alpha", "v2", at: a2)
        workspace.pins.dependencies[0].revision = "v2"
        try workspace.pins.write(to: workspace.pinFileURL)
        workspace = try fixture.reopen(workspace)
        let moved = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        #expect(moved.result(for: "alpha")?.outcome == .synced(commit: a2, changed: true))
        #expect(try fixture.read("alpha/x") == "2")
    }

    @Test func dirtyRepositoryIsSkippedWithNothingLostAndForceStashes() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        var workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a1)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        try fixture.write("alpha/README", "my local edit\n")
        let a2 = try fixture.commit("alpha", files: ["README": "upstream\n"], message: "alpha: two")
        workspace.pins.dependencies[0].revision = a2
        let report = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        guard case .skipped(let reason) = report.result(for: "alpha")?.outcome else {
            Issue.record("expected a skip, got \(String(describing: report.result(for: "alpha")))")
            return
        }
        #expect(reason.contains("uncommitted changes"))
        #expect(!report.isComplete)
        #expect(try fixture.read("alpha/README") == "my local edit\n")
        #expect(try fixture.head("alpha") == a1)

        var force = testSyncOptions()
        force.force = true
        let forced = try WorkspaceSync(workspace: workspace, options: force).run()
        #expect(forced.result(for: "alpha")?.outcome == .synced(commit: a2, changed: true))
        #expect(forced.result(for: "alpha")?.notes.contains { $0.contains("stash@{0}") } == true)
        #expect(try fixture.read("alpha/README") == "upstream\n")
        let stashed = try fixture.git(["show", "stash@{0}:README"], in: fixture.checkout("alpha"))
        #expect(stashed == "my local edit")
    }

    @Test func untrackedFilesInTheWayAndLocalCommitsAreLeftAlone() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        var workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a1)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        try fixture.write("alpha/new.txt", "mine\n")
        let a2 = try fixture.commit("alpha", files: ["new.txt": "theirs\n"], message: "alpha: adds new.txt")
        workspace.pins.dependencies[0].revision = a2
        let blocked = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        guard case .skipped(let reason) = blocked.result(for: "alpha")?.outcome else {
            Issue.record("expected a skip")
            return
        }
        #expect(reason.contains("untracked files in the way (new.txt)"))
        #expect(try fixture.read("alpha/new.txt") == "mine\n")

        try FileManager.default.removeItem(at: fixture.checkout("alpha/new.txt"))
        let alpha = fixture.checkout("alpha")
        try fixture.git(["commit", "--quiet", "--allow-empty", "-m", "local only"], in: alpha)
        let local = try fixture.head("alpha")
        let kept = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        guard case .skipped(let why) = kept.result(for: "alpha")?.outcome else {
            Issue.record("expected a skip for local commits")
            return
        }
        #expect(why.contains("1 local commit(s) not on any remote"))
        #expect(try fixture.head("alpha") == local)

        var force = testSyncOptions()
        force.force = true
        let forced = try WorkspaceSync(workspace: workspace, options: force).run()
        #expect(forced.result(for: "alpha")?.outcome == .synced(commit: a2, changed: true))
        let backup = "nvgpu-workspace-backup-\(local.prefix(12))"
        #expect(try fixture.git(["rev-parse", backup], in: alpha) == local)
    }

    @Test func syncInterruptedHalfWayConvergesWhenRerun() throws {
        let fixture = try GitFixture()
        let pins = try ["alpha", "beta", "gamma"].map { name in fixture.dependency(name, try fixture.makeUpstream(name)) }
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: pins))
        var options = testSyncOptions(jobs: 1)
        options.checkpoint = { (point) throws(WorkspaceError) in
            if point == .clonedToScratch("beta") { throw .interrupted("killed while cloning beta") }
        }
        #expect(throws: WorkspaceError.interrupted("killed while cloning beta")) {
            try WorkspaceSync(workspace: workspace, options: options).run()
        }
        #expect(FileManager.default.fileExists(atPath: fixture.checkout("alpha/.git").path))
        #expect(!FileManager.default.fileExists(atPath: fixture.checkout("beta").path))
        #expect(FileManager.default.fileExists(atPath: fixture.checkout(WorkspaceLayout.scratchDirectoryName + "/beta").path))

        let rerun = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        #expect(rerun.isComplete)
        for pin in pins { #expect(try fixture.head(pin.name) == pin.revision) }
        #expect(!FileManager.default.fileExists(atPath: fixture.checkout(WorkspaceLayout.scratchDirectoryName).path))
    }

    @Test func transitivePinsAreFollowedAndConflictsReportedWithBothSources() throws {
        let fixture = try GitFixture()
        let base1 = try fixture.makeUpstream("base")
        let base2 = try fixture.commit("base", files: ["v": "2"], message: "base: two")
        let extra = try fixture.makeUpstream("extra")
        try fixture.makeUpstream("lib")
        let lib = try fixture.commitPins(
            "lib", PinFile(dependencies: [fixture.dependency("base", base2), fixture.dependency("extra", extra)]),
            message: "lib: pins")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("base", base1), fixture.dependency("lib", lib),
        ]))
        let report = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        #expect(report.conflicts.count == 1)
        let conflict = try #require(report.conflicts.first)
        #expect(conflict.name == "base")
        #expect(conflict.first.source == "app" && conflict.first.pin.revision == base1)
        #expect(conflict.second.source == "lib" && conflict.second.pin.revision == base2)
        #expect(conflict.description.contains("lib/openxla-deps.json@"))
        #expect(try fixture.head("extra") == extra)
        #expect(try fixture.head("lib") == lib)
        guard case .skipped = report.result(for: "base")?.outcome else {
            Issue.record("a conflicted repository must be left alone")
            return
        }
        #expect(!report.isComplete)
    }

    @Test func shallowSyncAndExclusion() throws {
        let fixture = try GitFixture()
        try fixture.makeUpstream("alpha")
        let a2 = try fixture.commit("alpha", files: ["x": "2"], message: "two")
        try fixture.commit("alpha", files: ["x": "3"], message: "three")
        let b1 = try fixture.makeUpstream("beta")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("alpha", a2), fixture.dependency("beta", b1),
        ]))
        var options = testSyncOptions()
        options.depth = 1
        options.excluded = ["beta"]
        let report = try WorkspaceSync(workspace: workspace, options: options).run()
        #expect(report.isComplete)
        #expect(report.result(for: "beta")?.outcome == .excluded)
        #expect(!FileManager.default.fileExists(atPath: fixture.checkout("beta").path))
        #expect(try fixture.head("alpha") == a2)
        #expect(try fixture.git(["rev-parse", "--is-shallow-repository"], in: fixture.checkout("alpha")) == "true")
        // status agrees when told beta was left out on purpose, and not otherwise.
        #expect(try WorkspaceStatus.collect(workspace, excluded: ["beta"]).isClean)
        #expect(!(try WorkspaceStatus.collect(workspace).isClean))
    }

    @Test func submodulesAreCheckedOutWhenAsked() throws {
        let fixture = try GitFixture()
        try fixture.makeUpstream("sub")
        try fixture.makeUpstream("alpha")
        try fixture.git(
            ["-c", "protocol.file.allow=always", "submodule", "add", "--quiet", fixture.url("sub"), "sub"],
            in: fixture.work("alpha"))
        let a2 = try fixture.commit("alpha", files: [:], message: "alpha: add sub")
        try fixture.makeUpstream("beta")
        let b2 = try fixture.commit("beta", files: [".gitmodules": "[submodule \"x\"]\n\tpath = x\n\turl = ../x\n"], message: "b")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("alpha", a2, submodules: true), fixture.dependency("beta", b2),
        ]))
        let report = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        #expect(report.isComplete)
        #expect(try fixture.read("alpha/sub/README") == "sub\n")
    }
}

/// Shallow workspaces (`sync --depth 1`, what CI uses): the pinned commit is never counted
/// as local work, so a pin change syncs and a roll is not refused.
@Suite struct ShallowWorkspaceTests {
    @Test func pinnedCommitOfAShallowCloneIsNotLocalWork() throws {
        let fixture = try GitFixture()
        try fixture.makeUpstream("alpha")
        let a2 = try fixture.commit("alpha", files: ["x": "2"], message: "two")
        try fixture.commit("alpha", files: ["x": "3"], message: "three")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a2)]))
        var options = testSyncOptions()
        options.depth = 1
        #expect(try WorkspaceSync(workspace: workspace, options: options).run().isComplete)
        let inspection = try RepositoryInspection.inspect(fixture.checkout("alpha"), pinned: a2)
        #expect(inspection.localOnlyCommits == 0)
    }

    @Test func pinChangeInAShallowWorkspaceSyncs() throws {
        let fixture = try GitFixture()
        try fixture.makeUpstream("alpha")
        let a2 = try fixture.commit("alpha", files: ["x": "2"], message: "two")
        let a3 = try fixture.commit("alpha", files: ["x": "3"], message: "three")
        var workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a2)]))
        var options = testSyncOptions()
        options.depth = 1
        #expect(try WorkspaceSync(workspace: workspace, options: options).run().isComplete)
        try PinFile(dependencies: [fixture.dependency("alpha", a3)]).write(to: workspace.pinFileURL)
        workspace = try fixture.reopen(workspace)
        let report = try WorkspaceSync(workspace: workspace, options: options).run()
        #expect(report.isComplete, "\(report.result(for: "alpha")?.outcome as Any)")
        #expect(try fixture.head("alpha") == a3)
        #expect(!(try fixture.git(["branch", "--list"], in: fixture.checkout("alpha"))).contains("backup"))
    }

    @Test func rollInAShallowWorkspaceIsNotRefused() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("alpha", a1, track: .branch("main"))
        ]))
        var options = testSyncOptions()
        options.depth = 1
        #expect(try WorkspaceSync(workspace: workspace, options: options).run().isComplete)
        let a2 = try fixture.commit("alpha", files: ["x": "2"], message: "two")
        var roller = Roller(workspace: workspace, options: RollOptions())
        let result = try roller.roll("alpha")
        #expect(result.outcome == .rolled)
        #expect(try fixture.reopen(workspace).pins.dependency(named: "alpha")?.revision == a2)
    }

    @Test func aCommitMadeInAShallowCloneIsStillLocalWork() throws {
        let fixture = try GitFixture()
        try fixture.makeUpstream("alpha")
        let a2 = try fixture.commit("alpha", files: ["x": "2"], message: "two")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a2)]))
        var options = testSyncOptions()
        options.depth = 1
        #expect(try WorkspaceSync(workspace: workspace, options: options).run().isComplete)
        let clone = fixture.checkout("alpha")
        try fixture.write("alpha/x", "mine")
        _ = try fixture.git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "mine"], in: clone)
        let inspection = try RepositoryInspection.inspect(clone, pinned: a2)
        #expect(inspection.localOnlyCommits == 1)
    }
}
