import Testing
@testable import StableHLO

/// Structural checks on IR built in code (shapes the text parser would not produce).
@Suite struct VerifierStructureTests {
    static func f32(_ shape: [Int]) -> IRType { .tensor(TensorType(shape: shape, elementType: .float(.f32))) }
    static func at(_ line: Int) -> StableHLO.SourceLocation { StableHLO.SourceLocation(file: "built.mlir", line: line, column: 3) }

    /// `@main(%0: tensor<2xf32>)` with `ops` as its body.
    static func module(_ ops: [Operation], results: [IRType] = []) -> Module {
        let argument = Value(id: 0, type: f32([2]))
        let body = Region(blocks: [Block(arguments: [argument], operations: ops)])
        let main = Function(name: "main", inputTypes: [f32([2])], resultTypes: results, body: body, location: at(1))
        return Module(functions: [main])
    }

    static func add(_ lhs: Int, _ rhs: Int, into result: Int, line: Int) -> Operation {
        Operation(name: "stablehlo.add", operands: [Value(id: lhs, type: f32([2])), Value(id: rhs, type: f32([2]))],
                  results: [Value(id: result, type: f32([2]))], location: at(line))
    }

    static let ret = Operation(name: "func.return", location: at(9))

    @Test func acceptsWellFormedFunction() throws {
        let m = Self.module([Self.add(0, 0, into: 1, line: 2), Self.add(1, 0, into: 2, line: 3), Self.ret])
        try m.verify()
    }

    @Test func rejectsUseBeforeDefinition() {
        let m = Self.module([Self.add(0, 2, into: 1, line: 2), Self.add(0, 0, into: 2, line: 3), Self.ret])
        let diagnostics = m.verifyAll()
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message == "stablehlo.add: operand #1 (%2) is used before it is defined or is not visible here")
        #expect(diagnostics.first?.location == Self.at(2))
    }

    @Test func rejectsRedefinition() {
        let m = Self.module([Self.add(0, 0, into: 1, line: 2), Self.add(1, 1, into: 1, line: 3), Self.ret])
        #expect(m.verifyAll().map(\.message) == ["stablehlo.add: result %1 redefines a visible value"])
    }

    @Test func rejectsOperandTypeThatDiffersFromDefinition() {
        let bad = Operation(name: "stablehlo.negate", operands: [Value(id: 0, type: Self.f32([3]))],
                            results: [Value(id: 1, type: Self.f32([3]))], location: Self.at(4))
        let diagnostics = Self.module([bad, Self.ret]).verifyAll()
        #expect(diagnostics.map(\.message) == ["stablehlo.negate: operand #0 (%0) is used as tensor<3xf32> but defined as tensor<2xf32>"])
        #expect(diagnostics.first?.location == Self.at(4))
    }

    @Test func regionResultsAreNotVisibleOutside() {
        let inner = Self.add(0, 0, into: 5, line: 3)
        let yield = Operation(name: "stablehlo.return", operands: [Value(id: 5, type: Self.f32([2]))], location: Self.at(4))
        let pred = Operation(name: "stablehlo.constant", results: [Value(id: 1, type: .tensor(TensorType(shape: [], elementType: .i1)))],
                             attributes: [NamedAttribute("value", .dense(DenseElements(type: TensorType(shape: [], elementType: .i1), bytes: [1])))],
                             location: Self.at(2))
        let branch = Region(blocks: [Block(operations: [inner, yield])])
        let ifOp = Operation(name: "stablehlo.if", operands: [Value(id: 1, type: pred.results[0].type)],
                             results: [Value(id: 6, type: Self.f32([2]))], regions: [branch, branch], location: Self.at(3))
        let leak = Operation(name: "stablehlo.negate", operands: [Value(id: 5, type: Self.f32([2]))],
                             results: [Value(id: 7, type: Self.f32([2]))], location: Self.at(7))
        let diagnostics = Self.module([pred, ifOp, leak, Self.ret]).verifyAll()
        #expect(diagnostics.map(\.location) == [Self.at(7)])
    }

    @Test func rejectsMissingFunctionTerminator() {
        let diagnostics = Self.module([Self.add(0, 0, into: 1, line: 2)]).verifyAll()
        #expect(diagnostics.map(\.message) == ["func.func @main: body does not end with func.return"])
        #expect(diagnostics.first?.location == Self.at(2))
    }

    @Test func rejectsTerminatorInTheMiddle() {
        let diagnostics = Self.module([Self.ret, Self.add(0, 0, into: 1, line: 2), Self.ret]).verifyAll()
        #expect(diagnostics.first?.message == "func.return: terminator is not the last op of its block")
    }

    @Test func unknownOpsGetOnlyStructuralChecks() throws {
        let custom = Operation(name: "check.expect_eq", operands: [Value(id: 0, type: Self.f32([2]))], location: Self.at(2))
        try Self.module([custom, Self.ret]).verify()
        let undefined = Operation(name: "check.expect_eq", operands: [Value(id: 9, type: Self.f32([2]))], location: Self.at(2))
        #expect(Self.module([undefined, Self.ret]).verifyAll().count == 1)
    }

    /// Element-wise binary ops over several element types: allowed ones pass, others fail.
    @Test(arguments: [
        ("stablehlo.and", ElementType.si(32), true), ("stablehlo.and", .i1, true), ("stablehlo.and", .float(.bf16), false),
        ("stablehlo.add", .i1, true), ("stablehlo.subtract", .i1, false), ("stablehlo.atan2", .si(8), false),
        ("stablehlo.remainder", .ui(16), true), ("stablehlo.shift_right_logical", .ui(8), true),
        ("stablehlo.power", .complex(.f64), true), ("stablehlo.xor", .complex(.f32), false),
    ])
    func binaryElementTypes(_ name: String, _ element: ElementType, _ allowed: Bool) {
        let type = IRType.tensor(TensorType(shape: [4], elementType: element))
        let op = Operation(name: name, operands: [Value(id: 0, type: type), Value(id: 0, type: type)],
                           results: [Value(id: 1, type: type)], location: Self.at(2))
        let body = Region(blocks: [Block(arguments: [Value(id: 0, type: type)], operations: [op, Self.ret])])
        let m = Module(functions: [Function(name: "main", inputTypes: [type], resultTypes: [], body: body)])
        #expect(m.verifyAll().isEmpty == allowed)
    }
}
