import Foundation
import Testing

@testable import Workspace

/// Issue 15 item 3: `roll` and `pin` never write conflicting pins.
@Suite("Rolls and pins never write conflicting pins")
struct RollConflictTests {
    /// `app` pins `alpha` (tracked by tag) and `carrier`; `carrier` pins `alpha` at a1.
    private func setup(carrierTrack: TrackingRule?) throws -> (GitFixture, Workspace, a1: String, c1: String) {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        try fixture.tag("alpha", "green-1", at: a1)
        try fixture.makeUpstream("carrier")
        let c1 = try fixture.commitPins("carrier", PinFile(dependencies: [fixture.dependency("alpha", a1)]), message: "carrier: pin alpha 1")
        try fixture.tag("carrier", "green-1", at: c1)
        let workspace = try fixture.makeProject(pins: PinFile(check: "true", dependencies: [
            fixture.dependency("alpha", a1, track: .tags(pattern: "green-*")),
            fixture.dependency("carrier", c1, track: carrierTrack),
        ]))
        #expect(try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run().isComplete)
        return (fixture, workspace, a1, c1)
    }

    @Test func rollingPastAPinADependentHoldsIsRefusedBeforeAnythingIsWritten() throws {
        let (fixture, workspace, a1, _) = try setup(carrierTrack: nil)
        try fixture.tag("alpha", "green-2", at: try fixture.commit("alpha", files: ["v": "2"], message: "alpha: two"))
        let before = try String(contentsOf: workspace.pinFileURL, encoding: .utf8)
        for dryRun in [true, false] {
            var options = RollOptions()
            options.dryRun = dryRun
            var roller = Roller(workspace: try fixture.reopen(workspace), options: options)
            let result = try roller.roll("alpha")
            guard case .conflict(let why) = result.outcome else {
                Issue.record("dry run \(dryRun): expected a refusal, got \(result.outcome)")
                continue
            }
            #expect(why.contains("carrier") && why.contains("no \"track\" rule") && why.contains("nothing written"), "\(why)")
            #expect(result.attempts.first?.refused != nil)
            #expect(try String(contentsOf: workspace.pinFileURL, encoding: .utf8) == before)
            #expect(try fixture.head("alpha") == a1)
        }
        #expect(try workspace.graph().conflicts.isEmpty)
    }

    @Test func dependentsRollTogetherWhereTheirTracksAllow() throws {
        let (fixture, workspace, a1, c1) = try setup(carrierTrack: .tags(pattern: "green-*"))
        let a2 = try fixture.commit("alpha", files: ["v": "2"], message: "alpha: two")
        try fixture.tag("alpha", "green-2", at: a2)
        let c2 = try fixture.commitPins("carrier", PinFile(dependencies: [fixture.dependency("alpha", a2)]), message: "carrier: pin alpha 2")
        try fixture.tag("carrier", "green-2", at: c2)
        let before = try String(contentsOf: workspace.pinFileURL, encoding: .utf8)

        var dryOptions = RollOptions()
        dryOptions.dryRun = true
        var dry = Roller(workspace: workspace, options: dryOptions)
        let preview = try dry.roll("alpha")
        #expect(preview.outcome == .wouldRoll)
        #expect(preview.companions.map(\.dependency) == ["carrier"] && preview.companions.first?.to == c2)
        #expect(try String(contentsOf: workspace.pinFileURL, encoding: .utf8) == before)

        var roller = Roller(workspace: try fixture.reopen(workspace))
        let result = try roller.roll("alpha")
        #expect(result.outcome == .rolled)
        #expect(result.companions.map(\.from) == [c1] && result.companions.map(\.to) == [c2])
        let pins = try fixture.reopen(workspace).pins
        #expect(pins.dependency(named: "alpha")?.revision == a2 && pins.dependency(named: "carrier")?.revision == c2)
        #expect(try fixture.head("carrier") == c2)
        #expect(try fixture.reopen(workspace).graph().conflicts.isEmpty)
        // Only the two revision lines changed.
        let after = try String(contentsOf: workspace.pinFileURL, encoding: .utf8)
        let changed = zip(before.split(separator: "\n"), after.split(separator: "\n")).filter { $0 != $1 }
        #expect(changed.count == 2 && changed.allSatisfy { $0.0.contains("\"revision\"") })
        #expect(before.replacingOccurrences(of: a1, with: a2).replacingOccurrences(of: c1, with: c2) == after)
    }

    @Test func aDependentWithNoAgreeingPointRefusesTheRoll() throws {
        let (fixture, workspace, a1, c1) = try setup(carrierTrack: .tags(pattern: "green-*"))
        try fixture.tag("alpha", "green-2", at: try fixture.commit("alpha", files: ["v": "2"], message: "alpha: two"))
        try fixture.tag("carrier", "green-2", at: try fixture.commit("carrier", files: ["x": "y"], message: "carrier: still alpha 1"))
        var roller = Roller(workspace: workspace)
        let results = try roller.rollAll()
        #expect(results.map(\.dependency) == ["alpha", "carrier"])
        guard case .conflict(let why) = results.first?.outcome else {
            Issue.record("expected alpha's roll to be refused: \(results.map(\.outcome))")
            return
        }
        #expect(why.contains("no newer carrier"), "\(why)")
        guard case .blocked = results.last?.outcome else {
            Issue.record("carrier depends on alpha, which did not roll: \(results.map(\.outcome))")
            return
        }
        let pins = try fixture.reopen(workspace).pins
        #expect(pins.dependency(named: "alpha")?.revision == a1 && pins.dependency(named: "carrier")?.revision == c1)
    }

    @Test func pinRefusesToRecordConflictingCheckouts() throws {
        let (fixture, workspace, _, _) = try setup(carrierTrack: nil)
        let a2 = try fixture.commit("alpha", files: ["v": "2"], message: "alpha: two")
        try fixture.git(["fetch", "--quiet", "origin"], in: fixture.checkout("alpha"))
        try fixture.git(["checkout", "--quiet", "--detach", a2], in: fixture.checkout("alpha"))
        let before = try String(contentsOf: workspace.pinFileURL, encoding: .utf8)
        var opened = try fixture.reopen(workspace)
        let error = #expect(throws: WorkspaceError.self) { try PinRecording.pinCheckedOut(&opened) }
        #expect(error?.description.contains("pin would write conflicting pins") == true, "\(String(describing: error))")
        #expect(try String(contentsOf: workspace.pinFileURL, encoding: .utf8) == before)
    }
}
