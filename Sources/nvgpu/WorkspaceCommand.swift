import ArgumentParser
import Foundation
import Workspace

/// `nvgpu workspace ...`: sibling repositories pinned to known-green commits.
struct WorkspaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Pinned multi-repo workspaces (the OpenXLA workspace).",
        discussion: """
            A workspace is a directory marked by .openxla_workspace.json whose subdirectories \
            are sibling repositories. Each project pins its dependencies in openxla-deps.json \
            (see docs/workspace.md). Commands act on the project containing the current \
            directory, or the one named by --project.
            """,
        subcommands: [
            WorkspaceInitCommand.self, WorkspaceImportCommand.self, WorkspaceSyncCommand.self,
            WorkspaceStatusCommand.self, WorkspacePinCommand.self, WorkspaceRollCommand.self,
            WorkspaceBisectCommand.self, WorkspaceFreezeCommand.self, WorkspaceGraphCommand.self,
            WorkspaceForeachCommand.self, WorkspaceCheckCommand.self,
        ])
}

/// The `--project` option shared by the workspace subcommands.
struct WorkspaceProjectOptions: ParsableArguments {
    @Option(help: "A directory inside the project whose pin file to use (default: the current directory).")
    var project: String?

    /// Opens the workspace around the chosen project (and makes a signal that ends us end
    /// the git processes we start too).
    func open() throws -> Workspace {
        ProcessRunner.forwardTerminationSignals()
        let directory = URL(fileURLWithPath: project ?? FileManager.default.currentDirectoryPath)
        return try reportingWorkspaceErrors { () throws(WorkspaceError) in try Workspace.open(from: directory) }
    }
}

/// Runs `body`; a `WorkspaceError` is printed as `error: ...` and exits with status 1.
func reportingWorkspaceErrors<T>(_ body: () throws(WorkspaceError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        if case .invalidFile = error {
            printError(error.description)  // already `file:line:column: error: ...`
        } else {
            printError("error: \(error.description)")
        }
        throw ExitCode.failure
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Writes lines to standard output from any thread, one whole line at a time.
final class LinePrinter: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle

    init(_ handle: FileHandle = .standardOutput) { self.handle = handle }

    func print(_ line: String) {
        lock.lock()
        handle.write(Data((line + "\n").utf8))
        lock.unlock()
    }
}

/// `nvgpu workspace init [DIR]`
struct WorkspaceInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Mark a directory (default: the current one) as a workspace root.")

    @Argument(help: "The directory that holds (or will hold) the sibling repositories.")
    var directory: String?

    func run() throws {
        let url = URL(fileURLWithPath: directory ?? FileManager.default.currentDirectoryPath)
        let created = try reportingWorkspaceErrors { () throws(WorkspaceError) in try WorkspaceLayout.initialize(at: url) }
        print(created ? "initialized workspace at \(url.path)" : "\(url.path) is already a workspace root")
    }
}

/// `nvgpu workspace import sync_deps.py`
struct WorkspaceImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert openxla-devtools' sync_deps.py into a pin file.",
        discussion: """
            Reads PINNED_VERSIONS, ORIGINS and SUBMODULES as data (the Python is never run). \
            Every dependency gets a "track" rule so that `roll` works right away: --track, or \
            else its origin's default branch (asked with git ls-remote).
            """)

    @Argument(help: "The sync_deps.py to read.")
    var file: String

    @Option(help: "Where to write the pin file (default: openxla-deps.json beside FILE).")
    var output: String?

    @Option(help: "The project's check command to record.")
    var check: String?

    @Flag(help: "Overwrite an existing pin file.")
    var force = false

    @Option(help: "The track rule to record: BRANCH, branch:NAME or tags:GLOB (default: each origin's default branch).")
    var track: String?

    @Flag(help: "Record no track rules (do not ask the origins).")
    var noTrack = false

    func run() throws {
        let input = URL(fileURLWithPath: file)
        let text: String
        do {
            text = try String(contentsOf: input, encoding: .utf8)
        } catch {
            printError("error: cannot read \(file): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        var pins = try reportingWorkspaceErrors { () throws(WorkspaceError) in
            try SyncDepsImporter.importPins(from: text, file: file)
        }
        pins.check = check
        if !noTrack {
            let rule = try track.map { text in
                try reportingWorkspaceErrors { () throws(WorkspaceError) in try TrackingRule(argument: text) }
            }
            let directory = input.deletingLastPathComponent()
            for note in SyncDepsImporter.assignTracks(&pins, rule: rule, from: directory) { printError("warning: \(note)") }
        }
        let destination = output.map { URL(fileURLWithPath: $0) }
            ?? input.deletingLastPathComponent().appendingPathComponent(WorkspaceLayout.pinFileName)
        if FileManager.default.fileExists(atPath: destination.path) && !force {
            printError("error: \(destination.path) exists (pass --force to overwrite)")
            throw ExitCode.failure
        }
        try reportingWorkspaceErrors { () throws(WorkspaceError) in try pins.write(to: destination) }
        print("wrote \(destination.path) with \(pins.dependencies.count) dependencies")
    }
}

