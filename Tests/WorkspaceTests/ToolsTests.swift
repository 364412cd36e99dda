import Foundation
import Testing

@testable import Workspace

@Suite("Workspace import, status, pin, freeze, graph, foreach")
struct ToolsTests {
    static let syncDeps = """
        #!/usr/bin/env python
        ### AUTO-GENERATED: DO NOT EDIT
        ### Update with: openxla-workspace pin

        PINNED_VERSIONS = {
          "iree": "5c005b7de092ca48aee76356b77f09141cdc5599",
          "xla": "179d4899a1fbe5d8a8dc462edd90c504a9421686",  # a comment
          'jax': 'fb46d3d084c2de13ceb0344c4adc241df910cb4d',
        }

        ORIGINS = {
          "iree": "https://github.com/openxla/iree.git",
          "jax": "https://github.com/google/jax.git",
          "xla": "https://github.com/openxla/xla.git"
        }

        SUBMODULES = {
          "iree": 1
        }

        ### Update support:
        import os, sys
        def main():
            d = {"not": "a pin"}
            print(f"syncing {len(PINNED_VERSIONS)} repos: {'x'}")
            os.system("rm -rf /")  # never executed: we only read the dictionaries
        """

    @Test func importsSyncDepsAsData() throws {
        let pins = try SyncDepsImporter.importPins(from: Self.syncDeps, file: "sync_deps.py")
        #expect(pins.dependencies.map(\.name) == ["iree", "xla", "jax"])
        #expect(pins.dependency(named: "iree")?.submodules == true)
        #expect(pins.dependency(named: "xla")?.submodules == false)
        #expect(pins.dependency(named: "jax")?.url == "https://github.com/google/jax.git")
        #expect(pins.dependency(named: "xla")?.revision == "179d4899a1fbe5d8a8dc462edd90c504a9421686")
        #expect(pins.dependency(named: "jax")?.path == "jax")
        #expect(pins.dependency(named: "xla")?.declaredAt == SourcePosition(file: "sync_deps.py", line: 7, column: 3))
    }

