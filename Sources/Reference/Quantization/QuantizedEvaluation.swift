import StableHLO

/// Ops on quantized tensors, as the spec defines them.
///
/// A quantized tensor holds its storage integers (its `Tensor.type` carries the
/// quantization). Ops of the `.storage` form run their ordinary kernel on those integers and
/// their results are given the declared quantized types. Ops of the `.dequantizeOpQuantize`
/// form dequantize every quantized operand to its expressed type, run their ordinary kernel
/// on floats and quantize every quantized result; `uniform_quantize` and
/// `uniform_dequantize` are that with the identity.
enum QuantizedEvaluation {
    /// Runs `op`, one of whose operands or results is a quantized tensor.
    static func run(_ op: Operation, _ inputs: [RuntimeValue], interpreter: Interpreter, scope: Scope) throws -> [RuntimeValue] {
        switch QuantizedForm(op) {
        case .storage:
            guard let kernel = KernelRegistry.table[op.name] else {
                throw InterpreterError.unsupportedOperation(name: op.name, location: op.location)
            }
            let outputs = try kernel(KernelCall(op: op, operands: inputs, interpreter: interpreter, scope: scope))
            return zip(outputs, op.results).map { output, result in stamped(output, as: result.type) }
        case .dequantizeOpQuantize:
            let floats = try zip(inputs, op.operands).map { input, operand -> RuntimeValue in
                guard case .tensor(let declared) = operand.type, declared.isQuantized, let t = input.tensor else { return input }
                return .tensor(try dequantize(t, declared, op))
            }
            let floatOp = op.replacingQuantizedTensors(\.expressedType)
            let outputs: [RuntimeValue]
            if op.name == "stablehlo.uniform_quantize" || op.name == "stablehlo.uniform_dequantize" {
                outputs = floats
            } else {
                guard let kernel = KernelRegistry.table[op.name] else {
                    throw InterpreterError.unsupportedOperation(name: op.name, location: op.location)
                }
                outputs = try kernel(KernelCall(op: floatOp, operands: floats, interpreter: interpreter, scope: scope))
            }
            guard outputs.count == op.results.count else { return outputs }
            return try zip(outputs, op.results).map { output, result in
                guard case .tensor(let declared) = result.type, declared.isQuantized, let t = output.tensor else { return output }
                return .tensor(try quantize(t, to: declared, op))
            }
        }
    }

    /// A storage op's result with the quantization its declared type gives it.
    static func stamped(_ value: RuntimeValue, as type: IRType) -> RuntimeValue {
        switch (value, type) {
        case (.tensor(var t), .tensor(let declared)) where declared.quantization != nil
            && !t.elementType.isFloat && !t.elementType.isComplex:
            t.type.quantization = declared.quantization
            return .tensor(t)
        case (.tuple(let items), .tuple(let types)) where items.count == types.count:
            return .tuple(zip(items, types).map { stamped($0, as: $1) })
        default:
            return value
        }
    }

    /// Rejects parameters that do not fit the runtime shape (an unverified program whose
    /// per-axis scales are fewer than its quantization dimension's size).
    static func checkParameters(_ q: UniformQuantization, shape: [Int], _ op: Operation) throws {
        if let problem = q.violation(shape: shape) {
            throw InterpreterError.failed(Diagnostic(.run, at: op.location, "\(op.name): \(q): \(problem)"))
        }
    }

    /// The index along the quantization dimension of each element (all 0 when per-tensor).
    static func axisIndices(shape: [Int], _ q: UniformQuantization) -> (Int) -> Int {
        guard let axis = q.quantizationDimension, axis < shape.count else { return { _ in 0 } }
        let stride = shape[(axis + 1)...].reduce(1, *)
        let size = shape[axis]
        return { ($0 / stride) % max(size, 1) }
    }

    /// `(storage - zero_point) * scale`, in the expressed type: the spec's `dequantize`
    /// (the subtraction is exact, in 64 bits, as upstream's lowering widens it).
    static func dequantize(_ t: Tensor, _ declared: TensorType, _ op: Operation) throws -> Tensor {
        guard let q = declared.quantization, let storage = t.ints else {
            throw InterpreterError.failed(Diagnostic(.run, at: op.location, "\(op.name): operand is not a quantized tensor"))
        }
        try checkParameters(q, shape: t.shape, op)
        let expressed = ElementType.float(q.expressedType)
        let round = ElementwiseKernels.rounding(expressed)
        let toFloat = NumericConversion.integerToFloat(source: .si(64), target: expressed)
        let scales = q.scales.map(round)
        let axisIndex = axisIndices(shape: t.shape, q)
        var values = [Double](repeating: 0, count: storage.count)
        for i in storage.indices {
            let k = axisIndex(i)
            let difference = toFloat(storage[i] &- q.zeroPoints[k])
            values[i] = round(difference * scales[k])
        }
        return Tensor(type: TensorType(shape: t.shape, elementType: expressed), storage: .floats(values))
    }

    /// The spec's `quantize`: `x / scale + zero_point` in the expressed type, clamped to the
    /// storage range, rounded to nearest even and stored (NaN stores 0).
    static func quantize(_ t: Tensor, to declared: TensorType, _ op: Operation) throws -> Tensor {
        guard let q = declared.quantization, let values = t.floats else {
            throw InterpreterError.failed(Diagnostic(.run, at: op.location,
                "\(op.name): only a floating-point value can be quantized to \(declared)"))
        }
        try checkParameters(q, shape: t.shape, op)
        let round = ElementwiseKernels.rounding(.float(q.expressedType))
        let scales = q.scales.map(round)
        let zeroPoints = q.zeroPoints.map { round(Double($0)) }
        let low = round(Double(q.storageMin)), high = round(Double(q.storageMax))
        let axisIndex = axisIndices(shape: t.shape, q)
        var storage = [Int64](repeating: 0, count: values.count)
        for i in values.indices {
            let k = axisIndex(i)
            var x = round(round(values[i] / scales[k]) + zeroPoints[k])
            if !x.isNaN { x = Swift.min(Swift.max(x, low), high) }
            x.round(.toNearestOrEven)
            storage[i] = NumericConversion.floatToInteger(x, to: q.storageType)
        }
        return Tensor(type: TensorType(shape: t.shape, quantization: q), storage: .ints(storage))
    }
}
