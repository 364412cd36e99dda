extension Module {
    /// True when `bytes` start with the MLIR bytecode magic `ML\xefR`.
    public static func isBytecode(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x4D && bytes[1] == 0x4C && bytes[2] == 0xEF && bytes[3] == 0x52
    }

    /// Reads MLIR bytecode: a StableHLO portable artifact (VHLO), or plain
    /// builtin/func/stablehlo bytecode, into the module the text parser would build for
    /// the same program (locations aside).
    ///
    /// Errors are `BytecodeError`s naming the byte offset and section.
    public static func parse(bytecode: [UInt8], file: String) throws -> Module {
        let ops = try BytecodeModuleReader.readOperations(bytecode, file: file)
        return try BytecodeModuleReader.assemble(ops, file: file)
    }
}

enum BytecodeModuleReader {
    /// The generic operations of the IR section, before VHLO legalization.
    static func readOperations(_ bytes: [UInt8], file: String) throws -> [Operation] {
        let bc = try BytecodeFile(bytes: bytes, file: file)
        let table = try AttributeTable(file: bc)
        var reader = IRReader(file: bc, table: table, readProperties: PropertiesDecoder.read)
        return try reader.readTopLevel()
    }

    /// Legalizes the operations and builds the module: a `builtin.module` (its name and
    /// discardable attributes) holding `func.func`s, or top-level functions.
    static func assemble(_ raw: [Operation], file: String) throws -> Module {
        let ops = try raw.map { try VHLOLegalizer.legalize($0, parentIsFunction: false, file: file) }
        var functionOps: [Operation] = []
        var module = Module(location: SourceLocation(file: file, line: 0, column: 0))
        var sawModule = false
        for op in ops {
            switch op.name {
            case "builtin.module":
                guard !sawModule, functionOps.isEmpty else { throw error(file, "only one module per input is supported") }
                sawModule = true
                module.location = op.location
                for a in op.attributes {
                    switch a.name {
                    case "sym_name": module.name = a.value.stringValue
                    case "sym_visibility": break
                    default: module.attributes.append(a)
                    }
                }
                for region in op.regions { for block in region.blocks { functionOps += block.operations } }
            case "func.func":
                guard !sawModule else { throw error(file, "unexpected function after the module") }
                functionOps.append(op)
            default:
                throw error(file, "unsupported top-level operation '\(op.name)'")
            }
        }
        for op in functionOps where !op.name.hasPrefix("sdy.") {
            guard op.name == "func.func" else { throw error(file, "unsupported operation '\(op.name)' in the module body") }
            module.functions.append(try function(op, file: file))
        }
        return module
    }

    static func error(_ file: String, _ message: String) -> BytecodeError {
        BytecodeError(file: file, offset: 0, section: "IR section", message: message)
    }

    /// A `Function` from a legalized `func.func` operation.
    static func function(_ op: Operation, file: String) throws -> Function {
        guard let name = op[attribute: "sym_name"]?.stringValue ?? op[attribute: "sym_name"].flatMap(symbolName) else {
            throw error(file, "function without a name")
        }
        guard case .type(.function(let inputs, let results))? = op[attribute: "function_type"] else {
            throw error(file, "function @\(name) has no function type")
        }
        func dictionaries(_ a: Attribute?) throws -> [[NamedAttribute]] {
            guard let a else { return [] }
            guard case .array(let items) = a else { throw error(file, "function @\(name): argument/result attributes must be an array") }
            return try items.map { item in
                guard case .dictionary(let entries) = item else { throw error(file, "function @\(name): expected a dictionary") }
                return entries
            }
        }
        var argumentAttributes = try dictionaries(op[attribute: "arg_attrs"])
        var resultAttributes = try dictionaries(op[attribute: "res_attrs"])
        if argumentAttributes.allSatisfy(\.isEmpty) { argumentAttributes = [] }
        if resultAttributes.allSatisfy(\.isEmpty) { resultAttributes = [] }
        let inherent: Set<String> = ["sym_name", "sym_visibility", "function_type", "arg_attrs", "res_attrs"]
        return Function(
            name: name, visibility: op[attribute: "sym_visibility"]?.stringValue,
            inputTypes: inputs, resultTypes: results,
            argumentAttributes: argumentAttributes, resultAttributes: resultAttributes,
            attributes: op.attributes.filter { !inherent.contains($0.name) },
            body: op.regions.first ?? Region(), location: op.location)
    }

    static func symbolName(_ a: Attribute) -> String? {
        if case .symbolRef(let s) = a { return s }
        return nil
    }
}

