/// How indices vary over the lanes of a loop-kernel thread (`LaneForm`): linear positions
/// split into terms and terms summed into positions, keeping `base + lane` forms wherever
/// the lanes stay within the minor dimension.
extension KernelBodyWriter {
    /// The terms of linear position `linear` (of form `form`) in `shape`, each with its lane
    /// form, when the lanes stay within the minor dimension: every stride above it a multiple
    /// of the lane width and the minor extent too. Codes are unbound.
    static func laneTerms(of form: LaneForm, linear: String, shape: [Int], strides: [Int]) -> [IndexTerm]? {
        switch form {
        case .invariant:
            return shape.indices.map { k in
                if shape[k] == 1 { return .zero }
                var code = strides[k] == 1 ? "(\(linear))" : "((\(linear)) / \(strides[k]))"
                if k > 0 { code = "(\(code) % \(shape[k]))" }
                return IndexTerm(code: code, tag: .other, laneForm: .invariant)
            }
        case let .offset(base, element, width):
            return shape.indices.map { k -> IndexTerm? in
                if shape[k] == 1 { return .zero }
                if strides[k] == 1 {
                    guard shape[k] % width == 0 else { return nil }
                    let b = k > 0 ? "((\(base)) % \(shape[k]))" : "(\(base))"
                    return IndexTerm(code: "(\(b) + \(element))", tag: .other,
                                     laneForm: .offset(base: b, element: element, width: width))
                }
                guard strides[k] % width == 0 else { return nil }
                var code = "((\(base)) / \(strides[k]))"
                if k > 0 { code = "(\(code) % \(shape[k]))" }
                return IndexTerm(code: code, tag: .other, laneForm: .invariant)
            }.reduce(into: [IndexTerm]?([])) { result, term in
                if let term { result?.append(term) } else { result = nil }
            }
        }
    }

    /// The linear position of `terms` (kept: the non-unit, non-zero ones) over the lanes:
    /// invariant when every term is, `base + element` when one term at stride 1 is an offset
    /// (its extent a multiple of the width) and the rest are invariant; nil otherwise.
    static func lanePosition(_ terms: [IndexTerm], kept: [Int], shape: [Int], strides: [Int])
        -> (sum: String, form: LaneForm)? {
        var offset: (k: Int, base: String, element: Int, width: Int)?
        for k in kept {
            switch terms[k].laneForm {
            case .invariant?: continue
            case let .offset(base, element, width)?:
                guard offset == nil, strides[k] == 1, shape[k] % width == 0 else { return nil }
                offset = (k, base, element, width)
            case nil: return nil
            }
        }
        let invariant = kept.filter { $0 != offset?.k }.map { k in
            strides[k] == 1 ? terms[k].code : "\(terms[k].code) * \(strides[k])"
        }
        guard let offset else { return (invariant.joined(separator: " + "), .invariant) }
        let base = (invariant + [offset.base]).joined(separator: " + ")
        return ("\(base) + \(offset.element)", .offset(base: base, element: offset.element, width: offset.width))
    }
}
