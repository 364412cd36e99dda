import Foundation

/// Values recorded by `interpreter.probe`, by probe id, in execution order.
///
/// An interpreter makes its own log unless given one: a program split into several host
/// steps (the CUDA backend runs the ops around a device loop on the host) shares one log
/// across its steps, so `check.expect_serialized_eq` in one step sees the probes of another.
public final class ProbeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [String: [Tensor]] = [:]

    public init() {}

    /// Every probe's values.
    public var all: [String: [Tensor]] {
        lock.lock()
        defer { lock.unlock() }
        return records
    }

    /// The values probe `id` recorded.
    public func values(_ id: String) -> [Tensor] {
        lock.lock()
        defer { lock.unlock() }
        return records[id] ?? []
    }

    /// Records `value` as the next value of probe `id`.
    public func append(_ value: Tensor, to id: String) {
        lock.lock()
        defer { lock.unlock() }
        records[id, default: []].append(value)
    }
}
