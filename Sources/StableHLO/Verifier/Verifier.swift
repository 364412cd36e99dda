extension Module {
    /// Checks the module against the StableHLO spec's constraints and throws the first
    /// problem found, as a `Diagnostic` at the offending op's `file:line:column`.
    public func verify() throws {
        if let first = verifyAll().first { throw first }
    }

    /// Checks the module and returns every problem found, in program order.
    ///
    /// Each op yields at most one diagnostic (its first broken rule); ops whose operands
    /// are undefined are reported once for that and not judged further.
    public func verifyAll() -> [Diagnostic] {
        var walker = ModuleWalker(module: self)
        walker.run()
        return walker.diagnostics
    }
}

/// Walks a module in program order: tracks which values are visible where (function
/// arguments, block arguments, results of earlier ops, values of enclosing regions),
/// checks structure (terminators, signatures) and applies the per-op rules.
struct ModuleWalker {
    let module: Module
    private(set) var diagnostics: [Diagnostic] = []
    /// Visible value id → its defined type, one frame per open region.
    private var scopes: [[Int: IRType]] = []

    init(module: Module) { self.module = module }

    mutating func run() {
        var seen: Set<String> = []
        for function in module.functions {
            if !seen.insert(function.name).inserted {
                report(function.location, "func.func: function @\(function.name) is defined more than once")
            }
            verify(function)
        }
        if let (call, path) = CallGraph(module).firstCycle(order: module.functions.map(\.name)) {
            let cycle = path.map { "@" + $0 }.joined(separator: " -> ")
            report(call.location, "func.call: @\(call.caller) calls @\(call.callee) recursively (\(cycle)); StableHLO programs cannot recurse")
        }
    }

