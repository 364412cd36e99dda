import Foundation
import Testing

@testable import Workspace

/// Issue 15 item 5: the autoroller interface, and the CI workflow of
/// docs/workspace-autoroll.md run end to end.
@Suite("Autoroller: roll --all --json --commit, import tracks, the CI script")
struct AutorollTests {
    /// The three-project example of docs/workspace.md: `base`, `mid` (pins `base`) and
    /// `app` (pins both, tracked by `green-*` tags, with a check that fails from base
    /// version 3 on). `app` is a clone of its own upstream, so rolls can be committed and
    /// pushed. Returns the fixture, the workspace and base's and mid's first commits.
    private func threeProjects() throws -> (GitFixture, Workspace, base1: String, mid1: String) {
        let fixture = try GitFixture()
        try fixture.makeUpstream("base")
        let base1 = try fixture.commit("base", files: ["VERSION": "1\n"], message: "base: version 1")
        try fixture.tag("base", "green-1", at: base1)
        try fixture.makeUpstream("mid")
        let mid1 = try fixture.commitPins("mid", PinFile(dependencies: [fixture.dependency("base", base1)]), message: "mid: pin base 1")
        try fixture.tag("mid", "green-1", at: mid1)
        try fixture.makeUpstream("app")
        // Hand-formatted, as people write them: a roll must leave the layout alone.
        let pins = """
            {
              "version": 1,
              "check": "test \\"$(cat ../base/VERSION)\\" -lt 3",
              "dependencies": [
                {"name": "mid", "url": "\(fixture.url("mid"))", "revision": "green-1",
                 "track": {"tags": "green-*"}},
                {"name": "base", "url": "\(fixture.url("base"))", "revision": "green-1",
                 "track": {"tags": "green-*"}}
              ]
            }

            """
        try fixture.commit("app", files: [WorkspaceLayout.pinFileName: pins], message: "app: pins")
        try fixture.git(["clone", "--quiet", fixture.url("app"), fixture.checkout("app").path], in: fixture.root)
        let workspace = try Workspace.open(from: fixture.checkout("app"))
        return (fixture, workspace, base1, mid1)
    }

    /// base 2 (green), base 3 (fails app's check); mid 2 pins base 2, mid 3 base 3.
    private func upstreamMoves(_ fixture: GitFixture) throws -> (base2: String, base3: String, mid2: String) {
        let base2 = try fixture.commit("base", files: ["VERSION": "2\n"], message: "base: version 2")
        try fixture.tag("base", "green-2", at: base2)
        let mid2 = try fixture.commitPins("mid", PinFile(dependencies: [fixture.dependency("base", base2)]), message: "mid: pin base 2")
        try fixture.tag("mid", "green-2", at: mid2)
        let base3 = try fixture.commit("base", files: ["VERSION": "3\n"], message: "base: version 3")
        try fixture.tag("base", "green-3", at: base3)
        let mid3 = try fixture.commitPins("mid", PinFile(dependencies: [fixture.dependency("base", base3)]), message: "mid: pin base 3")
        try fixture.tag("mid", "green-3", at: mid3)
        return (base2, base3, mid2)
    }

