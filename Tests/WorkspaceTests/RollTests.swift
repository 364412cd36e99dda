import Foundation
import Testing

@testable import Workspace

@Suite("Workspace roll and bisect against real git")
struct RollTests {
    /// A project tracking `alpha` by tag, synced.
    private func taggedSetup(check: String?) throws -> (GitFixture, Workspace, String) {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        try fixture.tag("alpha", "candidate-1", at: a1)
        let workspace = try fixture.makeProject(pins: PinFile(check: check, dependencies: [
            fixture.dependency("alpha", a1, track: .tags(pattern: "candidate-*"))
        ]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        return (fixture, workspace, a1)
    }

    @Test func rollMovesToNewestMatchingTagWhenCheckPasses() throws {
        let (fixture, workspace, a1) = try taggedSetup(check: "test \"$(cat ../alpha/README)\" != broken")
        let a2 = try fixture.commit("alpha", files: ["README": "two\n"], message: "alpha: second")
        try fixture.tag("alpha", "candidate-2", at: a2)
        let a3 = try fixture.commit("alpha", files: ["README": "three\n"], message: "alpha: third")
        try fixture.tag("alpha", "candidate-10", at: a3)
        try fixture.tag("alpha", "other-99", at: try fixture.commit("alpha", files: ["x": "y"], message: "untagged"))
        var roller = Roller(workspace: workspace)
        let result = try roller.roll("alpha")
        #expect(result.outcome == .rolled)
        let range = try #require(result.range)
        #expect(range.from == a1 && range.to == a3 && range.tag == "candidate-10")
        #expect(range.commits.map(\.subject) == ["alpha: third", "alpha: second"])
        #expect(range.commitMessage.hasPrefix("Roll alpha from \(a1.prefix(12)) to \(a3.prefix(12)) (candidate-10)"))
        #expect(range.commitMessage.contains("2 commits in alpha"))
        #expect(try fixture.reopen(workspace).pins.dependency(named: "alpha")?.revision == a3)
        #expect(try fixture.head("alpha") == a3)
        var again = Roller(workspace: try fixture.reopen(workspace))
        #expect(try again.roll("alpha").outcome == .upToDate)
    }

    @Test func rollWhoseCheckFailsLeavesThePinUnchanged() throws {
        let (fixture, workspace, a1) = try taggedSetup(check: "test \"$(cat \"$NVGPU_WORKSPACE_REPO_PATH/README\")\" != broken")
        let before = try String(contentsOf: workspace.pinFileURL, encoding: .utf8)
        let bad = try fixture.commit("alpha", files: ["README": "broken\n"], message: "alpha: breaks things")
        try fixture.tag("alpha", "candidate-2", at: bad)
        var roller = Roller(workspace: workspace)
        let result = try roller.roll("alpha")
        guard case .checkFailed(let status, _) = result.outcome else {
            Issue.record("expected the check to fail, got \(result.outcome)")
            return
        }
        #expect(status != 0)
        #expect(try String(contentsOf: workspace.pinFileURL, encoding: .utf8) == before)
        #expect(try fixture.head("alpha") == a1)
    }

    /// The newest tag fails the project's check: the roll falls back to the newest older
    /// tag (still after the pin) that passes.
    @Test func tagRollWithAFailingNewestTagPinsTheNewestThatPasses() throws {
        let (fixture, workspace, _) = try taggedSetup(check: "test \"$(cat \"$NVGPU_WORKSPACE_REPO_PATH/README\")\" != broken")
        let a2 = try fixture.commit("alpha", files: ["README": "two\n"], message: "alpha: second")
        try fixture.tag("alpha", "candidate-2", at: a2)
        let a3 = try fixture.commit("alpha", files: ["README": "broken\n"], message: "alpha: breaks things")
        try fixture.tag("alpha", "candidate-3", at: a3)
        var roller = Roller(workspace: workspace)
        let result = try roller.roll("alpha")
        #expect(result.outcome == .rolled)
        #expect(result.range?.to == a2 && result.range?.tag == "candidate-2")
        #expect(try fixture.reopen(workspace).pins.dependency(named: "alpha")?.revision == a2)
        #expect(try fixture.head("alpha") == a2)
    }

    /// `--check` (the candidate check) applies to tag rolls too.
    @Test func tagRollHonoursTheCandidateCheck() throws {
        let (fixture, workspace, _) = try taggedSetup(check: "true")
        let a2 = try fixture.commit("alpha", files: ["README": "two\n"], message: "alpha: second")
        try fixture.tag("alpha", "candidate-2", at: a2)
        let a3 = try fixture.commit("alpha", files: ["README": "red\n"], message: "alpha: red")
        try fixture.tag("alpha", "candidate-3", at: a3)
        var options = RollOptions()
        options.candidateCheck = "test \"$(cat \"$NVGPU_WORKSPACE_REPO_PATH/README\")\" != red"
        var roller = Roller(workspace: workspace, options: options)
        let result = try roller.roll("alpha")
        #expect(result.outcome == .rolled)
        #expect(result.range?.to == a2)
    }

    /// `--bisect`: commits pass up to a planted bug; the roll pins the last good one with
    /// about log2(n) checks instead of one per commit.
    @Test func rollWithBisectPinsTheNewestPassingCommit() throws {
        let fixture = try GitFixture()
        let a0 = try fixture.makeUpstream("alpha")
        let log = fixture.base.appendingPathComponent("checks.log")
        let workspace = try fixture.makeProject(pins: PinFile(
            check: "echo run >> \"\(log.path)\"; test ! -e \"$NVGPU_WORKSPACE_REPO_PATH/bug\"",
            dependencies: [fixture.dependency("alpha", a0, track: .branch("main"))]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        var lastGood = ""
        for index in 1...16 {
            let commit = try fixture.commit("alpha", files: index == 11 ? ["bug": "x\n"] : ["n": "\(index)\n"], message: "c\(index)")
            if index == 10 { lastGood = commit }
        }
        var options = RollOptions()
        options.bisect = true
        var roller = Roller(workspace: workspace, options: options)
        let result = try roller.roll("alpha")
        #expect(result.outcome == .rolled)
        #expect(result.range?.to == lastGood)
        #expect(try fixture.reopen(workspace).pins.dependency(named: "alpha")?.revision == lastGood)
        let checks = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").count
        #expect(checks <= 7, "\(checks) checks for 16 candidates")  // newest, log2(16) steps, the chosen again
    }

    @Test func bisectRefusesWhenThePinAlreadyFails() throws {
        let fixture = try GitFixture()
        let a0 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a0)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let a1 = try fixture.commit("alpha", files: ["n": "1"], message: "one")
        #expect {
            _ = try Bisector(workspace: workspace, check: CheckCommand("false")).bisect("alpha", to: a1)
        } throws: { error in
            "\(error)".contains("already fails at the pin")
        }
        #expect(try fixture.head("alpha") == a0)
    }

    @Test func dryRunShowsTheRollWithoutChangingAnything() throws {
        let (fixture, workspace, a1) = try taggedSetup(check: "false")
        let a2 = try fixture.commit("alpha", files: ["README": "two\n"], message: "alpha: second")
        try fixture.tag("alpha", "candidate-2", at: a2)
        var options = RollOptions()
        options.dryRun = true
        var roller = Roller(workspace: workspace, options: options)
        let result = try roller.roll("alpha")
        #expect(result.outcome == .wouldRoll)
        #expect(result.range?.to == a2)
        #expect(try fixture.reopen(workspace).pins.dependency(named: "alpha")?.revision == a1)
        #expect(try fixture.head("alpha") == a1)
    }

    @Test func branchRollPicksNewestCommitPassingTheCandidateCheck() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("alpha", a1, track: .branch("main"))
        ]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let good = try fixture.commit("alpha", files: ["status": "green\n"], message: "green")
        try fixture.commit("alpha", files: ["status": "red\n"], message: "red")
        var options = RollOptions()
        options.candidateCheck = "grep -q green \"$NVGPU_WORKSPACE_REPO_PATH/status\""
        var roller = Roller(workspace: workspace, options: options)
        let result = try roller.roll("alpha")
        #expect(result.outcome == .rolled)
        #expect(result.range?.to == good)
        #expect(try fixture.reopen(workspace).pins.dependency(named: "alpha")?.revision == good)
    }