    private mutating func report(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(.verify, at: location, message))
    }

    private mutating func verify(_ function: Function) {
        guard let entry = function.body.entry else { return }  // an external declaration
        let name = "func.func @\(function.name)"
        if function.body.blocks.count > 1 {
            report(function.location, "\(name): has \(function.body.blocks.count) blocks; StableHLO functions have one")
        }
        let argumentTypes = entry.arguments.map(\.type)
        if argumentTypes != function.inputTypes {
            report(function.location,
                   "\(name): entry block arguments (\(Self.list(argumentTypes))) differ from the signature's inputs (\(Self.list(function.inputTypes)))")
        }
        scopes = [[:]]
        verify(entry, owner: name, ownerLocation: function.location, function: function)
        if let terminator = entry.operations.last, Self.isFunctionReturn(terminator.name) {
            let types = terminator.operands.map(\.type)
            if !types.elementsEqual(function.resultTypes, by: IRType.isCompatible) {
                report(terminator.location,
                       "func.return: returns (\(Self.list(types))) but @\(function.name) declares results (\(Self.list(function.resultTypes)))")
            }
        } else {
            report(entry.operations.last?.location ?? function.location,
                   "\(name): body does not end with func.return")
        }
        scopes = []
    }

    /// Verifies one block: binds its arguments, then checks each op in order.
    private mutating func verify(_ block: Block, owner: String, ownerLocation: SourceLocation, function: Function) {
        for argument in block.arguments {
            if scopes.contains(where: { $0[argument.id] != nil }) {
                report(ownerLocation, "\(owner): block argument %\(argument.id) redefines a visible value")
            }
            scopes[scopes.count - 1][argument.id] = argument.type
        }
        for (index, op) in block.operations.enumerated() {
            let isLast = index == block.operations.count - 1
            verify(op, isLast: isLast, function: function)
        }
    }

    private mutating func verify(_ op: Operation, isLast: Bool, function: Function) {
        let operandsDefined = checkOperands(of: op)
        if Self.isTerminator(op.name), !isLast {
            report(op.location, "\(op.name): terminator is not the last op of its block")
        }
        // Regions see the values defined before the op, not its own results.
        for region in op.regions {
            if region.blocks.count > 1 {
                report(op.location, "\(op.name): region has \(region.blocks.count) blocks; StableHLO regions have one")
            }
            for block in region.blocks {
                scopes.append([:])
                verify(block, owner: op.name, ownerLocation: op.location, function: function)
                if VerifierRules.opsWithTerminatedRegions.contains(op.name) {
                    if block.operations.last.map({ Self.isTerminator($0.name) }) != true {
                        report(block.operations.last?.location ?? op.location,
                               "\(op.name): region does not end with stablehlo.return")
                    }
                }
                scopes.removeLast()
            }
        }
        if operandsDefined, !Self.involvesOpaqueTypes(op) {
            do {
                let judged = try QuantizationRules.view(of: VerifiedOperation(op: op, module: module, function: function))
                if let rule = VerifierRules.table[op.name] {
                    try rule(VerifiedOperation(op: judged, module: module, function: function))
                }
            } catch let diagnostic as Diagnostic {
                diagnostics.append(diagnostic)
            } catch {
                report(op.location, "\(op.name): \(error)")
            }
        }
        for result in op.results {
            if scopes.contains(where: { $0[result.id] != nil }) {
                report(op.location, "\(op.name): result %\(result.id) redefines a visible value")
            }
            scopes[scopes.count - 1][result.id] = result.type
        }
    }

    /// Reports operands that are not visible here or whose type differs from their
    /// definition; returns whether all were fine.
    private mutating func checkOperands(of op: Operation) -> Bool {
        var allFine = true
        for (i, operand) in op.operands.enumerated() {
            guard let definedType = lookup(operand.id) else {
                report(op.location, "\(op.name): operand #\(i) (%\(operand.id)) is used before it is defined or is not visible here")
                allFine = false
                continue
            }
            if !IRType.isCompatible(definedType, operand.type) {
                report(op.location, "\(op.name): operand #\(i) (%\(operand.id)) is used as \(operand.type) but defined as \(definedType)")
                allFine = false
            }
        }
        return allFine
    }

    private func lookup(_ id: Int) -> IRType? {
        for scope in scopes.reversed() {
            if let type = scope[id] { return type }
        }
        return nil
    }

    static func isFunctionReturn(_ name: String) -> Bool { name == "func.return" || name == "return" }

    static func isTerminator(_ name: String) -> Bool {
        name == "stablehlo.return" || isFunctionReturn(name)
    }

    /// Types the verifier cannot judge (unranked, dialect types): such ops get
    /// only the structural checks.
    static func involvesOpaqueTypes(_ op: Operation) -> Bool {
        func isOpaque(_ type: IRType) -> Bool {
            switch type {
            case .opaque: return true
            case .tuple(let items): return items.contains(where: isOpaque)
            default: return false
            }
        }
        if op.operands.contains(where: { isOpaque($0.type) }) { return true }
        if op.results.contains(where: { isOpaque($0.type) }) { return true }
        return op.regions.contains { region in
            region.blocks.contains { block in
                block.arguments.contains { isOpaque($0.type) }
                    || block.operations.contains { involvesOpaqueTypes($0) }
            }
        }
    }

    static func list(_ types: [IRType]) -> String { types.map(\.description).joined(separator: ", ") }
}

extension IRType {
    /// Whether two types can describe the same value: equal, or tensors of one element
    /// type and rank whose static dimensions agree (a `?` matches any size).
    static func isCompatible(_ a: IRType, _ b: IRType) -> Bool {
        switch (a, b) {
        case (.tensor(let x), .tensor(let y)): return x.isCompatible(with: y)
        case (.tuple(let xs), .tuple(let ys)): return xs.elementsEqual(ys, by: isCompatible)
        default: return a == b
        }
    }
}

extension TensorType {
    /// Same element type and rank, and every pair of static dimensions equal.
    func isCompatible(with other: TensorType) -> Bool {
        elementType == other.elementType && Self.compatibleShapes(shape, other.shape)
    }

    /// Same rank, and every pair of static dimensions equal.
    static func compatibleShapes(_ a: [Int], _ b: [Int]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in x == y || x == dynamic || y == dynamic }
    }

    /// Whether dimension `a` and `b` can be equal (either may be dynamic).
    static func compatibleDims(_ a: Int, _ b: Int) -> Bool { a == b || a == dynamic || b == dynamic }
}
