import StableHLO

/// The `nvgpu.attention` op: an `AttentionPlan` written into the IR, so that the module
/// after the `nvgpu-attention-fusion` pass says everything the fused kernel needs.
///
/// ```
/// %r = "nvgpu.attention"(%q, %k, %v) {batch = 1 : i64, heads = 8 : i64,
///        query_length = 128 : i64, key_length = 128 : i64, head_dim = 64 : i64,
///        query_layout = array<i64: 0, 0, 0, 8192, 64>, key_layout = array<i64: 1, ...>,
///        value_layout = array<i64: 2, ...>, output_strides = array<i64: 0, 8192, 64>,
///        score_rounding = "bf16", scale = 1.250000e-01 : f64, scale_rounding = "bf16",
///        causal_offset = 0 : i64}
///        : (tensor<...>, tensor<...>, tensor<...>) -> tensor<...>
/// ```
///
/// The operands are the distinct buffers Q, K and V are read from. Each `*_layout` is
/// `[operand, offset, batch stride, head stride, sequence stride]` in elements of that
/// operand's row-major buffer (the feature stride is 1), with a sixth entry for K and V
/// read by groups of that many consecutive heads (grouped-query attention).
/// `output_strides` are the batch, head and sequence strides of the product in the
/// result's buffer. `score_rounding`, `scale` and `scale_rounding` are present only when
/// the program rounds or scales the scores, `causal_offset` only when it masks key k from
/// query q where k > q + offset, and `mask_layout = [operand, offset, batch, head, query,
/// key strides]` with `mask_fill` only for a boolean mask read from an i1 operand (scores
/// where it is false become the fill); `bias_layout` (the same six entries) for an additive
/// bias read from an f32, bf16 or f16 operand, with the unit `bias_before_mask` when it is
/// added before the mask is applied. The element type of Q, K and V is the
/// operands' and the output type the result's.
extension AttentionPlan {
    /// The op name of a fused attention.
    static let operationName = "nvgpu.attention"

    /// The op standing for this plan, at `location`.
    func operation(at location: SourceLocation) -> Operation {
        var operands: [Value] = []
        let extra = (mask.map { [$0.base] } ?? []) + (bias.map { [$0.base] } ?? [])
        for v in [query.base, key.base, value.base] + extra where !operands.contains(v) { operands.append(v) }
        func int(_ v: Int) -> Attribute { .integer(Int64(v), type: .scalar(.si(64))) }
        func layout(_ l: AttentionOperandLayout) -> Attribute {
            .denseInts(.si(64), ([operands.firstIndex(of: l.base) ?? 0, l.offset, l.batchStride, l.headStride, l.sequenceStride]
                + (l.headGroup > 1 ? [l.headGroup] : [])).map { Int64($0) })
        }
        var attributes = [
            NamedAttribute("batch", int(batch)), NamedAttribute("heads", int(heads)),
            NamedAttribute("query_length", int(queryLength)), NamedAttribute("key_length", int(keyLength)),
            NamedAttribute("head_dim", int(headDim)),
            NamedAttribute("query_layout", layout(query)), NamedAttribute("key_layout", layout(key)),
            NamedAttribute("value_layout", layout(value)),
            NamedAttribute("output_strides", .denseInts(.si(64), [output.batch, output.head, output.sequence].map { Int64($0) })),
        ]
        if let scoreRounding { attributes.append(NamedAttribute("score_rounding", .string(scoreRounding.rawValue))) }
        if let scale {
            attributes.append(NamedAttribute("scale", .float(scale.factor, type: .scalar(.float(.f64)))))
            if let t = scale.roundedTo { attributes.append(NamedAttribute("scale_rounding", .string(t.rawValue))) }
        }
        if let causalOffset { attributes.append(NamedAttribute("causal_offset", int(causalOffset))) }
        if let mask {
            attributes.append(NamedAttribute("mask_layout", .denseInts(.si(64), [
                operands.firstIndex(of: mask.base) ?? 0, mask.offset, mask.batchStride, mask.headStride, mask.queryStride,
                mask.keyStride].map { Int64($0) })))
            attributes.append(NamedAttribute("mask_fill", .float(mask.fill, type: .scalar(.float(.f64)))))
        }
        if let bias {
            attributes.append(NamedAttribute("bias_layout", .denseInts(.si(64), [
                operands.firstIndex(of: bias.base) ?? 0, bias.offset, bias.batchStride, bias.headStride, bias.queryStride,
                bias.keyStride].map { Int64($0) })))
            if biasBeforeMask, mask != nil { attributes.append(NamedAttribute("bias_before_mask", .unit)) }
        }
        return Operation(name: Self.operationName, operands: operands, results: [result], attributes: attributes,
                         location: location)
    }

