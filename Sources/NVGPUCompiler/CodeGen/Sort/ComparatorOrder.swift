import StableHLO

/// Recognises sort comparators that are strict weak orders, for which a merge-path merge
/// (threads splitting one merge by binary search) gives the sequential stable merge's
/// result exactly; other comparators keep the reference's one-thread-per-merge order.
///
/// Recognised: the region returns `compare LT|GT (f(lhs), f(rhs))` (either operand order)
/// where `f` is one expression of the lhs elements and the same expression of the rhs
/// elements, compared as integers (any compare type) or as floats in `TOTALORDER`: then
/// `less(a, b)` is `key(a) < key(b)` (or `>`) for one total order on keys. This covers a
/// plain `compare LT` on integers and JAX's float comparator (NaNs and zeros made
/// canonical, then `TOTALORDER`); `FLOAT` comparisons (NaN is unordered) are not.
enum ComparatorOrder {
    static func isStrictWeakOrder(_ region: Region) -> Bool {
        guard region.blocks.count == 1, let block = region.entry, let ret = block.operations.last,
              ret.operands.count == 1, block.arguments.count % 2 == 0 else { return false }
        var definitions: [Int: Operation] = [:]
        for op in block.operations { for r in op.results { definitions[r.id] = op } }
        guard let compare = definitions[ret.operands[0].id], compare.name == "stablehlo.compare",
              compare.operands.count == 2,
              case .enumCase(_, _, let direction)? = compare[attribute: "comparison_direction"],
              direction == "LT" || direction == "GT",
              let keyType = compare.operandTensorType(0)?.elementType else { return false }
        var compareType = ""
        if case .enumCase(_, _, let t)? = compare[attribute: "compare_type"] { compareType = t }
        guard keyType.isInteger || keyType.isBool || (keyType.isFloat && compareType == "TOTALORDER") else { return false }
        let keys = Keys(block)
        let (x, y) = (compare.operands[0].id, compare.operands[1].id)
        if let l = keys.ids[0][x], l == keys.ids[1][y] { return true }
        if let l = keys.ids[1][x], l == keys.ids[0][y] { return true }
        return false
    }

    /// Canonical numbers of the values of a comparator written with one side's arguments
    /// only (side 0: the lhs elements `%arg2k`, side 1: the rhs elements `%arg2k+1`): two
    /// values get the same number when they are the same expression of their side's
    /// elements. One pass over the block (its ops come in definition order).
    private struct Keys {
        var ids: [[Int: Int]] = [[:], [:]]
        private var table: [String: Int] = [:]

        init(_ block: Block) {
            for (index, argument) in block.arguments.enumerated() {
                ids[index % 2][argument.id] = intern("arg\(index / 2)")
            }
            for op in block.operations where op.regions.isEmpty
                && (OperationClass.elementwiseNames.contains(op.name) || op.name == "stablehlo.constant") {
                let attributes = op.attributes.map { "\($0.name)=\($0.value)" }.sorted().joined(separator: ",")
                for side in 0..<2 {
                    let children = op.operands.compactMap { ids[side][$0.id] }
                    guard children.count == op.operands.count else { continue }
                    for (k, result) in op.results.enumerated() {
                        ids[side][result.id] = intern("\(op.name)#\(k)[\(attributes)](\(children.map(String.init).joined(separator: ",")))")
                    }
                }
            }
        }

        private mutating func intern(_ key: String) -> Int {
            if let id = table[key] { return id }
            table[key] = table.count
            return table.count - 1
        }
    }
}
