import Testing
@testable import NVGPUCompiler

/// The CUDA op-family registry: families are found by op name, names do not collide, and
/// the elementwise op set is the expression table's.
@Suite struct OpFamilyRegistryTests {
    /// The elementwise ops listed by hand before the list derived from `ExpressionTable`.
    static let coreElementwise: [String] = [
            "stablehlo.add",
            "stablehlo.subtract",
            "stablehlo.multiply",
            "stablehlo.divide",
            "stablehlo.remainder",
            "stablehlo.power",
            "stablehlo.maximum",
            "stablehlo.minimum",
            "stablehlo.atan2",
            "stablehlo.and",
            "stablehlo.or",
            "stablehlo.xor",
            "stablehlo.shift_left",
            "stablehlo.shift_right_logical",
            "stablehlo.shift_right_arithmetic",
            "stablehlo.abs",
            "stablehlo.negate",
            "stablehlo.exponential",
            "stablehlo.exponential_minus_one",
            "stablehlo.log",
            "stablehlo.log_plus_one",
            "stablehlo.logistic",
            "stablehlo.sqrt",
            "stablehlo.rsqrt",
            "stablehlo.cbrt",
            "stablehlo.sine",
            "stablehlo.cosine",
            "stablehlo.tan",
            "stablehlo.tanh",
            "stablehlo.floor",
            "stablehlo.ceil",
            "stablehlo.round_nearest_afz",
            "stablehlo.round_nearest_even",
            "stablehlo.sign",
            "stablehlo.not",
            "stablehlo.popcnt",
            "stablehlo.count_leading_zeros",
            "stablehlo.is_finite",
            "stablehlo.convert",
            "stablehlo.clamp",
            "stablehlo.select",
            "stablehlo.compare",
            "stablehlo.bitcast_convert",
    ]

    @Test("the elementwise op set derives from ExpressionTable and keeps every core op")
    func elementwiseFromExpressionTable() {
        #expect(OperationClass.elementwiseNames == ExpressionTable.operationNames)
        let missing = Self.coreElementwise.filter { !OperationClass.elementwiseNames.contains($0) }
        #expect(missing.isEmpty, "not elementwise any more: \(missing)")
    }

    @Test("each op name belongs to one kernel family")
    func familiesDoNotOverlap() {
        var owner: [String: String] = [:]
        for family in KernelFamilies.all {
            for name in family.operationNames {
                #expect(owner[name] == nil, "\(name) is claimed by \(owner[name] ?? "") and \(family)")
                owner[name] = "\(family)"
            }
        }
        #expect(KernelFamilies.byName.count == owner.count)
    }

    @Test("control-flow ops are their own class, not a kernel family")
    func controlFlowIsNotAFamily() {
        for name in ["stablehlo.while", "stablehlo.if", "stablehlo.case"] {
            #expect(KernelFamilies.byName[name] == nil)
            #expect(ControlFlowLowering.operationNames.contains(name))
        }
    }
}
