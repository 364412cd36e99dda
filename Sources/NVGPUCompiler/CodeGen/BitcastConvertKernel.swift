import StableHLO

/// `stablehlo.bitcast_convert`.
///
/// - Same element width: an elementwise expression (`sameWidthExpression`, used by
///   `ExpressionTable`), so it fuses with its neighbours: the compute value's bit pattern
///   reinterpreted as the target type.
/// - Different widths (the family here): the result's bytes are the operand's bytes.
///   Wider → narrower appends a dimension of the narrow elements in little-endian order;
///   narrower → wider consumes the last dimension; both are exactly the row-major byte
///   layout of device memory, so the kernel copies bytes in the widest chunks that divide
///   the size.
///
/// Bits are kept as they are; the reference decodes floats to `Double`, so there a bf16 or
/// f16 NaN comes back as the canonical NaN and an f32 signaling NaN is quieted: results
/// differ from it only in NaN payloads.
enum BitcastConvertKernel: KernelFamily {
    static let operationNames: Set<String> = ["stablehlo.bitcast_convert"]

    /// Only width-changing bitcasts; same-width ones are elementwise.
    static func accepts(_ op: Operation) -> Bool {
        guard let source = op.operandTensorType(0)?.elementType, let target = op.resultTensorType(0)?.elementType else {
            return false
        }
        return source.bitWidth != target.bitWidth
    }

    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard op.operands.count == 1, op.results.count == 1 else {
            throw CodeGenError("bitcast_convert needs one operand and one result", at: op.location)
        }
        let source = try DedicatedKernels.elementType(op.operands[0], of: op)
        let target = try DedicatedKernels.elementType(op.results[0], of: op)
        guard !source.isBool, !target.isBool else {
            throw CodeGenError("bitcast_convert between \(source.elementType) and \(target.elementType) splits bytes into bits",
                               at: op.location)
        }
        let shape = try DedicatedKernels.shape(op.operands[0], of: op)
        let resultShape = try DedicatedKernels.shape(op.results[0], of: op)
        let sw = source.elementType.bitWidth, tw = target.elementType.bitWidth
        var expected: [Int]?
        if sw > tw, sw % tw == 0 {
            expected = shape + [sw / tw]
        } else if tw > sw, tw % sw == 0, shape.last == tw / sw {
            expected = Array(shape.dropLast())
        }
        guard resultShape == expected else {
            throw CodeGenError("bitcast_convert of \(op.operands[0].type) cannot give \(op.results[0].type)", at: op.location)
        }
        if source.byteWidth * 8 != sw || target.byteWidth * 8 != tw {
            return FusionKernels(kernels: try repack(op, name: name, source: source, target: target, count: resultShape.reduce(1, *)),
                                 scratch: [])
        }
        let bytes = shape.reduce(1, *) * source.byteWidth
        let kernels = bytes > 0 ? [byteCopy(name: name, from: op.operands[0], to: op.results[0], bytes: bytes, of: op)] : []
        return FusionKernels(kernels: kernels, scratch: [])
    }

    /// A kernel copying `bytes` bytes from `source`'s buffer to `target`'s, in the widest
    /// chunks (16, 8, 4, 2 or 1 bytes) that divide the size (buffers are 16-byte aligned).
    static func byteCopy(name: String, from source: Value, to target: Value, bytes: Int, of op: Operation) -> GeneratedKernel {
        let (chunk, width): (String, Int) = bytes % 16 == 0 ? ("nv_v16", 16) : bytes % 8 == 0 ? ("nv_v8", 8)
            : bytes % 4 == 0 ? ("unsigned int", 4) : bytes % 2 == 0 ? ("unsigned short", 2) : ("unsigned char", 1)
        return DedicatedKernels.kernel(
            name: name, comment: "\(name): \(op.name) copies \(bytes) bytes of \(source.type) to \(target.type)",
            parameters: ["const \(chunk)* __restrict__ in", "\(chunk)* __restrict__ out"],
            bindings: [.value(source), .value(target)],
            count: bytes / width, body: ["    out[o] = in[o];"], operation: op)
    }

    /// A bitcast where one side has 2/4/6-bit elements (one byte each in memory, so the
    /// bytes are not the bits): one thread per result element gathers its bits from the
    /// operand's elements in little-endian order, as the reference's bit stream does.
    private static func repack(_ op: Operation, name: String, source: KernelElementType, target: KernelElementType,
                               count: Int) throws -> [GeneratedKernel] {
        let sw = source.elementType.bitWidth, tw = target.elementType.bitWidth
        guard !source.isComplex, !target.isComplex, let fromBits = storedValue("p", of: target) else {
            throw CodeGenError("bitcast_convert between \(source.elementType) and \(target.elementType) has no CUDA kernel",
                               at: op.location)
        }
        let mask = { (w: Int) in w >= 64 ? "~0ull" : "\((UInt64(1) << UInt64(w)) - 1)ull" }
        let bits = { (stored: String) -> String in
            let raw: String = switch source.elementType {
            case .float(.f32): "(nv_u64)__float_as_uint(\(stored))"
            case .float(.f64): "(nv_u64)__double_as_longlong(\(stored))"
            default: "(nv_u64)(typename nv_int<\(source.storage)>::u)\(stored)"
            }
            return "(\(raw) & \(mask(sw)))"
        }
        var body: [String]
        if sw > tw {
            let ratio = sw / tw
            body = ["    const nv_u64 p = (\(bits("in[o / \(ratio)]")) >> ((o % \(ratio)) * \(tw))) & \(mask(tw));"]
        } else {
            let ratio = tw / sw
            body = ["    nv_u64 p = 0;",
                    "    for (int k = 0; k < \(ratio); ++k) p |= \(bits("in[o * \(ratio) + k]")) << (k * \(sw));"]
        }
        body.append("    out[o] = \(fromBits);")
        guard count > 0 else { return [] }
        return [DedicatedKernels.kernel(
            name: name, comment: "\(name): \(op.name) repacks the bits of \(op.operands[0].type) as \(op.results[0].type)",
            parameters: ["const \(source.storage)* __restrict__ in", "\(target.storage)* __restrict__ out"],
            bindings: [.value(op.operands[0]), .value(op.results[0])],
            count: count, body: body, operation: op)]
    }

    /// The stored element of `type` whose bit pattern is the `nv_u64` `p` (2/4-bit signed
    /// integers sign-extended, as the reference normalizes them).
    private static func storedValue(_ p: String, of type: KernelElementType) -> String? {
        switch type.elementType {
        case .float(.f32): return "__uint_as_float((unsigned int)\(p))"
        case .float(.f64): return "__longlong_as_double((long long)\(p))"
        case .float: return "(\(type.storage))\(p)"
        case .si(let w) where w < 8: return "(signed char)nv_wrap_s((int)\(p), \(w))"
        case .si, .ui: return "(\(type.storage))\(p)"
        default: return nil
        }
    }

    /// A same-width bitcast of the compute value `x` of `source` to the compute type of
    /// `target`, or nil when either is `i1` (unless both are) or the widths differ.
    static func sameWidthExpression(_ x: String, from source: KernelElementType, to target: KernelElementType) -> String? {
        guard source.elementType.bitWidth == target.elementType.bitWidth else { return nil }
        if source.isBool || target.isBool { return source.isBool && target.isBool ? x : nil }
        guard let bits = bitPattern(x, of: source) else { return nil }
        return value(bits, of: target)
    }

    /// The unsigned bit pattern of compute value `x` (bf16/f16 compute values are exact in
    /// `float`, so the pattern is the stored one).
    private static func bitPattern(_ x: String, of type: KernelElementType) -> String? {
        switch type.elementType {
        case .float(.f64): return "((nv_u64)__double_as_longlong(\(x)))"
        case .float(.f32): return "__float_as_uint(\(x))"
        case .float(.bf16): return "((unsigned short)(__float_as_uint(\(x)) >> 16))"
        case .float(.f16): return "nv_float_to_f16(\(x))"
        case .si(let w) where w < 8, .ui(let w) where w < 8:
            return "((unsigned char)((unsigned int)(\(x)) & \((1 << w) - 1)u))"
        case .float(let format) where NarrowPrelude.isNarrow(format):
            return "nv_fp_encode((double)(\(x)), \(NarrowPrelude.arguments(format)))"
        case .si(let w), .ui(let w):
            let unsigned = [8: "unsigned char", 16: "unsigned short", 32: "unsigned int", 64: "nv_u64"]
            return unsigned[w].map { "((\($0))(\(x)))" }
        default: return nil
        }
    }

    /// The compute value of `type` whose bit pattern is `bits`.
    private static func value(_ bits: String, of type: KernelElementType) -> String? {
        switch type.elementType {
        case .float(.f64): return "__longlong_as_double((long long)\(bits))"
        case .float(.f32): return "__uint_as_float((unsigned int)\(bits))"
        case .float(.bf16): return "nv_bf16_to_float((unsigned short)\(bits))"
        case .float(.f16): return "nv_f16_to_float((unsigned short)\(bits))"
        case .float(let format) where NarrowPrelude.isNarrow(format): return type.load("(\(bits))")
        case .si(let w) where w < 8, .ui(let w) where w < 8: return type.wrapped(bits, width: w)
        case .si, .ui: return "((\(type.compute))\(bits))"
        default: return nil
        }
    }
}
