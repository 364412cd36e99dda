import CCUDA

/// The values of `cudnn_graph.h`'s enums that nvgpu's backend graphs use. They are part of
/// cuDNN 9's ABI (the same numbers in every 9.x release), so they are spelled here rather
/// than taken from the vendor header.
enum CUDNNBackend {
    enum DescriptorType: Int32 {
        case pointwise = 0, engineConfig = 3, engineHeuristics = 4, executionPlan = 5
        case pointwiseOperation = 13, operationGraph = 15, variantPack = 16, tensor = 17
        case matmul = 18, matmulOperation = 19, reduction = 21, reductionOperation = 22
    }

    enum AttributeType: Int32 {
        case handle = 0, dataType = 1, boolean = 2, int64 = 3, float = 4, voidPointer = 6
        case heuristicMode = 8, pointwiseMode = 14, descriptor = 15, reductionOperator = 18
    }

    enum Attribute: Int32 {
        case pointwiseMode = 0, pointwiseMathPrecision = 1, pointwiseAxis = 9
        case heuristicsMode = 200, heuristicsGraph = 201, heuristicsResults = 202
        case planHandle = 400, planEngineConfig = 401, planWorkspaceSize = 402
        case pointwiseDescriptor = 750, pointwiseX = 751, pointwiseB = 752, pointwiseY = 753
        case pointwiseAlpha1 = 754, pointwiseAlpha2 = 755, pointwiseT = 758
        case graphHandle = 800, graphOperations = 801
        case tensorAlignment = 900, tensorDataType = 901, tensorDimensions = 902, tensorStrides = 903
        case tensorUniqueID = 906, tensorIsVirtual = 907, tensorIsByValue = 908
        case variantPackUniqueIDs = 1000, variantPackPointers = 1001, variantPackWorkspace = 1003
        case matmulComputeType = 1500
        case matmulA = 1520, matmulB = 1521, matmulC = 1522, matmulDescriptor = 1523
        case reductionOperator = 1600, reductionComputeType = 1601
        case reductionX = 1610, reductionY = 1611, reductionDescriptor = 1612
    }

    /// `cudnnDataType_t`.
    enum DataType: Int32 {
        case float = 0, half = 2, int32 = 4, bfloat16 = 9, boolean = 11
    }

    /// `cudnnPointwiseMode_t`.
    enum PointwiseMode: Int32 {
        case add = 0, multiply = 1, divide = 6, subtract = 9, exp = 13
        case greaterOrEqual = 303, generateIndex = 501, binarySelect = 601
    }

    /// `cudnnReduceTensorOp_t`.
    enum ReductionOperator: Int32 {
        case add = 0, max = 3
    }

    /// `cudnnBackendHeurMode_t`.
    enum HeuristicMode: Int32 {
        case fallback = 2, a = 3
    }
}

/// One backend-API descriptor (`cudnnBackendCreateDescriptor`), destroyed when released.
final class CUDNNBackendDescriptor: @unchecked Sendable {
    let library: CUDNN
    let raw: cudnnBackendDescriptor_t
    let type: CUDNNBackend.DescriptorType

    init(_ type: CUDNNBackend.DescriptorType, library: CUDNN) throws(CUDNNError) {
        var raw: cudnnBackendDescriptor_t?
        try library.check("cudnnBackendCreateDescriptor", context: "\(type)") {
            $0.cudnnBackendCreateDescriptor?(type.rawValue, &raw)
        }
        guard let raw else { throw CUDNNError(call: "cudnnBackendCreateDescriptor", status: 4000, name: "null descriptor") }
        self.library = library
        self.raw = raw
        self.type = type
    }

    deinit {
        _ = library.functions.cudnnBackendDestroyDescriptor?(raw)
    }

    /// Sets `attribute` to `values` of cuDNN type `type` (the Swift element type must match
    /// the C one: `Int64`, `Int32` for enums, `Bool`, `Float`, pointers).
    func set<T>(_ attribute: CUDNNBackend.Attribute, _ type: CUDNNBackend.AttributeType, _ values: [T]) throws(CUDNNError) {
        let status = values.withUnsafeBufferPointer { buffer in
            library.functions.cudnnBackendSetAttribute?(raw, attribute.rawValue, type.rawValue, Int64(buffer.count),
                                                       buffer.baseAddress)
        }
        try library.check("cudnnBackendSetAttribute", context: "\(self.type).\(attribute)") { _ in status }
    }

    func set(_ attribute: CUDNNBackend.Attribute, descriptors: [CUDNNBackendDescriptor]) throws(CUDNNError) {
        try set(attribute, .descriptor, descriptors.map { Optional($0.raw) })
    }

    func set(_ attribute: CUDNNBackend.Attribute, dataType: CUDNNBackend.DataType) throws(CUDNNError) {
        try set(attribute, .dataType, [dataType.rawValue])
    }

    func set(_ attribute: CUDNNBackend.Attribute, int64s: [Int]) throws(CUDNNError) {
        try set(attribute, .int64, int64s.map { Int64($0) })
    }

    func finalize() throws(CUDNNError) {
        try library.check("cudnnBackendFinalize", context: "\(type)") { $0.cudnnBackendFinalize?(raw) }
    }

    /// One `Int64` attribute of a finalized descriptor.
    func int64(_ attribute: CUDNNBackend.Attribute) throws(CUDNNError) -> Int {
        var value: Int64 = 0
        var count: Int64 = 0
        try library.check("cudnnBackendGetAttribute", context: "\(type).\(attribute)") {
            $0.cudnnBackendGetAttribute?(raw, attribute.rawValue, CUDNNBackend.AttributeType.int64.rawValue, 1, &count, &value)
        }
        return Int(value)
    }
}
