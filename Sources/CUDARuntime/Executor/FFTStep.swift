import CUDA
import Runtime
import StableHLO

/// The device addresses of an FFT step's buffers.
public struct FFTOperands: Sendable, Hashable {
    public var input: DevicePointer
    public var output: DevicePointer
    /// IRFFT: where the input is copied before cuFFT reads (and may overwrite) it.
    public var scratch: DevicePointer?

    public init(input: DevicePointer, output: DevicePointer, scratch: DevicePointer? = nil) {
        self.input = input
        self.output = output
        self.scratch = scratch
    }
}

extension DeviceQueue {
    /// Queues without cuFFT (test fakes) refuse FFT steps with a clear error.
    public func fft(_ call: FFTCall, operands: FFTOperands) throws {
        throw RuntimeError("this device queue cannot run cuFFT steps (\(call.summary))")
    }
}

extension Executable {
    /// An FFT step's buffers have the sizes and element types its call describes, it writes
    /// neither an input nor a constant, and an IRFFT has a scratch copy of its input.
    func checkFFT(
        _ call: FFTCall, label: String,
        readable: (Int, String) throws(RuntimeError) -> BufferSlot,
        writable: (Int, String) throws(RuntimeError) -> BufferSlot,
        fail: (String) -> RuntimeError
    ) throws(RuntimeError) {
        guard (1...3).contains(call.lengths.count), call.batch > 0, call.batch < Int(Int32.max),
              call.lengths.allSatisfy({ $0 > 0 && $0 < Int(Int32.max) }) else {
            throw fail("\(label): \(call.summary) has an empty or invalid extent")
        }
        // The whole batch, in bytes of complex<f64>, must be countable before anything is sized.
        let scalars = call.lengths.reduce((value: call.batch, overflow: false)) { partial, n in
            let (product, overflow) = partial.value.multipliedReportingOverflow(by: n)
            return (product, partial.overflow || overflow)
        }
        guard !scalars.overflow, !scalars.value.multipliedReportingOverflow(by: 16).overflow else {
            throw fail("\(label): \(call.summary) holds more elements than memory can")
        }
        guard (call.kind == .irfft) == (call.scratch != nil) else {
            throw fail("\(label): \(call.summary) \(call.kind == .irfft ? "needs" : "takes no") scratch copy of its input")
        }
        let counts = call.elementCounts, types = call.elementTypeNames
        var roles = [(call.input, "input", counts.input, types.input, false), (call.output, "output", counts.output, types.output, true)]
        if let scratch = call.scratch { roles.append((scratch, "scratch", counts.input, types.input, true)) }
        for (buffer, role, count, typeName, write) in roles {
            let slot = write ? try writable(buffer, role) : try readable(buffer, role)
            guard let type = ElementType(mlirName: typeName) else { throw fail("\(label): fft element type \(typeName)") }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: type.storageBytes)
            guard !overflow, slot.elementTypeName == typeName, slot.byteSize == bytes else {
                throw fail("\(label): fft \(role) \(slot.name) is \(slot.byteSize) bytes of \(slot.elementTypeName), expected \(count) x \(typeName)")
            }
        }
    }
}
