import Foundation

extension TrackingRule {
    /// Parses a `--track` argument: `tags:GLOB`, `branch:NAME`, or a plain branch name.
    public init(argument: String) throws(WorkspaceError) {
        if argument.hasPrefix("tags:") {
            let pattern = String(argument.dropFirst(5))
            if let problem = PinValidation.validateTagPattern(pattern) { throw .refused("--track: \(problem)") }
            self = .tags(pattern: pattern)
            return
        }
        let branch = argument.hasPrefix("branch:") ? String(argument.dropFirst(7)) : argument
        if let problem = PinValidation.validateRevision(branch) { throw .refused("--track: \(problem)") }
        self = .branch(branch)
    }
}

extension SyncDepsImporter {
    /// The branch the remote's `HEAD` points at (its default branch), asked with
    /// `git ls-remote --symref URL HEAD` from `directory`.
    public static func defaultBranch(of url: String, from directory: URL) throws(WorkspaceError) -> String {
        let output = try Git(directory).run(["ls-remote", "--symref", "--", url, "HEAD"])
        for line in output.split(separator: "\n") where line.hasPrefix("ref: refs/heads/") {
            let reference = line.dropFirst("ref: refs/heads/".count)
            if let branch = reference.split(separator: "\t").first, !branch.isEmpty { return String(branch) }
        }
        throw .refused("\(url) does not say which branch is its default (no symbolic HEAD); pass --track")
    }

    /// Gives every dependency without a `track` rule one: `rule` when given, else its
    /// origin's default branch. Returns a note per dependency whose default branch could not
    /// be found (left without a rule), so that `roll` works right after an import.
    public static func assignTracks(_ pins: inout PinFile, rule: TrackingRule?, from directory: URL) -> [String] {
        var notes: [String] = []
        for index in pins.dependencies.indices where pins.dependencies[index].track == nil {
            if let rule {
                pins.dependencies[index].track = rule
                continue
            }
            let dependency = pins.dependencies[index]
            do {
                pins.dependencies[index].track = .branch(try defaultBranch(of: dependency.url, from: directory))
            } catch {
                notes.append("\(dependency.name): no track rule set (\(error.description))")
            }
        }
        return notes
    }
}
