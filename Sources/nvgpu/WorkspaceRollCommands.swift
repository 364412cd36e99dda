import ArgumentParser
import Foundation
import Workspace

/// `nvgpu workspace roll DEP | --all`
struct WorkspaceRollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roll",
        abstract: "Move a pin to the dependency's next green point, keeping it only if the check passes.",
        discussion: """
            The next green point is the newest tag matching the dependency's "track": {"tags": \
            PATTERN} after the pin, or the newest commit of its "track": {"branch": NAME} that \
            passes --check. The project's "check" command then runs with the dependency at the \
            new point; the pin file is rewritten (atomically, only the changed revisions) only if \
            it passes. A dependent of the project that pins the rolled dependency is rolled \
            with it when its own track has a point that agrees, else the roll is refused \
            (nothing is written). --all rolls every tracked dependency, each after what it \
            depends on. --json prints one record per dependency on stdout (status lines go to \
            stderr); --commit commits the pin file with a message listing each range, on a new \
            branch with --branch NAME. Exit status 1 when a roll failed its check, conflicted \
            or was blocked.
            """)

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    @Argument(help: "The dependency to roll.")
    var dependency: String?

    @Flag(help: "Roll every tracked dependency in dependency order.")
    var all = false

    @Option(help: "A shell command a candidate must pass to count as green.")
    var check: String?

    @Flag(help: "Show what would roll; change nothing.")
    var dryRun = false

    @Flag(help: "Find the newest candidate that passes by bisection (log2 n checks) instead of trying them newest first.")
    var bisect = false

    @Flag(help: "Print the report as JSON on stdout (one record per dependency); status lines go to stderr.")
    var json = false

    @Flag(help: "Commit the pin file in the project's checkout, with a message listing each rolled range.")
    var commit = false

    @Option(help: "Commit on this branch (created or reset from where the checkout is); implies --commit.")
    var branch: String?

    @Flag(help: "Also print the checks' output.")
    var verbose = false

    func validate() throws {
        if all == (dependency != nil) { throw ValidationError("name one dependency, or pass --all") }
        if dryRun && (commit || branch != nil) { throw ValidationError("--dry-run changes nothing; it cannot --commit") }
    }

    func run() throws {
        var options = RollOptions()
        options.candidateCheck = check
        options.dryRun = dryRun
        options.bisect = bisect
        let verbose = verbose
        options.output = { line in if verbose { printError(line) } }
        let workspace = try projectOptions.open()
        var roller = Roller(workspace: workspace, options: options)
        let results = try reportingWorkspaceErrors { () throws(WorkspaceError) in
            if let dependency { return [try roller.roll(dependency)] }
            return try roller.rollAll()
        }
        var report = RollReport(results: results)
        if commit || branch != nil {
            report.commit = try reportingWorkspaceErrors { () throws(WorkspaceError) in
                try RollCommitter.commit(report, in: workspace, branch: branch)
            }
            report.branch = report.commit == nil ? nil : branch
        }
        // Human lines go to stdout, or to stderr when stdout carries the JSON.
        let say: (String) -> Void = json ? { printError($0) } : { print($0) }
        for note in roller.recovered { say("recovered: \(note)") }
        for result in results {
            let with = result.rolledWith.map { " (together with \($0))" } ?? ""
            switch result.outcome {
            case .rolled: say("\(result.dependency): rolled\(with)")
            case .wouldRoll: say("\(result.dependency): would roll\(with) (dry run)")
            case .upToDate: say("\(result.dependency): up to date")
            case .checkFailed(let status, let tail):
                say("\(result.dependency): check failed (exit \(status)); pin unchanged")
                for line in tail { say("  | \(line)") }
                say("  find the culprit with: nvgpu workspace bisect \(result.dependency) --check '...'")
            case .conflict(let reason), .blocked(let reason):
                say("\(result.dependency): not rolled: \(reason)")
            }
            if !json, let range = result.range, result.moved {
                say("")
                say(range.commitMessage)
            }
        }
        if let commit = report.commit {
            say("committed \(commit.prefix(12))" + (report.branch.map { " on branch \($0)" } ?? ""))
        }
        if json {
            let text = try reportingWorkspaceErrors { () throws(WorkspaceError) in try report.json() }
            print(text, terminator: "")
        }
        if report.hasFailures { throw ExitCode.failure }
    }
}

/// `nvgpu workspace bisect DEP --check CMD`
struct WorkspaceBisectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bisect",
        abstract: "Find the first commit after the pin at which a check fails.",
        discussion: """
            Binary search over the dependency's first-parent history from its pin (taken as \
            good) to --to (default: the tip of its tracked branch or its newest matching tag). \
            The clone is put back where it was afterwards.
            """)

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    @Argument(help: "The dependency to bisect.")
    var dependency: String

    @Option(help: "The shell command that passes on good commits (run in the project's checkout).")
    var check: String

    @Option(help: "The failing end of the range.")
    var to: String?

    @Flag(help: "Also print the check's output.")
    var verbose = false

    func run() throws {
        let verbose = verbose
        let progressPrefix = "\(dependency): "
        let bisector = Bisector(
            workspace: try projectOptions.open(), check: CheckCommand(check),
            output: { line in if verbose || line.hasPrefix(progressPrefix) { printError(line) } })
        let result = try reportingWorkspaceErrors { () throws(WorkspaceError) in try bisector.bisect(dependency, to: to) }
        if let bad = result.firstBad {
            print("first bad commit: \(bad.commit) \(bad.subject)")
            print("last good commit: \(result.lastGood)")
        } else {
            print("no failure: the check passes at \(result.lastGood)")
        }
        print("(\(result.checksRun) checks over \(result.rangeSize) commits)")
    }
}
