import StableHLO

/// The body of a `reduce`, `reduce_window` or `select_and_scatter` written out as C
/// statements: every op of the region works on 0-d tensors, so each becomes one
/// elementwise expression (the same templates and bf16/f16 rounding as fused kernels).
struct ScalarRegion {
    let block: Block

    /// The region's entry block, when every op in it has a scalar CUDA expression; else a
    /// `CodeGenError` naming the first op that has none.
    init(_ region: Region, of op: Operation) throws {
        guard region.blocks.count == 1, let block = region.entry else {
            throw CodeGenError("\(op.name) body must have one block", at: op.location)
        }
        for inner in block.operations {
            if inner.name == "stablehlo.return" || inner.name == "func.return" { continue }
            if inner.name == "stablehlo.constant" {
                guard case .dense? = inner[attribute: "value"], let t = inner.resultTensorType(0),
                      t.elementCount == 1, KernelElementType(t.elementType) != nil else {
                    throw CodeGenError("\(op.name) body holds a constant that is not a supported scalar", at: inner.location)
                }
                continue
            }
            guard OperationClass.elementwiseNames.contains(inner.name), inner.regions.isEmpty else {
                throw CodeGenError("\(op.name) body op \(inner.name) has no scalar CUDA expression", at: inner.location)
            }
            for v in inner.operands + inner.results {
                guard let t = v.type.tensorType, t.isStatic, t.elementCount == 1, KernelElementType(t.elementType) != nil else {
                    throw CodeGenError("\(op.name) body op \(inner.name) works on \(v.type), not a supported scalar",
                                       at: inner.location)
                }
            }
        }
        guard let last = block.operations.last, last.name == "stablehlo.return" || last.name == "func.return" else {
            throw CodeGenError("\(op.name) body does not end in a return", at: op.location)
        }
        self.block = block
    }

    /// Appends statements computing the region on `arguments` (compute-type expressions, one
    /// per block argument) and returns one compute-type local per returned value. With
    /// `fastDivision` (a body the compiler wrote: divisors are counts, exponents rescale
    /// partial sums), f32 divisions take `__fdividef` (2 ulp, no slow path) and `exp` the
    /// SFU's `nv_exp_fast`.
    func emit(arguments: [String], into lines: inout [String], indent: String, prefix: String,
              fastDivision: Bool = false) throws -> [String] {
        guard arguments.count == block.arguments.count else {
            throw CodeGenError("region takes \(block.arguments.count) arguments, given \(arguments.count)")
        }
        var names: [Int: String] = [:]
        for (a, code) in zip(block.arguments, arguments) { names[a.id] = code }
        var counter = 0
        for op in block.operations {
            if op.name == "stablehlo.return" || op.name == "func.return" {
                // Returned arguments are copied, so callers may assign results in any order.
                let arguments = Set(block.arguments.map(\.id))
                return try op.operands.map { v -> String in
                    guard let name = names[v.id], let type = Self.elementType(of: v) else {
                        throw CodeGenError("region returns an undefined value")
                    }
                    guard arguments.contains(v.id) else { return name }
                    counter += 1
                    lines.append("\(indent)const \(type.compute) \(prefix)\(counter) = \(name);")
                    return "\(prefix)\(counter)"
                }
            }
            guard let result = op.results.first, let resultType = Self.elementType(of: result) else {
                throw CodeGenError("\(op.name) in a region has no scalar result", at: op.location)
            }
            let expression: String
            if op.name == "stablehlo.constant" {
                guard case .dense(let d)? = op[attribute: "value"] else {
                    throw CodeGenError("constant without a dense value", at: op.location)
                }
                expression = resultType.literal(d, at: 0)
            } else {
                let operands = try op.operands.map { v -> String in
                    guard let name = names[v.id] else { throw CodeGenError("\(op.name) reads a value from outside the region", at: op.location) }
                    return name
                }
                let typed = (op.name == "stablehlo.select" || op.name == "stablehlo.clamp") ? op.operands.last : op.operands.first
                guard let typed, let operandType = Self.elementType(of: typed),
                      let expr = ExpressionTable.expression(for: op, operands: operands, operandType: operandType, resultType: resultType)
                else { throw CodeGenError("no CUDA expression for \(op.name) in a region", at: op.location) }
                if fastDivision, op.name == "stablehlo.divide", resultType.compute == "float", operands.count == 2 {
                    expression = "__fdividef(\(operands[0]), \(operands[1]))"
                } else if fastDivision, op.name == "stablehlo.exponential", resultType.compute == "float", operands.count == 1 {
                    expression = "nv_exp_fast(\(operands[0]))"
                } else {
                    expression = op.name == "stablehlo.select" ? expr : resultType.rounded(expr)
                }
            }
            counter += 1
            let name = "\(prefix)\(counter)"
            lines.append("\(indent)const \(resultType.compute) \(name) = \(expression);")
            names[result.id] = name
        }
        throw CodeGenError("region does not end in a return")
    }

    static func elementType(of v: Value) -> KernelElementType? {
        v.type.tensorType.flatMap { KernelElementType($0.elementType) }
    }
}
