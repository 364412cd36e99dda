/// Control flow and structure: `while`, `if`, `case`, `func.call`, tuples, tokens and
/// `optimization_barrier`. Region signatures must match the operands and results.
enum ControlFlowRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.while": whileLoop,
        "stablehlo.if": ifThenElse,
        "stablehlo.case": caseOf,
        "func.call": call,
        "call": call,
        "stablehlo.tuple": tuple,
        "stablehlo.get_tuple_element": getTupleElement,
        "stablehlo.optimization_barrier": optimizationBarrier,
        "stablehlo.after_all": afterAll,
        "stablehlo.composite": composite,
    ]

    /// `while`: `cond` takes the operands and yields `tensor<i1>`; `body` takes and yields
    /// the operand types; results have the operand types.
    static func whileLoop(_ v: VerifiedOperation) throws {
        try v.expectRegionCount(2)
        let types = v.op.operands.map(\.type)
        try expectResults(v, types, "operand")
        try v.expectSignature(try v.block(0, named: "cond"), named: "cond",
                              arguments: types, yields: [scalarTensor(.i1)])
        try v.expectSignature(try v.block(1, named: "body"), named: "body", arguments: types, yields: types)
    }

    /// `if`: a scalar `i1` predicate; both branches take nothing and yield the result types.
    static func ifThenElse(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectRegionCount(2)
        let pred = try v.operand(0)
        guard pred.rank == 0, pred.elementType == .i1 else { throw v.error("pred must be tensor<i1>, got \(pred)") }
        let types = v.op.results.map(\.type)
        for (i, name) in ["true_branch", "false_branch"].enumerated() {
            try v.expectSignature(try v.block(i, named: name), named: name, arguments: [], yields: types)
        }
    }

    /// `case`: a scalar `i32` index; every branch takes nothing and yields the result types.
    static func caseOf(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        let index = try v.operand(0)
        guard index.rank == 0, index.elementType == .si(32) else { throw v.error("index must be tensor<i32>, got \(index)") }
        guard !v.op.regions.isEmpty else { throw v.error("has no branches") }
        let types = v.op.results.map(\.type)
        for i in 0..<v.op.regions.count {
            try v.expectSignature(try v.block(i, named: "branch #\(i)"), named: "branch #\(i)", arguments: [], yields: types)
        }
    }

    /// `func.call`: the callee exists and its signature matches operands and results.
    static func call(_ v: VerifiedOperation) throws {
        let callee: String
        switch v.op[attribute: "callee"] {
        case .symbolRef(let name)?: callee = name
        case .string(let name)?: callee = name
        default: throw v.error("missing attribute 'callee'")
        }
        guard let function = v.module.function(named: callee) else { throw v.error("callee @\(callee) is not defined") }
        let operands = v.op.operands.map(\.type)
        guard operands.elementsEqual(function.inputTypes, by: IRType.isCompatible) else {
            throw v.error("operand types (\(ModuleWalker.list(operands))) differ from @\(callee)'s inputs (\(ModuleWalker.list(function.inputTypes)))")
        }
        let results = v.op.results.map(\.type)
        guard results.elementsEqual(function.resultTypes, by: IRType.isCompatible) else {
            throw v.error("result types (\(ModuleWalker.list(results))) differ from @\(callee)'s results (\(ModuleWalker.list(function.resultTypes)))")
        }
    }

    /// `composite`: its `decomposition` function exists and has the op's signature.
    static func composite(_ v: VerifiedOperation) throws {
        guard case .symbolRef(let name)? = v.op[attribute: "decomposition"] else {
            throw v.error("missing attribute 'decomposition'")
        }
        guard let function = v.module.function(named: name) else { throw v.error("decomposition @\(name) is not defined") }
        let operands = v.op.operands.map(\.type), results = v.op.results.map(\.type)
        guard operands.elementsEqual(function.inputTypes, by: IRType.isCompatible),
              results.elementsEqual(function.resultTypes, by: IRType.isCompatible) else {
            throw v.error("signature (\(ModuleWalker.list(operands))) -> (\(ModuleWalker.list(results))) differs from @\(name)'s")
        }
    }

    /// Throws unless the results have `types` (those of the operands, for pass-through ops).
    static func expectResults(_ v: VerifiedOperation, _ types: [IRType], _ what: String) throws {
        let results = v.op.results.map(\.type)
        guard results.elementsEqual(types, by: IRType.isCompatible) else {
            throw v.error("result types (\(ModuleWalker.list(results))) differ from \(what) types (\(ModuleWalker.list(types)))")
        }
    }

    static func tuple(_ v: VerifiedOperation) throws {
        try v.expectResultCount(1)
        let inferred = IRType.tuple(v.op.operands.map(\.type))
        guard IRType.isCompatible(v.op.results[0].type, inferred) else {
            throw v.error("result type \(v.op.results[0].type) differs from the inferred \(inferred)")
        }
    }

    static func getTupleElement(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(1)
        try v.expectResultCount(1)
        guard case .tuple(let items) = v.op.operands[0].type else {
            throw v.error("operand must be a tuple, got \(v.op.operands[0].type)")
        }
        let index = try v.int("index")
        guard index >= 0, index < items.count else { throw v.error("index \(index) is out of range for \(v.op.operands[0].type)") }
        guard IRType.isCompatible(v.op.results[0].type, items[index]) else {
            throw v.error("result type \(v.op.results[0].type) differs from the inferred \(items[index])")
        }
    }

    static func optimizationBarrier(_ v: VerifiedOperation) throws {
        try expectResults(v, v.op.operands.map(\.type), "operand")
    }

    static func afterAll(_ v: VerifiedOperation) throws {
        try v.expectResultCount(1)
        for (i, operand) in v.op.operands.enumerated() where operand.type != .token {
            throw v.error("operand #\(i) must be a token, got \(operand.type)")
        }
        guard v.op.results[0].type == .token else { throw v.error("result must be a token, got \(v.op.results[0].type)") }
    }
}