    private func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func rollAllJSONCommitOnABranch() throws {
        let (fixture, workspace, base1, mid1) = try threeProjects()
        #expect(try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run().isComplete)
        let (base2, base3, mid2) = try upstreamMoves(fixture)
        let before = try String(contentsOf: workspace.pinFileURL, encoding: .utf8)

        var roller = Roller(workspace: workspace)
        let results = try roller.rollAll()
        var report = RollReport(results: results)
        report.commit = try RollCommitter.commit(report, in: workspace, branch: "autoroll/test")
        report.branch = "autoroll/test"
        #expect(!report.hasFailures)

        let json = try report.json()
        #expect(!json.contains("\\/"))
        let document = try object(json)
        let rolls = try #require(document["rolls"] as? [[String: Any]])
        #expect(rolls.map { $0["dependency"] as? String } == ["base", "mid"])
        #expect(rolls.map { $0["outcome"] as? String } == ["rolled", "rolled"])
        #expect(rolls[0]["from"] as? String == base1 && rolls[0]["to"] as? String == base2)
        #expect(rolls[0]["companions"] as? [String] == ["mid"])
        #expect(rolls[1]["from"] as? String == mid1 && rolls[1]["to"] as? String == mid2)
        #expect(rolls[1]["rolled_with"] as? String == "base")
        // base: green-3 (with mid green-3) tried first and failed the project's check, then
        // green-2 (with mid green-2) passed.
        let candidates = try #require(rolls[0]["candidates"] as? [[String: Any]])
        #expect(candidates.map { $0["commit"] as? String } == [base3, base2])
        let checks = candidates.map { ($0["checks"] as? [[String: Any]])?.map { $0["passed"] as? Bool } }
        #expect(checks == [[false], [true]])
        #expect(document["commit"] as? String == report.commit && document["branch"] as? String == "autoroll/test")

        // The commit: on the branch, only the pin file, a message listing each range.
        let app = fixture.checkout("app")
        #expect(try fixture.git(["rev-parse", "--abbrev-ref", "HEAD"], in: app) == "autoroll/test")
        #expect(try fixture.git(["show", "--name-only", "--format=", "HEAD"], in: app) == WorkspaceLayout.pinFileName)
        let message = try fixture.git(["log", "-1", "--format=%B"], in: app)
        #expect(message.hasPrefix("Roll base to green-2, mid to green-2"))
        #expect(message.contains("base \(base1.prefix(12))..\(base2.prefix(12)) (green-2)"))
        #expect(message.contains("mid \(mid1.prefix(12))..\(mid2.prefix(12)) (green-2)"))
        #expect(message.contains("base: version 2") && message.contains("mid: pin base 2"))
        #expect(try fixture.git(["status", "--porcelain"], in: app).isEmpty)
        // Only the two revisions changed; the hand-written layout stayed.
        let after = try String(contentsOf: workspace.pinFileURL, encoding: .utf8)
        let parts = before.components(separatedBy: "\"revision\": \"green-1\"")
        #expect(parts.count == 3)
        #expect(after == parts[0] + "\"revision\": \"\(mid2)\"" + parts[1] + "\"revision\": \"\(base2)\"" + parts[2])
        #expect(try WorkspaceStatus.collect(try fixture.reopen(workspace)).isClean)
    }

    @Test func importSetsTrackRulesSoRollWorksRightAway() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let text = """
            PINNED_VERSIONS = {"alpha": "\(a1)"}
            ORIGINS = {"alpha": "\(fixture.url("alpha"))"}
            """
        var pins = try SyncDepsImporter.importPins(from: text, file: "sync_deps.py")
        #expect(SyncDepsImporter.assignTracks(&pins, rule: nil, from: fixture.root).isEmpty)
        #expect(pins.dependency(named: "alpha")?.track == .branch("main"))
        var tagged = try SyncDepsImporter.importPins(from: text, file: "sync_deps.py")
        _ = SyncDepsImporter.assignTracks(&tagged, rule: try TrackingRule(argument: "tags:candidate-*"), from: fixture.root)
        #expect(tagged.dependency(named: "alpha")?.track == .tags(pattern: "candidate-*"))
        #expect(throws: WorkspaceError.self) { try TrackingRule(argument: "--upload-pack=x") }

