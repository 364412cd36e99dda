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
            new point; the pin file is rewritten (atomically) only if it passes. Prints a commit \
            message listing the rolled range. --all rolls every tracked dependency, each after \
            what it depends on. Exit status 1 when a roll failed its check or conflicted.
            """)

    @OptionGroup var projectOptions: WorkspaceProjectOptions

    @Argument(help: "The dependency to roll.")
    var dependency: String?

    @Flag(help: "Roll every tracked dependency in dependency order.")
    var all = false

    @Option(help: "A shell command a branch commit must pass to count as green.")
    var check: String?

    @Flag(help: "Show what would roll; change nothing.")
    var dryRun = false

    @Flag(help: "Find the newest candidate that passes by bisection (log2 n checks) instead of trying them newest first.")
    var bisect = false

    @Flag(help: "Also print the checks' output.")
    var verbose = false

    func validate() throws {
        if all == (dependency != nil) { throw ValidationError("name one dependency, or pass --all") }
    }

    func run() throws {
        var options = RollOptions()
        options.candidateCheck = check
        options.dryRun = dryRun
        options.bisect = bisect
        let verbose = verbose
        options.output = { line in if verbose { printError(line) } }
        var roller = Roller(workspace: try projectOptions.open(), options: options)
        let results = try reportingWorkspaceErrors { () throws(WorkspaceError) in
            if let dependency { return [try roller.roll(dependency)] }
            return try roller.rollAll()
        }
        var failed = false
        for result in results {
            switch result.outcome {
            case .rolled: print("\(result.dependency): rolled")
            case .wouldRoll: print("\(result.dependency): would roll (dry run)")
            case .upToDate: print("\(result.dependency): up to date")
            case .checkFailed(let status, let tail):
                failed = true
                print("\(result.dependency): check failed (exit \(status)); pin unchanged")
                for line in tail { print("  | \(line)") }
                print("  find the culprit with: nvgpu workspace bisect \(result.dependency) --check '...'")
            case .conflict(let reason):
                failed = true
                print("\(result.dependency): not rolled: \(reason)")
            case .blocked(let reason):
                failed = true
                print("\(result.dependency): not rolled: \(reason)")
            }
            if let range = result.range, result.outcome == .rolled || result.outcome == .wouldRoll {
                print("")
                print(range.commitMessage)
            }
        }
        if failed { throw ExitCode.failure }
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
