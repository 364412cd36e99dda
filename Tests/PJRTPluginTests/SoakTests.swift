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
        #expect(report.passed)
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
