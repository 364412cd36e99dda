import StableHLO

/// `stablehlo.custom_call @check.*(...)`: the form JAX-exported test programs use, with
/// the tolerances the reference interpreter's translate tool applies to it.
extension CheckKernels {
    static func customCall(_ call: KernelCall) throws -> [RuntimeValue] {
        let target: String
        switch call.op[attribute: "call_target_name"] {
        case .string(let s)?: target = s
        case .symbolRef(let s)?: target = s
        default: throw call.error("missing call_target_name")
        }
        guard call.operands.count == 2 else {
            throw InterpreterError.unsupportedOperation(name: "stablehlo.custom_call @\(target)", location: call.op.location)
        }
        let actual = try call.tensor(0), expected = try call.tensor(1)
        switch target {
        case "check.expect_eq":
            return try expect(call, .exact, actual: actual, expected: expected)
        case "check.expect_almost_eq":
            return try expect(call, .almostEqual(1e-3), actual: actual, expected: expected)
        case "check.expect_close":
            return try expect(call, .ulp(min: 0, max: 3), actual: actual, expected: expected)
        case "check.eq":
            let comparison: Comparison = expected.elementType.isInteger || expected.elementType.isBool
                ? .exact : .almostEqual(1e-4)
            try verify(call, comparison, actual: actual, expected: expected)
            let type = (try? call.resultType()) ?? TensorType(shape: [], elementType: .i1)
            return [.tensor(Tensor(type: type, storage: .ints([Int64](repeating: 1, count: type.elementCount))))]
        default:
            throw InterpreterError.unsupportedOperation(name: "stablehlo.custom_call @\(target)", location: call.op.location)
        }
    }

    /// `interpreter.probe`: records its operand under `probe_id` and passes it through.
    static func probe(_ call: KernelCall) throws -> [RuntimeValue] {
        let operand = try call.tensor(0)
        guard let id = call.op[attribute: "probe_id"]?.stringValue else { throw call.error("missing probe_id") }
        call.interpreter.probeLog.append(operand, to: id)
        return [.tensor(operand)]
    }

    /// `check.expect_serialized_eq`: the value recorded by the probe `probe_id` at
    /// `iteration` (written `iter = n`; default 0) has the operand's type and equals it
    /// exactly.
    static func expectSerializedEqual(_ call: KernelCall) throws -> [RuntimeValue] {
        let expected = try call.tensor(0)
        guard let id = call.op[attribute: "probe_id"]?.stringValue else { throw call.error("missing probe_id") }
        let iteration = Int((call.op[attribute: "iteration"] ?? call.op[attribute: "iter"])?.intValue ?? 0)
        let recorded = call.interpreter.probeLog.values(id)
        guard iteration >= 0, iteration < recorded.count else {
            throw failure(call, "probe '\(id)' recorded \(recorded.count) values, iteration \(iteration) not found")
        }
        let actual = recorded[iteration]
        guard actual.type == expected.type else {
            throw failure(call, "probe '\(id)' type \(actual.type) does not match \(expected.type)")
        }
        return try expect(call, .exact, actual: actual, expected: expected)
    }
}
