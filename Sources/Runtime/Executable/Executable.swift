import Digest
import Foundation
import StableHLO

/// A compiled program: a flat list of steps over numbered buffers, plus the device code the
/// steps launch. Backend-neutral in shape (the CUDA target fills `kernels` with cubins);
/// `nvgpu compile -o FILE.nvx` writes it, `nvgpu run FILE.nvx` and `nvgpu inspect` read it.
public struct Executable: Codable, Sendable, Hashable {
    /// Bumped whenever the encoding changes; readers refuse newer versions (2 added loop
    /// and branch steps, 3 convolution directions; older files read unchanged). A loop's
    /// optional `tripCount` needs no new version: a reader that ignores it evaluates the
    /// condition, which gives the same result.
    public static let formatVersion = 3

    public var formatVersion: Int = Executable.formatVersion
    /// `cuda`.
    public var target: String
    /// `sm_90`.
    public var architecture: String
    /// The compiled function's name.
    public var entry: String
    /// Bytes of the one device arena that holds every intermediate buffer.
    public var arenaBytes: Int
    /// Every tensor a step reads or writes.
    public var buffers: [BufferSlot]
    /// Buffer indices bound to the entry's arguments, in order.
    public var inputs: [Int]
    /// Buffer indices returned as the entry's results, in order.
    public var outputs: [Int]
    /// Literal data uploaded once when the executable is loaded.
    public var constants: [ConstantData]
    /// Device code, referenced by index from `.launch` steps.
    public var kernels: [KernelImage]
    /// What to run, in order.
    public var steps: [ExecutionStep]
    /// StableHLO module texts run on the host by `.host` steps (ops with no device kernel yet).
    public var hostPrograms: [String]
    /// `mhlo.num_replicas` and `mhlo.num_partitions` of the program (nil: 1), for
    /// executables with `.collective` steps.
    public var replicas: Int?
    public var partitions: Int?
    /// What the compiler notes for `--report` that the steps do not show (an attention it
    /// did not fuse, and why); nil when there is nothing.
    public var remarks: [String]?

    /// Processes the program runs as: `num_replicas × num_partitions`.
    public var processCount: Int { max(1, replicas ?? 1) * max(1, partitions ?? 1) }

    public init(
        target: String, architecture: String, entry: String, arenaBytes: Int,
        buffers: [BufferSlot], inputs: [Int], outputs: [Int], constants: [ConstantData],
        kernels: [KernelImage], steps: [ExecutionStep], hostPrograms: [String]
    ) {
        self.target = target
        self.architecture = architecture
        self.entry = entry
        self.arenaBytes = arenaBytes
        self.buffers = buffers
        self.inputs = inputs
        self.outputs = outputs
        self.constants = constants
        self.kernels = kernels
        self.steps = steps
        self.hostPrograms = hostPrograms
    }
}

/// One tensor of the plan and where its bytes live.
public struct BufferSlot: Codable, Sendable, Hashable {
    /// Where a buffer's storage comes from.
    public enum Placement: Codable, Sendable, Hashable {
        /// At this byte offset of the arena (buffer planning reuses offsets of dead buffers).
        case arena(offset: Int)
        /// The caller's argument `index` (never written).
        case input(index: Int)
        /// `Executable.constants[index]`.
        case constant(index: Int)
    }

    /// A readable name for listings (`%3 = stablehlo.add`, `arg0`).
    public var name: String
    public var shape: [Int]
    /// The MLIR spelling (`bf16`, `i32`); `elementType` parses it.
    public var elementTypeName: String
    public var byteSize: Int
    public var placement: Placement

    public init(name: String, type: TensorType, placement: Placement) {
        self.name = name
        self.shape = type.shape
        self.elementTypeName = type.elementType.description
        self.byteSize = type.elementCount * type.elementType.storageBytes
        self.placement = placement
    }

    public var elementType: ElementType? { ElementType(mlirName: elementTypeName) }
    public var tensorType: TensorType? {
        elementType.map { TensorType(shape: shape, elementType: $0) }
    }
}

