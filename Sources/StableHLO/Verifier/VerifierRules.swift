/// A check of one op kind against the spec's constraints; throws the first broken one.
typealias VerificationRule = @Sendable (VerifiedOperation) throws -> Void

/// The verifier's dispatch table: op name → rule, merged from the per-family tables.
enum VerifierRules {
    static let table: [String: VerificationRule] = {
        var merged: [String: VerificationRule] = [:]
        let families: [[String: VerificationRule]] = [
            ElementwiseRules.table, ConversionRules.table, ShapeRules.table,
            SlicingRules.table, ReductionRules.table, DotConvolutionRules.table,
            GatherScatterRules.table, ControlFlowRules.table, LinearAlgebraRules.table,
            DynamicShapeRules.table, NormalizationRules.table, CollectiveRules.table,
            QuantizationRules.table,
        ]
        for family in families { merged.merge(family) { first, _ in first } }
        return merged
    }()

    /// Ops whose regions must end with `stablehlo.return`.
    static let opsWithTerminatedRegions: Set<String> = [
        "stablehlo.reduce", "stablehlo.reduce_window", "stablehlo.select_and_scatter",
        "stablehlo.scatter", "stablehlo.sort", "stablehlo.while", "stablehlo.if",
        "stablehlo.case", "stablehlo.map", "stablehlo.all_reduce", "stablehlo.reduce_scatter",
    ]
}

/// The kinds of element type the spec's input tables name ("tensor of integer type").
struct ElementClass: OptionSet, Sendable, CustomStringConvertible {
    let rawValue: Int
    static let bool = ElementClass(rawValue: 1)
    static let signedInteger = ElementClass(rawValue: 2)
    static let unsignedInteger = ElementClass(rawValue: 4)
    static let float = ElementClass(rawValue: 8)
    static let complex = ElementClass(rawValue: 16)
    static let integer: ElementClass = [.signedInteger, .unsignedInteger]
    static let any: ElementClass = [.bool, .integer, .float, .complex]

    /// The class of one element type (`index` counts as a signed integer).
    init(_ type: ElementType) {
        switch type {
        case .i1: self = .bool
        case .si, .index: self = .signedInteger
        case .ui: self = .unsignedInteger
        case .float: self = .float
        case .complex: self = .complex
        }
    }

    init(rawValue: Int) { self.rawValue = rawValue }

    /// "boolean, integer or floating-point".
    var description: String {
        var names: [String] = []
        if contains(.bool) { names.append("boolean") }
        if contains(.integer) { names.append("integer") } else if contains(.signedInteger) {
            names.append("signed integer")
        } else if contains(.unsignedInteger) { names.append("unsigned integer") }
        if contains(.float) { names.append("floating-point") }
        if contains(.complex) { names.append("complex") }
        guard names.count > 1 else { return names.first ?? "no" }
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }
}

extension VerifiedOperation {
    /// Throws unless `type`'s element type is one of `allowed`.
    func expectElementClass(_ type: TensorType, _ allowed: ElementClass, _ what: String) throws {
        guard allowed.contains(ElementClass(type.elementType)) else {
            throw error("\(what) must be a tensor of \(allowed) type, got \(type)")
        }
    }
}

/// Whether a reduction body's element type `to` can hold `from` (the spec's
/// `is_promotable`): the same kind of type, at least as wide.
func isPromotable(_ from: ElementType, to: ElementType) -> Bool {
    if from == to { return true }
    switch (from, to) {
    case (.si(let a), .si(let b)), (.ui(let a), .ui(let b)): return b >= a
    case (.float(let a), .float(let b)): return b.bitWidth >= a.bitWidth
    case (.complex(let a), .complex(let b)): return b.bitWidth >= a.bitWidth
    default: return false
    }
}

/// `tensor<E>`: the scalar tensor type region arguments use.
func scalarTensor(_ element: ElementType) -> IRType {
    .tensor(TensorType(shape: [], elementType: element))
}
