import Foundation
import Testing

@testable import Workspace

@Suite("Pin files: format, positions, safety")
struct PinFileTests {
    private static let hash = String(repeating: "a", count: 40)

    @Test func roundTripsThroughJSONText() throws {
        let pins = PinFile(check: "swift build && echo \"ok\"", dependencies: [
            Dependency(name: "iree", url: "https://github.com/openxla/iree.git", revision: Self.hash, submodules: true,
                       track: .tags(pattern: "candidate-*")),
            Dependency(name: "xla", url: "git@github.com:openxla/xla.git", path: "third_party/xla", revision: "main",
                       track: .branch("main")),
        ])
        let decoded = try PinFileDecoder.decode(pins.jsonText(), file: "deps.json")
        #expect(decoded == pins)
        #expect(decoded.dependencies[1].declaredAt?.line == 13)
    }

    /// A pin file with one bad value, and where the error must point.
    struct BadCase: Sendable, CustomTestStringConvertible {
        var field: String
        var value: String
        var message: String
        var testDescription: String { "\(field)=\(value)" }
    }

    @Test(arguments: [
        BadCase(field: "path", value: "../outside", message: "must stay inside the workspace root"),
        BadCase(field: "path", value: "a/../../b", message: "must stay inside the workspace root"),
        BadCase(field: "path", value: "/etc", message: "must be relative"),
        BadCase(field: "url", value: "http://example.com/x.git", message: "scheme 'http' is not allowed"),
        BadCase(field: "url", value: "ext::sh -c touch% /tmp/pwned", message: "invalid URL"),
        BadCase(field: "url", value: "ext::ssh", message: "remote helpers"),
        BadCase(field: "url", value: "--upload-pack=evil", message: "invalid URL"),
        BadCase(field: "revision", value: "--output=/tmp/x", message: "invalid revision"),
        BadCase(field: "name", value: "-rf", message: "invalid name"),
    ])
    func unsafeValuesAreRefusedWithTheirPosition(bad: BadCase) throws {
        var fields = ["name": "dep", "url": "https://example.com/dep.git", "revision": Self.hash]
        fields[bad.field] = bad.value
        let text = """
            {
              "version": 1,
              "dependencies": [
                {
                  "name": \(PinFile.quoted(fields["name"] ?? "")),
                  "url": \(PinFile.quoted(fields["url"] ?? "")),
                  "revision": \(PinFile.quoted(fields["revision"] ?? ""))\(bad.field == "path" ? ",\n      \"path\": \(PinFile.quoted(bad.value))" : "")
                }
              ]
            }
            """
        let expectedLine = ["name": 5, "url": 6, "revision": 7, "path": 8][bad.field] ?? 0
        do {
            _ = try PinFileDecoder.decode(text, file: "openxla-deps.json")
            Issue.record("\(bad.field) '\(bad.value)' was accepted")
        } catch {
            guard case .invalidFile(let position, let message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(position.file == "openxla-deps.json")
            #expect(position.line == expectedLine)
            #expect(position.column == 7 + bad.field.count + 4)
            #expect(message.contains(bad.message), "\(message)")
            #expect(error.description.hasPrefix("openxla-deps.json:\(expectedLine):"))
        }
    }

    @Test(arguments: [
        ("{\"version\": 1,}", 1, 15, "expected a string key"),
        ("{\"version\": 2}", 1, 13, "unsupported pin file version"),
        ("{\n  \"version\": 1,\n  \"dependencies\": [\n    {\"name\": \"a\"}\n  ]\n}", 4, 5, "missing \"url\""),
        ("{\n  \"version\": 1,\n  \"deps\": []\n}", 3, 3, "unknown key 'deps'"),
        ("{\"version\": 1, \"version\": 1}", 1, 16, "duplicate key"),
        ("[1, 2", 1, 6, "unexpected end of file"),
        ("{\"version\": 1, \"check\": \"a\nb\"}", 1, 27, "control character"),
    ])
    func malformedJSONGivesLineAndColumn(text: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try PinFileDecoder.decode(text, file: "f.json")
        } throws: { error in
            guard let error = error as? WorkspaceError, case .invalidFile(let position, let text) = error else { return false }
            return position.line == line && position.column == column && text.contains(message)
        }
    }

