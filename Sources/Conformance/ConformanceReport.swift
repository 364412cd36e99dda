import Foundation

/// The outcomes of a conformance run, summarised: per-family counts, failure causes, and
/// the closing `N passed, N failed, N skipped` line.
public struct ConformanceReport: Sendable {
    public var outcomes: [CaseOutcome]

    public init(outcomes: [CaseOutcome]) {
        self.outcomes = outcomes
    }

    public var passed: Int { outcomes.filter { $0.status == .passed }.count }
    public var failed: Int { outcomes.filter { $0.status == .failed }.count }
    public var skipped: Int { outcomes.filter { $0.status == .skipped }.count }

    /// `N passed, N failed, N skipped`.
    public var summaryLine: String { "\(passed) passed, \(failed) failed, \(skipped) skipped" }

    /// Counts per family, sorted by family name.
    public var families: [(family: String, passed: Int, failed: Int, skipped: Int)] {
        var table: [String: (Int, Int, Int)] = [:]
        for o in outcomes {
            var row = table[o.family] ?? (0, 0, 0)
            switch o.status {
            case .passed: row.0 += 1
            case .failed: row.1 += 1
            case .skipped: row.2 += 1
            }
            table[o.family] = row
        }
        return table.keys.sorted().map { key in
            let row = table[key] ?? (0, 0, 0)
            return (key, row.0, row.1, row.2)
        }
    }

    /// Failure causes with their counts, most frequent first.
    public var causes: [(cause: String, count: Int)] {
        var counts: [String: Int] = [:]
        for o in outcomes where o.status == .failed { counts[o.cause, default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The family table, the failure causes and the summary line, as printed.
    /// `trailer` (e.g. the known-failures verdict) goes just above the summary line.
    public func render(maxCauses: Int = 40, trailer: String = "") -> String {
        let rows = families
        let width = max(6, rows.map(\.family.count).max() ?? 6)
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        func num(_ n: Int) -> String { let s = String(n); return String(repeating: " ", count: max(0, 7 - s.count)) + s }
        let onDevice = hasPlacements ? passedOnDeviceByFamily : nil
        var out = pad("family", width) + "  passed  failed skipped" + (onDevice == nil ? "" : "  on-dev") + "\n"
        out += String(repeating: "-", count: width + (onDevice == nil ? 24 : 32)) + "\n"
        for r in rows {
            out += pad(r.family, width) + " " + num(r.passed) + " " + num(r.failed) + " " + num(r.skipped)
            if let onDevice { out += " " + num(onDevice[r.family] ?? 0) }
            out += "\n"
        }
        let causeList = causes
        if !causeList.isEmpty {
            out += "\nfailure causes:\n"
            for c in causeList.prefix(maxCauses) { out += "  \(c.cause): \(c.count)\n" }
            if causeList.count > maxCauses { out += "  … \(causeList.count - maxCauses) more causes (see --json)\n" }
        }
        let disabled = outcomes.filter { $0.status == .failed && $0.upstreamDisabled != nil }
        if !disabled.isEmpty {
            out += "\nfailing cases upstream does not interpret either (RUN-DISABLED): \(disabled.count) of \(failed)\n"
            for o in disabled.prefix(maxCauses) { out += "  \(o.name): \(o.upstreamDisabled ?? "")\n" }
        }
        out += renderPlacements(maxReasons: maxCauses) + trailer
        out += "\n" + summaryLine + "\n"
        return out
    }

    /// Every outcome as JSON (name, family, status, message, cause, seconds).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(outcomes)
    }
}

/// Shows how far a run is: a live counter on a terminal, a line every so often otherwise.
public final class ProgressDisplay: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private let live: Bool
    private var passed = 0, failed = 0, skipped = 0
    private var lastLine = ContinuousClock.now

    /// Writes to stderr; `live` when stderr is a terminal.
    public init(total: Int) {
        self.total = total
        self.live = isatty(2) != 0
    }

    public func record(_ outcome: CaseOutcome) {
        lock.lock()
        defer { lock.unlock() }
        switch outcome.status {
        case .passed: passed += 1
        case .failed: failed += 1
        case .skipped: skipped += 1
        }
        let done = passed + failed + skipped
        let text = "[\(done)/\(total)] \(passed) passed, \(failed) failed, \(skipped) skipped"
        if live {
            write("\r\u{1B}[K" + text + (done == total ? "\n" : ""))
        } else if done == total || ContinuousClock.now - lastLine > .seconds(10) {
            write("conformance progress: " + text + "\n")
            lastLine = ContinuousClock.now
        }
    }

    private func write(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
    }
}
