import Foundation
import StableHLO

/// Whether gathers fuse (`NVGPU_FUSED_GATHER=0` gives each its own kernel, for comparison).
enum FusedGatherPolicy {
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_FUSED_GATHER"] != "0" }
}

/// `stablehlo.gather` inside a fusion: the result element at `index` is the operand's value
/// at a position computed from the start indices, so the operand's producers are evaluated
/// there only (a log-softmax feeding a label gather is never written out) and the start
/// indices come from their own producers. Starts are clamped so the slice fits, as the spec
/// says; an operand coordinate that is a result coordinate keeps its term (and what it is
/// known to be, such as a row kernel's current row).
extension KernelBodyWriter {
    func gather(_ op: StableHLO.Operation, at index: ElementIndex) throws -> String {
        let g = try GatherGeometry(op)
        let t = terms(index)
        guard t.count == g.result.shape.count else {
            throw CodeGenError("\(g.describe): index of rank \(t.count)", at: op.location)
        }
        var starts: [Int: String] = [:]
        for (k, d) in g.dims.startIndexMap.enumerated() {
            let position = ElementIndex(shape: g.indices.shape, terms: g.indicesTerms(entry: k, result: t))
            let raw = try value(op.operands[1], at: position)
            let high = g.highestStart(d)
            let unsigned: Bool
            if case .ui = g.indexType.elementType { unsigned = true } else { unsigned = false }
            let clamped = !unsigned
                ? "((long long)(\(raw)) < 0LL ? 0LL : ((long long)(\(raw)) > \(high)LL ? \(high)LL : (long long)(\(raw))))"
                : "((unsigned long long)(\(raw)) > \(high)ULL ? \(high)LL : (long long)(\(raw)))"
            starts[d] = bind("(\(indexType))\(clamped)", type: indexType, prefix: "i")
        }
        var operandTerms: [IndexTerm] = []
        for d in g.operand.shape.indices {
            var own: IndexTerm?
            var parts: [String] = []
            if let start = starts[d] { parts.append(start) }
            if let b = g.dims.operandBatchingDims.firstIndex(of: d) {
                let term = t[g.resultAxis(ofIndicesDimension: g.dims.startIndicesBatchingDims[b])]
                own = term
                parts.append(term.code)
            }
            if let m = g.offsetOperandDims.firstIndex(of: d) {
                let term = t[g.dims.offsetDims[m]]
                own = term
                parts.append(term.code)
            }
            if g.operand.shape[d] == 1 {
                operandTerms.append(.zero)
            } else if parts.count == 1, let own {
                operandTerms.append(own)
            } else if parts.isEmpty {
                operandTerms.append(.zero)
            } else {
                operandTerms.append(IndexTerm(code: bind(parts.joined(separator: " + "), type: indexType, prefix: "i"), tag: .other))
            }
        }
        return try value(op.operands[0], at: ElementIndex(shape: g.operand.shape, terms: operandTerms))
    }
}
