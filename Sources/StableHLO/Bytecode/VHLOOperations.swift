/// Turns `vhlo.*_vN` operations into the `stablehlo.*` / `func.*` operations the text
/// parser builds, following `VhloLegalizeToStablehlo.cpp`: default-valued attributes
/// are dropped, flat dimension attributes are folded into `#stablehlo.dot`/`conv`/
/// `gather`/`scatter` attributes, 1-D `tensor_v1` attributes of the ops that take
/// `array<i64>` become dense arrays, channel ids become `#stablehlo.channel_handle`,
/// and symbol names become symbol references. Older op versions (`_v1` of ops that have
/// a `_v2`) are read directly: attributes they lack are simply absent.
enum VHLOLegalizer {
    /// Legalizes `op` and its regions; `parentIsFunction` picks `func.return` for returns.
    static func legalize(_ op: Operation, parentIsFunction: Bool, file: String, depth: Int = 0) throws -> Operation {
        var op = op
        let offset = op[attribute: offsetAttribute]?.intValue.map { Int($0) } ?? 0
        op[attribute: offsetAttribute] = nil
        let isFunction = op.name == "vhlo.func_v1"
        if depth < 512 {
            for r in op.regions.indices {
                for b in op.regions[r].blocks.indices {
                    for k in op.regions[r].blocks[b].operations.indices {
                        op.regions[r].blocks[b].operations[k] = try legalize(
                            op.regions[r].blocks[b].operations[k], parentIsFunction: isFunction, file: file, depth: depth + 1)
                    }
                }
            }
        }
        guard op.name.hasPrefix("vhlo.") else {
            if let layout = StablehloOpTable.propertyLayouts[op.name] {
                op.attributes = canonicalOrder(op.name, op.attributes, inherent: Set(layout.map(\.0)))
            }
            if op.name == "stablehlo.convolution", let padding = op[attribute: "padding"] {
                op[attribute: "padding"] = expandedPadding(padding)
            }
            return op
        }
        let base = baseName(op.name)
        var attrs = op.attributes
        do {
            try removeDefaults(base, &attrs)
            try implode(base, &attrs)
            try convertSpecial(base, &attrs)
        } catch let message as LegalizationFailure {
            throw BytecodeError(file: file, offset: offset, section: "IR section", message: "'\(op.name)': \(message.text)")
        }
        switch base {
        case "func": op.name = "func.func"
        case "call": op.name = "func.call"
        case "return": op.name = parentIsFunction ? "func.return" : "stablehlo.return"
        default: op.name = "stablehlo." + base
        }
        op.attributes = canonicalOrder(op.name, attrs, inherent: inherentNames[base] ?? [])
        return op
    }

    /// The attributes in the order the text parser produces for MLIR's printout: the
    /// keyword attributes of a pretty form first (in the form's order), then the other
    /// inherent attributes sorted by name (MLIR prints properties sorted), then the
    /// discardable attributes as written.
    static func canonicalOrder(_ name: String, _ attrs: [NamedAttribute], inherent: Set<String>) -> [NamedAttribute] {
        let structured: Set<String> = ["dimension_numbers", "dot_dimension_numbers", "scatter_dimension_numbers",
                                       "algorithm", "channel_handle"]
        let isInherent: (NamedAttribute) -> Bool = { inherent.contains($0.name) || structured.contains($0.name) }
        var first: [NamedAttribute] = []
        var rest = attrs
        for key in prettyFormOrder[name] ?? [] {
            if let i = rest.firstIndex(where: { $0.name == key }) { first.append(rest.remove(at: i)) }
        }
        let inherentRest = rest.filter(isInherent).sorted { $0.name < $1.name }
        return first + inherentRest + rest.filter { !isInherent($0) }
    }

    /// The inherent attribute names of each op, all versions together, by base name.
    static let inherentNames: [String: Set<String>] = {
        var table: [String: Set<String>] = [:]
        for (name, attributes) in VHLOOpTable.propertyNames {
            table[baseName("vhlo." + name), default: []].formUnion(attributes)
        }
        return table
    }()

