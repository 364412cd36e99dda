import CCUDA
import Foundation

/// One scaled-dot-product attention as cuDNN's fused flash-attention engines take it:
/// `O = softmax(mask(scale · Q·Kᵀ + bias)) · V` over `[batch, heads]`, every tensor 4-D with
/// element strides (the feature stride 1), so BSHD and BHSD layouts are read in place and
/// grouped-query K/V have fewer heads than Q.
public struct CUDNNAttentionDescription: Hashable, Sendable, CustomStringConvertible {
    /// A tensor's dimensions and strides, outermost first, in elements.
    public struct Layout: Hashable, Sendable {
        public var dims: [Int]
        public var strides: [Int]
        public init(dims: [Int], strides: [Int]) {
            self.dims = dims
            self.strides = strides
        }
    }

    /// Q, K, V and O's element type.
    public var elementType: MatmulElementType
    /// `[batch, heads, queries, headDim]`.
    public var query: Layout
    /// `[batch, kvHeads, keys, headDim]` (kvHeads divides heads).
    public var key: Layout
    /// `[batch, kvHeads, keys, valueDim]`.
    public var value: Layout
    /// `[batch, heads, queries, valueDim]`.
    public var output: Layout
    /// An additive bias `[batch or 1, heads or 1, queries, keys]` of `elementType`.
    public var bias: Layout?
    /// The factor the scores are multiplied by.
    public var scale: Float
    /// Key `k` is seen by query `q` only when `k ≤ q + causalOffset`; nil: no mask.
    public var causalOffset: Int?

    public init(elementType: MatmulElementType, query: Layout, key: Layout, value: Layout, output: Layout,
                bias: Layout? = nil, scale: Float, causalOffset: Int? = nil) {
        self.elementType = elementType
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.bias = bias
        self.scale = scale
        self.causalOffset = causalOffset
    }

    public var description: String {
        let q = query.dims, k = key.dims
        guard q.count == 4, k.count == 4 else { return "attention \(elementType) q \(q) k \(k)" }
        return "attention \(elementType) b\(q[0]) h\(q[1])/\(k[1]) s\(q[2])x\(k[2]) d\(q[3])"
            + (causalOffset.map { " causal(\($0))" } ?? "") + (bias == nil ? "" : " bias")
    }

    /// Why cuDNN's fused attention cannot take this problem, or nil.
    public var unsupportedReason: String? {
        let layouts = [query, key, value, output] + (bias.map { [$0] } ?? [])
        guard layouts.allSatisfy({ $0.dims.count == 4 && $0.strides.count == 4 && $0.dims.allSatisfy { $0 > 0 } }) else {
            return "a tensor is not 4-D"
        }
        guard [query, key, value, output].allSatisfy({ $0.strides[3] == 1 }) else { return "a feature stride is not 1" }
        guard elementType == .bfloat16 || elementType == .float16 else { return "cuDNN fused attention takes bf16 and f16" }
        let heads = query.dims[1]
        guard key.dims[1] > 0, value.dims[1] > 0, heads % key.dims[1] == 0, heads % value.dims[1] == 0 else {
            return "K/V heads do not divide the query heads"
        }
        let d = query.dims[3], dv = value.dims[3]
        guard d % 8 == 0, dv % 8 == 0, d <= 256, dv <= 256 else { return "head dims must be multiples of 8 up to 256" }
        return nil
    }

    /// `[batch, heads, queries, keys]`, row-major: the scores' shape.
    var scoreDims: [Int] { [query.dims[0], query.dims[1], query.dims[2], key.dims[2]] }
}

/// A finalized cuDNN execution plan for one `CUDNNAttentionDescription`, built from the
/// backend graph API: matmul, scale, bias, causal mask (generated indices, a comparison and a
/// select), softmax (max, subtract, exp, sum, divide) and matmul, the graph cuDNN's fused
/// flash-attention engines recognise.
public final class CUDNNAttention: @unchecked Sendable {
    /// The handle it runs on.
    public let handle: CUDNNHandle
    public let description: CUDNNAttentionDescription
    /// Device workspace bytes each run needs.
    public let workspaceBytes: Int
    /// The heuristic rank of the engine configuration that finalized (0: cuDNN's first choice).
    public let engineRank: Int
    let plan: CUDNNBackendDescriptor
    /// The graph's descriptors, kept alive as long as the plan.
    let retained: [CUDNNBackendDescriptor]
    /// By-value scalars read on the host at each run: the scale, -inf, the causal offset.
    let scalars: UnsafeMutableRawPointer

    enum UID: Int64 {
        case query = 1, key, value, output, bias, scale, negativeInfinity, causalOffset
    }

