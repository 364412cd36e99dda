import Foundation

/// One conformance case: a whole `testdata/*.mlir` program (its `main` is run) or one
/// `// -----` chunk of an `interpret/*.mlir` file (each function without arguments is run).
public struct ConformanceCase: Codable, Hashable, Sendable {
    /// What kind of file the case comes from.
    public enum Kind: String, Codable, Sendable {
        /// A JAX-exported program whose `main` checks its own results.
        case program
        /// One chunk of an interpreter test file.
        case chunk
    }

    /// `testdata/abs_int8_20_20.mlir` or `interpret/abs.mlir#2` (the chunk index from 0).
    public var name: String
    /// The op family the table groups the case under (`abs`, `scatter_add`, `dot_general`).
    public var family: String
    public var kind: Kind
    /// The file, as a path the runner can open.
    public var path: String
    /// For a chunk: its index and the line its text starts on (1-based).
    public var chunkIndex: Int
    public var firstLine: Int
    /// Why upstream does not interpret this case (the reason of its file's
    /// `// RUN-DISABLED(reason) ... --interpret` line), or nil when it does.
    public var upstreamDisabled: String?

    public init(name: String, family: String, kind: Kind, path: String, chunkIndex: Int = 0, firstLine: Int = 1,
                upstreamDisabled: String? = nil) {
        self.name = name
        self.family = family
        self.kind = kind
        self.path = path
        self.chunkIndex = chunkIndex
        self.firstLine = firstLine
        self.upstreamDisabled = upstreamDisabled
    }

    /// The reason of the first `// RUN-DISABLED(reason)` line of `text` that runs the
    /// interpreter (`--interpret`); nil when there is none.
    public static func upstreamDisabledReason(in text: Substring) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("//") else {
                if trimmed.isEmpty { continue }
                break  // the RUN lines head the file
            }
            guard let start = trimmed.range(of: "RUN-DISABLED"), trimmed.contains("--interpret") else { continue }
            let rest = trimmed[start.upperBound...]
            if rest.first == "(", let close = rest.firstIndex(of: ")") {
                return String(rest[rest.index(after: rest.startIndex)..<close])
            }
            return "disabled"
        }
        return nil
    }
}

/// What happened to one case.
public struct CaseOutcome: Codable, Hashable, Sendable {
    /// Passed, failed, or skipped (only for cases that need several devices).
    public enum Status: String, Codable, Sendable { case passed, failed, skipped }

    public var name: String
    public var family: String
    public var status: Status
    /// The first error, as one line (`file:line:col: error: ...`); empty when passed.
    public var message: String
    /// A short cause the summary groups failures by (`unsupported op stablehlo.fft`,
    /// `check failed`, `parse error`, `timeout`, `crash`).
    public var cause: String
    public var seconds: Double
    /// Why upstream does not interpret this case (its `RUN-DISABLED` reason), if it does not.
    public var upstreamDisabled: String?
    /// Where the ops ran, for executors with a device (nil on the reference backend).
    public var placement: CasePlacement?
    /// Why ops ran on the host instead of the device (nil on the reference backend).
    public var hostFallbacks: [String]?

    public init(name: String, family: String, status: Status, message: String = "", cause: String = "", seconds: Double = 0) {
        self.name = name
        self.family = family
        self.status = status
        self.message = message
        self.cause = cause
        self.seconds = seconds
    }

    /// Notes where `execution` ran the case's ops.
    public mutating func record(_ execution: CaseExecution) {
        placement = execution.placement
        hostFallbacks = execution.placement == nil ? nil : execution.hostFallbacks
    }

    /// A failed outcome for `testCase`.
    public static func failure(_ testCase: ConformanceCase, cause: String, message: String, seconds: Double) -> CaseOutcome {
        CaseOutcome(name: testCase.name, family: testCase.family, status: .failed, message: message, cause: cause, seconds: seconds)
    }
}
