extension PrettyPrinting {
    /// `slice %x [0:2, 1:4:2]`.
    static let slicePrinter = PrettyPrinter(
        canPrint: { op in
            guard op.operands.count == 1, op.results.count == 1, op.attributes.count >= 3,
                  case .denseInts(.si(64), let starts) = op.attributes[0].value, op.attributes[0].name == "start_indices",
                  case .denseInts(.si(64), let limits) = op.attributes[1].value, op.attributes[1].name == "limit_indices",
                  case .denseInts(.si(64), let strides) = op.attributes[2].value, op.attributes[2].name == "strides" else { return false }
            let names: Set<String> = ["start_indices", "limit_indices", "strides"]
            return starts.count == limits.count && limits.count == strides.count
                && !op.attributes.dropFirst(3).contains { names.contains($0.name) }
        },
        write: { p, op in
            guard case .denseInts(_, let starts) = op.attributes[0].value,
                  case .denseInts(_, let limits) = op.attributes[1].value,
                  case .denseInts(_, let strides) = op.attributes[2].value else { return }
            p.output += "stablehlo.slice " + p.name(op.operands[0]) + " ["
            for i in starts.indices {
                if i > 0 { p.output += ", " }
                p.output += "\(starts[i]):\(limits[i])"
                if strides[i] != 1 { p.output += ":\(strides[i])" }
            }
            p.output += "]"
            p.writeExtraAttributes(op.attributes.dropFirst(3))
            p.writeFunctionalType(op)
        })

    /// `reduce(%x init: %c) applies op across dimensions = [..]` or the `reducer` form.
    static let reducePrinter = PrettyPrinter(
        canPrint: { op in
            guard op.operands.count >= 2, op.operands.count % 2 == 0, op.regions.count == 1,
                  op.regions[0].blocks.count == 1, op.regions[0].blocks[0].arguments.count == op.operands.count,
                  op.attributes.first?.name == "dimensions", case .denseInts(.si(64), _)? = op.attributes.first?.value else { return false }
            return !op.attributes.dropFirst().contains { $0.name == "dimensions" }
        },
        write: { p, op in
            let pairs = op.operands.count / 2
            p.output += "stablehlo.reduce"
            p.output += (0..<pairs).map { "(\(p.name(op.operands[$0])) init: \(p.name(op.operands[$0 + pairs])))" }
                .joined(separator: ", ")
            let block = op.regions[0].blocks[0]
            let compactOp = compactReduction(op)
            if let compactOp { p.output += " applies " + compactOp }
            guard case .denseInts(_, let dims) = op.attributes[0].value else { return }
            p.output += " across dimensions = [" + dims.map(String.init).joined(separator: ", ") + "]"
            p.writeExtraAttributes(op.attributes.dropFirst())
            p.writeFunctionalType(op)
            guard compactOp == nil else { return }
            p.output += "\n"
            p.writeIndent()
            p.output += " reducer"
            for i in 0..<pairs {
                let a = block.arguments[i], b = block.arguments[i + pairs]
                p.output += "(\(p.name(a)): \(a.type), \(p.name(b)): \(b.type)) "
            }
            p.output += " "
            p.print(op.regions[0], entryHeader: false)
        })

    /// The inner op's name when `op`'s body is `return(inner(arg0, arg1))` as the compact
    /// form would rebuild it.
    static func compactReduction(_ op: Operation) -> String? {
        let block = op.regions[0].blocks[0]
        guard op.operands.count == 2, block.operations.count == 2, case .tensor(let t) = op.operands[0].type else { return nil }
        let scalar = IRType.tensor(TensorType(shape: [], elementType: t.elementType))
        let inner = block.operations[0], ret = block.operations[1]
        guard block.arguments.allSatisfy({ $0.type == scalar }), inner.operands == block.arguments,
              inner.results.count == 1, inner.results[0].type == scalar, inner.attributes.isEmpty, inner.regions.isEmpty,
              inner.name.hasPrefix("stablehlo."), AttributePrinter.isBareIdentifier(inner.name),
              ret.name == "stablehlo.return", ret.operands == inner.results, ret.attributes.isEmpty, ret.results.isEmpty,
              ret.regions.isEmpty else { return nil }
        return inner.name
    }

