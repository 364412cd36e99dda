import Foundation
import Testing

@testable import Workspace

/// Issue 15 item 6: transfer progress on clones and fetches.
@Suite("Transfer progress")
struct ProgressTests {
    @Test func progressLinesAreSplitOnCarriageReturnsAndSummarised() {
        let lines = LineCollector()
        let progress = TransferProgress { lines.append($0) }
        progress.take("Receiving objects:  50% (1/2)\rReceiving obj")
        progress.take("ects: 100% (2/2), 1.00 KiB | 1.00 MiB/s, done.\nResolving deltas: 100% (0/0), done.\n")
        #expect(lines.values == [
            "Receiving objects:  50% (1/2)", "Receiving objects: 100% (2/2), 1.00 KiB | 1.00 MiB/s, done.",
            "Resolving deltas: 100% (0/0), done.",
        ])
        #expect(progress.summary == " (Receiving objects: 100% (2/2), 1.00 KiB | 1.00 MiB/s, done.)")
    }

    @Test func failuresKeepGitsMessageWithoutTheProgress() {
        let stderr = "remote: Counting objects: 100% (3/3)\rremote: Total 3\nReceiving objects: 10%\rfatal: the remote hung up\n"
        #expect(Git.withoutProgress(stderr) == "fatal: the remote hung up")
    }

    /// A real clone and fetch with a progress display: git's `--progress` lines arrive as
    /// events and the finished line carries the final figure.
    @Test func syncReportsGitsTransferProgress() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a1)]))
        let events = LineCollector()
        var options = testSyncOptions()
        options.progress = { event in
            switch event {
            case .transfer(let repo, let line): events.append("transfer \(repo) \(line)")
            case .finished(let repo, let phase, let detail): events.append("finished \(repo) \(phase) \(detail)")
            case .started: break
            }
        }
        #expect(try WorkspaceSync(workspace: workspace, options: options).run().isComplete)
        #expect(events.values.contains { $0.hasPrefix("transfer alpha Receiving objects: 100%") })
        #expect(events.values.contains { $0.hasPrefix("finished alpha clone cloned (Receiving objects: 100%") })
        try fixture.commit("alpha", files: ["more": "data\n"], message: "alpha: more")
        #expect(try WorkspaceSync(workspace: try fixture.reopen(workspace), options: options).run().isComplete)
        // A fetch this small prints no local transfer figure (git delays unpacking progress),
        // only the remote's lines: the fetch line then carries no summary.
        let fetched = try #require(events.values.first { $0.hasPrefix("finished alpha fetch fetched") })
        #expect(fetched == "finished alpha fetch fetched" || fetched.contains("objects: 100%"))
        #expect(events.values.contains { $0.hasPrefix("transfer alpha remote: ") })
    }
}

/// Lines collected from callbacks on any thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) {
        lock.lock()
        stored.append(line)
        lock.unlock()
    }
    var values: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
