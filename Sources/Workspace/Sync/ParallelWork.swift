import Foundation

/// Runs blocking work (git processes) on up to `jobs` threads at once.
enum ParallelWork {
    /// Applies `body` to every item, at most `jobs` at a time; results keep the items' order.
    static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], jobs: Int, _ body: @escaping @Sendable (Item) -> Output
    ) -> [Output] {
        let slots = ResultSlots<Output>(count: items.count)
        let semaphore = DispatchSemaphore(value: max(1, jobs))
        let group = DispatchGroup()
        for (index, item) in items.enumerated() {
            semaphore.wait()
            group.enter()
            DispatchQueue.global().async {
                slots.set(index, body(item))
                semaphore.signal()
                group.leave()
            }
        }
        group.wait()
        return slots.values
    }
}

/// Result storage shared by the worker threads.
private final class ResultSlots<Output: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Output?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Output) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    var values: [Output] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}

/// A flag set once by any worker (an interruption) and read by all.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var error: WorkspaceError?

    func stop(_ reason: WorkspaceError) {
        lock.lock()
        if error == nil { error = reason }
        lock.unlock()
    }

    var reason: WorkspaceError? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }
}