/// Bytes of a constant buffer.
public struct ConstantData: Codable, Sendable, Hashable {
    public var buffer: Int
    public var bytes: Data
    public init(buffer: Int, bytes: Data) {
        self.buffer = buffer
        self.bytes = bytes
    }
}

/// Compiled device code for one kernel.
public struct KernelImage: Codable, Sendable, Hashable {
    /// The symbol to launch (`fusion_3`).
    public var entryPoint: String
    /// `cubin` (the only format the CUDA runtime loads today).
    public var format: String
    public var binary: Data
    /// The generated CUDA C++ (kept for `nvgpu inspect` and for recompiling).
    public var source: String

    public init(entryPoint: String, format: String = "cubin", binary: Data, source: String) {
        self.entryPoint = entryPoint
        self.format = format
        self.binary = binary
        self.source = source
    }
}

/// One step of an executable.
public enum ExecutionStep: Codable, Sendable, Hashable {
    /// Launch `kernels[kernel]` with these arguments.
    case launch(KernelLaunch)
    /// A vendor-library matrix multiply (cuBLASLt).
    case matmul(MatmulCall)
    /// Copy the inputs to the host, run `hostPrograms[program]`'s function, copy results back.
    case host(HostCall)
    /// Device-to-device copy of a whole buffer.
    case copy(from: Int, to: Int)
    /// A collective over the process grid (NCCL), or `replica_id` / `partition_id`.
    case collective(CollectiveCall)
    /// A vendor-library 2-D convolution (cuDNN).
    case convolution(ConvolutionCall)
    /// A vendor-library FFT (cuFFT).
    case fft(FFTCall)
    /// Fused attention: cuDNN's engine or the compiler's kernel, whichever runs faster.
    case attention(AttentionCall)
    /// A `while` loop on the device (its condition and body are steps).
    case loop(LoopStep)
    /// An `if` or `case` on the device (each branch is steps).
    case branch(BranchStep)
}

/// A kernel launch: grid and block shape and the argument list.
public struct KernelLaunch: Codable, Sendable, Hashable {
    /// One kernel parameter.
    public enum Argument: Codable, Sendable, Hashable {
        /// The device address of buffer `index`.
        case buffer(Int)
        case int64(Int64)
        case int32(Int32)
        case float32(Float)
    }
    public var kernel: Int
    public var grid: [Int]
    public var block: [Int]
    public var sharedMemoryBytes: Int
    public var arguments: [Argument]

    public init(kernel: Int, grid: [Int], block: [Int], sharedMemoryBytes: Int = 0, arguments: [Argument]) {
        self.kernel = kernel
        self.grid = grid
        self.block = block
        self.sharedMemoryBytes = sharedMemoryBytes
        self.arguments = arguments
    }
}

/// `C[b] = epilogue(op(A[b]) · op(B[b]) (+ bias))` on row-major matrices, batched.
public struct MatmulCall: Codable, Sendable, Hashable {
    /// What is applied to the product before it is stored.
    public enum Epilogue: String, Codable, Sendable, Hashable {
        case none, bias, relu, biasRelu, gelu, biasGelu
    }
    public var a: Int
    public var b: Int
    public var c: Int
    /// Bias buffer (length n) for the bias epilogues.
    public var bias: Int?
    public var m: Int
    public var n: Int
    public var k: Int
    public var batch: Int
    /// A is stored k×m (row-major) instead of m×k.
    public var transposeA: Bool
    /// B is stored n×k instead of k×n.
    public var transposeB: Bool
    /// Element types by MLIR spelling (`bf16`, `f32`) of A/B and of C.
    public var inputType: String
    public var outputType: String
    public var epilogue: Epilogue
    /// For f32: whether the tensor cores may round inputs to TF32 (precision DEFAULT, as XLA
    /// does); false for HIGH/HIGHEST. nil (older files) means false.
    public var allowsTF32: Bool?

