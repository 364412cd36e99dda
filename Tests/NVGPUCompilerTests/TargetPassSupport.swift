import Compiler
@testable import NVGPUCompiler
import StableHLO
import Testing

/// What the target-pass tests share: running one of `CUDATarget`'s passes by name, the
/// print → parse round trip, and moving a program's body into a control-flow region.
enum TargetPassSupport {
    /// `text` parsed and run through the pass of `CUDATarget().passes(options:)` named `name`.
    static func run(_ name: String, on text: String, options: CompileOptions = CompileOptions()) throws -> Module {
        var module = try Module.parse(text, file: "pass.mlir")
        let pass = try #require(CUDATarget().passes(options: options).first { $0.name == name })
        try pass.run(on: &module)
        return module
    }

    /// Every op of `module`'s functions, nested regions included, in program order.
    static func operations(in module: Module) -> [StableHLO.Operation] {
        var result: [StableHLO.Operation] = []
        func visit(_ region: Region) {
            for block in region.blocks {
                for op in block.operations {
                    result.append(op)
                    op.regions.forEach(visit)
                }
            }
        }
        module.functions.forEach { visit($0.body) }
        return result
    }

    /// The names of `module`'s ops (nested included).
    static func names(in module: Module) -> [String] { operations(in: module).map(\.name) }

    /// `module` printed and parsed back: it must verify and hold the same ops (names,
    /// attributes, operand and result types; value names are renumbered by the printer),
    /// and printing it again gives the same text.
    @discardableResult
    static func roundTrip(_ module: Module, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Module {
        let reparsed = try Module.parse(module.text, file: "printed.mlir")
        try reparsed.verify()
        let before = operations(in: module), after = operations(in: reparsed)
        #expect(before.map(\.name) == after.map(\.name), sourceLocation: sourceLocation)
        for (a, b) in zip(before, after) {
            #expect(a.attributes == b.attributes, "\(a.name)", sourceLocation: sourceLocation)
            #expect(a.operands.map(\.type) == b.operands.map(\.type) && a.results.map(\.type) == b.results.map(\.type),
                    "\(a.name)", sourceLocation: sourceLocation)
        }
        #expect(try Module.parse(reparsed.text, file: "again.mlir").text == reparsed.text, sourceLocation: sourceLocation)
        return reparsed
    }

    /// `text`'s `@main` with its body moved into the only branch of a `stablehlo.case` on a
    /// new last argument (`tensor<i32>`): the body's ops then live in a region.
    static func insideCase(_ text: String) throws -> String {
        var module = try Module.parse(text, file: "case.mlir")
        let f = try #require(module.functions.firstIndex { $0.name == "main" })
        var main = module.functions[f]
        let body = try #require(main.body.entry)
        let terminator = try #require(body.operations.last)
        let first = main.nextValueID
        let index = Value(id: first, type: .tensor(TensorType(shape: [], elementType: .si(32))))
        let results = terminator.operands.enumerated().map { Value(id: first + 1 + $0.offset, type: $0.element.type) }
        let branch = Block(operations: Array(body.operations.dropLast())
            + [StableHLO.Operation(name: "stablehlo.return", operands: terminator.operands)])
        let selection = StableHLO.Operation(name: "stablehlo.case", operands: [index], results: results,
                                            regions: [Region(blocks: [branch])])
        main.inputTypes.append(index.type)
        main.body = Region(blocks: [Block(arguments: body.arguments + [index],
                                          operations: [selection, StableHLO.Operation(name: "func.return", operands: results)])])
        module.functions[f] = main
        try module.verify()
        return module.text
    }
}
