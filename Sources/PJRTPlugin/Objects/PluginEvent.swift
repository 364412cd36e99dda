import CPJRT
import Foundation

/// A `PJRT_Event`: completes once, with or without an error; `OnReady` callbacks run when
/// it does (at once when it already has), `Await` blocks until then.
final class PluginEvent: @unchecked Sendable {
    typealias Callback = (PluginFailure?) -> Void

    private let condition = NSCondition()
    private var done = false
    private var failure: PluginFailure?
    private var callbacks: [Callback] = []

    init() {}

    /// An event that has already completed.
    static func completed(_ failure: PluginFailure? = nil) -> PluginEvent {
        let event = PluginEvent()
        event.complete(failure)
        return event
    }

    var isReady: Bool {
        condition.lock()
        defer { condition.unlock() }
        return done
    }

    /// Completes the event (later calls are ignored) and runs the waiting callbacks.
    func complete(_ failure: PluginFailure? = nil) {
        condition.lock()
        guard !done else {
            condition.unlock()
            return
        }
        done = true
        self.failure = failure
        let waiting = callbacks
        callbacks = []
        condition.broadcast()
        condition.unlock()
        for callback in waiting { callback(failure) }
    }

    /// Blocks until the event completes; returns its error, if any.
    @discardableResult
    func wait() -> PluginFailure? {
        condition.lock()
        while !done { condition.wait() }
        let result = failure
        condition.unlock()
        return result
    }

    /// The error of a completed event (nil when it succeeded or has not completed).
    var error: PluginFailure? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// Runs `callback` once the event completes (now, on this thread, when it already has).
    func onReady(_ callback: @escaping Callback) {
        condition.lock()
        if done {
            let result = failure
            condition.unlock()
            callback(result)
            return
        }
        callbacks.append(callback)
        condition.unlock()
    }
}

/// A value computed asynchronously (a buffer's contents): an event plus the value.
final class PluginFuture<Value: Sendable>: @unchecked Sendable {
    let event = PluginEvent()
    private let lock = NSLock()
    private var value: Value?

    init() {}

    init(ready value: Value) {
        self.value = value
        event.complete()
    }

    func fulfil(_ value: Value) {
        lock.lock()
        self.value = value
        lock.unlock()
        event.complete()
    }

    func fail(_ failure: PluginFailure) { event.complete(failure) }

    /// Waits for the value; throws the failure it completed with.
    func get() throws -> Value {
        if let failure = event.wait() { throw failure }
        lock.lock()
        defer { lock.unlock() }
        guard let value else { throw PluginFailure(PJRT_Error_Code_INTERNAL, "a completed value is missing") }
        return value
    }
}
