import Foundation
import Runtime
import Testing
@testable import CUDARuntime

/// `.convolution` steps: validation of their buffers, the `.nvx` encoding, and a queue
/// without cuDNN refusing them with a clear error.
@Suite("Convolution steps")
struct ConvolutionStepTests {
    /// `y = relu(conv(x, w) + bias)`: x 1x4x4x2 (NHWC), w 3x3x3x2 (KRSC), bias 3, y 1x2x2x3.
    static func sample() -> Executable {
        let f32 = SampleExecutables.f32
        let buffers = [
            BufferSlot(name: "x", type: f32([1, 4, 4, 2]), placement: .input(index: 0)),
            BufferSlot(name: "w", type: f32([3, 3, 3, 2]), placement: .input(index: 1)),
            BufferSlot(name: "bias", type: f32([3]), placement: .input(index: 2)),
            BufferSlot(name: "%0 = convolution", type: f32([1, 2, 2, 3]), placement: .arena(offset: 0)),
        ]
        var call = ConvolutionCall(
            input: 0, filter: 1, output: 3, layout: .nhwc, n: 1, c: 2, h: 4, w: 4, k: 3, r: 3, s: 3,
            outputHeight: 2, outputWidth: 2, padding: [0, 0], strides: [1, 1], dilation: [1, 1], groups: 1,
            flipsWindow: false, elementType: "f32", allowsTF32: true)
        call.reluBias = 2
        return Executable(
            target: "cuda", architecture: "sm_90", entry: "main", arenaBytes: 256, buffers: buffers,
            inputs: [0, 1, 2], outputs: [3], constants: [], kernels: [], steps: [.convolution(call)], hostPrograms: [])
    }

    typealias Damage = @Sendable (inout ConvolutionCall) -> Void

    static let damages: [(String, Damage)] = [
        ("convolution filter w is 216 bytes of f32, expected 36 x f32", { $0.r = 2 }),
        ("step 0: output writes buffer 0 (x)", { $0.output = 0 }),
        ("convolution input x is 128 bytes of f32, expected 8 x f32", { $0.h = 2; $0.w = 2 }),
        ("convolution bias w is 216 bytes", { $0.reluBias = 1 }),
        ("bias+ReLU convolutions are NHWC", { $0.layout = .nchw }),
        ("convolution element type f64", { $0.elementType = "f64" }),
        ("has an empty or invalid dimension", { $0.padding = [-1, 0] }),
        ("has an empty or invalid dimension", { $0.groups = 3 }),
        ("has an empty or invalid dimension", { $0.strides = [1] }),
        ("filter names buffer 9 of 4", { $0.filter = 9 }),
        ("bias+ReLU convolutions are NHWC and forward", { $0.direction = .backwardFilter }),
        ("step 0: input writes buffer 0 (x)", { $0.reluBias = nil; $0.direction = .backwardData }),
        ("step 0: filter writes buffer 1 (w)", { $0.reluBias = nil; $0.direction = .backwardFilter }),
    ]

    @Test("the sample is valid and survives the .nvx encoding")
    func sampleIsValid() throws {
        let executable = Self.sample()
        try executable.validate()
        #expect(try Executable(decoding: try executable.encoded(), file: "conv.nvx") == executable)
    }

    @Test("a damaged convolution step is refused with the reason", arguments: damages.indices)
    func damaged(index: Int) throws {
        let (message, damage) = Self.damages[index]
        var executable = Self.sample()
        guard case .convolution(var call) = executable.steps[0] else { return }
        damage(&call)
        executable.steps[0] = .convolution(call)
        #expect { try executable.validate() } throws: { error in
            "\(error)".contains("invalid executable") && "\(error)".contains(message)
        }
    }

    @Test("a queue without cuDNN refuses the step, naming it")
    func fakeQueueRefuses() throws {
        let runner = try CUDAExecutableRunner(executable: Self.sample(), queue: FakeDeviceQueue())
        let inputs = [
            SampleExecutables.hostTensor(Array(repeating: 1, count: 32), shape: [1, 4, 4, 2]),
            SampleExecutables.hostTensor(Array(repeating: 1, count: 54), shape: [3, 3, 3, 2]),
            SampleExecutables.hostTensor([1, 2, 3], shape: [3]),
        ]
        #expect { _ = try runner.invoke(inputs: inputs) } throws: { error in
            "\(error)".contains("step 0 (cuDNN convolution nhwc f32") && "\(error)".contains("cannot run cuDNN convolution steps")
        }
    }
}
