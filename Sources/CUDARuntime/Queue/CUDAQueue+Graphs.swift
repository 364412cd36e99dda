import CUDA
import Foundation
import Runtime

extension CUDAGraphExecutable: ReplayableGraph {}

/// Graph capture on a `CUDAQueue`'s stream; conditional-node bodies are captured on spare
/// streams of the same context, which `activeStream` routes every queued step to.
final class CUDAGraphCapture: GraphCapturing, @unchecked Sendable {
    unowned let queue: CUDAQueue

    init(queue: CUDAQueue) { self.queue = queue }

    /// Takes the queue's stream lock until `endCapture` or `abandonCapture` (same thread),
    /// so no other thread's transfer or wait lands in the graph or breaks the capture.
    func beginCapture() throws {
        queue.streamLock.lock()
        do {
            try queue.stream.beginCapture()
        } catch {
            queue.streamLock.unlock()
            throw error
        }
    }

    func endCapture() throws -> any ReplayableGraph {
        defer { queue.streamLock.unlock() }
        return try queue.stream.endCapture()
    }

    func abandonCapture() {
        defer { queue.streamLock.unlock() }
        // Body captures end where they fail (`CUDAStream.captureConditional`); only the
        // outer capture is left.
        queue.captureStack = []
        queue.stream.abandonCapture()
    }

    func replay(_ graph: any ReplayableGraph) throws {
        guard let graph = graph as? CUDAGraphExecutable else { throw RuntimeError("replay of a graph from another device") }
        try queue.stream.launch(graph)
    }

    func captureConditional(loop: Bool, bodies: Int, setCondition: (UInt64) throws -> Void,
                            populate: (Int, UInt64) throws -> Void) throws {
        let outer = queue.activeStream
        let auxiliary = try queue.spareStreams.popLast() ?? CUDAStream(context: queue.context)
        defer { queue.spareStreams.append(auxiliary) }
        try outer.captureConditional(
            kind: loop ? .loop : .switchBranch, bodies: bodies, auxiliary: auxiliary,
            setCondition: setCondition,
            populate: { body, handle in
                self.queue.captureStack.append(auxiliary)
                defer { self.queue.captureStack.removeLast() }
                try populate(body, handle)
            })
    }
}

extension CUDAQueue {
    /// Graph capture with conditional nodes, when the driver has them (CUDA 12.8+) and
    /// `NVGPU_CUDA_GRAPHS` is not `0`.
    public var graphs: (any GraphCapturing)? {
        guard CUDAGraphSupport.isEnabled, context.driver.supportsConditionalGraphs else { return nil }
        return graphCapture
    }
}

/// Whether CUDA graphs are used: `NVGPU_CUDA_GRAPHS=0` turns them off (for A/B timing).
public enum CUDAGraphSupport {
    public static let isEnabled: Bool = {
        guard let value = getenv("NVGPU_CUDA_GRAPHS") else { return true }
        return String(cString: value) != "0"
    }()
}