    /// The attributes a pretty form spells before its attribute dictionary, in order.
    static let prettyFormOrder: [String: [String]] = {
        var table: [String: [String]] = [
            "stablehlo.compare": ["comparison_direction", "compare_type"],
            "stablehlo.slice": ["start_indices", "limit_indices", "strides"],
            "stablehlo.reduce_precision": ["exponent_bits", "mantissa_bits"],
            "stablehlo.dot_general": ["dot_dimension_numbers", "precision_config", "algorithm"],
            "stablehlo.dot": ["precision_config"],
            "stablehlo.convolution": ["dimension_numbers", "window_strides", "padding", "lhs_dilation", "rhs_dilation", "window_reversal"],
            "stablehlo.custom_call": ["call_target_name"],
            "func.call": ["callee"],
            "stablehlo.reduce": ["dimensions"],
            "stablehlo.get_tuple_element": ["index"],
            "stablehlo.composite": ["name"],
            "stablehlo.constant": ["value"],
        ]
        for (op, keywords) in PrettyForms.keywordOps { table[op] = keywords.map(\.attribute) }
        return table
    }()

    /// The attribute the IR reader uses to carry an op's byte offset to this pass.
    static let offsetAttribute = "bytecode.offset"

    struct LegalizationFailure: Error {
        var text: String
    }

    /// `vhlo.dot_general_v2` → `dot_general`.
    static func baseName(_ name: String) -> String {
        var s = Substring(name.dropFirst(5))
        if let underscore = s.lastIndex(of: "_"), s[s.index(after: underscore)...].first == "v",
           s[s.index(underscore, offsetBy: 2)...].allSatisfy(\.isNumber) {
            s = s[..<underscore]
        }
        return String(s)
    }

    // MARK: Attribute helpers

    static func value(_ attrs: [NamedAttribute], _ name: String) -> Attribute? {
        attrs.first { $0.name == name }?.value
    }

    static func erase(_ attrs: inout [NamedAttribute], _ names: String...) {
        attrs.removeAll { names.contains($0.name) }
    }

    static func eraseIf(_ attrs: inout [NamedAttribute], _ name: String, _ isDefault: (Attribute) -> Bool) {
        if let v = value(attrs, name), isDefault(v) { erase(&attrs, name) }
    }

    static func isFalse(_ a: Attribute) -> Bool { a == .bool(false) }
    static func isEmptyArray(_ a: Attribute) -> Bool { a == .array([]) }
    static func isEmptyString(_ a: Attribute) -> Bool { a == .string("") }
    static func isEmptyDictionary(_ a: Attribute) -> Bool { a == .dictionary([]) }
    static func isInteger(_ a: Attribute, _ v: Int64) -> Bool {
        if case .integer(let x, _) = a { return x == v }
        return false
    }
    static func isEmptyTensor(_ a: Attribute) -> Bool {
        if case .dense(let d) = a { return d.bytes.isEmpty }
        return false
    }
    /// A dense tensor whose elements are all `v` (integers or bools).
    static func isSplat(_ a: Attribute, _ v: Int64) -> Bool {
        guard case .dense(let d) = a, d.type.elementCount <= maxExpandedElements, let values = d.int64Values else { return false }
        return values.allSatisfy { $0 == v }
    }
    static func isSplatArray(_ a: Attribute, _ item: Attribute) -> Bool {
        guard case .array(let items) = a else { return false }
        return items.allSatisfy { $0 == item }
    }
    static let defaultPrecision = Attribute.enumCase(dialect: "stablehlo", kind: "precision", value: "DEFAULT")

    /// The integers of a `tensor_v1` (or integer) attribute.
    static func ints(_ attrs: [NamedAttribute], _ name: String, required: Bool = true) throws -> [Int64] {
        guard let a = value(attrs, name) else {
            if required { throw LegalizationFailure(text: "missing attribute '\(name)'") }
            return []
        }
        guard case .dense(let d) = a, d.type.elementCount <= maxExpandedElements, let v = d.int64Values else {
            throw LegalizationFailure(text: "attribute '\(name)' must be a small integer tensor, found \(a)")
        }
        return v
    }

    /// Splat tensors expand to at most this many elements where an op needs the list.
    static let maxExpandedElements = 1 << 24

    static func int(_ attrs: [NamedAttribute], _ name: String) throws -> Int64 {
        guard let a = value(attrs, name), case .integer(let v, _) = a else {
            throw LegalizationFailure(text: "attribute '\(name)' must be an integer, found \(String(describing: value(attrs, name)))")
        }
        return v
    }

