import CUDA
import Runtime
import StableHLO

/// The device addresses of a convolution step's operands.
public struct ConvolutionOperands: Sendable, Hashable {
    public var input: DevicePointer
    public var filter: DevicePointer
    public var output: DevicePointer
    /// The bias of a bias+ReLU step.
    public var reluBias: DevicePointer?

    public init(input: DevicePointer, filter: DevicePointer, output: DevicePointer, reluBias: DevicePointer? = nil) {
        self.input = input
        self.filter = filter
        self.output = output
        self.reluBias = reluBias
    }
}

extension DeviceQueue {
    /// Queues without cuDNN (test fakes) refuse convolution steps with a clear error.
    public func convolution(_ call: ConvolutionCall, operands: ConvolutionOperands) throws {
        throw RuntimeError("this device queue cannot run cuDNN convolution steps (\(call.summary))")
    }
}

extension Executable {
    /// A convolution step's buffers have the sizes and element type its call describes,
    /// and it writes neither an input nor a constant.
    func checkConvolution(
        _ call: ConvolutionCall, label: String,
        readable: (Int, String) throws(RuntimeError) -> BufferSlot,
        writable: (Int, String) throws(RuntimeError) -> BufferSlot,
        fail: (String) -> RuntimeError
    ) throws(RuntimeError) {
        let extents = [call.n, call.c, call.h, call.w, call.k, call.r, call.s, call.outputHeight, call.outputWidth]
        guard extents.allSatisfy({ $0 > 0 && $0 < Int(Int32.max) }), call.groups > 0, call.c % call.groups == 0,
              call.k % call.groups == 0, call.padding.count == 2, call.strides.count == 2, call.dilation.count == 2,
              call.padding.allSatisfy({ $0 >= 0 }), (call.strides + call.dilation).allSatisfy({ $0 > 0 }) else {
            throw fail("\(label): \(call.summary) has an empty or invalid dimension")
        }
        guard ["bf16", "f16", "f32"].contains(call.elementType), let type = ElementType(mlirName: call.elementType) else {
            throw fail("\(label): convolution element type \(call.elementType) (cuDNN takes bf16, f16, f32)")
        }
        if let bias = call.reluBias {
            guard call.layout == .nhwc, call.direction == .forward else { throw fail("\(label): bias+ReLU convolutions are NHWC and forward") }
            let slot = try readable(bias, "bias")
            guard slot.elementTypeName == call.elementType, slot.byteSize == call.k * type.storageBytes else {
                throw fail("\(label): convolution bias \(slot.name) is \(slot.byteSize) bytes of \(slot.elementTypeName), expected \(call.k) x \(call.elementType)")
            }
        }
        let counts = call.elementCounts
        let written = call.direction == .forward ? "output" : call.direction == .backwardData ? "input" : "filter"
        for (buffer, role, count) in [(call.input, "input", counts.input), (call.filter, "filter", counts.filter),
                                      (call.output, "output", counts.output)] {
            let write = role == written
            let slot = write ? try writable(buffer, role) : try readable(buffer, role)
            let (bytes, overflow) = count.multipliedReportingOverflow(by: type.storageBytes)
            guard !overflow, slot.elementTypeName == call.elementType, slot.byteSize == bytes else {
                throw fail("\(label): convolution \(role) \(slot.name) is \(slot.byteSize) bytes of \(slot.elementTypeName), expected \(count) x \(call.elementType)")
            }
        }
        guard Set([call.input, call.filter, call.output]).count == 3 else {
            throw fail("\(label): convolution input, filter and output are not three buffers")
        }
    }
}