    /// Three projects: `app` depends on `mid` and `base`; `mid` depends on `base`. New
    /// `mid` pins new `base`, so `mid` can only roll after `base` has.
    @Test func rollAllCascadesInDependencyOrder() throws {
        let fixture = try GitFixture()
        let base1 = try fixture.makeUpstream("base")
        try fixture.tag("base", "green-1", at: base1)
        try fixture.makeUpstream("mid")
        let mid1 = try fixture.commitPins("mid", PinFile(dependencies: [fixture.dependency("base", base1)]), message: "mid: pin base 1")
        try fixture.tag("mid", "green-1", at: mid1)
        let workspace = try fixture.makeProject(pins: PinFile(check: "true", dependencies: [
            fixture.dependency("mid", mid1, track: .tags(pattern: "green-*")),
            fixture.dependency("base", base1, track: .tags(pattern: "green-*")),
        ]))
        #expect(try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run().isComplete)
        let base2 = try fixture.commit("base", files: ["v": "2"], message: "base: two")
        try fixture.tag("base", "green-2", at: base2)
        let mid2 = try fixture.commitPins("mid", PinFile(dependencies: [fixture.dependency("base", base2)]), message: "mid: pin base 2")
        try fixture.tag("mid", "green-2", at: mid2)

        var single = Roller(workspace: workspace)
        guard case .conflict(let why) = try single.roll("mid").outcome else {
            Issue.record("rolling mid before base must be refused as a conflict")
            return
        }
        #expect(why.contains("roll base first"))

        var dryOptions = RollOptions()
        dryOptions.dryRun = true
        var dry = Roller(workspace: try fixture.reopen(workspace), options: dryOptions)
        #expect(try dry.rollAll().map(\.outcome) == [.wouldRoll, .wouldRoll])
        #expect(try fixture.reopen(workspace).pins == workspace.pins)

        var roller = Roller(workspace: try fixture.reopen(workspace))
        let results = try roller.rollAll()
        #expect(results.map(\.dependency) == ["base", "mid"])
        #expect(results.map(\.outcome) == [.rolled, .rolled])
        let pins = try fixture.reopen(workspace).pins
        #expect(pins.dependency(named: "base")?.revision == base2)
        #expect(pins.dependency(named: "mid")?.revision == mid2)
        let status = try WorkspaceStatus.collect(try fixture.reopen(workspace))
        #expect(status.isClean)
    }

