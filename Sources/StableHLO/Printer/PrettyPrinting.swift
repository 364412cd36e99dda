/// How one op prints in its pretty form: whether its attributes fit the form, and the
/// writer for the text after `%results = `.
struct PrettyPrinter: Sendable {
    /// True when the pretty form can carry every attribute and region of the op exactly.
    var canPrint: @Sendable (Operation) -> Bool
    /// Writes the op name and everything after it (no newline).
    var write: @Sendable (inout ModulePrinter, Operation) -> Void
}

/// The pretty printers, keyed by op name: the mirror of `PrettyForms` for the common ops.
enum PrettyPrinting {
    /// Ops whose printed type is `: T` when operand and result types agree.
    static let sameTypeOps: Set<String> = [
        "abs", "cbrt", "ceil", "convert", "count_leading_zeros", "cosine", "exponential",
        "exponential_minus_one", "floor", "imag", "log", "log_plus_one", "logistic", "not",
        "negate", "popcnt", "real", "round_nearest_afz", "round_nearest_even", "rsqrt", "sign",
        "sine", "sqrt", "tan", "tanh", "add", "atan2", "divide", "maximum", "minimum",
        "multiply", "power", "remainder", "shift_left", "shift_right_arithmetic",
        "shift_right_logical", "subtract", "and", "or", "xor", "clamp", "reverse",
        "uniform_quantize", "uniform_dequantize", "cholesky", "probe",
    ]
    /// Ops whose printed type is always `(A, B) -> C`.
    static let functionalOps: Set<String> = [
        "is_finite", "bitcast_convert", "reshape", "dynamic_reshape", "dynamic_update_slice",
        "real_dynamic_slice", "dynamic_pad",
    ]

    static let table: [String: PrettyPrinter] = {
        var table: [String: PrettyPrinter] = [:]
        for op in sameTypeOps.union(functionalOps) where op != "reverse" {
            table["stablehlo." + op] = PrettyPrinter(
                canPrint: { $0.results.count == 1 && $0.regions.isEmpty && !$0.operands.isEmpty },
                write: { p, op in
                    p.output += op.name + " " + p.names(op.operands)
                    p.writeExtraAttributes(op.attributes[...])
                    p.writeSignature(op)
                })
        }
        for (name, keywords) in PrettyForms.keywordOps {
            table[name] = keywordPrinter(keywords)
        }
        table["stablehlo.constant"] = PrettyPrinter(
            canPrint: { op in
                guard op.results.count == 1, op.operands.isEmpty, op.attributes.count == 1,
                      op.attributes[0].name == "value", case .dense(let d) = op.attributes[0].value else { return false }
                return op.results[0].type == .tensor(d.type)
            },
            write: { p, op in
                p.output += op.name + " "
                AttributePrinter.write(op.attributes[0].value, to: &p.output)
            })
        table["stablehlo.compare"] = PrettyPrinter(
            canPrint: { op in
                guard op.operands.count == 2, op.results.count == 1, let first = op.attributes.first,
                      first.name == "comparison_direction", case .enumCase = first.value else { return false }
                let rest = op.attributes.dropFirst()
                if let second = rest.first, second.name == "compare_type" {
                    guard case .enumCase = second.value else { return false }
                    return !rest.dropFirst().contains { $0.name == "comparison_direction" || $0.name == "compare_type" }
                }
                return !rest.contains { $0.name == "compare_type" }
            },
            write: { p, op in
                guard case .enumCase(_, _, let direction) = op.attributes[0].value else { return }
                p.output += op.name + "  " + direction + ", " + p.names(op.operands)
                var extra = op.attributes.dropFirst()
                if let second = extra.first, second.name == "compare_type", case .enumCase(_, _, let t) = second.value {
                    p.output += ",  " + t
                    extra = extra.dropFirst()
                }
                p.writeExtraAttributes(extra)
                p.writeFunctionalType(op)
            })
        let returnPrinter = PrettyPrinter(
            canPrint: { $0.results.isEmpty && $0.attributes.isEmpty && $0.regions.isEmpty },
            write: { p, op in
                p.output += op.name
                if !op.operands.isEmpty {
                    p.output += " " + p.names(op.operands) + " : " + op.operands.map(\.type.description).joined(separator: ", ")
                }
            })
        table["stablehlo.return"] = returnPrinter
        table["func.return"] = returnPrinter
        table["func.call"] = PrettyPrinter(
            canPrint: { op in
                guard case .symbolRef? = op.attributes.first?.value, op.attributes[0].name == "callee" else { return false }
                return op.regions.isEmpty && !op.attributes.dropFirst().contains { $0.name == "callee" }
            },
            write: { p, op in
                p.output += "func.call "
                AttributePrinter.write(op.attributes[0].value, to: &p.output)
                p.output += "(" + p.names(op.operands) + ")"
                p.writeExtraAttributes(op.attributes.dropFirst())
                p.writeFunctionalType(op)
            })
        table["stablehlo.custom_call"] = PrettyPrinter(
            canPrint: { op in
                guard case .string? = op.attributes.first?.value, op.attributes[0].name == "call_target_name" else { return false }
                return op.regions.isEmpty && !op.attributes.dropFirst().contains { $0.name == "call_target_name" }
            },
            write: { p, op in
                guard case .string(let target) = op.attributes[0].value else { return }
                p.output += "stablehlo.custom_call @" + AttributePrinter.symbolName(target)
                p.output += "(" + p.names(op.operands) + ")"
                p.writeExtraAttributes(op.attributes.dropFirst())
                p.writeFunctionalType(op)
            })
        table["stablehlo.slice"] = slicePrinter
        table["stablehlo.reduce"] = reducePrinter
        table["stablehlo.while"] = whilePrinter
        table["stablehlo.dot_general"] = dotGeneralPrinter
        return table
    }()

