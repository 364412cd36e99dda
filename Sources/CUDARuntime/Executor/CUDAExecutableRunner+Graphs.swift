import CUDA
import Foundation
import Runtime

/// How the runner used CUDA graphs: the captured graphs by key, which keys were seen,
/// and how each kind of control step ran (for reports and tests).
struct GraphState {
    /// What a captured graph replays, and the addresses it was captured with.
    struct Key: Hashable {
        /// The control step, or nil for the whole executable.
        var step: ExecutionStep?
        /// Bound input and output addresses (everything else is fixed for the runner).
        var addresses: [UInt64]
    }

    var graphs: [Key: any ReplayableGraph] = [:]
    /// Keys run at least once (a whole-executable or branch graph is captured the second
    /// time its key comes).
    var seen: Set<Key> = []
    /// Runs that completed step by step (the first one makes library plans; capture
    /// starts after it).
    var completedRuns = 0
    /// Set while steps are being captured into a graph.
    var isCapturing = false
    /// Why graphs are no longer tried (a capture failed), if so.
    var failure: String?
    /// Control steps run so far, by mechanism.
    var mechanisms: [ControlFlowMechanism: Int] = [:]
    /// What keeps the whole executable from being captured (nil: nothing), and its loop
    /// and branch steps, nested ones included; worked out on the first call.
    var wholeExecutable: (blocker: String?, controlSteps: Int)?

    /// Graphs kept at most; beyond it the cache starts over.
    static let capacity = 16
}

/// How a loop or branch step ran.
public enum ControlFlowMechanism: String, Sendable, Hashable, CaseIterable {
    /// Inside a CUDA graph, as a conditional node (no host round trip).
    case graphConditional = "graph conditional node"
    /// From the host, reading the predicate or index after each condition.
    case hostDriven = "host-driven (one scalar read per iteration)"
    /// A counted loop (`LoopStep.tripCount`) inside a CUDA graph with its body repeated
    /// for every iteration, no condition node.
    case graphUnrolled = "graph, unrolled (counted loop)"
    /// A counted loop queued from the host, its body once per iteration, no reads.
    case hostCounted = "host-queued (counted loop, no reads)"
}

extension CUDAExecutableRunner {
    /// How many loop and branch steps ran by each mechanism since the runner was made.
    public var controlFlowMechanisms: [ControlFlowMechanism: Int] { graphState.mechanisms }

    /// Why CUDA graphs are not used for this executable, or nil when they are.
    public var graphUnavailableReason: String? {
        if queue.graphs == nil { return CUDAGraphSupport.isEnabled ? "the driver has no conditional graph nodes (CUDA 12.8+)" : "NVGPU_CUDA_GRAPHS=0" }
        if let failure = graphState.failure { return failure }
        return graphState.wholeExecutable?.blocker ?? Self.captureBlocker(executable.steps)
    }

    /// The per-call addresses a graph of `buffers` depends on (everything else is fixed for
    /// the runner): inputs given on the device and outputs written into the caller's
    /// allocations, for the buffers it touches (all of them for the whole executable).
    private func addressKey(for buffers: Set<Int>?) -> [UInt64] {
        var key: [UInt64] = []
        let inputs = boundInputPointers
        for (index, buffer) in executable.buffers.enumerated() where buffers?.contains(index) ?? true {
            if case .input(let argument) = buffer.placement, inputs.indices.contains(argument) {
                key += [UInt64(index), inputs[argument].rawValue]
            } else if let pointer = boundOutputPointers[index] {
                key += [UInt64(index), pointer.rawValue]
            }
        }
        return key
    }

