import CCUDA

/// A captured and instantiated CUDA graph: replayed with one `cuGraphLaunch`.
public final class CUDAGraphExecutable: @unchecked Sendable {
    /// The context it runs in.
    public let context: CUDAContext
    let graph: CUgraph?
    let executable: CUgraphExec?

    init(context: CUDAContext, graph: CUgraph?, executable: CUgraphExec?) {
        self.context = context
        self.graph = graph
        self.executable = executable
    }

    deinit {
        guard context.isUsable else { return }
        if let executable { _ = context.driver.functions.cuGraphExecDestroy?(executable) }
        if let graph { _ = context.driver.functions.cuGraphDestroy?(graph) }
    }
}

/// The kind of a graph conditional node.
public enum ConditionalNodeKind: Int32, Sendable {
    /// Runs its one body while the condition is non-zero.
    case loop = 1
    /// Runs body `n` when the condition is `n` (none when it is out of range).
    case switchBranch = 2
}

extension CUDADriver {
    /// Whether this driver has what stream capture and conditional graph nodes need.
    public var supportsConditionalGraphs: Bool {
        let f = functions
        return f.cuStreamBeginCapture != nil && f.cuStreamEndCapture != nil && f.cuStreamGetCaptureInfo != nil
            && f.cuStreamUpdateCaptureDependencies != nil && f.cuStreamBeginCaptureToGraph != nil
            && f.cuGraphConditionalHandleCreate != nil && f.cuGraphAddNode != nil
            && f.cuGraphInstantiateWithFlags != nil && f.cuGraphLaunch != nil
            && f.cuGraphExecDestroy != nil && f.cuGraphDestroy != nil
            && version >= 12080
    }
}

extension CUDAStream {
    /// `CU_STREAM_CAPTURE_MODE_RELAXED`: library calls that allocate (cuBLASLt, cuDNN
    /// plans made on first use) stay legal while capturing.
    static let relaxedCapture: Int32 = 2

    /// Starts capturing the work queued on this stream into a new graph.
    public func beginCapture() throws(CUDAError) {
        try context.makeCurrent()
        try driver.check("cuStreamBeginCapture_v2") { $0.cuStreamBeginCapture?(handle, Self.relaxedCapture) }
    }

    /// Ends the capture and instantiates the graph.
    public func endCapture() throws(CUDAError) -> CUDAGraphExecutable {
        var graph: CUgraph?
        try driver.check("cuStreamEndCapture") { $0.cuStreamEndCapture?(handle, &graph) }
        var executable: CUgraphExec?
        do throws(CUDAError) {
            try driver.check("cuGraphInstantiateWithFlags") { $0.cuGraphInstantiateWithFlags?(&executable, graph, 0) }
        } catch {
            if let graph { _ = driver.functions.cuGraphDestroy?(graph) }
            throw error
        }
        return CUDAGraphExecutable(context: context, graph: graph, executable: executable)
    }

    /// Ends a capture that failed part way, discarding what was captured.
    public func abandonCapture() {
        var graph: CUgraph?
        _ = driver.functions.cuStreamEndCapture?(handle, &graph)
        if let graph { _ = driver.functions.cuGraphDestroy?(graph) }
    }

    /// Queues one replay of `graph`.
    public func launch(_ graph: CUDAGraphExecutable) throws(CUDAError) {
        try context.makeCurrent()
        try driver.check("cuGraphLaunch") { $0.cuGraphLaunch?(graph.executable, handle) }
    }

    /// While this stream is capturing: creates a conditional handle in the graph being
    /// captured, lets `setCondition` queue the work that sets it (a kernel calling
    /// `cudaGraphSetConditional`), then appends a conditional node of `kind` with `bodies`
    /// body graphs after it. `populate(b, handle, stream)` queues body `b`'s work on
    /// `auxiliary`, which captures into that body graph. The stream's later work depends on
    /// the node.
    public func captureConditional(
        kind: ConditionalNodeKind, bodies: Int, auxiliary: CUDAStream,
        setCondition: (CUgraphConditionalHandle) throws -> Void,
        populate: (Int, CUgraphConditionalHandle) throws -> Void
    ) throws {
        var status: Int32 = 0
        var graph: CUgraph?
        var dependencies: UnsafePointer<CUgraphNode?>?
        var count = 0
        try driver.check("cuStreamGetCaptureInfo_v2") { $0.cuStreamGetCaptureInfo?(handle, &status, nil, &graph, &dependencies, &count) }
        guard status == 1, graph != nil else {
            throw CUDAError(call: "cuStreamGetCaptureInfo_v2", result: .notSupported, name: "stream is not capturing", context: nil)
        }
        var condition: CUgraphConditionalHandle = 0
        try driver.check("cuGraphConditionalHandleCreate") {
            $0.cuGraphConditionalHandleCreate?(&condition, graph, context.handle, 0, 0)
        }
        try setCondition(condition)
        try driver.check("cuStreamGetCaptureInfo_v2") { $0.cuStreamGetCaptureInfo?(handle, &status, nil, &graph, &dependencies, &count) }
        var parameters = nvgpu_graph_node_params()
        parameters.type = 13
        parameters.conditional.handle = condition
        parameters.conditional.type = kind.rawValue
        parameters.conditional.size = UInt32(bodies)
        parameters.conditional.phGraph_out = nil
        parameters.conditional.ctx = context.handle
        var node: CUgraphNode?
        let dependencyList = Array(UnsafeBufferPointer(start: dependencies, count: count))
        try dependencyList.withUnsafeBufferPointer { list throws(CUDAError) in
            try driver.check("cuGraphAddNode") { $0.cuGraphAddNode?(&node, graph, list.baseAddress, count, &parameters) }
        }
        // The driver fills phGraph_out with its own array of the (empty) body graphs.
        guard let bodyGraphs = parameters.conditional.phGraph_out else {
            throw CUDAError(call: "cuGraphAddNode", result: .notSupported, name: "no body graphs returned", context: nil)
        }
        for b in 0..<bodies {
            try driver.check("cuStreamBeginCaptureToGraph") {
                $0.cuStreamBeginCaptureToGraph?(auxiliary.handle, bodyGraphs[b], nil, nil, 0, Self.relaxedCapture)
            }
            do {
                try populate(b, condition)
            } catch {
                auxiliary.abandonBodyCapture()
                throw error
            }
            var captured: CUgraph?
            try driver.check("cuStreamEndCapture") { $0.cuStreamEndCapture?(auxiliary.handle, &captured) }
        }
        var after: [CUgraphNode?] = [node]
        try driver.check("cuStreamUpdateCaptureDependencies") {
            $0.cuStreamUpdateCaptureDependencies?(handle, &after, 1, 1)
        }
    }

    /// Ends a capture into a body graph the driver owns (the graph is not destroyed).
    func abandonBodyCapture() {
        var graph: CUgraph?
        _ = driver.functions.cuStreamEndCapture?(handle, &graph)
    }
}
