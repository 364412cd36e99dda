import Foundation
import Runtime
import Testing
@testable import CUDARuntime

@Suite("Executable validation and the .nvx encoding")
struct ValidationTests {
    typealias Damage = @Sendable (inout Executable) -> Void

    static let damages: [(String, Damage)] = [
        ("target 'cpu' is not cuda", { $0.target = "cpu" }),
        ("overruns the 780-byte arena", { $0.arenaBytes = 780 }),
        ("step 0: kernel 5 of 1", { $0.steps[0] = .launch(KernelLaunch(kernel: 5, grid: [1], block: [1], arguments: [])) }),
        ("step 0: argument names buffer 99", { $0.steps[0] = .launch(KernelLaunch(kernel: 0, grid: [1], block: [1], arguments: [.buffer(99)])) }),
        ("step 0: grid [0]", { $0.steps[0] = .launch(KernelLaunch(kernel: 0, grid: [0], block: [1], arguments: [])) }),
        ("step 0: block [1, 1, 1, 1]", { $0.steps[0] = .launch(KernelLaunch(kernel: 0, grid: [1], block: [1, 1, 1, 1], arguments: [])) }),
        ("step 1: host output writes buffer 0 (x), an input or constant", { $0.steps[1] = .host(HostCall(program: 0, function: "main", inputs: [3], outputs: [0], reason: "")) }),
        ("step 1: host program 3 of 1", { $0.steps[1] = .host(HostCall(program: 3, function: "main", inputs: [3], outputs: [4], reason: "")) }),
        ("step 2: matmul A", { $0.steps[2] = .matmul(MatmulCall(a: 4, b: 1, c: 5, m: 3, n: 2, k: 3, inputType: "f32", outputType: "f32")) }),
        ("step 2: matmul C", { $0.steps[2] = .matmul(MatmulCall(a: 4, b: 1, c: 5, m: 2, n: 2, k: 3, inputType: "f32", outputType: "bf16")) }),
        ("step 2: matmul epilogue bias without a bias buffer", { $0.steps[2] = .matmul(MatmulCall(a: 4, b: 1, c: 5, m: 2, n: 2, k: 3, inputType: "f32", outputType: "f32", epilogue: .bias)) }),
        ("step 2: matmul 1x0x2x3 has an empty dimension", { $0.steps[2] = .matmul(MatmulCall(a: 4, b: 1, c: 5, m: 0, n: 2, k: 3, inputType: "f32", outputType: "f32")) }),
        ("step 3: copy of 16 bytes into a 24-byte buffer", { $0.steps[3] = .copy(from: 5, to: 3) }),
        ("step 3: copy destination writes buffer 2 (c)", { $0.steps[3] = .copy(from: 3, to: 2) }),
        ("constant #0 has 3 bytes", { $0.constants[0].bytes = Data([1, 2, 3]) }),
        ("claims 7 bytes", { $0.buffers[3].byteSize = 7 }),
        ("unknown element type 'f33'", { $0.buffers[3].elementTypeName = "f33" }),
        ("input #1 is bound to buffer 2", { $0.inputs[1] = 2 }),
        ("output names buffer 42", { $0.outputs = [42] }),
        ("has shape [-1, 3]", { $0.buffers[3].shape = [-1, 3] }),
        ("has shape", { $0.buffers[3].shape = [Int.max, 4] }),
        ("arena offset -256", { $0.buffers[4].placement = .arena(offset: -256) }),
        ("arena offset 9223372036854775807", { $0.buffers[4].placement = .arena(offset: Int.max) }),
        ("step 2: fft output", { $0.steps[2] = .fft(FFTCall(kind: .rfft, input: 4, output: 5, scratch: nil, lengths: [3], batch: 2, doublePrecision: false)) }),
        ("step 2: cuFFT IRFFT complex<f32> 2 x 4 -> f32 needs scratch", { $0.steps[2] = .fft(FFTCall(kind: .irfft, input: 4, output: 5, scratch: nil, lengths: [4], batch: 2, doublePrecision: false)) }),
        ("step 2: attention element type f32", { $0.steps[2] = .attention(attention(type: "f32")) }),
        ("does not hold [1, 1, 2, 8] bf16", { $0.steps[2] = .attention(attention(type: "bf16")) }),
        ("more elements than memory can", { $0.steps[2] = .fft(FFTCall(kind: .fft, input: 4, output: 5, scratch: nil, lengths: [2_000_000_000, 2_000_000_000, 2_000_000_000], batch: 2_000_000_000, doublePrecision: true)) }),
    ]

