import Compiler
import Reference
import StableHLO
import Testing

/// Parsing, pass running and semantic comparison shared by the pass tests.
enum PassTestSupport {
    /// Parses `text` as a test program.
    static func parse(_ text: String, file: String = "test.mlir") throws -> Module {
        try Module.parse(text, file: file)
    }

    /// Runs `passes` on `text` and returns the module before and after; the result must verify.
    static func transform(_ text: String, _ passes: [any Pass]) throws -> (before: Module, after: Module) {
        let before = try parse(text)
        try before.verify()
        var after = before
        try Pipeline(passes).run(on: &after)
        try after.verify()
        return (before, after)
    }

    /// The names of the ops of function `name`, outermost block only, terminator excluded.
    static func operationNames(_ module: Module, function name: String = "main") -> [String] {
        let ops = module.function(named: name)?.body.entry?.operations ?? []
        return ops.dropLast().map(\.name)
    }

    /// How many ops named `name` the module holds, nested regions included.
    static func count(_ name: String, in module: Module) -> Int {
        func count(_ region: Region) -> Int {
            region.blocks.reduce(0) { total, block in
                total + block.operations.reduce(0) { $0 + ($1.name == name ? 1 : 0) + $1.regions.reduce(0) { $0 + count($1) } }
            }
        }
        return module.functions.reduce(0) { $0 + count($1.body) }
    }

    /// Deterministic inputs for `function`: small integers, floats with fractions and signs.
    static func inputs(for function: Function, seed: UInt64 = 1) throws -> [Tensor] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        return try function.inputTypes.map { irType in
            guard let type = irType.tensorType else { throw TestFailure("input type \(irType) is not a tensor") }
            let n = type.elementCount
            switch type.elementType {
            case .float(let format):
                let values: [Double] = (0..<n).map { _ in format.round(Double(Int(next() % 2001) - 1000) / 64) }
                return Tensor(type: type, storage: .floats(values))
            case .complex:
                let values: [Double] = (0..<(2 * n)).map { _ in Double(Int(next() % 201) - 100) / 8 }
                return Tensor(type: type, storage: .complexes(values))
            case let elementType:
                let values: [Int64] = (0..<n).map { _ in Tensor.normalize(next() % 41 &- 20, elementType) }
                return Tensor(type: type, storage: .ints(values))
            }
        }
    }

    /// Runs `main` of both modules on the same inputs and expects bit-identical results.
    static func expectSameResults(_ before: Module, _ after: Module, seeds: [UInt64] = [1, 2, 3]) throws {
        guard let main = before.function(named: "main") else { throw TestFailure("no @main") }
        for seed in seeds {
            let inputs = try inputs(for: main, seed: seed)
            let expected = try Interpreter(module: before).run("main", inputs: inputs)
            let actual = try Interpreter(module: after).run("main", inputs: inputs)
            #expect(actual.map(\.hostTensor.bytes) == expected.map(\.hostTensor.bytes), "seed \(seed)")
            #expect(actual.map(\.type) == expected.map(\.type))
        }
    }
}

/// A test precondition that did not hold.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
