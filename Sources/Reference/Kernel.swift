import StableHLO

/// One op being executed: the op, its operand values and a way back into the
/// interpreter for ops with regions (reduce, scatter, sort, while, ...).
public struct KernelCall {
    public let op: Operation
    public let operands: [RuntimeValue]
    let interpreter: Interpreter
    let scope: Scope

    /// Operand `i` as a tensor, or a run error naming the op.
    public func tensor(_ i: Int) throws -> Tensor {
        guard i < operands.count, let t = operands[i].tensor else {
            throw error("operand #\(i) is not a tensor")
        }
        return t
    }

    /// All operands as tensors.
    public func tensors() throws -> [Tensor] { try (0..<operands.count).map(tensor) }

    /// Result `i`'s tensor type, or a run error.
    public func resultType(_ i: Int = 0) throws -> TensorType {
        guard i < op.results.count, let t = op.results[i].type.tensorType else {
            throw error("result #\(i) is not a tensor")
        }
        return t
    }

    /// Runs `region` on `arguments` and returns what its terminator yields.
    public func evaluate(_ region: Region, _ arguments: [RuntimeValue]) throws -> [RuntimeValue] {
        try interpreter.evaluate(region, arguments, parent: scope)
    }

    /// Runs `region` on scalar tensors and returns its scalar results.
    public func evaluate(_ region: Region, tensors: [Tensor]) throws -> [Tensor] {
        try interpreter.evaluate(region, tensors.map { .tensor($0) }, parent: scope).map { v in
            guard let t = v.tensor else { throw error("region yielded a non-tensor value") }
            return t
        }
    }

    /// Calls function `name` of the module.
    public func call(_ name: String, _ arguments: [RuntimeValue]) throws -> [RuntimeValue] {
        try interpreter.call(name, arguments, at: op.location)
    }

    /// A run-time error at this op: `file:line:col: error: stablehlo.op: message`.
    public func error(_ message: String) -> InterpreterError {
        .failed(Diagnostic(.run, at: op.location, "\(op.name): \(message)"))
    }

    /// Attribute `name`, or an error saying it is missing.
    public func attribute(_ name: String) throws -> Attribute {
        guard let a = op[attribute: name] else { throw error("missing attribute '\(name)'") }
        return a
    }

    /// Integer-array attribute `name` (dense array, array or 1-D dense), or `default`.
    public func ints(_ name: String, default defaultValue: [Int]? = nil) throws -> [Int] {
        guard let a = op[attribute: name] else {
            if let defaultValue { return defaultValue }
            throw error("missing attribute '\(name)'")
        }
        guard let v = a.intArray else { throw error("attribute '\(name)' is not an integer array") }
        return v.map { Int($0) }
    }
}

/// Runs one op. Kernels are pure: they read operands and return results.
public typealias Kernel = @Sendable (KernelCall) throws -> [RuntimeValue]

/// Every op the reference backend runs, by full op name. Each op family contributes its
/// own table (`ElementwiseKernels.table`, `StructuralKernels.table`, ...).
enum KernelRegistry {
    static let table: [String: Kernel] = {
        var t: [String: Kernel] = [:]
        for part in [ControlFlowKernels.table] + KernelRegistry.familyTables {
            t.merge(part) { first, _ in first }
        }
        return t
    }()
}