    /// An attention step over the sample's f32 buffers 3, 4, 5 and 6.
    static func attention(type: String) -> AttentionCall {
        let view = { (buffer: Int) in AttentionCall.Operand(buffer: buffer, offset: 0, dims: [1, 1, 2, 8], strides: [16, 16, 8, 1]) }
        return AttentionCall(elementType: type, query: view(3), key: view(4), value: view(4), output: view(5), bias: nil,
                             scale: 1, causalOffset: nil, kernel: KernelLaunch(kernel: 0, grid: [1], block: [1], arguments: []))
    }

    @Test("a damaged executable is refused with the reason", arguments: damages.indices)
    func damaged(index: Int) throws {
        let (message, damage) = Self.damages[index]
        var executable = SampleExecutables.everyStepKind()
        damage(&executable)
        #expect { try executable.validate() } throws: { error in
            "\(error)".contains("invalid executable") && "\(error)".contains(message)
        }
        #expect(throws: RuntimeError.self) {
            _ = try CUDAExecutableRunner(executable: executable, queue: FakeDeviceQueue(), hostFallback: FakeHostFallback())
        }
    }

    @Test("the sample is valid")
    func sampleIsValid() throws {
        try SampleExecutables.everyStepKind(epilogue: .biasGelu).validate()
    }

    @Test(".nvx round trip keeps every field")
    func roundTrip() throws {
        let executable = SampleExecutables.everyStepKind(epilogue: .biasRelu)
        let bytes = try executable.encoded()
        #expect(Array(bytes.prefix(4)) == Array("NVX2".utf8))
        #expect(try Executable(decoding: bytes, file: "x.nvx") == executable)
    }

    @Test(".nvx files written before the checksum (NVX1) still read")
    func uncheckedFormatReads() throws {
        let executable = SampleExecutables.everyStepKind(epilogue: .biasRelu)
        let bytes = try executable.encoded()
        let payload = bytes.drop(while: { $0 != 0x0A }).dropFirst()
        #expect(try Executable(decoding: Array("NVX1".utf8) + payload, file: "old.nvx") == executable)
    }

    @Test("a truncated or changed .nvx is refused by its checksum", arguments: [0.1, 0.5, 0.99])
    func checksumRefusesChanges(at fraction: Double) throws {
        let bytes = try SampleExecutables.everyStepKind().encoded()
        let position = 69 + Int(Double(bytes.count - 70) * fraction)
        var changed = bytes
        changed[position] ^= 0x01
        let error = try #require(throws: RuntimeError.self) { _ = try Executable(decoding: changed, file: "x.nvx") }
        #expect("\(error)".contains("x.nvx: checksum mismatch"))
        let truncated = Array(bytes.prefix(position))
        let cut = try #require(throws: RuntimeError.self) { _ = try Executable(decoding: truncated, file: "x.nvx") }
        #expect("\(cut)".contains("checksum mismatch"))
    }

    @Test("damaged .nvx bytes are errors, never traps", arguments: [0, 3, 4, 10, 100, 500])
    func damagedFile(cut: Int) throws {
        let bytes = try SampleExecutables.everyStepKind().encoded()
        let truncated = Array(bytes.prefix(cut))
        #expect(throws: RuntimeError.self) { _ = try Executable(decoding: truncated, file: "x.nvx") }
        var flipped = bytes
        if cut < flipped.count { flipped[cut] = 0x00 }
        if let decoded = try? Executable(decoding: flipped, file: "x.nvx") {
            // A flipped byte that still decodes must still validate or be refused cleanly.
            _ = try? decoded.validate()
        }
    }
}