        let workspace = try fixture.makeProject(pins: pins)
        #expect(try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run().isComplete)
        let a2 = try fixture.commit("alpha", files: ["x": "2"], message: "alpha: two")
        var roller = Roller(workspace: workspace)
        #expect(try roller.roll("alpha").outcome == .rolled)
        #expect(try fixture.reopen(workspace).pins.dependency(named: "alpha")?.revision == a2)
    }

    /// `roll --all --json --commit` from the command line: JSON alone on stdout.
    @Test(.enabled(if: nvgpuExecutable != nil))
    func rollAllJSONCommitFromTheCommandLine() throws {
        let (fixture, workspace, _, _) = try threeProjects()
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let (base2, _, mid2) = try upstreamMoves(fixture)
        let run = try runNVGPU(["workspace", "roll", "--all", "--json", "--commit"], in: workspace.projectDirectory)
        #expect(run.status == 0, "\(run.stderr)")
        let document = try object(run.stdout)
        let rolls = try #require(document["rolls"] as? [[String: Any]])
        #expect(rolls.map { $0["to"] as? String } == [base2, mid2])
        #expect(run.stderr.contains("base: rolled") && run.stderr.contains("mid: rolled (together with base)"))
        #expect(try fixture.git(["log", "-1", "--format=%s"], in: workspace.projectDirectory).hasPrefix("Roll base"))
    }

    /// The workflow of docs/workspace-autoroll.md: scripts/workspace-autoroll.sh syncs,
    /// rolls, checks and pushes a branch, from a fresh workspace.
    @Test(.enabled(if: nvgpuExecutable != nil))
    func theCIScriptRunsEndToEnd() throws {
        let (fixture, workspace, _, _) = try threeProjects()
        let (base2, _, mid2) = try upstreamMoves(fixture)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/workspace-autoroll.sh")
        let executable = try #require(nvgpuExecutable)
        let report = fixture.base.appendingPathComponent("report.json")
        let run = try runShell(
            ["sh", script.path, "--branch", "autoroll/nightly", "--report", report.path, "--", "--depth", "1"],
            in: workspace.projectDirectory, environment: ["NVGPU": executable.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("pushing autoroll/nightly"))
        let rolls = try #require(try object(String(contentsOf: report, encoding: .utf8))["rolls"] as? [[String: Any]])
        #expect(rolls.map { $0["outcome"] as? String } == ["rolled", "rolled"])
        // The pushed branch pins the new points.
        let pushed = try fixture.git(["show", "autoroll/nightly:\(WorkspaceLayout.pinFileName)"], in: fixture.bare("app"))
        let pins = try PinFileDecoder.decode(pushed, file: "pushed")
        #expect(pins.dependency(named: "base")?.revision == base2 && pins.dependency(named: "mid")?.revision == mid2)

        // Run again: the only newer points (base and mid green-3) fail the check: nothing
        // rolls, nothing is pushed, exit 1.
        let again = try runShell(
            ["sh", script.path, "--branch", "autoroll/again", "--report", report.path],
            in: workspace.projectDirectory, environment: ["NVGPU": executable.path])
        #expect(again.status == 1, "\(again.stderr)")
        #expect(again.stderr.contains("base: check failed") && again.stderr.contains("no roll succeeded"))
        #expect(throws: WorkspaceError.self) { try fixture.git(["rev-parse", "--verify", "autoroll/again"], in: fixture.bare("app")) }

        // Once nothing newer exists at all: "nothing to roll", exit 0.
        try fixture.git(["push", "--quiet", "origin", ":refs/tags/green-3"], in: fixture.work("base"))
        try fixture.git(["push", "--quiet", "origin", ":refs/tags/green-3"], in: fixture.work("mid"))
        for repo in ["base", "mid"] {
            try fixture.git(["tag", "--delete", "green-3"], in: fixture.checkout(repo))
        }
        let idle = try runShell(
            ["sh", script.path, "--branch", "autoroll/idle", "--report", report.path],
            in: workspace.projectDirectory, environment: ["NVGPU": executable.path])
        #expect(idle.status == 0, "\(idle.stderr)")
        #expect(idle.stderr.contains("nothing to roll"))
    }

    private func runShell(_ arguments: [String], in directory: URL, environment: [String: String]) throws -> ChildRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("autoroll-\(UUID().uuidString).out")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("autoroll-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return ChildRun(
            status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
            stdout: try String(contentsOf: out, encoding: .utf8), stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
