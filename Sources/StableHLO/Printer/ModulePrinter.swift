extension Module {
    /// The module as MLIR text: functions as `func.func`, every operation in the generic
    /// form. `Module.parse(module.text, ...)` gives back an equal module (locations aside).
    public var text: String {
        var printer = ModulePrinter()
        printer.print(self)
        return printer.output
    }
}

/// Writes a `Module` as MLIR text in the generic operation form.
///
/// Values print as `%<id>` (ids are unique within a function); every attribute of an
/// operation goes into its `{...}` dictionary, which MLIR accepts for inherent
/// attributes too.
public struct ModulePrinter {
    /// The text written so far.
    public private(set) var output = ""
    private var indent = 0

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
                output += "%\(entry.arguments[i].id): "
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

    /// Appends one operation in the generic form, with its regions.
    public mutating func print(_ op: Operation) {
        writeIndent()
        if !op.results.isEmpty {
            output += op.results.map { "%\($0.id)" }.joined(separator: ", ")
            output += " = "
        }
        output += "\""
        AttributePrinter.writeEscaped(op.name, to: &output)
        output += "\"("
        output += op.operands.map { "%\($0.id)" }.joined(separator: ", ")
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

    private mutating func print(_ region: Region) {
        output += "{\n"
        indent += 1
        for (b, block) in region.blocks.enumerated() {
            if b > 0 || !block.arguments.isEmpty { writeBlockHeader(block, index: b) }
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
            output += "(" + block.arguments.map { "%\($0.id): \($0.type)" }.joined(separator: ", ") + ")"
        }
        output += ":\n"
    }

    private mutating func writeIndent() {
        for _ in 0..<indent { output += "  " }
    }

    private static func isFunctionType(_ t: IRType) -> Bool {
        if case .function = t { return true }
        return false
    }
}