    /// `while(%it = %x) : T attributes {...} cond { ... } do { ... }`.
    static let whilePrinter = PrettyPrinter(
        canPrint: { op in
            guard op.regions.count == 2, op.results.count == op.operands.count else { return false }
            let types = op.operands.map(\.type)
            return op.regions.allSatisfy { r in r.blocks.count == 1 && r.blocks[0].arguments.map(\.type) == types }
                && op.results.map(\.type) == types
        },
        write: { p, op in
            let condArgs = op.regions[0].blocks[0].arguments
            let bodyArgs = op.regions[1].blocks[0].arguments
            p.output += "stablehlo.while("
            p.output += zip(condArgs, op.operands).map { "\(p.name($0.0)) = \(p.name($0.1))" }.joined(separator: ", ")
            p.output += ")"
            if !op.operands.isEmpty { p.output += " : " + op.operands.map(\.type.description).joined(separator: ", ") }
            if !op.attributes.isEmpty {
                p.output += " attributes "
                AttributePrinter.writeDictionary(op.attributes, to: &p.output)
            }
            p.output += "\n"
            p.writeIndent()
            p.output += " cond "
            p.print(op.regions[0], entryHeader: false)
            for (b, c) in zip(bodyArgs, condArgs) { p.renamed[b.id] = p.name(c) }
            p.output += " do "
            p.print(op.regions[1], entryHeader: false)
            for b in bodyArgs { p.renamed[b.id] = nil }
        })

    /// `dot_general %a, %b, batching_dims = [..] x [..], contracting_dims = [..] x [..], precision = [..]`.
    static let dotGeneralPrinter = PrettyPrinter(
        canPrint: { op in
            guard op.operands.count == 2, op.results.count == 1, op.regions.isEmpty,
                  op.attributes.first?.name == "dot_dimension_numbers",
                  case .dialect("stablehlo.dot", let parameters)? = op.attributes.first?.value else { return false }
            let expected = ["lhs_batching_dimensions", "rhs_batching_dimensions", "lhs_contracting_dimensions", "rhs_contracting_dimensions"]
            let present = parameters.map(\.name)
            guard present == expected || present == Array(expected.suffix(2)),
                  parameters.allSatisfy({ p in if case .array(let items) = p.value { return items.allSatisfy { if case .integer(_, nil) = $0 { return true }; return false } }; return false })
            else { return false }
            var rest = op.attributes.dropFirst()
            if rest.first?.name == "precision_config" {
                guard case .array(let items)? = rest.first?.value,
                      items.allSatisfy({ if case .enumCase("stablehlo", "precision", _) = $0 { return true }; return false }) else { return false }
                rest = rest.dropFirst()
            }
            let names: Set<String> = ["dot_dimension_numbers", "precision_config", "algorithm"]
            return !rest.contains { names.contains($0.name) }
        },
        write: { p, op in
            guard case .dialect(_, let parameters) = op.attributes[0].value else { return }
            func list(_ name: String) -> String {
                "[" + (parameters.first { $0.name == name }?.value.intArray ?? []).map(String.init).joined(separator: ", ") + "]"
            }
            p.output += "stablehlo.dot_general " + p.names(op.operands) + ", "
            if parameters.count == 4 {
                p.output += "batching_dims = " + list("lhs_batching_dimensions") + " x " + list("rhs_batching_dimensions") + ", "
            }
            p.output += "contracting_dims = " + list("lhs_contracting_dimensions") + " x " + list("rhs_contracting_dimensions")
            var rest = op.attributes.dropFirst()
            if rest.first?.name == "precision_config", case .array(let items)? = rest.first?.value {
                p.output += ", precision = [" + items.compactMap { if case .enumCase(_, _, let v) = $0 { return v }; return nil }.joined(separator: ", ") + "]"
                rest = rest.dropFirst()
            }
            p.writeExtraAttributes(rest)
            p.writeFunctionalType(op)
        })
}
