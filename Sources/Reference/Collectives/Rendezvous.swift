import Foundation
import Runtime
import StableHLO

/// Where the processes of one grid run meet for each collective op: every member of a
/// process group deposits its operands, and once all have, each gets everyone's.
///
/// A process that never arrives cannot hang the run: when a process finishes (or fails)
/// while a group it belongs to waits for it, when every live process waits and none can
/// proceed (a deadlock), when two processes meet in different collectives, or when the
/// deadline passes, every waiting process stops with an error saying which.
final class Rendezvous: @unchecked Sendable {
    /// A meeting: the members (sorted, so mismatched group orders still meet and are
    /// reported) and how many earlier meetings each member had with exactly these members.
    struct Key: Hashable {
        var members: [ProcessID]
        var sequence: Int
    }

    /// What a process brings to a meeting.
    struct Arrival {
        var opName: String
        var location: SourceLocation
        /// The group in the op's own order; all members must agree on it.
        var group: [ProcessID]
        var values: [RuntimeValue]
    }

    private struct Meeting {
        var first: Arrival
        var firstProcess: ProcessID
        var values: [ProcessID: [RuntimeValue]] = [:]
        var done = false
        var pickedUp = 0
    }

    /// Why the whole run stops.
    private struct Abort {
        var message: String
        /// The process whose own error this is; other processes get it as a consequence.
        var origin: ProcessID?
    }

    let grid: ProcessGrid
    let deadline: ContinuousClock.Instant?
    private let condition = NSCondition()
    private var meetings: [Key: Meeting] = [:]
    private var waiting: [ProcessID: (key: Key, arrival: Arrival)] = [:]
    /// Values sent on each channel and not yet received, oldest first.
    private var channels: [Int64: [[RuntimeValue]]] = [:]
    /// Processes blocked in `recv`: the channel, op name and location.
    private var receiving: [ProcessID: (channel: Int64, opName: String, location: SourceLocation)] = [:]
    private var finished: [ProcessID: Bool] = [:]  // process → failed
    private var abort: Abort?
    /// Processes the rendezvous stopped, and whether only because another process failed.
    private var stopped: [ProcessID: Bool] = [:]

    init(grid: ProcessGrid, deadline: ContinuousClock.Instant?) {
        self.grid = grid
        self.deadline = deadline
    }