    static func integerArray(_ values: [Int64]) -> Attribute { .array(values.map { .integer($0, type: nil) }) }

    // MARK: Steps

    static func removeDefaults(_ base: String, _ attrs: inout [NamedAttribute]) throws {
        switch base {
        case "func":
            eraseIf(&attrs, "sym_visibility", isEmptyString)
            eraseIf(&attrs, "arg_attrs", isEmptyArray)
            eraseIf(&attrs, "res_attrs", isEmptyArray)
        case "all_gather", "all_reduce", "reduce_scatter", "collective_reduce":
            eraseIf(&attrs, "channel_id") { isInteger($0, 0) }
            eraseIf(&attrs, "use_global_device_ids", isFalse)
            eraseIf(&attrs, "has_dynamic_root", isFalse)
        case "all_to_all", "collective_permute", "collective_broadcast":
            eraseIf(&attrs, "channel_id") { isInteger($0, 0) }
            eraseIf(&attrs, "has_dynamic_root", isFalse)
        case "cholesky":
            eraseIf(&attrs, "lower", isFalse)
        case "compare":
            eraseIf(&attrs, "compare_type") { $0 == .enumCase(dialect: "stablehlo", kind: "comparison_type", value: "NOTYPE") }
        case "composite":
            eraseIf(&attrs, "version") { isInteger($0, 0) }
            eraseIf(&attrs, "composite_attributes", isEmptyDictionary)
        case "convolution", "dynamic_conv":
            eraseIf(&attrs, "window_strides") { isSplat($0, 1) }
            eraseIf(&attrs, "padding") { isSplat($0, 0) }
            eraseIf(&attrs, "lhs_dilation") { isSplat($0, 1) }
            eraseIf(&attrs, "rhs_dilation") { isSplat($0, 1) }
            eraseIf(&attrs, "window_reversal") { isSplat($0, 0) }
            eraseIf(&attrs, "precision_config") { isSplatArray($0, defaultPrecision) }
            if base == "dynamic_conv" { erase(&attrs, "padding") }
        case "custom_call":
            eraseIf(&attrs, "has_side_effect", isFalse)
            eraseIf(&attrs, "backend_config") { isEmptyString($0) || isEmptyDictionary($0) }
            eraseIf(&attrs, "api_version") { isInteger($0, 1) }
            eraseIf(&attrs, "called_computations", isEmptyArray)
            if let o = value(attrs, "operand_layouts"), let r = value(attrs, "result_layouts"), isEmptyArray(o), isEmptyArray(r) {
                erase(&attrs, "operand_layouts", "result_layouts")
            }
            eraseIf(&attrs, "output_operand_aliases", isEmptyArray)
            eraseIf(&attrs, "result_tilings", isEmptyArray)
        case "dot_general", "dot":
            eraseIf(&attrs, "precision_config") { isSplatArray($0, defaultPrecision) }
        case "dynamic_broadcast_in_dim":
            eraseIf(&attrs, "known_expanding_dimensions", isEmptyTensor)
            eraseIf(&attrs, "known_nonexpanding_dimensions", isEmptyTensor)
        case "dynamic_gather", "gather":
            eraseIf(&attrs, "indices_are_sorted", isFalse)
        case "infeed":
            // StableHLO 1.20 also drops an empty `infeed_config`/`outfeed_config`; jaxlib's 1.17
            // keeps them, and so does this reader.
            eraseIf(&attrs, "layout", isEmptyArray)
        case "recv", "send":
            eraseIf(&attrs, "is_host_transfer", isFalse)
            eraseIf(&attrs, "source_target_pairs", isEmptyTensor)
        case "reduce_window":
            eraseIf(&attrs, "window_strides") { isSplat($0, 1) }
            eraseIf(&attrs, "base_dilations") { isSplat($0, 1) }
            eraseIf(&attrs, "window_dilations") { isSplat($0, 1) }
            eraseIf(&attrs, "padding") { isSplat($0, 0) }
        case "scatter":
            eraseIf(&attrs, "indices_are_sorted", isFalse)
            eraseIf(&attrs, "unique_indices", isFalse)
        case "select_and_scatter":
            eraseIf(&attrs, "window_strides") { isSplat($0, 1) }
            eraseIf(&attrs, "padding") { isSplat($0, 0) }
        case "sort":
            eraseIf(&attrs, "dimension") { isInteger($0, -1) }
            eraseIf(&attrs, "is_stable", isFalse)
        case "cbrt", "cosine", "exponential", "exponential_minus_one", "log", "log_plus_one", "logistic",
             "rsqrt", "sine", "sqrt", "tan", "tanh":
            eraseIf(&attrs, "result_accuracy") { a in
                guard case .dialect(_, let ps) = a else { return false }
                return ps.count == 1 && ps[0].value == .opaque("#stablehlo.result_accuracy_mode<DEFAULT>")
            }
        default:
            break
        }
    }