    /// Reads the plan of an `nvgpu.attention` op; throws a `CodeGenError` at the op when an
    /// attribute is missing or malformed, or when a layout would read outside its operand or
    /// the output strides write outside the result.
    init(_ op: Operation) throws {
        func fail(_ message: String) -> CodeGenError {
            CodeGenError("\(Self.operationName): \(message)", at: op.location)
        }
        guard op.name == Self.operationName else { throw fail("expected an \(Self.operationName) op, not \(op.name)") }
        guard (1...5).contains(op.operands.count), op.results.count == 1, op.regions.isEmpty else {
            throw fail("expected one to five operands, one result and no regions")
        }
        let types = try op.operands.map { v -> TensorType in
            guard let t = v.type.tensorType, t.isStatic else { throw fail("operand %\(v.id) must be a static tensor") }
            return t
        }
        let extraOperands = ["mask_layout", "bias_layout"].compactMap { (op[attribute: $0]?.intArray?.first).map { Int($0) } }
        guard let element = ElementType(rawValue: types[0].elementType.description),
              types.indices.allSatisfy({ extraOperands.contains($0) || types[$0].elementType == types[0].elementType }) else {
            throw fail("operands must all be bf16 or all f16")
        }
        guard let resultType = op.resultTensorType(0), resultType.isStatic,
              ["bf16", "f16", "f32"].contains(resultType.elementType.description) else {
            throw fail("the result must be a static bf16, f16 or f32 tensor")
        }
        func int(_ name: String) throws -> Int {
            guard let v = op[attribute: name]?.intValue, v > 0, v < Int64(Int32.max) else {
                throw fail("\(name) must be a positive integer")
            }
            return Int(v)
        }
        func ints(_ name: String, count: Int, orOneMore: Bool = false) throws -> [Int] {
            guard let v = op[attribute: name]?.intArray, v.count == count || (orOneMore && v.count == count + 1),
                  v.allSatisfy({ $0 >= 0 })
            else { throw fail("\(name) must be \(count)\(orOneMore ? " or \(count + 1)" : "") non-negative integers") }
            return v.map { Int($0) }
        }
        func rounding(_ name: String) throws -> ElementType? {
            guard let attribute = op[attribute: name] else { return nil }
            guard let s = attribute.stringValue, let t = ElementType(rawValue: s) else {
                throw fail("\(name) must be \"bf16\" or \"f16\"")
            }
            return t
        }
        let batch = try int("batch"), heads = try int("heads")
        let queryLength = try int("query_length"), keyLength = try int("key_length"), headDim = try int("head_dim")
        guard AttentionMatcher.supportsHeadDim(headDim) else {
            throw fail("head_dim \(headDim) has no kernel (a multiple of 16 up to 256)")
        }
        guard batch * heads <= 65535 else { throw fail("batch × heads must be at most 65535") }
        func layout(_ name: String, sequence: Int, grouped: Bool) throws -> AttentionOperandLayout {
            let v = try ints(name, count: 5, orOneMore: grouped)
            let group = v.count == 6 ? v[5] : 1
            guard v[0] < op.operands.count else { throw fail("\(name) names operand \(v[0]) of \(op.operands.count)") }
            guard v[1...4].allSatisfy({ $0 % 8 == 0 }) else { throw fail("\(name) offset and strides must be multiples of 8") }
            guard group >= 1, heads % group == 0 else { throw fail("\(name) head group \(group) must divide the \(heads) heads") }
            let last = Self.lastElement(offset: v[1], counts: [batch, heads / group, sequence, headDim], strides: Array(v[2...4]) + [1])
            guard let last, last < types[v[0]].elementCount else {
                throw fail("\(name) reads past the end of its operand's \(types[v[0]].elementCount) elements")
            }
            return AttentionOperandLayout(base: op.operands[v[0]], offset: v[1], batchStride: v[2], headStride: v[3],
                                          sequenceStride: v[4], headGroup: group)
        }
        let query = try layout("query_layout", sequence: queryLength, grouped: false)
        let key = try layout("key_layout", sequence: keyLength, grouped: true)
        let value = try layout("value_layout", sequence: keyLength, grouped: true)
        let strides = try ints("output_strides", count: 3)
        let written = batch * heads * queryLength * headDim
        // The product's elements must land on distinct elements covering the whole result:
        // sorted by stride, each dimension's stride is the extent of those inside it.
        var extent = 1
        for (count, stride) in zip([headDim, queryLength, heads, batch], [1, strides[2], strides[1], strides[0]])
            .filter({ $0.0 > 1 }).sorted(by: { $0.1 < $1.1 }) {
            guard stride == extent else { extent = -1; break }
            extent *= count
        }
        guard resultType.elementCount == written, extent == written else {
            throw fail("output_strides must lay the \(written) products out densely in the result's \(resultType.elementCount) elements")
        }
        var scale: Scale?
        if let attribute = op[attribute: "scale"] {
            guard case .float(let factor, _) = attribute, factor.isFinite else { throw fail("scale must be a finite float") }
            scale = Scale(factor: factor, roundedTo: try rounding("scale_rounding"))
        } else if op[attribute: "scale_rounding"] != nil {
            throw fail("scale_rounding needs a scale")
        }
        var causalOffset: Int?
        if let attribute = op[attribute: "causal_offset"] {
            guard let v = attribute.intValue, v >= 0, v < Int64(Int32.max) else {
                throw fail("causal_offset must be a non-negative integer")
            }
            causalOffset = Int(v)
        }
        var mask: MaskInput?
        if op[attribute: "mask_layout"] != nil {
            let v = try ints("mask_layout", count: 6)
            guard v[0] < op.operands.count, types[v[0]].elementType == .i1 else { throw fail("mask_layout must name an i1 operand") }
            guard let last = Self.lastElement(offset: v[1], counts: [batch, heads, queryLength, keyLength], strides: Array(v[2...])),
                  last < types[v[0]].elementCount else { throw fail("mask_layout reads past the end of its operand") }
            guard case .float(let fill, _)? = op[attribute: "mask_fill"], fill == -.infinity || (fill.isFinite && fill <= -1e30) else {
                throw fail("mask_fill must be -inf or a finite value of at most -1e30")
            }
            mask = MaskInput(base: op.operands[v[0]], offset: v[1], batchStride: v[2], headStride: v[3], queryStride: v[4],
                             keyStride: v[5], fill: fill)
        }
        var bias: BiasInput?
        if op[attribute: "bias_layout"] != nil {
            let v = try ints("bias_layout", count: 6)
            guard v[0] < op.operands.count, ["f32", "bf16", "f16"].contains(types[v[0]].elementType.description) else {
                throw fail("bias_layout must name an f32, bf16 or f16 operand")
            }
            guard let last = Self.lastElement(offset: v[1], counts: [batch, heads, queryLength, keyLength], strides: Array(v[2...])),
                  last < types[v[0]].elementCount else { throw fail("bias_layout reads past the end of its operand") }
            bias = BiasInput(base: op.operands[v[0]], offset: v[1], batchStride: v[2], headStride: v[3], queryStride: v[4],
                             keyStride: v[5], elementType: types[v[0]].elementType.description)
        }
        self.init(
            elementType: element, outputType: resultType.elementType.description, batch: batch, heads: heads,
            queryLength: queryLength, keyLength: keyLength, headDim: headDim, query: query, key: key, value: value,
            result: op.results[0], output: OutputStrides(batch: strides[0], head: strides[1], sequence: strides[2]),
            scoreRounding: try rounding("score_rounding"), scale: scale, causalOffset: causalOffset, mask: mask, bias: bias,
            biasBeforeMask: op[attribute: "bias_before_mask"] != nil && mask != nil && bias != nil)
    }

    /// `offset + Σ (counts[i] - 1) · strides[i]`, or nil when that overflows.
    private static func lastElement(offset: Int, counts: [Int], strides: [Int]) -> Int? {
        var total = offset
        for (count, stride) in zip(counts, strides) {
            let (term, o1) = (count - 1).multipliedReportingOverflow(by: stride)
            let (sum, o2) = total.addingReportingOverflow(term)
            guard !o1, !o2 else { return nil }
            total = sum
        }
        return total
    }
}
