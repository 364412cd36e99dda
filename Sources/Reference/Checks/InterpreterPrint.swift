import StableHLO

/// `interpreter.print %x : T`: writes `%name = ` and the value the way the StableHLO
/// interpreter does:
///
/// ```
/// %0 = tensor<2x2xi8> {
///   [
///     [1, 2],
///     [3, 4]
///   ]
/// }
/// ```
///
/// Elements are written as MLIR writes attribute values without their type (`-3`, `true`,
/// `1.000000e+00`, `[re, im]` for complex numbers). `%name` is the name MLIR's printer gives
/// the value (`%0`, `%c`/`%cst` for integer/float constants, `%c_0` when taken; `%3:2` for
/// a result of a two-result op). A function or region argument is written as upstream does,
/// which prints such a value as `<block argument> ...` and keeps its first character: `<`.
enum InterpreterPrint {
    static func print(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        guard let value = call.op.operands.first else { throw call.error("expects an operand") }
        let prefix = SSANames(module: call.interpreter.module).prefix(of: value, usedBy: call.op)
        call.interpreter.output.write(prefix + text(of: operand) + "\n")
        return []
    }

    /// `tensor<...> {...}` as `Tensor::print` writes it.
    static func text(of tensor: Tensor) -> String {
        var out = tensor.type.description + " {"
        let shape = tensor.shape
        var index: [Int] = []
        var flat = 0
        func newline(_ indent: Int) { out += "\n" + String(repeating: "  ", count: indent) }
        func isLast(_ index: [Int]) -> Bool { index.isEmpty || index[index.count - 1] == shape[index.count - 1] - 1 }
        func visit(_ indent: Int) {
            if index.count == shape.count {
                out += element(tensor, flat)
                flat += 1
                if !isLast(index) { out += ", " }
                return
            }
            newline(indent)
            out += "["
            for i in 0..<shape[index.count] {
                index.append(i)
                visit(indent + 1)
                index.removeLast()
            }
            out += "]"
            if !isLast(index) { out += "," } else { newline(indent - 1) }
        }
        visit(1)
        return out + "}"
    }

    static func element(_ tensor: Tensor, _ i: Int) -> String {
        switch (tensor.storage, tensor.elementType) {
        case (.ints(let v), .i1): return v[i] != 0 ? "true" : "false"
        case (.ints(let v), .ui(64)): return String(UInt64(bitPattern: v[i]))
        case (.ints(let v), _): return String(v[i])
        case (.floats(let v), .float(let f)): return MLIRFloatText.text(v[i], format: f)
        case (.complexes(let v), .complex(let f)):
            return "[" + MLIRFloatText.text(v[2 * i], format: f) + ", " + MLIRFloatText.text(v[2 * i + 1], format: f) + "]"
        default: return "?"
        }
    }
}

/// The names MLIR's printer gives op results: per function, numbered `%0, %1, ...` in order
/// through a region before the regions nested in it, and `stablehlo.constant` results named
/// `%c` (integer) or `%cst`, made unique with `_N` from a conflict counter. Each nested region
/// starts from the counters and names its parent region left, so sibling regions reuse
/// numbers.
struct SSANames {
    let module: Module

    /// `%name = ` for `value` as an operand of `user`, or `<` for a block argument.
    func prefix(of value: Value, usedBy user: Operation) -> String {
        for function in module.functions where contains(function.body, user) {
            var state = State()
            state.name(function.body)
            return state.prefixes[value.id] ?? "<"
        }
        return "<"
    }

    private func contains(_ region: Region, _ op: Operation) -> Bool {
        region.blocks.contains { block in
            block.operations.contains { $0 == op || $0.regions.contains { contains($0, op) } }
        }
    }

    private struct State {
        var prefixes: [Int: String] = [:]
        var nextValue = 0
        var usedNames: Set<String> = []
        var nextConflict = 0

        mutating func unique(_ name: String) -> String {
            if usedNames.insert(name).inserted { return name }
            while true {
                let probe = name + "_" + String(nextConflict)
                nextConflict += 1
                if usedNames.insert(probe).inserted { return probe }
            }
        }

        mutating func name(_ region: Region) {
            var nested: [Region] = []
            for block in region.blocks {
                for op in block.operations {
                    if op.results.count >= 1 {
                        let base: String
                        if op.name == "stablehlo.constant", op.results.count == 1 {
                            let isInteger = op.results[0].type.tensorType.map { $0.elementType.isInteger || $0.elementType.isBool } ?? false
                            base = unique(isInteger ? "c" : "cst")
                        } else {
                            base = String(nextValue)
                            nextValue += 1
                        }
                        let shown = op.results.count > 1 ? "%\(base):\(op.results.count)" : "%\(base)"
                        for result in op.results { prefixes[result.id] = shown + " = " }
                    }
                    nested.append(contentsOf: op.regions)
                }
            }
            let (value, conflict, names) = (nextValue, nextConflict, usedNames)
            for inner in nested {
                (nextValue, nextConflict, usedNames) = (value, conflict, names)
                name(inner)
            }
        }
    }
}
