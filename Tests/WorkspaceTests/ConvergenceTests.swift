import Foundation
import Testing

@testable import Workspace

/// Issue 15 item 2: a killed sync always converges.
@Suite("Killed syncs converge (real SIGKILL of nvgpu and its git processes)")
struct ConvergenceTests {
    /// Upstream files that go through the `probe` filter when it is configured.
    private static func files(_ version: String, count: Int) -> [String: String] {
        var files: [String: String] = [".gitattributes": "*.txt filter=probe\n"]
        for index in 0..<count { files["f\(index).txt"] = "\(version) \(index)\n" }
        return files
    }

    /// A probe git runs at each step worth killing at: as the smudge filter of every `.txt`
    /// file a checkout writes (no arguments: it copies stdin), and as `upload-pack`'s
    /// `packObjectsHook` for every pack a fetch or clone receives (arguments: the
    /// `git pack-objects` command to run). The `$PROBE_KILL_AT`-th step (counted in
    /// `$PROBE_COUNTER`) kills its whole process group with SIGKILL: git, and the `nvgpu`
    /// that started it, which only works because git runs in nvgpu's process group.
    private static let probe = """
        n=$(( $(cat "$PROBE_COUNTER" 2>/dev/null || echo 0) + 1 )); echo $n > "$PROBE_COUNTER"
        if [ $n -ge "$PROBE_KILL_AT" ]; then kill -9 0; fi
        if [ $# -gt 0 ]; then exec "$@"; else exec cat; fi

        """

    private static func killingEnvironment(killAt: Int, counter: URL, probe: URL) -> [String: String] {
        [
            "GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "filter.probe.smudge", "GIT_CONFIG_VALUE_0": "sh '\(probe.path)'",
            "GIT_CONFIG_KEY_1": "uploadpack.packObjectsHook", "GIT_CONFIG_VALUE_1": "sh '\(probe.path)'",
            "PROBE_COUNTER": counter.path, "PROBE_KILL_AT": String(killAt),
        ]
    }