    @Test func rollAllBlocksDependentsOfAFailedRoll() throws {
        let fixture = try GitFixture()
        let base1 = try fixture.makeUpstream("base")
        try fixture.makeUpstream("mid")
        let mid1 = try fixture.commitPins("mid", PinFile(dependencies: [fixture.dependency("base", base1)]), message: "mid: pins")
        let workspace = try fixture.makeProject(pins: PinFile(check: "test ! -e ../base/poison", dependencies: [
            fixture.dependency("mid", mid1, track: .branch("main")),
            fixture.dependency("base", base1, track: .branch("main")),
        ]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        try fixture.commit("base", files: ["poison": "x"], message: "base: poison")
        try fixture.commit("mid", files: ["m": "2"], message: "mid: two")
        var roller = Roller(workspace: workspace)
        let results = try roller.rollAll()
        #expect(results.map(\.dependency) == ["base", "mid"])
        // base's new commit fails the check, and mid has no point that pins it: either way base
        // does not roll, and mid, which depends on it, is not attempted.
        guard case .blocked(let reason) = results[1].outcome else {
            Issue.record("expected base to fail and mid to be blocked: \(results.map(\.outcome))")
            return
        }
        switch results[0].outcome {
        case .checkFailed, .conflict: break
        default: Issue.record("base must not roll: \(results[0].outcome)")
        }
        #expect(reason.contains("base"))
        #expect(try fixture.reopen(workspace).pins == workspace.pins)
    }

    @Test(arguments: [1, 4, 7, 8])
    func bisectFindsThePlantedBadCommit(badIndex: Int) throws {
        let fixture = try GitFixture()
        let a0 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("alpha", a0, track: .branch("main"))
        ]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        var planted = ""
        for index in 1...8 {
            let files = index == badIndex ? ["bug": "planted\n"] : ["n": "\(index)\n"]
            let commit = try fixture.commit("alpha", files: files, message: "alpha: change \(index)")
            if index == badIndex { planted = commit }
        }
        let bisector = Bisector(workspace: workspace, check: CheckCommand("test ! -e \"$NVGPU_WORKSPACE_REPO_PATH/bug\""))
        let result = try bisector.bisect("alpha")
        #expect(result.firstBad?.commit == planted)
        #expect(result.firstBad?.subject == "alpha: change \(badIndex)")
        #expect(result.rangeSize == 8)
        #expect(result.checksRun <= 5)  // the newest end, the pin, then log2(8) steps
        #expect(try fixture.head("alpha") == a0)
    }

    @Test func bisectReportsARangeWithNoFailure() throws {
        let fixture = try GitFixture()
        let a0 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a0)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let a1 = try fixture.commit("alpha", files: ["n": "1"], message: "one")
        let result = try Bisector(workspace: workspace, check: CheckCommand("true")).bisect("alpha", to: a1)
        #expect(result.firstBad == nil)
        #expect(result.lastGood == a1)
    }
}