    @Test(arguments: [
        ("PINNED_VERSIONS = {\n  \"a\": \"0123\"\n}\n", 2, 3, "no entry in ORIGINS"),
        ("PINNED_VERSIONS = {\n  \"a\": \"--evil\"\n}\nORIGINS = {\"a\": \"https://x/a\"}\n", 2, 8, "invalid revision"),
        ("PINNED_VERSIONS = {\"a\": \"0123\"}\nORIGINS = {\n \"a\": \"http://x/a\"}\n", 1, 20, "not allowed"),
        ("X = 1\n", 1, 1, "no PINNED_VERSIONS"),
        ("PINNED_VERSIONS = {\"a\" \"b\"}\n", 1, 24, "expected ':'"),
    ])
    func badSyncDepsGetPositions(text: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try SyncDepsImporter.importPins(from: text, file: "sync_deps.py")
        } throws: { error in
            guard let error = error as? WorkspaceError, case .invalidFile(let position, let text) = error else { return false }
            return position.line == line && position.column == column && text.contains(message)
        }
    }

    @Test func importedPinsSyncAnExistingWorkspace() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let b1 = try fixture.makeUpstream("beta")
        let text = """
            PINNED_VERSIONS = {"alpha": "\(a1)", "beta": "\(b1)"}
            ORIGINS = {"alpha": "\(fixture.url("alpha"))", "beta": "\(fixture.url("beta"))"}
            SUBMODULES = {}
            """
        let pins = try SyncDepsImporter.importPins(from: text, file: "sync_deps.py")
        let workspace = try fixture.makeProject(pins: pins)
        #expect(try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run().isComplete)
        #expect(try fixture.head("beta") == b1)
    }

    @Test func statusReportsPinnedCheckedOutDirtyAheadBehindMissing() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let a2 = try fixture.commit("alpha", files: ["n": "2"], message: "two")
        let b1 = try fixture.makeUpstream("beta")
        let c1 = try fixture.makeUpstream("gamma")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("alpha", a1), fixture.dependency("beta", b1), fixture.dependency("gamma", c1),
        ]))
        var options = testSyncOptions()
        options.excluded = ["gamma"]
        _ = try WorkspaceSync(workspace: workspace, options: options).run()
        try fixture.git(["checkout", "--quiet", "--detach", a2], in: fixture.checkout("alpha"))
        try fixture.write("beta/README", "edited\n")
        let status = try WorkspaceStatus.collect(workspace)
        let byName = Dictionary(uniqueKeysWithValues: status.repositories.map { ($0.name, $0) })
        #expect(byName["alpha"]?.state == .drift)
        #expect(byName["alpha"]?.ahead == 1 && byName["alpha"]?.behind == 0)
        #expect(byName["beta"]?.state == .dirty && byName["beta"]?.dirty == true)
        #expect(byName["gamma"]?.state == .missing && byName["gamma"]?.checkedOut == nil)
        #expect(!status.isClean)
        let table = status.table()
        #expect(table.contains("REPO"))
        #expect(table.split(separator: "\n").count == 4)
        let json = try status.json()
        let decoded = try JSONDecoder().decode(WorkspaceStatus.self, from: Data(json.utf8))
        #expect(decoded.repositories == status.repositories)
        #expect(json.contains("\"state\" : \"missing\""))
        #expect(!json.contains("\\/"), "paths and URLs keep their slashes unescaped: \(json)")
        // gamma was left out of the sync on purpose: named as excluded, it is not missing.
        let excluded = try WorkspaceStatus.collect(workspace, excluded: ["gamma"])
        #expect(excluded.repositories.first { $0.name == "gamma" }?.state == .excluded)
        #expect(excluded.repositories.first { $0.name == "alpha" }?.state == .drift)
    }

    @Test func pinRecordsCheckoutsAndFreezeResolvesRevisions() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        try fixture.tag("alpha", "v1", at: a1)
        let a2 = try fixture.commit("alpha", files: ["n": "2"], message: "two")
        try fixture.makeUpstream("base")
        let base = try fixture.commit("base", files: ["n": "1"], message: "base one")
        try fixture.tag("base", "release-1", at: base)
        try fixture.makeUpstream("beta")
        let b1 = try fixture.commitPins("beta", PinFile(dependencies: [fixture.dependency("base", "release-1")]), message: "beta pins")
        var workspace = try fixture.makeProject(pins: PinFile(dependencies: [
            fixture.dependency("alpha", "v1"), fixture.dependency("beta", "main"),
        ]))
        #expect(try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run().isComplete)

        let lock = try PinRecording.frozenGraph(workspace)
        #expect(lock.dependencies.map(\.name) == ["alpha", "base", "beta"])
        #expect(lock.dependencies.map(\.revision) == [a1, base, b1])

        try PinRecording.freeze(&workspace)
        #expect(try fixture.reopen(workspace).pins.dependencies.map(\.revision) == [a1, b1])

        try fixture.git(["checkout", "--quiet", "--detach", a2], in: fixture.checkout("alpha"))
        let notes = try PinRecording.pinCheckedOut(&workspace)
        #expect(notes == ["alpha: \(a1.prefix(12)) -> \(a2.prefix(12))"])
        #expect(try fixture.reopen(workspace).pins.dependency(named: "alpha")?.revision == a2)
    }

    @Test func graphPrintsTextAndDot() throws {
        let fixture = try GitFixture()
        let base = try fixture.makeUpstream("base")
        try fixture.makeUpstream("mid")
        let mid = try fixture.commitPins("mid", PinFile(dependencies: [fixture.dependency("base", base)]), message: "pins")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("mid", mid)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let graph = try workspace.graph()
        #expect(graph.textTree() == "app (project)\n└── mid @ \(mid.prefix(12))\n    └── base @ \(base.prefix(12))")
        let dot = graph.dot()
        #expect(dot.contains("\"app\" -> \"mid\";"))
        #expect(dot.contains("\"mid\" -> \"base\";"))
        #expect(try graph.dependencyOrder() == ["base", "mid"])
    }

    @Test func foreachRunsInDependencyOrderWithTheRepositoryInTheEnvironment() throws {
        let fixture = try GitFixture()
        let base = try fixture.makeUpstream("base")
        try fixture.makeUpstream("mid")
        let mid = try fixture.commitPins("mid", PinFile(dependencies: [fixture.dependency("base", base)]), message: "pins")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("mid", mid)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let lines = LineTail(limit: 100)
        let outcomes = try ForeachRunner.run(
            "echo \"$NVGPU_WORKSPACE_REPO in $(basename \"$PWD\")\"; test \"$NVGPU_WORKSPACE_REPO\" != mid",
            in: workspace
        ) { repo, line in lines.append("[\(repo)] \(line)") }
        #expect(lines.lines == ["[base] base in base", "[mid] mid in mid", "[app] app in app"])
        #expect(outcomes.map(\.status) == [0, 1, 0])
        #expect(outcomes.allSatisfy { $0.skipped == nil })

        // Skipped repositories are reported, in order, and the command does not run there.
        let skippedLines = LineTail(limit: 100)
        try FileManager.default.removeItem(at: fixture.checkout("base"))
        let skipped = try ForeachRunner.run("echo ran", in: workspace, exclude: ["mid"]) { repo, line in
            skippedLines.append("[\(repo)] \(line)")
        }
        #expect(skipped.map(\.repository) == ["base", "mid", "app"])
        #expect(skipped[0].skipped?.hasPrefix("not cloned") == true)
        #expect(skipped[1].skipped == "excluded")
        #expect(skipped[2].skipped == nil)
        #expect(skippedLines.lines == ["[app] ran"])
    }
}