/// `nvgpu workspace sync`
struct WorkspaceSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Clone or fetch every repository and check out its pin.",
        discussion: """
            Dependencies' own pin files are followed. A repository with uncommitted changes, \
            untracked files in the way or commits on no remote is left as it is and reported \
            (exit status 1); --force stashes such work (or keeps commits on a backup branch) \
            and says where.
            """)

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    @Option(help: "Clone with this much history.")
    var depth: Int?

    @Option(help: "Leave this repository alone (repeatable).")
    var exclude: [String] = []

    @Option(help: "Repositories to clone or fetch at once.")
    var jobs: Int = 4

    @Flag(help: "Stash uncommitted work before checking out, instead of skipping the repository.")
    var force = false

    @Flag(help: "Fetch existing clones only when their pin is not there yet.")
    var noFetch = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let depth, depth < 1 { throw ValidationError("--depth must be at least 1") }
    }

    func run() throws {
        let workspace = try projectOptions.open()
        var options = SyncOptions()
        options.depth = depth
        options.excluded = Set(exclude)
        options.force = force
        options.jobs = jobs
        options.fetchExisting = !noFetch
        let progress = SyncProgressDisplay()
        options.progress = { event in progress.show(event) }
        let report = try reportingWorkspaceErrors { () throws(WorkspaceError) in
            try WorkspaceSync(workspace: workspace, options: options).run()
        }
        progress.finish()
        for note in report.recovered { print("recovered: \(note)") }
        for result in report.results {
            let line: String
            switch result.outcome {
            case .synced(let commit, let changed):
                line = "\(result.name): \(changed ? (result.cloned ? "cloned at" : "checked out") : "already at") \(commit.prefix(12))"
            case .skipped(let reason): line = "\(result.name): SKIPPED: \(reason)"
            case .excluded: line = "\(result.name): excluded"
            case .failed(let reason): line = "\(result.name): FAILED: \(reason)"
            }
            print(line)
            for note in result.notes { print("  note: \(note)") }
        }
        for conflict in report.conflicts { print("CONFLICT: \(conflict)") }
        if !report.isComplete { throw ExitCode.failure }
    }
}

/// Shows sync progress on standard error: one line per step, with a running count. On a
/// terminal, git's transfer progress (`Receiving objects:  45% ...`) is shown live on one
/// line; in a log it is summarised in the step's "cloned"/"fetched" line.
final class SyncProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private var finished = 0
    private var started = 0
    private let isTerminal = isatty(2) == 1
    private var liveLine = false

    func show(_ event: SyncEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .started(let repo, let phase):
            started += 1
            line("[\(finished)/\(started)] \(repo): \(phase)...")
        case .finished(let repo, let phase, let detail):
            finished += 1
            line("[\(finished)/\(started)] \(repo): \(phase) \(detail)")
        case .transfer(let repo, let text):
            guard isTerminal else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K[\(repo)] \(text)".utf8))
            liveLine = true
        }
    }

    /// Ends a live progress line, if one is showing.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if liveLine { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        liveLine = false
    }

    private func line(_ text: String) {
        if liveLine { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        liveLine = false
        printError(text)
    }
}

/// `nvgpu workspace check`
struct WorkspaceCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the project's check command (the pin file's \"check\") on the workspace as it is.",
        discussion: "Exit status: the check's (1 when the pin file has none).")

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    func run() throws {
        let workspace = try projectOptions.open()
        guard let check = workspace.pins.check else {
            printError("error: \(workspace.pinFileURL.path) has no \"check\" command")
            throw ExitCode.failure
        }
        let environment = [
            "NVGPU_WORKSPACE_ROOT": workspace.layout.root.path, "NVGPU_WORKSPACE_PROJECT": workspace.projectDirectory.path,
        ]
        let printer = LinePrinter()
        let status = try reportingWorkspaceErrors { () throws(WorkspaceError) in
            try ProcessRunner.runShell(check, in: workspace.projectDirectory, environment: environment) { printer.print($0) }
        }
        if status != 0 {
            printError("check failed (exit \(status)): \(check)")
            throw ExitCode(status)
        }
    }
}
