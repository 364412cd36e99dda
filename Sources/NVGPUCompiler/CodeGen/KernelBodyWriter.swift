import StableHLO

/// Why a fusion could not become a kernel; the planner then splits it or sends it to the host.
public struct CodeGenError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var location: SourceLocation
    public init(_ message: String, at location: SourceLocation = .unknown) {
        self.message = message
        self.location = location
    }
    public var description: String { "\(location): error: \(message)" }
}

/// A value a row-reduction kernel already holds for the current row.
struct RowValue {
    var variable: String
    var shape: [Int]
}

/// Writes the statements that compute a fusion's values at given indices: each value at
/// each distinct index is computed once per scope and bound to a `const` local.
final class KernelBodyWriter {
    /// Value id → the op in the fusion that defines it.
    let definitions: [Int: Operation]
    /// Value id → a literal op the kernel may inline.
    let literals: [Int: Operation]
    /// Value id → the kernel parameter holding it.
    let parameters: [Int: String]
    /// Value id → the reduced value of the current row (row-reduction kernels).
    var rowValues: [Int: RowValue] = [:]
    /// Whether bf16/f16 arithmetic inside the kernel keeps its f32 compute value instead of
    /// rounding after every op (XLA's default "excess precision"): values are rounded where
    /// they leave the chain — stores, `convert`, and ops on bit patterns.
    var keepsExcessPrecision = false
    /// Locals holding bf16/f16 values computed with excess precision (not yet rounded).
    private var excessValues: Set<String> = []
    /// f32 values whose every use ends in a bf16/f16 rounding (`FusionKernelBuilder.halfRoundedValues`).
    /// With excess precision on, these (and bf16/f16 values computed in f32) take cheaper
    /// forms whose error stays far below that rounding: a quotient by a divisor that is the
    /// same for every element a thread computes (a row's reduced value, a scalar) multiplies
    /// by its reciprocal, computed once (one multiply instead of an IEEE division's ten
    /// instructions and a branch; within about one f32 ulp), and `exp` goes through the SFU
    /// (`nv_exp_fast`: relative error about |x|·2^-24, two instructions instead of eight).
    var halfRoundedValues: Set<Int> = []
    /// Locals that hold a bf16 value exactly (loaded from bf16 storage, or just rounded to
    /// bf16): storing one takes its bits, not a second rounding (`stored(_:as:)`).
    private var exactBF16: Set<String> = []
    /// Called for every input read at a vector lane; returns the vector the kernel stages
    /// that element in (and records that it needs it), or nil for a scalar read.
    var vectorRead: ((_ load: BufferLoad) -> VectorLoad?)?
    /// Called for every input read before `vectorRead`; returns the storage-typed element
    /// the kernel already staged for it (a shared-memory tile), or nil.
    var stagedRead: ((_ load: BufferLoad) -> String?)?

    private(set) var lines: [String] = []
    private(set) var globals: [String] = []
    /// Names of the arrays `globals` declares.
    private var globalNames: Set<String> = []
    var indent = 1
    private var scopes: [[String: String]] = [[:]]
    private var counter = 0
    let indexType: String

    init(definitions: [Int: Operation], literals: [Int: Operation], parameters: [Int: String], indexType: String) {
        self.definitions = definitions
        self.literals = literals
        self.parameters = parameters
        self.indexType = indexType
    }

    // MARK: Statements

    func emit(_ line: String) { lines.append(String(repeating: "  ", count: indent) + line) }

    func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    /// Binds `code` to a new `const` local of `type` unless it is already a name or literal.
    func bind(_ code: String, type: String, prefix: String = "v") -> String {
        if Self.isSimple(code) { return code }
        let name = fresh(prefix)
        emit("const \(type) \(name) = \(code);")
        return name
    }

