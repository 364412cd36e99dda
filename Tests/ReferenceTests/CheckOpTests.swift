import Reference
import StableHLO
import Testing

/// The check dialect, its custom-call form and `interpreter.probe`: each check passes
/// on matching values, fails with the index and both values otherwise, and is counted.
@Suite struct CheckOpTests {
    static func failureMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch InterpreterError.checkFailed(let message, _) {
            return message
        } catch {
            return "unexpected error: \(error)"
        }
    }

    static func customCall(_ target: String) -> [NamedAttribute] {
        [NamedAttribute("call_target_name", .string(target)), NamedAttribute("has_side_effect", .bool(true))]
    }

    @Test func expectEqPassesAndFails() throws {
        let a = OneOp.ints([1, 2, 3, 4], .si(32), shape: [2, 2])
        let (_, checks) = try OneOp.runCounting("check.expect_eq", [a, a], result: nil)
        #expect(checks == 1)
        let b = OneOp.ints([1, 2, 3, 5], .si(32), shape: [2, 2])
        let message = Self.failureMessage { _ = try OneOp.run("check.expect_eq", [a, b], result: nil) }
        #expect(message?.contains("[1, 1]") == true && message?.contains("4 (actual)") == true && message?.contains("5 (expected)") == true)
        let floats = OneOp.floats([.nan], .f32)
        #expect(Self.failureMessage { _ = try OneOp.run("check.expect_eq", [floats, floats], result: nil) } != nil)
    }

    @Test func expectEqConstReadsTheValueAttribute() throws {
        let type = TensorType(shape: [2], elementType: .ui(8))
        let dense = DenseElements(type: type, bytes: [7, 255])
        let a = OneOp.ints([7, 255], .ui(8))
        _ = try OneOp.run("check.expect_eq_const", [a], result: nil, attributes: [NamedAttribute("value", .dense(dense))])
        let message = Self.failureMessage {
            _ = try OneOp.run("check.expect_eq_const", [OneOp.ints([7, 254], .ui(8))], result: nil,
                              attributes: [NamedAttribute("value", .dense(dense))])
        }
        #expect(message?.contains("254 (actual) vs 255 (expected)") == true)
    }

    @Test func expectAlmostEqUsesTheTolerance() throws {
        let a = OneOp.floats([1.0, .nan, 3], .f64), b = OneOp.floats([1.00005, .nan, 3], .f64)
        _ = try OneOp.run("check.expect_almost_eq", [a, b], result: nil)
        let c = OneOp.floats([1.0002, .nan, 3], .f64)
        let message = Self.failureMessage { _ = try OneOp.run("check.expect_almost_eq", [a, c], result: nil) }
        #expect(message?.contains("tolerance 0.0001") == true && message?.contains("[0]") == true)
        _ = try OneOp.run("check.expect_almost_eq", [a, c], result: nil,
                          attributes: [NamedAttribute("tolerance", .float(1e-3, type: .scalar(.float(.f64))))])
        let z = OneOp.complexes([(1, 2)], .f32), w = OneOp.complexes([(1, 2.01)], .f32)
        #expect(Self.failureMessage { _ = try OneOp.run("check.expect_almost_eq", [z, w], result: nil) } != nil)
    }

    @Test(arguments: [FloatFormat.f16, .bf16, .f32, .f64])
    func expectCloseCountsULPsInTheElementType(format: FloatFormat) throws {
        let one = format.decode(format.encode(1.0))
        let next = format.decode(format.encode(1.0) + 1)
        let afterNext = format.decode(format.encode(1.0) + 2)
        let a = OneOp.floats([one, -0.0, .infinity], format)
        let b1 = OneOp.floats([next, 0, .infinity], format)
        let b2 = OneOp.floats([afterNext, 0, .infinity], format)
        _ = try OneOp.run("check.expect_close", [a, b1], result: nil)
        let message = Self.failureMessage { _ = try OneOp.run("check.expect_close", [a, b2], result: nil) }
        #expect(message?.contains("ULP difference 2") == true)
        _ = try OneOp.run("check.expect_close", [a, b2], result: nil,
                          attributes: [NamedAttribute("max_ulp_difference", .integer(2, type: nil))])
        #expect(Self.failureMessage {
            _ = try OneOp.run("check.expect_close", [a, a], result: nil,
                              attributes: [NamedAttribute("min_ulp_difference", .integer(1, type: nil))])
        } != nil)
        let inf = OneOp.floats([.infinity], format), big = OneOp.floats([1000], format)
        #expect(Self.failureMessage { _ = try OneOp.run("check.expect_close", [inf, big], result: nil) } != nil)
    }

    @Test func customCallFormsUseTheTranslateToolTolerances() throws {
        let a = OneOp.floats([1, 2], .f32)
        let threeULP = OneOp.floats([Double(Float(1).nextUp.nextUp.nextUp), 2], .f32)
        let (_, checks) = try OneOp.runCounting("stablehlo.custom_call", [a, threeULP], result: nil,
                                                attributes: Self.customCall("check.expect_close"))
        #expect(checks == 1)
        let fourULP = OneOp.floats([Double(Float(1).nextUp.nextUp.nextUp.nextUp), 2], .f32)
        #expect(Self.failureMessage {
            _ = try OneOp.run("stablehlo.custom_call", [a, fourULP], result: nil, attributes: Self.customCall("check.expect_close"))
        } != nil)
        _ = try OneOp.run("stablehlo.custom_call", [a, OneOp.floats([1.0009, 2], .f32)], result: nil,
                          attributes: Self.customCall("check.expect_almost_eq"))
        #expect(Self.failureMessage {
            _ = try OneOp.run("stablehlo.custom_call", [a, OneOp.floats([1.002, 2], .f32)], result: nil,
                              attributes: Self.customCall("check.expect_almost_eq"))
        } != nil)
        let ints = OneOp.ints([3], .si(8))
        _ = try OneOp.run("stablehlo.custom_call", [ints, ints], result: nil, attributes: Self.customCall("check.expect_eq"))
        let eq = try OneOp.run("stablehlo.custom_call", [ints, ints], result: TensorType(shape: [], elementType: .i1),
                               attributes: Self.customCall("check.eq"))
        #expect(eq?.ints == [1])
        #expect(Self.failureMessage {
            _ = try OneOp.run("stablehlo.custom_call", [ints, OneOp.ints([4], .si(8))], result: TensorType(shape: [], elementType: .i1),
                              attributes: Self.customCall("check.eq"))
        } != nil)
        #expect(throws: InterpreterError.self) {
            try OneOp.run("stablehlo.custom_call", [ints, ints], result: nil, attributes: Self.customCall("foo.bar"))
        }
    }

    @Test func probeRecordsValuesForExpectSerializedEq() throws {
        let type = IRType.tensor(TensorType(shape: [2], elementType: .si(64)))
        let x = Value(id: 0, type: type), p = Value(id: 1, type: type)
        let probeID = NamedAttribute("probe_id", .string("probe0"))
        let ops = [
            Operation(name: "interpreter.probe", operands: [x], results: [p], attributes: [probeID]),
            Operation(name: "check.expect_serialized_eq", operands: [x], attributes: [probeID, NamedAttribute("iteration", .integer(0, type: .scalar(.ui(32))))]),
            Operation(name: "func.return", operands: [p]),
        ]
        let main = Function(name: "main", inputTypes: [type], resultTypes: [type],
                            body: Region(blocks: [Block(arguments: [x], operations: ops)]))
        let interpreter = Interpreter(module: Module(functions: [main]))
        let input = OneOp.ints([5, -6], .si(64))
        #expect(try interpreter.run("main", inputs: [input]) == [input])
        #expect(interpreter.probes["probe0"] == [input])
        #expect(interpreter.checkCount == 1)

        var missing = ops
        missing[1].attributes = [probeID, NamedAttribute("iteration", .integer(1, type: .scalar(.ui(32))))]
        let second = Function(name: "main", inputTypes: [type], resultTypes: [type],
                              body: Region(blocks: [Block(arguments: [x], operations: missing)]))
        #expect(Self.failureMessage { _ = try Interpreter(module: Module(functions: [second])).run("main", inputs: [input]) } != nil)
    }

    /// Two programs run with one `ProbeLog` (the host steps of one program on the CUDA
    /// backend): the check in the second finds the values the first one probed.
    @Test(arguments: [1, 3])
    func sharedProbeLogSpansPrograms(_ iterations: Int) throws {
        let type = IRType.tensor(TensorType(shape: [2], elementType: .si(64)))
        let x = Value(id: 0, type: type), p = Value(id: 1, type: type)
        let probeID = NamedAttribute("probe_id", .string("loop"))
        let probing = Function(name: "main", inputTypes: [type], resultTypes: [type], body: Region(blocks: [Block(arguments: [x], operations: [
            Operation(name: "interpreter.probe", operands: [x], results: [p], attributes: [probeID]),
            Operation(name: "func.return", operands: [p]),
        ])]))
        let last = NamedAttribute("iteration", .integer(Int64(iterations - 1), type: .scalar(.ui(32))))
        let checking = Function(name: "main", inputTypes: [type], resultTypes: [], body: Region(blocks: [Block(arguments: [x], operations: [
            Operation(name: "check.expect_serialized_eq", operands: [x], attributes: [probeID, last]),
            Operation(name: "func.return", operands: []),
        ])]))
        let log = ProbeLog()
        let input = OneOp.ints([7, 8], .si(64))
        for _ in 0..<iterations {
            _ = try ReferenceProgram(module: Module(functions: [probing]), probeLog: log).invoke(function: "main", inputs: [input.hostTensor])
        }
        #expect(log.values("loop").count == iterations)
        _ = try ReferenceProgram(module: Module(functions: [checking]), probeLog: log).invoke(function: "main", inputs: [input.hostTensor])
        // Without the shared log the check finds nothing.
        #expect(Self.failureMessage { _ = try ReferenceProgram(module: Module(functions: [checking])).invoke(function: "main", inputs: [input.hostTensor]) } != nil)
    }
}