    /// The printer for an op of `PrettyForms.keywordOps`.
    static func keywordPrinter(_ keywords: [Keyword]) -> PrettyPrinter {
        PrettyPrinter(
            canPrint: { op in
                guard op.results.count == 1, op.regions.isEmpty else { return false }
                var index = 0
                for k in keywords {
                    guard index < op.attributes.count, op.attributes[index].name == k.attribute else {
                        if k.isOptional { continue }
                        return false
                    }
                    guard fits(op.attributes[index].value, k.value) else { return false }
                    index += 1
                }
                let names = Set(keywords.map(\.attribute))
                return !op.attributes[index...].contains { names.contains($0.name) }
            },
            write: { p, op in
                p.output += op.name
                if !op.operands.isEmpty { p.output += " " + p.names(op.operands) }
                var index = 0
                for k in keywords {
                    guard index < op.attributes.count, op.attributes[index].name == k.attribute else { continue }
                    p.output += (index == 0 && op.operands.isEmpty ? " " : ", ") + k.keyword + " = "
                    p.writeKeywordValue(op.attributes[index].value)
                    index += 1
                }
                p.writeExtraAttributes(op.attributes[index...])
                p.writeSignature(op)
            })
    }

    /// True when `value` is stored the way the keyword form parses `kind`.
    static func fits(_ value: Attribute, _ kind: KeywordValue) -> Bool {
        switch (kind, value) {
        case (.i64Array, .denseInts(.si(64), _)): return true
        case (.i64, .integer(_, .scalar(.si(64))?)): return true
        case (.i32, .integer(_, .scalar(.si(32))?)): return true
        case (.enumCase(let kind), .enumCase("stablehlo", let k, _)): return kind == k
        case (.string, .string), (.bool, .bool): return true
        default: return false
        }
    }
}

extension ModulePrinter {
    /// Writes ` {a = 1}` for attributes the pretty form has no syntax for.
    mutating func writeExtraAttributes(_ attributes: ArraySlice<NamedAttribute>) {
        guard !attributes.isEmpty else { return }
        output += " "
        AttributePrinter.writeDictionary(Array(attributes), to: &output)
    }

    /// Writes ` : T` when every operand and the result have one type, else the functional type.
    mutating func writeSignature(_ op: Operation) {
        let short = String(op.shortName)
        if op.results.count == 1, !PrettyPrinting.functionalOps.contains(short),
           op.operands.isEmpty || (PrettyPrinting.sameTypeOps.contains(short) && op.operands.allSatisfy({ $0.type == op.results[0].type })) {
            output += " : " + op.results[0].type.description
        } else {
            writeFunctionalType(op)
        }
    }

    /// Writes ` : (A, B) -> C`.
    mutating func writeFunctionalType(_ op: Operation) {
        output += " : (" + op.operands.map(\.type.description).joined(separator: ", ") + ") -> "
        if op.results.count == 1, !Self.isFunctionType(op.results[0].type) {
            output += op.results[0].type.description
        } else {
            output += "(" + op.results.map(\.type.description).joined(separator: ", ") + ")"
        }
    }

    /// Writes a keyword clause's value: `[1, 2]`, `3`, `LT`, `"s"`, `true`.
    mutating func writeKeywordValue(_ value: Attribute) {
        switch value {
        case .denseInts(_, let values): output += "[" + values.map(String.init).joined(separator: ", ") + "]"
        case .integer(let v, _): output += String(v)
        case .enumCase(_, _, let v): output += v
        default: AttributePrinter.write(value, to: &output)
        }
    }
}
