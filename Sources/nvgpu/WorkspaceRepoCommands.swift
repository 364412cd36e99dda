import ArgumentParser
import Foundation
import Workspace

/// `nvgpu workspace status [--json]`
struct WorkspaceStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every repository: pinned vs checked out, dirty, ahead/behind, missing.",
        discussion: """
            Exit status 0 when every repository is at its pin and clean (or, not cloned and \
            named by --exclude, left out on purpose as by `sync --exclude`), 1 otherwise.
            """)

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "A repository left out on purpose (as `sync --exclude`): not cloned is fine (repeatable).")
    var exclude: [String] = []

    func run() throws {
        let workspace = try projectOptions.open()
        let status = try reportingWorkspaceErrors { () throws(WorkspaceError) in
            try WorkspaceStatus.collect(workspace, excluded: Set(exclude))
        }
        for entry in WorkspaceJournal(layout: workspace.layout).entries() {
            printError(
                "note: \(entry.repository): a killed nvgpu run (pid \(entry.owner)) left a \(entry.operation.rawValue) "
                    + "unfinished there; `nvgpu workspace sync` (or roll, bisect, pin) finishes or undoes it")
        }
        let text = try reportingWorkspaceErrors { () throws(WorkspaceError) in json ? try status.json() : status.table() }
        print(text, terminator: "")
        if !status.isClean { throw ExitCode.failure }
    }
}

/// `nvgpu workspace pin`
struct WorkspacePinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Record what is checked out now as the project's pins.")

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    func run() throws {
        var workspace = try projectOptions.open()
        let notes = try reportingWorkspaceErrors { () throws(WorkspaceError) in try PinRecording.pinCheckedOut(&workspace) }
        for note in notes { print(note) }
        print("wrote \(workspace.pinFileURL.path)")
    }
}

/// `nvgpu workspace freeze [--output FILE]`
struct WorkspaceFreezeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Resolve every pinned revision to a full commit hash.",
        discussion: """
            Without --output, rewrites the project's pin file. With --output, writes a lock \
            file listing every repository of the graph (dependencies' dependencies too).
            """)

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    @Option(help: "Write a lock file of the whole graph here instead.")
    var output: String?

    func run() throws {
        var workspace = try projectOptions.open()
        if let output {
            let url = URL(fileURLWithPath: output)
            let frozen = try reportingWorkspaceErrors { () throws(WorkspaceError) in try PinRecording.frozenGraph(workspace) }
            try reportingWorkspaceErrors { () throws(WorkspaceError) in try frozen.write(to: url) }
            print("wrote \(url.path) with \(frozen.dependencies.count) repositories")
        } else {
            try reportingWorkspaceErrors { () throws(WorkspaceError) in try PinRecording.freeze(&workspace) }
            for dependency in workspace.pins.dependencies { print("\(dependency.name) \(dependency.revision)") }
        }
    }
}

/// `nvgpu workspace graph [--dot]`
struct WorkspaceGraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Print the dependency graph (text tree, or Graphviz DOT).")

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    @Flag(help: "Print Graphviz DOT.")
    var dot = false

    func run() throws {
        let workspace = try projectOptions.open()
        let graph = try reportingWorkspaceErrors { () throws(WorkspaceError) in try workspace.graph() }
        if dot {
            print(graph.dot(), terminator: "")
        } else {
            print(graph.textTree())
            for conflict in graph.conflicts { print("CONFLICT: \(conflict)") }
            let unknown = graph.repositories.values.filter { !$0.pinFileKnown }.map(\.pin.name).sorted()
            if !unknown.isEmpty { print("(not cloned or not fetched yet, their pins are not shown: \(unknown.joined(separator: ", ")))") }
        }
    }
}

/// `nvgpu workspace foreach CMD`
struct WorkspaceForeachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "foreach",
        abstract: "Run a shell command in every repository, dependencies first, the project last.",
        discussion: """
            CMD runs with /bin/sh -c in each checkout; the repository is named by the \
            environment variables NVGPU_WORKSPACE_REPO, NVGPU_WORKSPACE_REPO_PATH and \
            NVGPU_WORKSPACE_ROOT. Each output line is prefixed with [repo]; repositories \
            skipped (--exclude, not cloned) are listed on stderr. Exit status 1 if the \
            command failed anywhere.
            """)

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    @Option(help: "Skip this repository (repeatable).")
    var exclude: [String] = []

    @Argument(help: "The shell command.")
    var command: String

    func run() throws {
        let workspace = try projectOptions.open()
        let printer = LinePrinter()
        let outcomes = try reportingWorkspaceErrors { () throws(WorkspaceError) in
            try ForeachRunner.run(command, in: workspace, exclude: Set(exclude)) { repo, line in
                printer.print("[\(repo)] \(line)")
            }
        }
        for outcome in outcomes {
            if let reason = outcome.skipped { printError("\(outcome.repository): skipped (\(reason))") }
        }
        let failed = outcomes.filter { $0.status != 0 }
        for outcome in failed { printError("\(outcome.repository): exit \(outcome.status)") }
        if !failed.isEmpty { throw ExitCode.failure }
    }
}
