import StableHLO

/// Source pieces shared by the kernels of the indexed ops (gather, scatter, dynamic_slice,
/// dynamic_update_slice): reading a position from an integer tensor and decoding a
/// row-major linear index.
enum IndexedSource {
    /// Positions are saturated to ±2^60 when read, as the reference backend does: sums of a
    /// few of them with in-range offsets never overflow, and every value outside a real
    /// dimension stays outside it (`ui64` values above `Int64.max` saturate to the bound).
    static let helpers = """
    __device__ __forceinline__ long long nv_position(unsigned long long v) { return v > (1ull << 60) ? (1ll << 60) : (long long)v; }
    __device__ __forceinline__ long long nv_position(long long v) { return v > (1ll << 60) ? (1ll << 60) : (v < -(1ll << 60) ? -(1ll << 60) : v); }
    __device__ __forceinline__ long long nv_position(int v) { return (long long)v; }
    __device__ __forceinline__ long long nv_position(unsigned int v) { return (long long)v; }
    __device__ __forceinline__ long long nv_position(short v) { return (long long)v; }
    __device__ __forceinline__ long long nv_position(unsigned short v) { return (long long)v; }
    __device__ __forceinline__ long long nv_position(signed char v) { return (long long)v; }
    __device__ __forceinline__ long long nv_position(unsigned char v) { return (long long)v; }
    __device__ __forceinline__ long long nv_clamp_position(long long v, long long high) { return v < 0 ? 0 : (v > high ? high : v); }
    """

    /// The element type of a tensor of positions, or a compile error naming `role`.
    static func positionType(_ type: TensorType?, role: String, op: Operation) throws -> KernelElementType {
        guard let type, type.isStatic, let k = KernelElementType(type.elementType), k.isInteger, !k.isBool else {
            throw CodeGenError("\(op.name): \(role) of type \(type.map { "\($0)" } ?? "?") is not a static integer tensor", at: op.location)
        }
        return k
    }

    /// A static tensor type with a CUDA element type, or a compile error naming `role`.
    static func dataType(_ type: TensorType?, role: String, op: Operation) throws -> (TensorType, KernelElementType) {
        guard let type, type.isStatic, let k = KernelElementType(type.elementType) else {
            throw CodeGenError("\(op.name): \(role) of type \(type.map { "\($0)" } ?? "?") has no CUDA element type", at: op.location)
        }
        return (type, k)
    }

    /// Statements that decode `linear` into `prefix0, prefix1, ...` for `shape` (row-major).
    static func decode(_ linear: String, shape: [Int], prefix: String, into w: KernelBodyWriter) {
        guard !shape.isEmpty else { return }
        let rest = w.fresh("r")
        w.emit("idx_t \(rest) = \(linear);")
        for d in shape.indices.reversed() {
            if d == 0 {
                w.emit("const idx_t \(prefix)\(d) = \(rest);")
            } else {
                w.emit("const idx_t \(prefix)\(d) = \(rest) % \(shape[d]); \(rest) /= \(shape[d]);")
            }
        }
    }

    /// `sum terms[k] * strides[k]` as C, skipping unit strides' multiplication; "0" when empty.
    static func dot(_ terms: [String], _ strides: [Int]) -> String {
        let parts = zip(terms, strides).map { $1 == 1 ? $0 : "\($0) * \($1)" }
        return parts.isEmpty ? "0" : parts.joined(separator: " + ")
    }

    /// Runs a `StableHLO` dimension-numbers decoder on `op`, turning its diagnostic into a
    /// code-generation error at the op (same message and location).
    static func decoding<Numbers>(
        _ op: Operation, _ decode: (Operation) throws(Diagnostic) -> Numbers
    ) throws -> Numbers {
        do { return try decode(op) } catch { throw CodeGenError(error.message, at: error.location) }
    }

    /// Throws unless `dims` are distinct axes of `0..<rank`.
    static func requireAxes(_ dims: [Int], rank: Int, _ name: String, op: Operation) throws {
        guard dims.allSatisfy({ $0 >= 0 && $0 < rank }), Set(dims).count == dims.count else {
            throw CodeGenError("\(op.name): \(name) \(dims) are not distinct axes of 0..<\(rank)", at: op.location)
        }
    }

    /// The whole kernel: one grid-stride loop over `total` output elements.
    static func kernel(name: String, parameters: [String], bindings: [GeneratedKernel.Binding], total: Int,
                       counts: [Int], comment: String, op: Operation, body: [String]) -> GeneratedKernel {
        let block = LaunchLimits.loopBlock
        let blocks = max(1, min((total + block - 1) / block, LaunchLimits.maxLoopBlocks * 4))
        let header = KernelSource.header(
            name: name, parameters: parameters, block: block,
            indexType: KernelSource.indexType(for: counts + [total + block * blocks]), comment: comment)
        let loop = ["  for (idx_t i = (idx_t)blockIdx.x * \(block) + threadIdx.x; i < (idx_t)\(total); i += (idx_t)gridDim.x * \(block)) {"]
            + body + ["  }"]
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: [helpers], function: header + loop),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0, bindings: bindings,
            operationNames: [op.name])
    }
}
