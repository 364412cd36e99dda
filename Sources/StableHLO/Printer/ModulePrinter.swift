extension Module {
    /// The module as MLIR text: functions as `func.func`, common ops in their pretty form
    /// and the rest in the generic form. `Module.parse(module.text, ...)` gives back an
    /// equal module (locations aside).
    public var text: String { text(prettyForms: true) }

    /// The module as MLIR text; with `prettyForms: false` every op is in the generic form.
    public func text(prettyForms: Bool) -> String {
        var printer = ModulePrinter()
        printer.usesPrettyForms = prettyForms
        printer.print(self)
        return printer.output
    }
}

/// Writes a `Module` as MLIR text.
///
/// Values print as `%<id>` (ids are unique within a function). Ops with a pretty form in
/// `PrettyPrinting.table` print that way when their attributes fit it; every other op
/// prints in the generic form, with all attributes in its `{...}` dictionary (MLIR
/// accepts inherent attributes there too).
public struct ModulePrinter {
    /// The text written so far.
    public internal(set) var output = ""
    /// Whether to use pretty forms where they apply (default true).
    public var usesPrettyForms = true
    var indent = 0
    /// Printed names of values that are not `%<id>` (the body arguments of a pretty `while`
    /// take the names of the condition's arguments).
    var renamed: [Int: String] = [:]

    public init() {}

    /// Appends `module` to `output`.
    public mutating func print(_ module: Module) {
        output += "module"
        if let name = module.name { output += " @" + AttributePrinter.symbolName(name) }
        if !module.attributes.isEmpty {
            output += " attributes "
            AttributePrinter.writeDictionary(module.attributes, to: &output)
        }
        output += " {\n"
        indent += 1
        for function in module.functions { print(function) }
        indent -= 1
        output += "}\n"
    }

    /// Appends one `func.func`.
    public mutating func print(_ function: Function) {
        writeIndent()
        output += "func.func "
        if let v = function.visibility { output += v + " " }
        output += "@" + AttributePrinter.symbolName(function.name) + "("
        let entry = function.body.blocks.first
        for (i, type) in function.inputTypes.enumerated() {
            if i > 0 { output += ", " }
            if let entry, i < entry.arguments.count {
                output += name(entry.arguments[i]) + ": "
            }
            output += type.description
            if i < function.argumentAttributes.count, !function.argumentAttributes[i].isEmpty {
                output += " "
                AttributePrinter.writeDictionary(function.argumentAttributes[i], to: &output)
            }
        }
        output += ")"
        let hasResultAttributes = function.resultAttributes.contains { !$0.isEmpty }
        if !function.resultTypes.isEmpty {
            output += " -> "
            if function.resultTypes.count == 1, !hasResultAttributes, !Self.isFunctionType(function.resultTypes[0]) {
                output += function.resultTypes[0].description
            } else {
                output += "("
                for (i, type) in function.resultTypes.enumerated() {
                    if i > 0 { output += ", " }
                    output += type.description
                    if i < function.resultAttributes.count, !function.resultAttributes[i].isEmpty {
                        output += " "
                        AttributePrinter.writeDictionary(function.resultAttributes[i], to: &output)
                    }
                }
                output += ")"
            }
        }
        if !function.attributes.isEmpty {
            output += " attributes "
            AttributePrinter.writeDictionary(function.attributes, to: &output)
        }
        if function.body.blocks.isEmpty {
            output += "\n"
            return
        }
        output += " {\n"
        indent += 1
        for (b, block) in function.body.blocks.enumerated() {
            if b > 0 { writeBlockHeader(block, index: b) }
            for op in block.operations { print(op) }
        }
        indent -= 1
        writeIndent()
        output += "}\n"
    }

    /// Appends one operation (pretty when it has a pretty form), with its regions.
    public mutating func print(_ op: Operation) {
        writeIndent()
        if !op.results.isEmpty {
            output += op.results.map { name($0) }.joined(separator: ", ")
            output += " = "
        }
        if usesPrettyForms, let pretty = PrettyPrinting.table[op.name], pretty.canPrint(op) {
            pretty.write(&self, op)
            output += "\n"
            return
        }
        output += "\""
        AttributePrinter.writeEscaped(op.name, to: &output)
        output += "\"("
        output += names(op.operands)
        output += ")"
        if !op.regions.isEmpty {
            output += " ("
            for (r, region) in op.regions.enumerated() {
                if r > 0 { output += ", " }
                print(region)
            }
            output += ")"
        }
        if !op.attributes.isEmpty {
            output += " "
            AttributePrinter.writeDictionary(op.attributes, to: &output)
        }
        output += " : ("
        output += op.operands.map(\.type.description).joined(separator: ", ")
        output += ") -> "
        if op.results.count == 1, !Self.isFunctionType(op.results[0].type) {
            output += op.results[0].type.description
        } else {
            output += "(" + op.results.map(\.type.description).joined(separator: ", ") + ")"
        }
        output += "\n"
    }

    mutating func print(_ region: Region, entryHeader: Bool = true) {
        output += "{\n"
        indent += 1
        for (b, block) in region.blocks.enumerated() {
            if b > 0 || (entryHeader && !block.arguments.isEmpty) { writeBlockHeader(block, index: b) }
            for op in block.operations { print(op) }
        }
        indent -= 1
        writeIndent()
        output += "}"
    }

    private mutating func writeBlockHeader(_ block: Block, index: Int) {
        indent -= 1
        writeIndent()
        indent += 1
        output += "^bb\(index)"
        if !block.arguments.isEmpty {
            output += "(" + block.arguments.map { "\(name($0)): \($0.type)" }.joined(separator: ", ") + ")"
        }
        output += ":\n"
    }

    mutating func writeIndent() {
        for _ in 0..<indent { output += "  " }
    }

    /// The printed name of `value`.
    func name(_ value: Value) -> String { renamed[value.id] ?? "%\(value.id)" }

    /// Comma-separated names of `values`.
    func names(_ values: [Value]) -> String { values.map { name($0) }.joined(separator: ", ") }

    static func isFunctionType(_ t: IRType) -> Bool {
        if case .function = t { return true }
        return false
    }
}