    @Test(.enabled(if: nvgpuExecutable != nil), arguments: [UInt64(15), 1515, 151515])
    func checkoutKilledAtRandomPointsConvergesOnTheNextRun(seed: UInt64) throws {
        let fixture = try GitFixture()
        var pins: [Dependency] = []
        var newPins: [Dependency] = []
        for name in ["alpha", "beta"] {
            try fixture.makeUpstream(name)
            let v1 = try fixture.commit(name, files: Self.files("one", count: 8), message: "\(name): one")
            let v2 = try fixture.commit(name, files: Self.files("two", count: 12), message: "\(name): two")
            pins.append(fixture.dependency(name, v1))
            newPins.append(fixture.dependency(name, v2))
        }
        try fixture.makeUpstream("gamma")
        let g1 = try fixture.commit("gamma", files: Self.files("gamma", count: 6), message: "gamma: files")
        newPins.append(fixture.dependency("gamma", g1))
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: pins))
        #expect(try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run().isComplete)
        try PinFile(dependencies: newPins).write(to: workspace.pinFileURL)

        // With one job, the first run's steps are: the packs of alpha's and beta's fetches (1,
        // 2), gamma's clone (3) and the 6 files of its checkout in scratch space (4-9), then
        // alpha's 12 files (10-21, a checkout of an existing clone), then beta's (22-33). The
        // first kill lands inside alpha's checkout; the later ones anywhere, fetches and
        // recovery included.
        let probe = fixture.base.appendingPathComponent("probe.sh")
        try Data(Self.probe.utf8).write(to: probe)
        var random = SeededGenerator(seed: seed)
        let killPoints = [10 + Int.random(in: 1...10, using: &random)] + (0..<4).map { _ in Int.random(in: 1...33, using: &random) }
        for (round, killAt) in killPoints.enumerated() {
            let counter = fixture.base.appendingPathComponent("counter-\(round)")
            let run = try runNVGPU(
                ["workspace", "sync", "--jobs", "1"], in: workspace.projectDirectory,
                environment: Self.killingEnvironment(killAt: killAt, counter: counter, probe: probe))
            if !run.killedBySignal {
                #expect(run.status == 0, "run \(round) ended without being killed: \(run.stdout) \(run.stderr)")
                break
            }
            #expect(run.status == SIGKILL)
            if round == 0 {
                // Killed mid-checkout: git's lock and our journal entry are left behind, and
                // the files are half old, half new.
                let lock = fixture.checkout("alpha/.git/index.lock")
                #expect(FileManager.default.fileExists(atPath: lock.path), "killed at \(killAt)")
                let journal = WorkspaceJournal(layout: workspace.layout).entries()
                #expect(journal.map(\.repository) == ["alpha"])
                #expect(journal.first?.operation == .syncCheckout && journal.first?.child != nil)
            }
        }
        let rerun = try WorkspaceSync(workspace: fixture.reopen(workspace), options: testSyncOptions()).run()
        #expect(rerun.isComplete, "\(rerun.results)")
        for pin in newPins {
            #expect(try fixture.head(pin.name) == pin.revision)
            #expect(!FileManager.default.fileExists(atPath: fixture.checkout("\(pin.name)/.git/index.lock").path))
        }
        #expect(try fixture.read("alpha/f11.txt") == "two 11\n")
        let status = try WorkspaceStatus.collect(try fixture.reopen(workspace))
        #expect(status.isClean, "\(try status.table())")
        #expect(WorkspaceJournal(layout: workspace.layout).entries().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.checkout(WorkspaceJournal.directoryName).path))
    }

    /// A checkout interrupted in this process (the injected hook) leaves its journal entry;
    /// the next run finishes it.
    @Test func journaledCheckoutIsResumed() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a1)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let a2 = try fixture.commit("alpha", files: ["README": "two\n", "new": "file\n"], message: "alpha: two")
        try fixture.git(["fetch", "--quiet", "origin"], in: fixture.checkout("alpha"))
        // As a killed sync leaves it: the entry, a dead git's lock, files half written.
        let journal = WorkspaceJournal(layout: workspace.layout)
        var entry = JournalEntry(operation: .syncCheckout, repository: "alpha", target: a2)
        entry.owner = 999_999
        entry.child = 999_998
        try journal.record(entry)
        try fixture.write("alpha/README", "two\n")
        try fixture.write("alpha/.git/index.lock", "")
        try PinFile(dependencies: [fixture.dependency("alpha", a2)]).write(to: workspace.pinFileURL)
        let report = try WorkspaceSync(workspace: try fixture.reopen(workspace), options: testSyncOptions()).run()
        #expect(report.isComplete)
        #expect(report.recovered.count == 1)
        #expect(report.recovered.first?.contains("cleared stale index.lock") == true)
        #expect(try fixture.head("alpha") == a2)
        #expect(try fixture.read("alpha/new") == "file\n")
        #expect(journal.entries().isEmpty)
    }

    /// A lock whose git is still running (or that no entry of ours explains) is never
    /// removed; git's own message says why the sync failed.
    @Test func foreignLocksAreLeftAndGitsReasonIsShown() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a1)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let a2 = try fixture.commit("alpha", files: ["README": "two\n"], message: "alpha: two")
        try PinFile(dependencies: [fixture.dependency("alpha", a2)]).write(to: workspace.pinFileURL)
        try fixture.write("alpha/README", "my work\n")
        try fixture.write("alpha/.git/index.lock", "")
        var force = testSyncOptions()
        force.force = true
        let report = try WorkspaceSync(workspace: try fixture.reopen(workspace), options: force).run()
        guard case .failed(let reason) = report.result(for: "alpha")?.outcome else {
            Issue.record("expected a failure, got \(String(describing: report.result(for: "alpha")))")
            return
        }
        #expect(reason.contains("index.lock") && reason.contains("File exists"), "\(reason)")
        #expect(FileManager.default.fileExists(atPath: fixture.checkout("alpha/.git/index.lock").path))
        #expect(try fixture.read("alpha/README") == "my work\n")

        // An entry whose git is still running: refused, lock kept.
        var entry = JournalEntry(operation: .syncCheckout, repository: "alpha", target: a2)
        entry.owner = 999_999
        entry.child = getppid()
        try WorkspaceJournal(layout: workspace.layout).record(entry)
        let error = #expect(throws: WorkspaceError.self) {
            try WorkspaceSync(workspace: try fixture.reopen(workspace), options: testSyncOptions()).run()
        }
        #expect(error?.description.contains("still running") == true, "\(String(describing: error))")
        #expect(FileManager.default.fileExists(atPath: fixture.checkout("alpha/.git/index.lock").path))
    }

    /// `kill PID` of a sync (SIGTERM to nvgpu alone) ends the git processes it started too.
    @Test(.enabled(if: nvgpuExecutable != nil && WorkspaceJournal.canListProcesses))
    func terminatingTheSyncTerminatesItsGit() throws {
        let fixture = try GitFixture()
        try fixture.makeUpstream("alpha")
        let v1 = try fixture.commit("alpha", files: Self.files("one", count: 1), message: "alpha: one")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", v1)]))
        let marker = fixture.base.appendingPathComponent("smudging")
        // The smudge filter records its pid, then hangs: git is mid-checkout until killed.
        let smudge = #"echo $$ > "$PROBE_MARKER"; exec sleep 30"#
        let executable = try #require(nvgpuExecutable)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["workspace", "sync"]
        process.currentDirectoryURL = workspace.projectDirectory
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in [
            "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "filter.probe.smudge", "GIT_CONFIG_VALUE_0": smudge,
            "PROBE_MARKER": marker.path,
        ] { environment[key] = value }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var filter: Int32?
        for _ in 0..<500 where filter == nil {
            if let text = try? String(contentsOf: marker, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                filter = pid
            } else {
                usleep(10_000)
            }
        }
        let hanging = try #require(filter, "the checkout never reached the filter")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM || process.terminationReason == .uncaughtSignal)
        var gone = false
        for _ in 0..<200 where !gone {
            gone = !ProcessRunner.isRunning(hanging)
            if !gone { usleep(10_000) }
        }
        #expect(gone, "the filter git started (pid \(hanging)) outlived the terminated sync")
    }

    /// An entry whose git pid was never recorded: its locks are cleared only when no git
    /// process works in the repository (read from /proc).
    @Test(.enabled(if: WorkspaceJournal.canListProcesses))
    func locksStayWhileAnyGitWorksInTheRepository() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a1)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        var entry = JournalEntry(operation: .plain, repository: "alpha")
        entry.owner = 999_999
        let journal = WorkspaceJournal(layout: workspace.layout)
        try journal.record(entry)
        try fixture.write("alpha/.git/index.lock", "")
        // A git that keeps running in alpha: `cat-file --batch` waits for its input.
        let busy = Process()
        busy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        busy.arguments = ["git", "cat-file", "--batch"]
        busy.currentDirectoryURL = fixture.checkout("alpha")
        let input = Pipe()
        busy.standardInput = input
        busy.standardOutput = FileHandle.nullDevice
        try busy.run()
        var notes: [String] = []
        for _ in 0..<50 where notes.isEmpty {  // until git has started and is seen
            let seen = WorkspaceJournal.gitProcesses(in: fixture.checkout("alpha"))
            if seen.contains(busy.processIdentifier) { notes = try journal.recover() } else { usleep(20_000) }
        }
        try input.fileHandleForWriting.close()
        busy.waitUntilExit()
        #expect(notes.first?.contains("git locks left alone") == true, "\(notes)")
        #expect(FileManager.default.fileExists(atPath: fixture.checkout("alpha/.git/index.lock").path))

        try journal.record(entry)
        let cleared = try journal.recover()
        #expect(cleared.first?.contains("cleared stale index.lock") == true, "\(cleared)")
        #expect(!FileManager.default.fileExists(atPath: fixture.checkout("alpha/.git/index.lock").path))
    }

    /// `roll` killed (SIGKILL of its process group, from the project's check) while a
    /// candidate is checked out: the next command puts the clone back; nothing was written.
    @Test(.enabled(if: nvgpuExecutable != nil))
    func aKilledRollIsRolledBack() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let check = #"if [ -n "$KILL_ROLL" ]; then kill -9 0; fi; true"#
        let workspace = try fixture.makeProject(pins: PinFile(check: check, dependencies: [
            fixture.dependency("alpha", a1, track: .branch("main"))
        ]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let a2 = try fixture.commit("alpha", files: ["README": "two\n"], message: "alpha: two")
        let before = try String(contentsOf: workspace.pinFileURL, encoding: .utf8)
        let run = try runNVGPU(["workspace", "roll", "alpha"], in: workspace.projectDirectory, environment: ["KILL_ROLL": "1"])
        #expect(run.killedBySignal && run.status == SIGKILL)
        #expect(try fixture.head("alpha") == a2)
        #expect(WorkspaceJournal(layout: workspace.layout).entries().map(\.operation) == [.candidateCheckout])
        #expect(try String(contentsOf: workspace.pinFileURL, encoding: .utf8) == before)

        let report = try WorkspaceSync(workspace: try fixture.reopen(workspace), options: testSyncOptions()).run()
        #expect(report.isComplete)
        #expect(report.recovered.contains { $0.contains("put back \(a1.prefix(12))") }, "\(report.recovered)")
        #expect(try fixture.head("alpha") == a1)
        var roller = Roller(workspace: try fixture.reopen(workspace))
        #expect(try roller.roll("alpha").outcome == .rolled)
        #expect(try fixture.head("alpha") == a2)
    }

    /// A roll or bisect killed while a candidate was checked out: the next command puts the
    /// clone back before doing anything, so `pin` records the pin, not the candidate.
    @Test func aCandidateLeftCheckedOutIsPutBack() throws {
        let fixture = try GitFixture()
        let a1 = try fixture.makeUpstream("alpha")
        let workspace = try fixture.makeProject(pins: PinFile(dependencies: [fixture.dependency("alpha", a1)]))
        _ = try WorkspaceSync(workspace: workspace, options: testSyncOptions()).run()
        let a2 = try fixture.commit("alpha", files: ["README": "candidate\n"], message: "alpha: candidate")
        var entry = JournalEntry(operation: .candidateCheckout, repository: "alpha", target: a1)
        entry.owner = 999_999
        try WorkspaceJournal(layout: workspace.layout).record(entry)
        try fixture.git(["fetch", "--quiet", "origin"], in: fixture.checkout("alpha"))
        try fixture.git(["checkout", "--quiet", "--detach", a2], in: fixture.checkout("alpha"))
        var opened = try fixture.reopen(workspace)
        let notes = try PinRecording.pinCheckedOut(&opened)
        #expect(notes.contains { $0.contains("put back \(a1.prefix(12))") }, "\(notes)")
        #expect(try fixture.head("alpha") == a1)
        #expect(opened.pins.dependency(named: "alpha")?.revision == a1)
        #expect(WorkspaceJournal(layout: workspace.layout).entries().isEmpty)
    }

    /// Children are in our process group (Foundation's Process would make each a group leader).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat")))
    func childrenShareOurProcessGroup() throws {
        let directory = FileManager.default.temporaryDirectory
        // /proc/PID/stat: "pid (comm) state ppid pgrp ..."
        let output = try ProcessRunner.run("sh", ["-c", "cut -d ' ' -f 5 /proc/$$/stat"], in: directory)
        #expect(Int32(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == getpgrp())
    }
}