    /// Why `steps` cannot be captured into a graph (host steps need the host, collectives
    /// their own streams, cuDNN its handle's stream), or nil.
    static func captureBlocker(_ steps: [ExecutionStep], nested: Bool = false) -> String? {
        for step in steps {
            switch step {
            case .host(let call): return "a host step (\(call.reason))"
            case .collective: return "a collective step"
            case .convolution where nested: return "a cuDNN convolution inside a loop or branch"
            case .fft where nested: return "a cuFFT transform inside a loop or branch"
            case .attention where nested: return "a fused attention inside a loop or branch"
            case .loop, .branch:
                if let reason = captureBlocker(step.nestedSteps, nested: true) { return reason }
            default: continue
            }
        }
        return nil
    }

    /// Replays the whole executable as one graph when it can be captured and its key came
    /// before; returns false to run step by step.
    func replayWholeExecutable() throws -> Bool {
        let whole = graphState.wholeExecutable ?? (
            Self.captureBlocker(executable.steps),
            executable.allSteps.filter { if case .loop = $0 { return true }; if case .branch = $0 { return true }; return false }.count)
        graphState.wholeExecutable = whole
        guard let graphs = queue.graphs, graphState.failure == nil, !graphState.isCapturing,
              graphState.completedRuns > 0, whole.blocker == nil else { return false }
        let key = GraphState.Key(step: nil, addresses: addressKey(for: nil))
        if graphState.graphs[key] == nil {
            guard graphState.seen.contains(key) else {
                graphState.seen.insert(key)
                return false
            }
            guard let graph = capture(key: key, graphs: graphs, { try enqueueStepByStep() }) else { return false }
            graphState.graphs[key] = graph
        }
        guard let graph = graphState.graphs[key] else { return false }
        try graphs.replay(graph)
        graphState.mechanisms[.graphConditional, default: 0] += whole.controlSteps
        return true
    }

    /// Runs a loop or branch step: as a conditional node while capturing; as a graph of
    /// its own when graphs are available (loops at once after the first run, branches when
    /// their key came before); else from the host.
    func runControl(_ step: ExecutionStep) throws {
        if graphState.isCapturing {
            try captureControl(step)
            return
        }
        if let graphs = queue.graphs, graphState.failure == nil, graphState.completedRuns > 0,
           Self.captureBlocker([step]) == nil {
            let key = GraphState.Key(step: step, addresses: addressKey(for: step.referencedBuffers))
            var graph = graphState.graphs[key]
            var isLoop = false
            if case .loop = step { isLoop = true }
            if graph == nil, isLoop || graphState.seen.contains(key) {
                graph = capture(key: key, graphs: graphs) { try run(step) }
                if let graph { graphState.graphs[key] = graph }
            }
            graphState.seen.insert(key)
            if let graph {
                try graphs.replay(graph)
                return
            }
        }
        try runFromHost(step)
    }

    /// Captures what `enqueue` queues into a graph; nil (and graphs off for this runner,
    /// with the reason kept) when capture fails, so the caller runs the steps normally.
    private func capture(key: GraphState.Key, graphs: any GraphCapturing, _ enqueue: () throws -> Void) -> (any ReplayableGraph)? {
        if graphState.graphs.count >= GraphState.capacity { graphState.graphs = [:] }
        do {
            try graphs.beginCapture()
        } catch {
            graphState.failure = "graph capture could not start: \(error)"
            return nil
        }
        graphState.isCapturing = true
        defer { graphState.isCapturing = false }
        do {
            try enqueue()
        } catch {
            graphs.abandonCapture()
            graphState.failure = "graph capture failed: \(error)"
            return nil
        }
        // endCapture ends the capture whether or not instantiating the graph works.
        do {
            return try graphs.endCapture()
        } catch {
            graphState.failure = "graph capture failed: \(error)"
            return nil
        }
    }