    /// Deposits `arrival` for `process` at meeting `key` and waits for the other members.
    /// Returns each member's values, by process.
    func exchange(_ process: ProcessID, key: Key, _ arrival: Arrival) throws -> [ProcessID: [RuntimeValue]] {
        condition.lock()
        defer { condition.unlock() }
        if let abort { throw stop(process, abort) }
        var meeting = meetings[key] ?? Meeting(first: arrival, firstProcess: process)
        if meeting.first.opName != arrival.opName || meeting.first.group != arrival.group {
            let message = "mismatched collectives: process \(meeting.firstProcess) is in \(meeting.first.opName) "
                + "(\(meeting.first.location)) with group \(Self.list(meeting.first.group)), process \(process) in "
                + "\(arrival.opName) (\(arrival.location)) with group \(Self.list(arrival.group))"
            throw fail(process, message)
        }
        meeting.values[process] = arrival.values
        if meeting.values.count == key.members.count {
            meeting.done = true
            for m in key.members { waiting[m] = nil }
            condition.broadcast()
        } else {
            waiting[process] = (key, arrival)
        }
        meetings[key] = meeting
        if !meeting.done, let message = blockedMessage() { throw fail(process, message) }
        while true {
            if let m = meetings[key], m.done {
                var picked = m
                picked.pickedUp += 1
                meetings[key] = picked.pickedUp == key.members.count ? nil : picked
                return m.values
            }
            if let abort { waiting[process] = nil; throw stop(process, abort) }
            if let deadline, ContinuousClock.now > deadline {
                waiting[process] = nil
                throw fail(process, "time budget exceeded while process \(process) waits in \(arrival.opName)")
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
        }
    }

    /// `send`: queues `values` on `channel` (it does not wait for the receiver).
    func send(_ process: ProcessID, channel: Int64, _ values: [RuntimeValue]) throws {
        condition.lock()
        defer { condition.unlock() }
        if let abort { throw stop(process, abort) }
        channels[channel, default: []].append(values)
        condition.broadcast()
    }

    /// `recv`: the oldest values sent on `channel`, waiting until some process sends.
    func receive(_ process: ProcessID, channel: Int64, opName: String, location: SourceLocation) throws -> [RuntimeValue] {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let abort { receiving[process] = nil; throw stop(process, abort) }
            if var queue = channels[channel], !queue.isEmpty {
                let values = queue.removeFirst()
                channels[channel] = queue
                receiving[process] = nil
                return values
            }
            if receiving[process] == nil {
                receiving[process] = (channel, opName, location)
                if let message = blockedMessage() { receiving[process] = nil; throw fail(process, message) }
            }
            if let deadline, ContinuousClock.now > deadline {
                receiving[process] = nil
                throw fail(process, "time budget exceeded while process \(process) waits in \(opName) on channel \(channel)")
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
        }
    }

    /// Records that `process` returned (or failed), waking members of groups waiting for it.
    func finish(_ process: ProcessID, failed: Bool) {
        condition.lock()
        defer { condition.unlock() }
        finished[process] = failed
        waiting[process] = nil
        receiving[process] = nil
        if abort == nil, let message = blockedMessage() {
            abort = Abort(message: message, origin: failed ? process : nil)
        }
        condition.broadcast()
    }

    /// Why the waiting processes can never proceed, or nil while some may: a member they
    /// wait for has finished, or every live process waits.
    private func blockedMessage() -> String? {
        for (p, w) in waiting.sorted(by: { $0.key < $1.key }) {
            if let gone = w.key.members.first(where: { finished[$0] != nil }) {
                let how = finished[gone] == true ? "failed" : "returned"
                return "process \(gone) \(how) without reaching \(w.arrival.opName) (\(w.arrival.location)) "
                    + "that process \(p) waits in with group \(Self.list(w.arrival.group))"
            }
        }
        let live = grid.processes.filter { finished[$0] == nil }
        // A receiver whose channel holds values is about to proceed, not blocked.
        func blockedReceiver(_ p: ProcessID) -> Bool {
            guard let r = receiving[p] else { return false }
            return channels[r.channel]?.isEmpty ?? true
        }
        guard !live.isEmpty, live.allSatisfy({ waiting[$0] != nil || blockedReceiver($0) }) else { return nil }
        let lines = live.compactMap { p in
            waiting[p].map { "process \(p) waits in \($0.arrival.opName) (\($0.arrival.location)) with group \(Self.list($0.arrival.group))" }
                ?? receiving[p].map { "process \(p) waits in \($0.opName) (\($0.location)) for a value on channel \($0.channel)" }
        }
        return "deadlock: " + lines.joined(separator: "; ")
    }

    /// Aborts the run with `message` raised by `process`.
    private func fail(_ process: ProcessID, _ message: String) -> CollectiveFailure {
        waiting[process] = nil
        if abort == nil { abort = Abort(message: message, origin: process) }
        condition.broadcast()
        return stop(process, abort ?? Abort(message: message, origin: process))
    }

    private func stop(_ process: ProcessID, _ abort: Abort) -> CollectiveFailure {
        stopped[process] = abort.origin != nil && abort.origin != process
        return CollectiveFailure(message: abort.message)
    }

    /// How much `process`'s error says about the run's failure: 0 for its own error (not
    /// from a collective), 1 for a collective failure it detected, 2 for one it only
    /// suffered because another process failed first.
    func blameRank(of process: ProcessID) -> Int {
        condition.lock()
        defer { condition.unlock() }
        switch stopped[process] {
        case nil: return 0
        case false?: return 1
        case true?: return 2
        }
    }

    static func list(_ group: [ProcessID]) -> String {
        "[" + group.map(\.description).joined(separator: ", ") + "]"
    }
}

/// A collective could not complete; the kernel turns it into a located run error.
struct CollectiveFailure: Error {
    var message: String
}