    /// Folds the flat dimension attributes into structured StableHLO attributes.
    static func implode(_ base: String, _ attrs: inout [NamedAttribute]) throws {
        switch base {
        case "convolution", "dynamic_conv":
            let names = PrettyForms.convolutionParameterNames
            var ps: [NamedAttribute] = []
            for name in names {
                if name.hasSuffix("_dimensions") {
                    ps.append(NamedAttribute(name, integerArray(try ints(attrs, name))))
                } else {
                    ps.append(NamedAttribute(name, .integer(try int(attrs, name), type: nil)))
                }
            }
            attrs.removeAll { names.contains($0.name) }
            attrs.append(NamedAttribute("dimension_numbers", .dialect(name: "stablehlo.conv", parameters: ps)))
        case "dot_general":
            let names = ["lhs_batching_dimensions", "rhs_batching_dimensions", "lhs_contracting_dimensions", "rhs_contracting_dimensions"]
            var ps: [NamedAttribute] = []
            for name in names {
                let v = try ints(attrs, name)
                if !v.isEmpty || name.hasSuffix("contracting_dimensions") { ps.append(NamedAttribute(name, integerArray(v))) }
            }
            attrs.removeAll { names.contains($0.name) }
            attrs.append(NamedAttribute("dot_dimension_numbers", .dialect(name: "stablehlo.dot", parameters: ps)))
            let algorithmNames = ["lhs_precision_type", "rhs_precision_type", "accumulation_type", "lhs_component_count",
                                  "rhs_component_count", "num_primitive_operations", "allow_imprecise_accumulation"]
            let present = algorithmNames.compactMap { value(attrs, $0) }
            let isNone: (Attribute) -> Bool = { $0 == .type(.opaque("none")) }
            if !present.isEmpty, !present.allSatisfy(isNone) {
                var algorithm: [NamedAttribute] = []
                for name in algorithmNames {
                    guard var v = value(attrs, name) else { throw LegalizationFailure(text: "missing attribute '\(name)'") }
                    if case .integer(let x, _) = v { v = .integer(x, type: nil) }
                    algorithm.append(NamedAttribute(name, v))
                }
                attrs.append(NamedAttribute("algorithm", .dialect(name: "stablehlo.dot_algorithm", parameters: algorithm)))
            }
            attrs.removeAll { algorithmNames.contains($0.name) }
        case "gather", "dynamic_gather":
            let names = ["offset_dims", "collapsed_slice_dims", "operand_batching_dims", "start_indices_batching_dims", "start_index_map"]
            var ps: [NamedAttribute] = []
            for name in names {
                let v = try ints(attrs, name, required: !name.contains("batching"))
                if !v.isEmpty { ps.append(NamedAttribute(name, integerArray(v))) }
            }
            let indexVectorDim = try int(attrs, "index_vector_dim")
            if indexVectorDim != 0 { ps.append(NamedAttribute("index_vector_dim", .integer(indexVectorDim, type: nil))) }
            attrs.removeAll { names.contains($0.name) || $0.name == "index_vector_dim" }
            attrs.append(NamedAttribute("dimension_numbers", .dialect(name: "stablehlo.gather", parameters: ps)))
        case "scatter":
            let names = ["update_window_dims", "inserted_window_dims", "input_batching_dims", "scatter_indices_batching_dims",
                         "scatter_dims_to_operand_dims"]
            var ps: [NamedAttribute] = []
            for name in names {
                let v = try ints(attrs, name, required: !name.contains("batching"))
                if !v.isEmpty { ps.append(NamedAttribute(name, integerArray(v))) }
            }
            let indexVectorDim = try int(attrs, "index_vector_dim")
            if indexVectorDim != 0 { ps.append(NamedAttribute("index_vector_dim", .integer(indexVectorDim, type: nil))) }
            attrs.removeAll { names.contains($0.name) || $0.name == "index_vector_dim" }
            attrs.append(NamedAttribute("scatter_dimension_numbers", .dialect(name: "stablehlo.scatter", parameters: ps)))
        case "send", "recv":
            let handle = try int(attrs, "channel_id"), type = try int(attrs, "channel_type")
            attrs.removeAll { $0.name == "channel_id" || $0.name == "channel_type" }
            attrs.append(NamedAttribute("channel_handle", channelHandle(handle, type)))
        default:
            break
        }
    }