    /// Builds the graph for `description` and finalizes the first engine configuration of
    /// cuDNN's heuristics that accepts it.
    public init(handle: CUDNNHandle, description: CUDNNAttentionDescription) throws {
        if let reason = description.unsupportedReason {
            throw CUDNNError(call: "CUDNNAttention", status: 3000, name: "CUDNN_STATUS_NOT_SUPPORTED", context: reason)
        }
        let library = handle.library
        guard library.functions.cudnnBackendCreateDescriptor != nil, library.functions.cudnnBackendExecute != nil else {
            throw CUDNNError(call: "cudnnBackendCreateDescriptor", status: -1, name: "symbol missing",
                             context: "this cuDNN has no backend graph API")
        }
        try handle.context.makeCurrent()
        var builder = AttentionGraphBuilder(library: library, description: description)
        let operations = try builder.operations()
        let graph = try CUDNNBackendDescriptor(.operationGraph, library: library)
        try graph.set(.graphHandle, .handle, [Optional(handle.handle)])
        try graph.set(.graphOperations, descriptors: operations)
        try graph.finalize()
        let (plan, rank) = try Self.plan(for: graph, handle: handle, context: "\(description)")
        self.handle = handle
        self.description = description
        self.plan = plan
        self.engineRank = rank
        self.workspaceBytes = try plan.int64(.planWorkspaceSize)
        self.retained = builder.retained + operations + [graph]
        scalars = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8)
        scalars.storeBytes(of: description.scale, as: Float.self)
        scalars.storeBytes(of: -Float.infinity, toByteOffset: 4, as: Float.self)
        scalars.storeBytes(of: Int32(clamping: description.causalOffset ?? 0), toByteOffset: 8, as: Int32.self)
    }

    deinit {
        scalars.deallocate()
    }

    /// The first engine configuration (heuristics mode A, then the fallback list) that
    /// finalizes into a plan, and its rank.
    static func plan(for graph: CUDNNBackendDescriptor, handle: CUDNNHandle, context: String)
        throws -> (CUDNNBackendDescriptor, Int) {
        let library = handle.library
        var lastError: Error?
        for mode in [CUDNNBackend.HeuristicMode.a, .fallback] {
            let heuristics = try CUDNNBackendDescriptor(.engineHeuristics, library: library)
            try heuristics.set(.heuristicsGraph, descriptors: [graph])
            try heuristics.set(.heuristicsMode, .heuristicMode, [mode.rawValue])
            do { try heuristics.finalize() } catch { lastError = error; continue }
            let capacity = 8
            let configs = try (0..<capacity).map { _ in try CUDNNBackendDescriptor(.engineConfig, library: library) }
            var raw = configs.map { Optional($0.raw) }
            var count: Int64 = 0
            try library.check("cudnnBackendGetAttribute", context: "engine heuristics results for \(context)") {
                $0.cudnnBackendGetAttribute?(heuristics.raw, CUDNNBackend.Attribute.heuristicsResults.rawValue,
                                             CUDNNBackend.AttributeType.descriptor.rawValue, Int64(capacity), &count, &raw)
            }
            for (rank, config) in configs.prefix(Int(min(count, Int64(capacity)))).enumerated() {
                do {
                    let plan = try CUDNNBackendDescriptor(.executionPlan, library: library)
                    try plan.set(.planHandle, .handle, [Optional(handle.handle)])
                    try plan.set(.planEngineConfig, descriptors: [config])
                    try plan.finalize()
                    return (plan, rank)
                } catch {
                    lastError = error
                }
            }
        }
        throw lastError ?? CUDNNError(call: "cudnnBackendFinalize", status: 3000, name: "CUDNN_STATUS_NOT_SUPPORTED",
                                      context: "no engine configuration for \(context)")
    }

    /// Queues the attention on the handle's stream. `workspace` holds `workspaceBytes`.
    public func run(query: DevicePointer, key: DevicePointer, value: DevicePointer, output: DevicePointer,
                    bias: DevicePointer?, workspace: DevicePointer?) throws {
        let library = handle.library
        try handle.context.makeCurrent()
        var uids: [Int64] = [UID.query, .key, .value, .output, .scale, .negativeInfinity].map(\.rawValue)
        var pointers: [UnsafeMutableRawPointer?] = [query, key, value, output].map { UnsafeMutableRawPointer(bitPattern: UInt($0.rawValue)) }
        pointers += [scalars, scalars + 4]
        if description.causalOffset.map({ $0 != 0 }) == true {
            uids.append(UID.causalOffset.rawValue)
            pointers.append(scalars + 8)
        }
        if description.bias != nil {
            guard let bias else { throw CUDNNError(call: "CUDNNAttention.run", status: 2000, name: "CUDNN_STATUS_BAD_PARAM", context: "no bias buffer") }
            uids.append(UID.bias.rawValue)
            pointers.append(UnsafeMutableRawPointer(bitPattern: UInt(bias.rawValue)))
        }
        let pack = try CUDNNBackendDescriptor(.variantPack, library: library)
        try pack.set(.variantPackUniqueIDs, .int64, uids)
        try pack.set(.variantPackPointers, .voidPointer, pointers)
        try pack.set(.variantPackWorkspace, .voidPointer, [workspace.flatMap { UnsafeMutableRawPointer(bitPattern: UInt($0.rawValue)) }])
        try pack.finalize()
        try library.check("cudnnBackendExecute", context: "\(description)") {
            $0.cudnnBackendExecute?(handle.handle, plan.raw, pack.raw)
        }
    }
}
