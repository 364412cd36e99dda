import StableHLO

/// `func.call`, `stablehlo.while`, `if`, `case`, `composite`, tuples, tokens and `optimization_barrier`.
enum ControlFlowKernels {
    static let table: [String: Kernel] = [
        "func.call": callFunction,
        "call": callFunction,
        "stablehlo.while": whileLoop,
        "stablehlo.if": ifThenElse,
        "stablehlo.case": caseOf,
        "stablehlo.tuple": { call in [.tuple(call.operands)] },
        "stablehlo.get_tuple_element": getTupleElement,
        "stablehlo.optimization_barrier": { call in call.operands },
        "stablehlo.composite": composite,
        "stablehlo.after_all": { _ in [.token] },
        "stablehlo.create_token": { _ in [.token] },
    ]

    static func callFunction(_ call: KernelCall) throws -> [RuntimeValue] {
        guard case .symbolRef(let name)? = call.op[attribute: "callee"] else {
            throw call.error("missing callee")
        }
        return try call.call(name, call.operands)
    }

    /// A composite runs its `decomposition` function on its operands (the spec's semantics).
    static func composite(_ call: KernelCall) throws -> [RuntimeValue] {
        guard case .symbolRef(let name)? = call.op[attribute: "decomposition"] else {
            throw call.error("missing decomposition")
        }
        return try call.call(name, call.operands)
    }

    static func predicate(_ t: Tensor, _ call: KernelCall) throws -> Bool {
        guard let v = t.ints, v.count == 1 else { throw call.error("predicate must be a scalar i1 tensor") }
        return v[0] != 0
    }

    static func whileLoop(_ call: KernelCall) throws -> [RuntimeValue] {
        guard call.op.regions.count == 2 else { throw call.error("expects cond and body regions") }
        var state = call.operands
        while true {
            let c = try call.evaluate(call.op.regions[0], state)
            guard c.count == 1, let t = c[0].tensor else { throw call.error("cond must yield one i1 tensor") }
            if try !predicate(t, call) { return state }
            state = try call.evaluate(call.op.regions[1], state)
        }
    }

    static func ifThenElse(_ call: KernelCall) throws -> [RuntimeValue] {
        guard call.op.regions.count == 2 else { throw call.error("expects true and false branches") }
        let p = try predicate(try call.tensor(0), call)
        return try call.evaluate(call.op.regions[p ? 0 : 1], [])
    }

    static func caseOf(_ call: KernelCall) throws -> [RuntimeValue] {
        let index = try call.tensor(0)
        guard let v = index.ints, v.count == 1 else { throw call.error("index must be a scalar i32 tensor") }
        let n = call.op.regions.count
        guard n > 0 else { throw call.error("has no branches") }
        let i = (v[0] < 0 || v[0] >= Int64(n)) ? n - 1 : Int(v[0])
        return try call.evaluate(call.op.regions[i], [])
    }

    static func getTupleElement(_ call: KernelCall) throws -> [RuntimeValue] {
        guard case .tuple(let items) = call.operands.first,
              let index = call.op[attribute: "index"]?.intValue,
              index >= 0, Int(index) < items.count
        else { throw call.error("operand is not a tuple or index out of range") }
        return [items[Int(index)]]
    }
}