    /// While capturing: a loop becomes condition → set-condition → WHILE node whose body
    /// is body → condition → set-condition; a branch becomes set-condition → SWITCH node.
    private func captureControl(_ step: ExecutionStep) throws {
        guard let graphs = queue.graphs else { throw RuntimeError("graph capture without graph support") }
        switch step {
        case .loop(let loop):
            let predicate = try address(of: loop.predicate)
            let setCondition = { (handle: UInt64) throws in
                try self.launchSetCondition(kernel: loop.setCondition, handle: handle, selector: predicate, mode: ConditionKernel.loopMode)
            }
            // A counted loop whose iterations fit the node budget is unrolled; a longer one
            // checks its condition once every `unroll` iterations (a divisor of the count,
            // so it stops exactly where the condition would).
            var unroll = 1
            if let trips = loop.tripCount {
                let nodes = max(1, Self.nodeEstimate(loop.body))
                if trips * nodes <= Self.unrolledNodeLimit {
                    for _ in 0..<trips { try run(loop.body) }
                    graphState.mechanisms[.graphUnrolled, default: 0] += 1
                    return
                }
                unroll = (1...Self.maximumUnroll).last { trips % $0 == 0 && $0 * nodes <= Self.unrolledNodeLimit } ?? 1
            }
            try run(loop.condition)
            try graphs.captureConditional(loop: true, bodies: 1, setCondition: setCondition) { _, handle in
                for _ in 0..<unroll { try self.run(loop.body) }
                try self.run(loop.condition)
                try setCondition(handle)
            }
            graphState.mechanisms[.graphConditional, default: 0] += 1
        case .branch(let branch):
            let selector = try address(of: branch.selector)
            try graphs.captureConditional(loop: false, bodies: branch.branches.count, setCondition: { handle in
                try self.launchSetCondition(kernel: branch.setCondition, handle: handle, selector: selector,
                                            mode: ConditionKernel.mode(for: branch))
            }) { body, _ in
                try self.run(branch.branches[body])
            }
            graphState.mechanisms[.graphConditional, default: 0] += 1
        default:
            try run(step)
        }
    }

    /// Graph nodes a counted loop may unroll into, at most.
    static let unrolledNodeLimit = 1024
    /// Iterations between condition checks of a counted loop too long to unroll, at most.
    static let maximumUnroll = 8

    /// About how many graph nodes `steps` capture into (nested steps counted once).
    static func nodeEstimate(_ steps: [ExecutionStep]) -> Int {
        steps.reduce(0) { $0 + 1 + nodeEstimate($1.nestedSteps) }
    }

    private func launchSetCondition(kernel: Int, handle: UInt64, selector: DevicePointer, mode: Int32) throws {
        try queue.launch(kernel: kernelHandle(kernel),
                         configuration: LaunchConfiguration(grid: (1, 1, 1), block: (1, 1, 1), sharedMemoryBytes: 0),
                         arguments: [.int64(Int64(bitPattern: handle)), .pointer(selector), .int32(mode)])
    }

    /// Runs a loop or branch from the host: the condition's steps, one read of the
    /// predicate, the body; or one read of the selector and the chosen branch.
    private func runFromHost(_ step: ExecutionStep) throws {
        switch step {
        case .loop(let loop) where loop.tripCount != nil:
            for _ in 0..<(loop.tripCount ?? 0) { try run(loop.body) }
            graphState.mechanisms[.hostCounted, default: 0] += 1
            return
        case .loop(let loop):
            let predicate = try address(of: loop.predicate)
            while true {
                try run(loop.condition)
                let value = try queue.download(from: predicate, byteCount: 1)
                guard value.first.map({ $0 != 0 }) ?? false else { break }
                try run(loop.body)
            }
        case .branch(let branch):
            let width = branch.selectorKind == .predicate ? 1 : 4
            let bytes = try queue.download(from: try address(of: branch.selector), byteCount: width)
            var value = 0
            if width == 1 {
                value = Int(bytes.first ?? 0)
            } else if bytes.count == 4 {
                value = Int(Int32(bitPattern: UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24))
            }
            try run(branch.branches[branch.branch(forSelectorValue: value)])
        default:
            try run(step)
            return
        }
        graphState.mechanisms[.hostDriven, default: 0] += 1
    }
}
