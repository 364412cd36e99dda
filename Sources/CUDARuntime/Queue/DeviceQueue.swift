import CUDA
import Runtime

/// The device operations an executable's steps need, in the order they are queued.
///
/// `CUDAQueue` implements it on one CUDA stream; tests inject a fake that records the calls
/// and simulates memory, so the executor's logic (step order, argument packing, host
/// fallbacks, buffer placement) is tested with no GPU.
public protocol DeviceQueue: AnyObject, Sendable {
    /// The device's name (`NVIDIA H100 80GB HBM3`).
    var deviceName: String { get }
    /// Its architecture (`sm_90`).
    var architecture: String { get }

    /// Device memory of at least `byteCount` bytes (from a caching allocator).
    func allocate(byteCount: Int) throws -> DeviceAllocation
    /// Returns memory from `allocate`.
    func deallocate(_ allocation: DeviceAllocation) throws
    /// Copies host bytes to the device; `bytes` may be reused when this returns.
    func upload(_ bytes: [UInt8], to destination: DevicePointer) throws
    /// Waits for queued work, then copies `byteCount` bytes to the host.
    func download(from source: DevicePointer, byteCount: Int) throws -> [UInt8]
    /// Queues a device-to-device copy.
    func copy(from source: DevicePointer, to destination: DevicePointer, byteCount: Int) throws
    /// Loads a kernel image and resolves its entry point; returns a handle for `launch`.
    func loadKernel(_ image: KernelImage) throws -> Int
    /// Queues a launch of a kernel from `loadKernel`.
    func launch(kernel: Int, configuration: LaunchConfiguration, arguments: [KernelArgument]) throws
    /// Queues a vendor-library matrix multiply on resolved buffer addresses.
    func matmul(_ call: MatmulCall, operands: MatmulOperands) throws
    /// Queues a vendor-library (cuDNN) convolution on resolved buffer addresses.
    func convolution(_ call: ConvolutionCall, operands: ConvolutionOperands) throws
    /// Queues a vendor-library (cuFFT) transform on resolved buffer addresses.
    func fft(_ call: FFTCall, operands: FFTOperands) throws
    /// Queues a fused attention: cuDNN's engine, or `kernel` (which queues the compiler's
    /// kernel for it) where that is faster or cuDNN cannot take it.
    func attention(_ call: AttentionCall, operands: AttentionOperands, kernel: () throws -> Void) throws
    /// Waits until everything queued has finished.
    func synchronize() throws
    /// Records a timing mark at the current end of the queue; returns its handle.
    func recordMark() throws -> Int
    /// Milliseconds between two recorded marks (waits for the later one).
    func elapsedMilliseconds(from start: Int, to end: Int) throws -> Double
    /// Forgets marks from `recordMark` (their events are reused).
    func releaseMarks()
    /// Graph capture and replay with conditional nodes, when the device has them (nil:
    /// executables run step by step, and loops and branches from the host).
    var graphs: (any GraphCapturing)? { get }
}

extension DeviceQueue {
    public var graphs: (any GraphCapturing)? { nil }
}

/// A replayable captured graph (opaque to the executor).
public protocol ReplayableGraph: AnyObject, Sendable {}

/// Capturing queued work into a CUDA graph, with conditional nodes for device-side
/// control flow.
public protocol GraphCapturing: AnyObject, Sendable {
    /// Starts capturing everything queued until `endCapture`.
    func beginCapture() throws
    /// Ends the capture and instantiates the graph.
    func endCapture() throws -> any ReplayableGraph
    /// Ends a capture that failed, discarding it; the queue runs normally again.
    func abandonCapture()
    /// Queues one replay of `graph`.
    func replay(_ graph: any ReplayableGraph) throws
    /// While capturing: appends a conditional node. `setCondition(handle)` queues the work
    /// that sets the node's value (before the node); `populate(body, handle)` queues the
    /// work of each body graph (the queue captures into that body meanwhile).
    func captureConditional(loop: Bool, bodies: Int, setCondition: (UInt64) throws -> Void,
                            populate: (Int, UInt64) throws -> Void) throws
}

/// The device addresses of a matmul's operands.
public struct MatmulOperands: Sendable, Hashable {
    public var a: DevicePointer
    public var b: DevicePointer
    public var c: DevicePointer
    public var bias: DevicePointer?
    /// The bias buffer's element type by MLIR spelling (`f32`), when there is a bias.
    public var biasType: String?

    public init(a: DevicePointer, b: DevicePointer, c: DevicePointer, bias: DevicePointer? = nil, biasType: String? = nil) {
        self.a = a
        self.b = b
        self.c = c
        self.bias = bias
        self.biasType = biasType
    }
}