    @Test func duplicateNamesAndPathsAreRefused() {
        let dependency = Dependency(name: "a", url: "https://x/a", revision: "main")
        var other = dependency
        other.name = "b"
        #expect(throws: WorkspaceError.self) {
            try PinFileDecoder.decode(PinFile(dependencies: [dependency, dependency]).jsonText(), file: "f")
        }
        #expect(throws: WorkspaceError.self) {
            try PinFileDecoder.decode(PinFile(dependencies: [dependency, other]).jsonText(), file: "f")
        }
    }

    @Test func symbolicLinksOutOfTheRootAreRefused() throws {
        let fixture = try GitFixture()
        let outside = fixture.base.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: fixture.checkout("escape"), withDestinationURL: outside)
        let layout = WorkspaceLayout(root: fixture.root)
        #expect(throws: WorkspaceError.self) { try layout.location(of: "escape/repo") }
        #expect(throws: WorkspaceError.self) { try layout.location(of: "escape") }
        let inside = try layout.location(of: "fine/repo")
        #expect(inside.path == fixture.root.path + "/fine/repo")

        let a1 = try fixture.makeUpstream("alpha")
        var pin = fixture.dependency("alpha", a1)
        pin.path = "escape/alpha"
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [pin]))
        #expect {
            try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        } throws: { error in
            guard let error = error as? WorkspaceError, case .refused(let reason) = error else { return false }
            return reason.contains("outside the workspace root")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test func workspaceRootAndProjectAreFoundFromInside() throws {
        let fixture = try GitFixture()
        let marker = try String(contentsOf: fixture.root.appendingPathComponent(WorkspaceLayout.markerFileName), encoding: .utf8)
        #expect(marker == "{\"version\": 0}\n")
        #expect(try WorkspaceLayout.initialize(at: fixture.root) == false)
        let workspace = try fixture.makeProject("proj", pins: PinFile())
        let nested = fixture.checkout("proj/src/deep")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        let found = try Workspace.open(from: nested)
        #expect(found.project == workspace.project)
        #expect(found.layout.root.path == fixture.root.path)
        #expect(throws: WorkspaceError.self) { try WorkspaceLayout.find(from: fixture.base) }
    }
}

@Suite("Workspace paths that clash")
struct PathClashTests {
    @Test func aDependencyCannotLiveInTheProjectOrShareAPath() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        var inside = fixture.dependency("alpha", a1)
        inside.path = "app/vendor/alpha"
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [inside]))
        #expect(throws: WorkspaceError.self) { try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run() }

        try fixture.makeUpstream("lib")
        var twin = fixture.dependency("alpha", a1)
        twin.name = "alpha-again"
        let lib = try fixture.commitPins("lib", PinFile(dependencies: [twin]), message: "lib pins alpha under another name")
        let other = try fixture.makeProject("app2", pins: PinFile(dependencies: [
            fixture.dependency("alpha", a1), fixture.dependency("lib", lib),
        ]))
        let report = try WorkspaceSync(workspace: other, options: testSyncOptions()).run()
        #expect(report.conflicts.map(\.name) == ["alpha-again"])
        #expect(try fixture.head("alpha") == a1)
    }

    @Test func aBranchNamedPinFollowsTheRemoteNotAStaleLocalBranch() throws {
        let fixture = try GitFixture()
        try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", "main")]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let a2 = try fixture.commit("alpha", files: ["n": "2"], message: "two")
        let report = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        #expect(report.result(for: "alpha")?.outcome == .synced(commit: a2, changed: true))
    }
}
