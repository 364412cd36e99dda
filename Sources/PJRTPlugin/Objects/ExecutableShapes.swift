import CPJRT
import StableHLO

/// The C arrays describing an executable's outputs and parameters, built once per executable.
final class ExecutableShapes: @unchecked Sendable {
    let outputTypes: UnsafeMutablePointer<PJRT_Buffer_Type>
    let outputDims: UnsafeMutablePointer<Int64>
    let outputDimSizes: UnsafeMutablePointer<Int>
    let outputKinds: UnsafeMutablePointer<UnsafePointer<CChar>?>
    let outputKindSizes: UnsafeMutablePointer<Int>
    let parameterKinds: UnsafeMutablePointer<UnsafePointer<CChar>?>
    let parameterKindSizes: UnsafeMutablePointer<Int>
    let logicalIds: UnsafeMutablePointer<PJRT_LogicalDeviceIds>
    let devices: UnsafeMutablePointer<OpaquePointer?>

    init(storage: CStorage, inputTypes: [TensorType], outputTypes types: [TensorType], device: PluginDevice) throws {
        outputTypes = storage.array(try types.map { try BufferTypes.bufferType($0.elementType) })
        outputDims = storage.array(types.flatMap { $0.shape.map(Int64.init) })
        outputDimSizes = storage.array(types.map(\.shape.count))
        let kind = storage.string(PluginDevice.memoryKind)
        outputKinds = storage.array([UnsafePointer<CChar>?](repeating: kind.pointer, count: types.count))
        outputKindSizes = storage.array([Int](repeating: kind.count, count: types.count))
        parameterKinds = storage.array([UnsafePointer<CChar>?](repeating: kind.pointer, count: inputTypes.count))
        parameterKindSizes = storage.array([Int](repeating: kind.count, count: inputTypes.count))
        logicalIds = storage.array([PJRT_LogicalDeviceIds(replica: 0, partition: 0)])
        devices = storage.array([Optional(Handle.unretained(device))])
    }
}
