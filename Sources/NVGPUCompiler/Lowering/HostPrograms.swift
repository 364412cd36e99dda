import StableHLO

/// Cuts a group of ops out of the entry function into a small StableHLO module whose
/// `main` takes the group's inputs and returns its outputs, for the reference backend.
enum HostPrograms {
    static func module(for group: FusionGroup, block: Block, original: Module, entry: String) -> Module {
        var operations = group.operations.map { block.operations[$0] }
        operations.append(Operation(name: "func.return", operands: group.outputs))
        let main = Function(
            name: "main", visibility: "public",
            inputTypes: group.inputs.map(\.type), resultTypes: group.outputs.map(\.type),
            body: Region(blocks: [Block(arguments: group.inputs, operations: operations)]))
        // Keep the other functions: ops with regions may still call them.
        let others = original.functions.filter { $0.name != entry && $0.name != "main" }
        return Module(name: "host_step", attributes: [], functions: [main] + others)
    }

    /// The whole entry function as one host program (when nothing else can be planned).
    static func wholeProgram(_ function: Function, original: Module) -> Module {
        var main = function
        main.name = "main"
        main.visibility = "public"
        let others = original.functions.filter { $0.name != function.name && $0.name != "main" }
        return Module(name: original.name, attributes: original.attributes, functions: [main] + others)
    }
}
