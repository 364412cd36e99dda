import StableHLO

extension Function {
    /// Checks that `inputs` match this function's parameters in count, shape and element
    /// type; the error names the parameter and both types.
    public func checkInputs(_ inputs: [HostTensor]) throws(RuntimeError) {
        guard inputs.count == inputTypes.count else {
            let expected = inputTypes.map(\.description).joined(separator: ", ")
            throw RuntimeError("@\(name) takes \(inputTypes.count) input\(inputTypes.count == 1 ? "" : "s") (\(expected)), got \(inputs.count)")
        }
        for (i, (input, parameter)) in zip(inputs, inputTypes).enumerated() {
            guard let expected = parameter.tensorType else {
                throw RuntimeError("@\(name) input #\(i) has type \(parameter), which --input cannot provide")
            }
            let shapeMatches = expected.shape.count == input.type.shape.count
                && zip(expected.shape, input.type.shape).allSatisfy { $0 == TensorType.dynamic || $0 == $1 }
            guard shapeMatches, expected.elementType == input.type.elementType else {
                throw RuntimeError("@\(name) input #\(i) must be \(expected), got \(input.type)")
            }
        }
    }
}

/// Which device `--device` asks for.
public enum DeviceChoice: String, CaseIterable, Sendable {
    /// The best available device: a CUDA GPU when supported, else the CPU.
    case auto
    /// The CPU reference backend.
    case cpu
    /// An NVIDIA GPU.
    case cuda

    /// The device to use, given the CPU backend and the GPU backends that are available.
    public func select(cpu: any Device, gpus: [any Device] = []) throws(RuntimeError) -> any Device {
        switch self {
        case .cpu: return cpu
        case .auto: return gpus.first ?? cpu
        case .cuda:
            guard let gpu = gpus.first else {
                throw RuntimeError("--device=cuda: no CUDA backend is available in this build yet (use --device=cpu)")
            }
            return gpu
        }
    }
}
