import Foundation

/// A serial work queue on a thread of its own with a large stack: PJRT runs (and the host
/// steps, kernel compiles and graph captures they may do) go here, in submission order, off
/// the caller's thread. A dispatch queue's worker has a 512 KiB stack, less than the
/// compiler and the reference interpreter may need for a deeply nested program; the main
/// thread of the command-line tool has 8 MiB, and this one has 16 MiB by default.
final class SerialWorkThread: @unchecked Sendable {
    /// Bytes of stack the thread gets.
    static let defaultStackSize = 16 << 20

    /// The queued work, shared with the thread (which outlives nothing but this list).
    private final class WorkList: @unchecked Sendable {
        let condition = NSCondition()
        var pending: [@Sendable () -> Void] = []
        var stopped = false

        func serve() {
            while true {
                condition.lock()
                while pending.isEmpty && !stopped { condition.wait() }
                if pending.isEmpty {
                    condition.unlock()
                    return
                }
                let work = pending.removeFirst()
                condition.unlock()
                work()
            }
        }
    }

    private let list = WorkList()

    init(name: String, stackSize: Int = SerialWorkThread.defaultStackSize) {
        let list = self.list
        let thread = Thread { list.serve() }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    /// Queues `work` to run after everything queued before it.
    func async(_ work: @escaping @Sendable () -> Void) {
        list.condition.lock()
        list.pending.append(work)
        list.condition.signal()
        list.condition.unlock()
    }

    /// The thread finishes what is queued, then exits.
    deinit {
        list.condition.lock()
        list.stopped = true
        list.condition.signal()
        list.condition.unlock()
    }
}
