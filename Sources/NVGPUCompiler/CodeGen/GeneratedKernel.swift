import Runtime
import StableHLO

/// One generated kernel: its CUDA C++ source and how to launch it.
public struct GeneratedKernel: Sendable {
    /// What a kernel parameter is bound to.
    public enum Binding: Hashable, Sendable {
        /// The buffer of an SSA value of the entry function.
        case value(Value)
        /// A scratch buffer of the fusion (two-stage reduction partials), by number.
        case scratch(Int)
    }

    public var name: String
    public var source: String
    public var grid: [Int]
    public var block: [Int]
    public var sharedMemoryBytes: Int
    /// One per pointer parameter, in order.
    public var bindings: [Binding]
    /// The fusion's ops, for error messages and listings.
    public var operationNames: [String]
}

/// A scratch buffer a fusion needs between its kernels.
public struct ScratchBuffer: Hashable, Sendable {
    public var type: TensorType
}

/// The kernels of one fusion and the scratch buffers they share.
public struct FusionKernels: Sendable {
    public var kernels: [GeneratedKernel]
    public var scratch: [ScratchBuffer]
}

/// Launch geometry constants for generated kernels.
enum LaunchLimits {
    /// Threads per block of loop and full-reduction kernels.
    static let loopBlock = 256
    /// Blocks beyond which loop kernels stride over the grid instead.
    static let maxLoopBlocks = 4096
    /// Blocks of the first stage of a full reduction.
    static let reductionBlocks = 1024
    /// Rows per block beyond which row kernels stride.
    static let maxRowBlocks = 65535
    /// Reductions at least this long over a single row use two stages.
    static let twoStageThreshold = 65536
}

/// Pieces of source shared by every kernel shape.
enum KernelSource {
    /// `extern "C" __global__ void __launch_bounds__(BLOCK[, MIN]) NAME(params) {` and the
    /// index typedef: the launch bounds (`block` threads, at least `minimumBlocks` resident
    /// per multiprocessor when given) and the name are fixed when the header is written.
    static func header(name: String, parameters: [String], block: Int, minimumBlocks: Int? = nil,
                       indexType: String, comment: String) -> [String] {
        let bounds = minimumBlocks.map { "\(block), \($0)" } ?? "\(block)"
        return [
            "// \(comment)",
            "extern \"C\" __global__ void __launch_bounds__(\(bounds)) \(name)(",
            "    " + parameters.joined(separator: ",\n    ") + ") {",
            "  typedef \(indexType) idx_t;",
        ]
    }

    /// The whole translation unit; the complex prelude only where the code uses complex
    /// types, the narrow-type prelude only where it uses 8/6/4-bit floats or 2/4-bit ints.
    static func unit(globals: [String], function: [String]) -> String {
        let code = globals + function
        let usesComplex = code.contains { line in ComplexPrelude.markers.contains { line.contains($0) } }
        let usesNarrow = code.contains { line in NarrowPrelude.markers.contains { line.contains($0) } }
        let preludes = [KernelPrelude.source] + (usesComplex ? [ComplexPrelude.source] : [])
            + (usesNarrow ? [NarrowPrelude.source] : [])
        return (preludes + globals + function + ["}", ""]).joined(separator: "\n")
    }

    /// `int` when every index fits in 31 bits, else `long long`.
    static func indexType(for counts: [Int]) -> String {
        (counts.max() ?? 0) < (1 << 31) - 1 ? "int" : "long long"
    }

    /// Neutral element of `combiner` in `type`'s compute type.
    static func identity(_ combiner: ReductionCombiner, _ type: KernelElementType) -> String {
        let t = type.compute
        if type.isBool {
            return combiner == .and || combiner == .multiply || combiner == .minimum ? "true" : "false"
        }
        if type.isComplex {
            // Lexicographic max/min start from (-inf, -inf) / (inf, inf).
            let inf = KernelElementType.floatLiteral(.infinity, compute: "double")
            switch combiner {
            case .multiply: return "\(t)(1.0, 0.0)"
            case .maximum: return "\(t)(-\(inf), -\(inf))"
            case .minimum: return "\(t)(\(inf), \(inf))"
            case .add, .and, .or: return "\(t)(0.0, 0.0)"
            }
        }
        switch combiner {
        case .add, .or: return "((\(t))0)"
        case .multiply: return "((\(t))1)"
        case .and: return type.isFloat ? "((\(t))0)" : "((\(t))~0ull)"
        case .maximum:
            return type.isFloat ? "(-" + KernelElementType.floatLiteral(.infinity, compute: t) + ")" : "nv_min_value<\(t)>()"
        case .minimum:
            return type.isFloat ? KernelElementType.floatLiteral(.infinity, compute: t) : "nv_max_value<\(t)>()"
        }
    }

    /// `a ⊕ b` for `combiner` in `type`'s compute type.
    static func combine(_ combiner: ReductionCombiner, _ type: KernelElementType, _ a: String, _ b: String) -> String {
        let t = type.compute
        if type.isBool {
            switch combiner {
            case .add, .or, .maximum: return "(\(a) || \(b))"
            case .multiply, .and, .minimum: return "(\(a) && \(b))"
            }
        }
        if type.isComplex {
            switch combiner {
            case .multiply: return "(\(a) * \(b))"
            case .maximum: return "nv_cmax(\(a), \(b))"
            case .minimum: return "nv_cmin(\(a), \(b))"
            case .add, .and, .or: return "(\(a) + \(b))"  // and/or: no such complex reduce passes the verifier
            }
        }
        switch combiner {
        case .add: return type.isFloat ? "(\(a) + \(b))" : "nv_iadd(\(a), \(b))"
        case .multiply: return type.isFloat ? "(\(a) * \(b))" : "nv_imul(\(a), \(b))"
        case .maximum: return type.isFloat ? "nv_fmax(\(a), \(b))" : "nv_imax(\(a), \(b))"
        case .minimum: return type.isFloat ? "nv_fmin(\(a), \(b))" : "nv_imin(\(a), \(b))"
        case .and: return "((\(t))(\(a) & \(b)))"
        case .or: return "((\(t))(\(a) | \(b)))"
        }
    }

    /// Copies `count` elements of `width` bytes between 16-byte-aligned addresses using the
    /// widest accesses that fit; returns the statements.
    static func vectorCopy(to destination: String, from source: String, count: Int, width: Int, constSource: Bool) -> [String] {
        let bytes = count * width
        let (chunk, chunks): (String, Int) = bytes % 16 == 0 ? ("nv_v16", bytes / 16)
            : bytes == 8 ? ("nv_v8", 1) : bytes == 4 ? ("unsigned int", 1)
            : bytes == 2 ? ("unsigned short", 1) : ("unsigned char", bytes)
        let q = constSource ? "const " : ""
        return (0..<chunks).map { c in
            "((\(chunk)*)(\(destination)))[\(c)] = ((\(q)\(chunk)*)(\(source)))[\(c)];"
        }
    }
}