    static func isSimple(_ code: String) -> Bool {
        code.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// Appends `newLines`, already indented.
    func emit(lines newLines: [String]) { lines += newLines }

    /// Runs `body` and returns the lines it emits instead of appending them, so a kernel
    /// shape can write what must precede them (the vector loads they asked for) first.
    func section(_ body: () throws -> Void) rethrows -> [String] {
        let outer = lines
        lines = []
        defer { lines = outer }
        try body()
        return lines
    }

    /// Indentation for a line written at the current depth.
    var indentation: String { String(repeating: "  ", count: indent) }

    func pushScope() { scopes.append([:]) }
    func popScope() { scopes.removeLast() }

    /// Runs `body` one level deeper, in a fresh memo scope.
    func nested(_ body: () throws -> Void) rethrows {
        pushScope()
        indent += 1
        defer { indent -= 1; popScope() }
        try body()
    }

    // MARK: Indices

    /// Per-dimension terms of `index`; a term that is the index's own linear position
    /// keeps its vector lane.
    func terms(_ index: ElementIndex) -> [IndexTerm] {
        if let t = index.terms { return t }
        let linear = index.linear ?? "0"
        let strides = ElementIndex.strides(index.shape)
        if let form = index.laneForm, let t = Self.laneTerms(of: form, linear: linear, shape: index.shape, strides: strides) {
            return t.map { term in
                // Lane-invariant codes stay unbound (see `LaneForm`); the others are bound.
                guard case .offset = term.laneForm else { return term }
                return IndexTerm(code: bind(term.code, type: indexType, prefix: "i"), tag: term.tag, laneForm: term.laneForm)
            }
        }
        return index.shape.indices.map { k in
            if index.shape[k] == 1 { return .zero }
            var code = strides[k] == 1 ? linear : "(\(linear) / \(strides[k]))"
            if k > 0 { code = "(\(code) % \(index.shape[k]))" }
            let bound = bind(code, type: indexType, prefix: "i")
            return IndexTerm(code: bound, tag: .other, lane: bound == linear ? index.lane : nil)
        }
    }

    func linear(_ index: ElementIndex) -> String { position(index).code }

    /// The row-major linear index of `index` as C code, with its vector lane when the code
    /// is a staged position (the index's own, or its only term's), and how it varies over a
    /// loop thread's lanes.
    func position(_ index: ElementIndex) -> (code: String, lane: VectorLane?, laneForm: LaneForm?) {
        if let l = index.linear { return (l, index.lane, index.laneForm) }
        let t = index.terms ?? []
        let strides = ElementIndex.strides(index.shape)
        let kept = t.indices.filter { t[$0].code != "0" && index.shape[$0] != 1 }
        let parts = kept.map { k in strides[k] == 1 ? t[k].code : "\(t[k].code) * \(strides[k])" }
        if parts.isEmpty { return ("0", nil, .invariant) }
        if let (sum, form) = Self.lanePosition(t, kept: kept, shape: index.shape, strides: strides) {
            if case .invariant = form { return ("(\(sum))", nil, form) }
            return (bind(sum, type: indexType, prefix: "i"), nil, form)
        }
        let bound = bind(parts.joined(separator: " + "), type: indexType, prefix: "i")
        guard kept.count == 1, let only = kept.first, bound == t[only].code else { return (bound, nil, nil) }
        return (bound, t[only].lane, nil)
    }

    // MARK: Values

    /// The compute-type expression of `value` at `index` (a local or literal).
    func value(_ v: Value, at index: ElementIndex) throws -> String {
        guard let tensor = v.type.tensorType, let type = KernelElementType(tensor.elementType) else {
            throw CodeGenError("value of type \(v.type) has no CUDA element type")
        }
        var index = index
        if tensor.elementCount == 1 { index = ElementIndex(shape: tensor.shape, linear: "0") }
        let key = "\(v.id)@\(index.key)"
        for scope in scopes.reversed() { if let hit = scope[key] { return hit } }
        let result = try compute(v, tensor: tensor, type: type, at: index)
        scopes[scopes.count - 1][key] = result
        return result
    }

    private func compute(_ v: Value, tensor: TensorType, type: KernelElementType, at index: ElementIndex) throws -> String {
        if let row = rowValues[v.id] {
            let t = terms(index)
            var k = 0
            for (d, size) in row.shape.enumerated() where size != 1 {
                guard t[d].tag == .row(k) else {
                    throw CodeGenError("a reduced value is read at another row than the one being reduced")
                }
                k += 1
            }
            return row.variable
        }
        if let op = definitions[v.id] { return try compute(op, result: v, type: type, at: index) }
        if let literal = literals[v.id] { return try inlineLiteral(literal, type: type, at: index) }
        guard let parameter = parameters[v.id] else {
            throw CodeGenError("value %\(v.id) is neither computed in the fusion nor passed to it")
        }
        let (code, lane, form) = position(index)
        let load = BufferLoad(parameter: parameter, valueID: v.id, elementType: type, index: code, lane: lane,
                              laneForm: form, shape: tensor.shape, terms: index.terms)
        let loaded: String
        if let staged = stagedRead?(load) {
            loaded = bind(type.load(staged), type: type.compute)
        } else if let element = lane?.element ?? form?.element, let vector = vectorRead?(load) {
            loaded = bind(type.load(vector.element(element)), type: type.compute)
        } else {
            loaded = bind(load.scalarRead, type: type.compute)
        }
        if type.elementType == .float(.bf16) { exactBF16.insert(loaded) }
        return loaded
    }

    private func inlineLiteral(_ op: Operation, type: KernelElementType, at index: ElementIndex) throws -> String {
        guard case .dense(let d)? = op[attribute: "value"] else {
            throw CodeGenError("constant without a dense value", at: op.location)
        }
        if d.isSplat || d.type.elementCount == 1 { return type.literal(d, at: 0) }
        guard d.type.elementCount <= FusionPlanner.inlineConstantLimit else {
            throw CodeGenError("constant of \(d.type.elementCount) elements is too large to inline", at: op.location)
        }
        // Stored as raw bit patterns (a float array would need dynamic initialization for
        // NaN and infinity), read back through the element type's load.
        let name = "k_literal_\(op.results[0].id)"
        if case .complex(let format) = type.elementType {
            return complexLiteral(d, format: format, name: name, type: type, at: index)
        }
        let (bitsType, read): (String, (String) -> String) = switch type.elementType {
        case .float(.f32): ("unsigned int", { "__uint_as_float(\($0))" })
        case .float(.f64): ("unsigned long long", { "__longlong_as_double((long long)\($0))" })
        default: (type.storage, { type.load($0) })
        }
        if globalNames.insert(name).inserted {
            let items = (0..<d.type.elementCount).map { i -> String in
                let bits = d.rawBits(at: i)
                if case .si(let w) = type.elementType {
                    let shift = UInt64(64 - w)
                    let v = Int64(bitPattern: bits << shift) >> Int64(shift)
                    return v == Int64.min ? "(-9223372036854775807LL - 1)" : "\(v)LL"
                }
                return "\(bits)ULL"
            }
            globals.append("static __device__ const \(bitsType) \(name)[\(items.count)] = {\(items.joined(separator: ", "))};")
        }
        return bind(read("\(name)[\(linear(index))]"), type: type.compute)
    }

    /// A complex literal array: the component bit patterns interleaved (re, im), read
    /// back as an `nv_c128`.
    private func complexLiteral(_ d: DenseElements, format: FloatFormat, name: String,
                                type: KernelElementType, at index: ElementIndex) -> String {
        let single = format == .f32
        if globalNames.insert(name).inserted {
            let items = (0..<d.type.elementCount).flatMap { i -> [String] in
                let (re, im) = KernelElementType.complexComponentBits(d, at: i, format: format)
                return ["\(re)U\(single ? "" : "LL")", "\(im)U\(single ? "" : "LL")"]
            }
            let bitsType = single ? "unsigned int" : "unsigned long long"
            globals.append("static __device__ const \(bitsType) \(name)[\(items.count)] = {\(items.joined(separator: ", "))};")
        }
        let at = bind("2 * (\(linear(index)))", type: indexType, prefix: "i")
        let component = { (k: String) in
            single ? "(double)__uint_as_float(\(name)[\(k)])" : "__longlong_as_double((long long)\(name)[\(k)])"
        }
        return bind("nv_c128(\(component(at)), \(component("\(at) + 1")))", type: type.compute)
    }

    private func attributeInts(_ op: Operation, _ name: String) throws -> [Int] {
        // A scalar integer attribute (iota_dimension, concatenate's dimension) reads as one entry.
        guard let values = op[attribute: name]?.intArray ?? op[attribute: name]?.intValue.map({ [$0] }) else {
            throw CodeGenError("\(op.name) is missing '\(name)'", at: op.location)
        }
        return values.map { Int($0) }
    }

    private func compute(_ op: Operation, result: Value, type: KernelElementType, at index: ElementIndex) throws -> String {
        let shape = index.shape
        switch op.name {
        case "stablehlo.constant":
            return try inlineLiteral(op, type: type, at: index)
        case "stablehlo.gather":
            return try gather(op, at: index)
        case "stablehlo.iota":
            let d = try attributeInts(op, "iota_dimension").first ?? 0
            guard d >= 0, d < shape.count else { throw CodeGenError("iota_dimension out of range", at: op.location) }
            let position = terms(index)[d].code
            let expr = type.isBool ? "(\(position) != 0)" : "((\(type.compute))\(position))"
            return bind(type.rounded(expr), type: type.compute)
        case "stablehlo.broadcast_in_dim":
            let operandShape = op.operands[0].type.tensorType?.shape ?? []
            if operandShape == shape { return try value(op.operands[0], at: index) }
            let dims = try attributeInts(op, "broadcast_dimensions")
            let t = terms(index)
            guard dims.count == operandShape.count, dims.allSatisfy({ $0 >= 0 && $0 < t.count }) else {
                throw CodeGenError("broadcast_in_dim dimensions do not match the operand", at: op.location)
            }
            let operandTerms = operandShape.indices.map { j in operandShape[j] == 1 ? IndexTerm.zero : t[dims[j]] }
            return try value(op.operands[0], at: ElementIndex(shape: operandShape, terms: operandTerms))
        case "stablehlo.reshape":
            let operandShape = op.operands[0].type.tensorType?.shape ?? []
            if operandShape == shape { return try value(op.operands[0], at: index) }
            if let t = index.terms, ElementIndex.squeezed(operandShape) == ElementIndex.squeezed(shape) {
                let kept = shape.indices.filter { shape[$0] != 1 }.map { t[$0] }
                var next = 0
                let operandTerms = operandShape.map { size -> IndexTerm in
                    if size == 1 { return .zero }
                    defer { next += 1 }
                    return kept[next]
                }
                return try value(op.operands[0], at: ElementIndex(shape: operandShape, terms: operandTerms))
            }
            let (code, lane, form) = position(index)
            return try value(op.operands[0], at: ElementIndex(shape: operandShape, linear: code, lane: lane, laneForm: form))
        case "stablehlo.transpose":
            let operandShape = op.operands[0].type.tensorType?.shape ?? []
            let permutation = try attributeInts(op, "permutation")
            let t = terms(index)
            guard permutation.count == t.count, Set(permutation) == Set(0..<t.count) else {
                throw CodeGenError("transpose permutation does not match the rank", at: op.location)
            }
            var operandTerms = [IndexTerm](repeating: .zero, count: t.count)
            for k in t.indices { operandTerms[permutation[k]] = t[k] }
            return try value(op.operands[0], at: ElementIndex(shape: operandShape, terms: operandTerms))
        case "stablehlo.slice":
            let operandShape = op.operands[0].type.tensorType?.shape ?? []
            let starts = try attributeInts(op, "start_indices")
            let strides = (try? attributeInts(op, "strides")) ?? Array(repeating: 1, count: shape.count)
            let t = terms(index)
            guard starts.count == t.count, strides.count == t.count, operandShape.count == t.count else {
                throw CodeGenError("slice attributes do not match the rank", at: op.location)
            }
            let operandTerms = t.indices.map { k -> IndexTerm in
                if starts[k] == 0 && strides[k] == 1 { return t[k] }
                if operandShape[k] == 1 { return .zero }
                let scaled = strides[k] == 1 ? t[k].code : "\(t[k].code) * \(strides[k])"
                return IndexTerm(code: bind("\(starts[k]) + \(scaled)", type: indexType, prefix: "i"), tag: .other)
            }
            return try value(op.operands[0], at: ElementIndex(shape: operandShape, terms: operandTerms))
        case "stablehlo.reverse":
            let dims = Set(try attributeInts(op, "dimensions"))
            let t = terms(index)
            guard op.operands[0].type.tensorType?.shape == shape else {
                throw CodeGenError("reverse changes the shape", at: op.location)
            }
            let operandTerms = t.indices.map { k -> IndexTerm in
                guard dims.contains(k), shape[k] != 1 else { return t[k] }
                return IndexTerm(code: bind("\(shape[k] - 1) - \(t[k].code)", type: indexType, prefix: "i"), tag: .other)
            }
            return try value(op.operands[0], at: ElementIndex(shape: shape, terms: operandTerms))
        case "stablehlo.concatenate":
            return try concatenate(op, type: type, at: index)
        case "stablehlo.pad":
            return try pad(op, type: type, at: index)
        default:
            return try elementwise(op, type: type, at: index)
        }
    }

    private func concatenate(_ op: Operation, type: KernelElementType, at index: ElementIndex) throws -> String {
        let d = try attributeInts(op, "dimension").first ?? 0
        let t = terms(index)
        guard d >= 0, d < t.count else { throw CodeGenError("concatenate dimension out of range", at: op.location) }
        let name = fresh("v")
        emit("\(type.compute) \(name);")
        var offset = 0
        for (i, operand) in op.operands.enumerated() {
            guard let operandShape = operand.type.tensorType?.shape, operandShape.count == t.count else {
                throw CodeGenError("concatenate operands differ in rank", at: op.location)
            }
            let size = operandShape[d]
            let isLast = i == op.operands.count - 1
            let condition = "\(t[d].code) < \(offset + size)"
            emit(i == 0 ? "if (\(condition)) {" : isLast ? "} else {" : "} else if (\(condition)) {")
            var operandTerms = t
            if operandShape[d] == 1 {
                operandTerms[d] = .zero
            } else if offset != 0 {
                operandTerms[d] = IndexTerm(code: "(\(t[d].code) - \(offset))", tag: .other)
            }
            try nested {
                let v = try value(operand, at: ElementIndex(shape: operandShape, terms: operandTerms))
                emit("\(name) = \(v);")
            }
            offset += size
        }
        emit("}")
        return name
    }

    /// `pad`: result position p reads operand element (p - low) / (interior + 1) when that
    /// divides exactly and lies inside the operand, else the padding value (negative low or
    /// high padding drops edge elements).
    private func pad(_ op: Operation, type: KernelElementType, at index: ElementIndex) throws -> String {
        guard op.operands.count == 2, let operandShape = op.operands[0].type.tensorType?.shape else {
            throw CodeGenError("pad needs an operand and a padding value", at: op.location)
        }
        let low = try attributeInts(op, "edge_padding_low")
        let interior = (try? attributeInts(op, "interior_padding")) ?? Array(repeating: 0, count: operandShape.count)
        let t = terms(index)
        guard low.count == t.count, interior.count == t.count, operandShape.count == t.count,
              interior.allSatisfy({ $0 >= 0 }) else {
            throw CodeGenError("pad attributes do not match the rank", at: op.location)
        }
        var conditions: [String] = []
        var operandTerms: [IndexTerm] = []
        for k in t.indices {
            let step = interior[k] + 1
            let shifted = low[k] == 0 ? t[k].code : bind("\(t[k].code) - (\(low[k]))", type: indexType, prefix: "i")
            if operandShape[k] == 0 { conditions.append("false") }
            conditions.append(low[k] > 0 ? "\(shifted) >= 0" : "true")
            if step > 1 { conditions.append("\(shifted) % \(step) == 0") }
            let position = step > 1 ? "(\(shifted) / \(step))" : shifted
            conditions.append("\(position) < \(operandShape[k])")
            operandTerms.append(operandShape[k] == 1 ? .zero
                : low[k] == 0 && step == 1 ? t[k] : IndexTerm(code: position, tag: .other))
        }
        let paddingValue = try value(op.operands[1], at: ElementIndex(shape: [], linear: "0"))
        let name = fresh("v")
        emit("\(type.compute) \(name) = \(paddingValue);")
        emit("if (\(conditions.filter { $0 != "true" }.joined(separator: " && ").nonEmpty ?? "true")) {")
        try nested {
            let v = try value(op.operands[0], at: ElementIndex(shape: operandShape, terms: operandTerms))
            emit("\(name) = \(v);")
        }
        emit("}")
        return name
    }

    private func elementwise(_ op: Operation, type: KernelElementType, at index: ElementIndex) throws -> String {
        guard let firstOperand = op.operands.first?.type.tensorType,
              let operandType = KernelElementType(
                (op.name == "stablehlo.select" || op.name == "stablehlo.clamp")
                    ? (op.operands.last?.type.tensorType?.elementType ?? firstOperand.elementType)
                    : firstOperand.elementType)
        else { throw CodeGenError("\(op.name) has no operands", at: op.location) }
        _ = firstOperand
        let excess = keepsExcessPrecision && Self.keepsExcessPrecision(op)
        var operands: [String] = []
        for operand in op.operands {
            guard let s = operand.type.tensorType?.shape else { throw CodeGenError("non-tensor operand", at: op.location) }
            guard s == index.shape || s.reduce(1, *) == 1 else {
                throw CodeGenError("\(op.name) mixes operand shapes \(s) and \(index.shape)", at: op.location)
            }
            let v = try value(operand, at: s == index.shape ? index : ElementIndex(shape: s, linear: "0"))
            // An op that leaves the chain sees its operand rounded to the operand's type.
            if keepsExcessPrecision, !excess, excessValues.contains(v),
               let t = operand.type.tensorType.flatMap({ KernelElementType($0.elementType) }), t.isHalfPrecisionFloat {
                operands.append(t.rounded(v))
            } else {
                operands.append(v)
            }
        }
        if let relaxed = relaxedForm(op, operands: operands, type: type, excess: excess) {
            return bind(relaxed, type: type.compute)
        }
        guard let expr = ExpressionTable.expression(
            for: op, operands: operands, operandType: operandType, resultType: type)
        else {
            throw CodeGenError("no CUDA expression for \(op.name) on \(operandType.elementType)", at: op.location)
        }
        let unrounded = excess && type.isHalfPrecisionFloat
        if op.name == "stablehlo.select" || unrounded {
            let result = bind(expr, type: type.compute)
            if unrounded, op.name != "stablehlo.select" || operands.contains(where: excessValues.contains) {
                excessValues.insert(result)
            }
            return result
        }
        let rounded = bind(type.rounded(expr), type: type.compute)
        if type.elementType == .float(.bf16) { exactBF16.insert(rounded) }
        return rounded
    }

    /// `value` in `type`'s stored form: the plain bits of a value that is already exactly
    /// bf16, else the type's rounding store.
    func stored(_ value: String, as type: KernelElementType) -> String {
        if type.elementType == .float(.bf16), exactBF16.contains(value) { return "nv_bf16_bits(\(value))" }
        return type.store(value)
    }

    /// The cheaper form of `op` when its result may be relaxed (see `halfRoundedValues`):
    /// `a * (1 / b)` for a thread-invariant divisor (the reciprocal bound once per scope),
    /// `nv_exp_fast` for `exp`; nil otherwise.
    private func relaxedForm(_ op: Operation, operands: [String], type: KernelElementType, excess: Bool) -> String? {
        guard keepsExcessPrecision, type.compute == "float", let result = op.results.first,
              halfRoundedValues.contains(result.id) || (excess && type.isHalfPrecisionFloat) else { return nil }
        if op.name == "stablehlo.exponential", operands.count == 1 { return "nv_exp_fast(\(operands[0]))" }
        guard op.name == "stablehlo.divide", operands.count == 2 else { return nil }
        let divisor = operands[1]
        let invariant = op.operands[1].type.tensorType?.elementCount == 1
            || rowValues.values.contains { $0.variable == divisor }
        guard invariant else { return nil }
        let key = "reciprocal@\(divisor)"
        if let known = scopes.reversed().lazy.compactMap({ $0[key] }).first { return "(\(operands[0]) * \(known))" }
        let reciprocal = fresh("rcp")
        emit("const float \(reciprocal) = 1.0f / \(divisor);")
        scopes[scopes.count - 1][key] = reciprocal
        return "(\(operands[0]) * \(reciprocal))"
    }

    /// Whether `op` computes on values (float arithmetic, comparisons, selects) rather than
    /// on their stored form: `convert` and the bit-pattern ops round what they read.
    static func keepsExcessPrecision(_ op: Operation) -> Bool {
        !["stablehlo.convert", "stablehlo.bitcast_convert", "stablehlo.reduce_precision", "chlo.next_after"]
            .contains(op.name)
    }
}

private extension String {
    /// nil for the empty string.
    var nonEmpty: String? { isEmpty ? nil : self }
}