    static func channelHandle(_ handle: Int64, _ type: Int64) -> Attribute {
        .dialect(name: "stablehlo.channel_handle", parameters: [
            NamedAttribute("handle", .integer(handle, type: nil)), NamedAttribute("type", .integer(type, type: nil))])
    }

    /// A convolution's splat `padding` expanded: the pretty form spells every `[low, high]`
    /// pair, so the text parser never makes a splat of it.
    static func expandedPadding(_ a: Attribute) -> Attribute {
        guard case .dense(var d) = a, d.isSplat, d.type.rank == 2, d.type.elementCount <= maxExpandedElements else { return a }
        d.bytes = d.expandedBytes
        d.isSplat = false
        return .dense(d)
    }

    /// The attributes of each op that are `array<i64>` (or `array<i1>`) in StableHLO.
    static let denseArrayAttributes: [String: Set<String>] = [
        "fft": ["fft_length"], "broadcast": ["broadcast_sizes"], "dynamic_slice": ["slice_sizes"],
        "reverse": ["dimensions"], "transpose": ["permutation"],
        "pad": ["edge_padding_low", "edge_padding_high", "interior_padding"],
        "slice": ["start_indices", "limit_indices", "strides"], "broadcast_in_dim": ["broadcast_dimensions"],
        "dynamic_broadcast_in_dim": ["broadcast_dimensions", "known_expanding_dimensions", "known_nonexpanding_dimensions"],
        "select_and_scatter": ["window_dimensions", "window_strides"],
        "reduce_window": ["window_dimensions", "window_strides", "base_dilations", "window_dilations"],
        "map": ["dimensions"], "reduce": ["dimensions"], "gather": ["slice_sizes"],
        "convolution": ["lhs_dilation", "rhs_dilation", "window_strides", "window_reversal"],
        "dynamic_conv": ["lhs_dilation", "rhs_dilation", "window_strides", "window_reversal"],
    ]

    static func convertSpecial(_ base: String, _ attrs: inout [NamedAttribute]) throws {
        let arrays = denseArrayAttributes[base] ?? []
        for k in attrs.indices {
            let name = attrs[k].name
            let a = attrs[k].value
            switch (base, name) {
            case ("all_gather", "channel_id"), ("all_reduce", "channel_id"), ("all_to_all", "channel_id"),
                 ("collective_permute", "channel_id"), ("reduce_scatter", "channel_id"),
                 ("collective_broadcast", "channel_id"), ("collective_reduce", "channel_id"):
                guard case .integer(let v, _) = a else { throw LegalizationFailure(text: "channel_id must be an integer") }
                attrs[k] = NamedAttribute("channel_handle", channelHandle(v, 0))
            case (_, "use_global_device_ids"), (_, "has_dynamic_root"):
                attrs[k].value = .unit
            case ("custom_call", "called_computations"):
                guard case .array(let items) = a else { throw LegalizationFailure(text: "called_computations must be an array") }
                attrs[k].value = .array(try items.map { item in
                    guard case .string(let s) = item else { throw LegalizationFailure(text: "called_computations must hold strings") }
                    return .symbolRef(s)
                })
            case ("convolution", "padding"):
                attrs[k].value = expandedPadding(a)
            case ("composite", "decomposition"), ("call", "callee"):
                guard case .string(let s) = a else { throw LegalizationFailure(text: "\(name) must be a string") }
                attrs[k].value = .symbolRef(s)
            default:
                guard arrays.contains(name) else { continue }
                guard case .dense(let d) = a, d.type.elementCount <= maxExpandedElements, let values = d.int64Values else {
                    throw LegalizationFailure(text: "attribute '\(name)' must be a small integer tensor, found \(a)")
                }
                attrs[k].value = .denseInts(d.type.elementType == .i1 ? .i1 : .si(64), values)
            }
        }
    }
}