    public init(
        a: Int, b: Int, c: Int, bias: Int? = nil, m: Int, n: Int, k: Int, batch: Int = 1,
        transposeA: Bool = false, transposeB: Bool = false, inputType: String, outputType: String,
        epilogue: Epilogue = .none, allowsTF32: Bool? = nil
    ) {
        self.allowsTF32 = allowsTF32
        self.a = a
        self.b = b
        self.c = c
        self.bias = bias
        self.m = m
        self.n = n
        self.k = k
        self.batch = batch
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.inputType = inputType
        self.outputType = outputType
        self.epilogue = epilogue
    }
}

/// A step run on the host by the reference backend.
public struct HostCall: Codable, Sendable, Hashable {
    public var program: Int
    public var function: String
    public var inputs: [Int]
    public var outputs: [Int]
    /// Why it is not on the device (shown by `nvgpu compile --report`).
    public var reason: String

    public init(program: Int, function: String, inputs: [Int], outputs: [Int], reason: String) {
        self.program = program
        self.function = function
        self.inputs = inputs
        self.outputs = outputs
        self.reason = reason
    }
}

extension Executable {
    /// The header of files written since the checksum: `NVX2`, the SHA-256 of the JSON that
    /// follows as 64 hex digits, a newline.
    private static let magic: [UInt8] = Array("NVX2".utf8)
    /// The header of older files: `NVX1`, then the JSON (no checksum; still read).
    private static let uncheckedMagic: [UInt8] = Array("NVX1".utf8)
    private static let digestLength = 64

    /// The `.nvx` file bytes: `NVX2`, the SHA-256 of the payload in hex and a newline, then
    /// the payload: the JSON encoding (binaries as base64).
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let payload: [UInt8]
        do {
            payload = Array(try encoder.encode(self))
        } catch {
            // The encoder's own message prints the whole value; say what failed instead.
            throw RuntimeError("cannot encode the executable for @\(entry) (\(steps.count) steps, \(buffers.count) buffers): its steps nest too deeply or hold a value JSON cannot carry")
        }
        return Self.magic + Array(SHA256.hexDigest(payload).utf8) + [0x0A] + payload
    }

    /// Reads a `.nvx` file's bytes; `file` names it in errors. A file whose payload does not
    /// match its checksum (truncated, damaged or edited since nvgpu wrote it) is refused
    /// before anything in it is decoded.
    public init(decoding bytes: [UInt8], file: String) throws {
        let payload: ArraySlice<UInt8>
        if bytes.starts(with: Self.magic) {
            let headerEnd = Self.magic.count + Self.digestLength
            guard bytes.count > headerEnd, bytes[headerEnd] == 0x0A else {
                throw RuntimeError("\(file): damaged nvgpu executable: the header ends early (\(bytes.count) bytes)")
            }
            let stored = String(decoding: bytes[Self.magic.count..<headerEnd], as: UTF8.self)
            payload = bytes[(headerEnd + 1)...]
            let computed = SHA256.hexDigest(Array(payload))
            guard stored == computed else {
                throw RuntimeError(
                    "\(file): checksum mismatch: the file was truncated or changed after nvgpu wrote it "
                        + "(SHA-256 \(computed.prefix(16))…, the header says \(stored.prefix(16))…); compile it again")
            }
        } else if bytes.starts(with: Self.uncheckedMagic), bytes.count > Self.uncheckedMagic.count {
            payload = bytes[Self.uncheckedMagic.count...]
        } else {
            throw RuntimeError("\(file): not an nvgpu executable (missing NVX2 header)")
        }
        let decoded: Executable
        do {
            decoded = try JSONDecoder().decode(Executable.self, from: Data(payload))
        } catch {
            throw RuntimeError("\(file): damaged nvgpu executable: \(error)")
        }
        guard (1...Executable.formatVersion).contains(decoded.formatVersion) else {
            throw RuntimeError("\(file): executable format \(decoded.formatVersion), this nvgpu reads \(Executable.formatVersion)")
        }
        self = decoded
    }
}
