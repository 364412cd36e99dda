import CPJRT
import Foundation
@testable import PJRTPlugin
import PJRTSoak
import Testing

/// Issue 14's soak at CI size on the reference backend, and the PJRT contracts it leans on:
/// donation consumes an input unless the caller keeps it, a buffer cannot be donated and
/// used again in one call, and a wrong result fails the soak.
@Suite(.serialized) struct SoakTests {
    @Test func manyThreadsHoldMemoryFlat() throws {
        let report = try SoakRun(backend: "cpu", threads: 8, executions: 60, scale: .small).run()
        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.executionsChecked == 8 * 60 + 8)
        #expect(report.donations > 0)
        #expect(report.deletesWhilePending > 0)
        #expect(report.bytesInUseGrowth == 0)
        // RSS is the whole test process's, which runs other suites at the same time (and
        // under AddressSanitizer keeps freed memory in quarantine), so it is not judged here:
        // the test command's soak, a process of its own, judges it.
        #expect((report.bytesReservedLateGrowth ?? 0) <= 0)
    }

    @Test func donationConsumesTheInputUnlessKept() throws {
        let caller = try PJRTCaller(backend: "cpu")
        let program = SoakProgram.mix(.small)[3]
        #expect(program.donatable == [0])
        let executable = try caller.compile(program.text)
        let n = program.inputShapes[0][0]
        for keep in [[], [0]] {
            let x = try caller.buffer([Float](repeating: 1, count: n), dims: [n])
            let y = try caller.buffer([Float](repeating: 3, count: n), dims: [n])
            let outputs = try caller.execute(executable, [x, y], outputCount: 1, keep: keep)
            #expect(try x.isDeleted == keep.isEmpty)
            #expect(try !y.isDeleted)
            #expect(try outputs.buffers[0].floats(count: n) == [Float](repeating: 7, count: n))
            if keep.isEmpty {
                #expect(throws: PJRTCallError.self) { try caller.execute(executable, [x, y], outputCount: 1) }
            }
        }
    }

    @Test func aDonatedBufferCannotAlsoBeAnotherArgument() throws {
        let caller = try PJRTCaller(backend: "cpu")
        let program = SoakProgram.mix(.small)[3]
        let executable = try caller.compile(program.text)
        let n = program.inputShapes[0][0]
        let x = try caller.buffer([Float](repeating: 1, count: n), dims: [n])
        let error = try #require(throws: PJRTCallError.self) { try caller.execute(executable, [x, x], outputCount: 1) }
        #expect(error.message.contains("donated and also passed as argument 1"))
        #expect(try !x.isDeleted)
    }

    @Test func aWrongResultFailsTheSoak() throws {
        var program = SoakProgram.mix(.small)[0]
        program.expected = { inputs, _, index in inputs[0][index] + 1 }
        var soak = SoakRun(backend: "cpu", threads: 2, executions: 10, scale: .small)
        soak.programs = [program]
        let report = try soak.run()
        #expect(!report.passed)
        #expect(report.failures.first?.contains("expected") == true)
    }
}

/// PJRT events and futures completed, awaited and subscribed to from many threads at once.
@Suite struct PluginEventConcurrencyTests {
    @Test func everyWaiterAndCallbackSeesOneCompletion() {
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var callbacks = 0
            var waits = 0
            var wrong = 0
            func add(callback: Bool, failure: PluginFailure?) {
                lock.lock()
                if callback { callbacks += 1 } else { waits += 1 }
                if failure?.message != "failed on purpose" { wrong += 1 }
                lock.unlock()
            }
        }
        let counter = Counter()
        let events = (0..<200).map { _ in PluginEvent() }
        let group = DispatchGroup()
        for thread in 0..<8 {
            group.enter()
            Thread {
                for (index, event) in events.enumerated() {
                    if (index + thread) % 8 == 0 {
                        event.complete(PluginFailure(PJRT_Error_Code_INTERNAL, "failed on purpose"))
                    } else if thread % 2 == 0 {
                        event.onReady { counter.add(callback: true, failure: $0) }
                    } else {
                        counter.add(callback: false, failure: event.wait())
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(counter.wrong == 0)
        // Per event: one thread completed it, 3 or 4 even threads subscribed, the rest waited.
        #expect(counter.callbacks + counter.waits == 200 * 7)
    }
}
