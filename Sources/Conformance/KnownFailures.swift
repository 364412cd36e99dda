import Foundation

/// Cases expected to fail, with the reason each does (`conformance/cuda_known_failures.txt`):
/// one `case-name  reason` per line; blank lines and lines starting with `//` or `;` are
/// ignored. A listed failure does not fail the run, an unlisted one does, and a listed case
/// that passes is reported as "now passes" (so the list shrinks as fixes land).
public struct KnownFailureList: Hashable, Sendable {
    /// Reason per case name.
    public var reasons: [String: String]

    public init(reasons: [String: String] = [:]) {
        self.reasons = reasons
    }

    /// Reads the list from `path`.
    public static func read(_ path: String) throws -> KnownFailureList {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConformanceError("cannot read the known-failures file '\(path)'")
        }
        return try KnownFailureList(parsing: String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses the list's text; `file` names it in errors.
    public init(parsing text: String, file: String) throws {
        var reasons: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("//") || line.hasPrefix(";") { continue }
            guard let gap = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
                throw ConformanceError("\(file):\(index + 1): expected 'case-name  reason', found '\(line.prefix(80))' (no reason)")
            }
            let name = String(line[..<gap])
            let reason = line[gap...].trimmingCharacters(in: .whitespaces)
            guard reasons[name] == nil else {
                throw ConformanceError("\(file):\(index + 1): '\(name)' is listed twice")
            }
            reasons[name] = reason
        }
        self.reasons = reasons
    }

    /// Sorts `report`'s outcomes against the list.
    public func judge(_ report: ConformanceReport) -> KnownFailureVerdict {
        var verdict = KnownFailureVerdict()
        for outcome in report.outcomes {
            let reason = reasons[outcome.name]
            switch (outcome.status, reason) {
            case (.failed, nil): verdict.unexpectedFailures.append(outcome)
            case (.failed, let reason?): verdict.expectedFailures.append((outcome, reason))
            case (.passed, let reason?): verdict.nowPassing.append((outcome.name, reason))
            default: break
            }
        }
        return verdict
    }
}

/// How a run compares with a `KnownFailureList`.
public struct KnownFailureVerdict: Sendable {
    /// Failures the list does not name: these fail the run.
    public var unexpectedFailures: [CaseOutcome] = []
    /// Failures the list names, with the listed reason.
    public var expectedFailures: [(outcome: CaseOutcome, reason: String)] = []
    /// Listed cases that passed (remove them from the list).
    public var nowPassing: [(name: String, reason: String)] = []

    /// Whether the run holds up against the list (no unexpected failure).
    public var isAcceptable: Bool { unexpectedFailures.isEmpty }

    /// One line per unexpected failure and per case that now passes, then a count line.
    public func render(maxLines: Int = 200) -> String {
        var out = ""
        if !unexpectedFailures.isEmpty {
            out += "\nunexpected failures (not in the known-failures list):\n"
            for o in unexpectedFailures.prefix(maxLines) { out += "  \(o.name): \(o.cause): \(o.message)\n" }
            if unexpectedFailures.count > maxLines { out += "  … \(unexpectedFailures.count - maxLines) more (see --json)\n" }
        }
        if !nowPassing.isEmpty {
            out += "\nnow passes (remove from the known-failures list):\n"
            for p in nowPassing.prefix(maxLines) { out += "  \(p.name)  (listed: \(p.reason))\n" }
            if nowPassing.count > maxLines { out += "  … \(nowPassing.count - maxLines) more\n" }
        }
        out += "\nknown failures: \(expectedFailures.count) failed as listed, \(unexpectedFailures.count) unexpected, "
            + "\(nowPassing.count) now pass\n"
        return out
    }
}
