import StableHLO

/// Rewrites quantized tensors into the integer and float ops they stand for, so that no later
/// pass or target sees a quantized type (upstream's interpreter lowers them the same way
/// before it runs a program).
///
/// Each op follows its `QuantizedForm`: an op that moves elements (or runs regions) keeps
/// working on the storage integers; an op that computes gets its quantized operands
/// dequantized, `(convert(s) - zero_point)` converted to the expressed type times the scale,
/// runs on floats, and its quantized results quantized, `x / scale + zero_point` clamped to
/// the storage range, rounded to nearest even and converted to the storage type. Per-axis
/// scales and zero points are broadcast along their dimension. The arithmetic is the
/// spec's, as the reference backend runs it on quantized tensors directly.
public struct LowerQuantizedPass: Pass {
    public var name: String { "lower-quantized" }

    public init() {}

    public func run(on module: inout Module) throws {
        for i in module.functions.indices {
            let function = module.functions[i]
            guard function.inputTypes.contains(where: \.isQuantizedTensor)
                    || function.resultTypes.contains(where: \.isQuantizedTensor)
                    || function.body.blocks.contains(where: { $0.operations.contains(where: QuantizedForm.involvesQuantizedTensorsDeeply) })
                    || function.body.blocks.contains(where: { $0.arguments.contains { $0.type.isQuantizedTensor } }) else { continue }
            var lowering = QuantizedLowering(nextID: function.nextValueID)
            module.functions[i].body = try lowering.lower(function.body)
            module.functions[i].inputTypes = function.inputTypes.map(QuantizedLowering.storage)
            module.functions[i].resultTypes = function.resultTypes.map(QuantizedLowering.storage)
        }
    }
}

/// The rewriting of one function.
struct QuantizedLowering {
    var nextID: Int
    /// Value id → the same value with its storage type.
    var retyped: [Int: Value] = [:]

    static func storage(_ type: IRType) -> IRType { type.replacingQuantizedTensors(\.storageType) }

    mutating func fresh(_ type: TensorType) -> Value {
        defer { nextID += 1 }
        return Value(id: nextID, type: .tensor(type))
    }

    mutating func lower(_ region: Region) throws -> Region {
        var out = region
        for b in out.blocks.indices {
            out.blocks[b].arguments = out.blocks[b].arguments.map { argument in
                let value = Value(id: argument.id, type: Self.storage(argument.type))
                retyped[argument.id] = value
                return value
            }
            var operations: [Operation] = []
            for op in region.blocks[b].operations { try lower(op, into: &operations) }
            out.blocks[b].operations = operations
        }
        return out
    }

    mutating func lower(_ original: Operation, into output: inout [Operation]) throws {
        var op = original
        op.operands = op.operands.map { retyped[$0.id] ?? $0 }
        for r in op.regions.indices { op.regions[r] = try lower(op.regions[r]) }
        guard QuantizedForm.involvesQuantizedTensors(original) else {
            output.append(op)
            return
        }
        switch QuantizedForm(original) {
        case .storage:
            op.results = op.results.map { result in
                let value = Value(id: result.id, type: Self.storage(result.type))
                retyped[result.id] = value
                return value
            }
            if op.name == "stablehlo.constant", case .dense(var elements)? = op[attribute: "value"] {
                elements.type = elements.type.storageType
                op[attribute: "value"] = .dense(elements)
            }
            output.append(op)
        case .dequantizeOpQuantize:
            var operands: [Value] = []
            for (value, declared) in zip(op.operands, original.operands) {
                guard case .tensor(let type) = declared.type, let q = type.quantization else {
                    operands.append(value)
                    continue
                }
                operands.append(try dequantize(value, type, q, at: op.location, into: &output))
            }
            let identity = op.name == "stablehlo.uniform_quantize" || op.name == "stablehlo.uniform_dequantize"
            var floats: [Value] = []
            if identity {
                floats = operands
            } else {
                var computed = original.replacingQuantizedTensors(\.expressedType)
                computed.operands = operands
                computed.results = original.results.map { result in
                    guard case .tensor(let t) = result.type, t.isQuantized else { return result }
                    return fresh(t.expressedType)
                }
                output.append(computed)
                floats = computed.results
            }
            for (result, value) in zip(original.results, floats) {
                guard case .tensor(let type) = result.type, let q = type.quantization else {
                    if identity {
                        // `uniform_dequantize`: the dequantized value is the result.
                        output.append(Operation(name: "stablehlo.convert", operands: [value],
                                                results: [result], location: op.location))
                    }
                    continue
                }
                let stored = Value(id: result.id, type: .tensor(type.storageType))
                try quantize(value, to: type, q, result: stored, at: op.location, into: &output)
                retyped[result.id] = stored
            }
        }
    }

    // MARK: Quantize and dequantize

    /// `(convert(s) - zero_point)` in a wide integer, converted to the expressed type, times
    /// the scale.
    mutating func dequantize(_ value: Value, _ type: TensorType, _ q: UniformQuantization,
                             at location: SourceLocation, into output: inout [Operation]) throws -> Value {
        let shape = try staticShape(type, location)
        let wide: ElementType = q.storageType.bitWidth >= 32 ? .si(64) : .si(32)
        let expressed = ElementType.float(q.expressedType)
        let widened = emit("stablehlo.convert", [value], TensorType(shape: shape, elementType: wide), location, &output)
        let zeroPoints = parameter(q.zeroPoints.map { UInt64(bitPattern: $0) }, wide, shape, q, location, &output)
        let difference = emit("stablehlo.subtract", [widened, zeroPoints], TensorType(shape: shape, elementType: wide), location, &output)
        let real = emit("stablehlo.convert", [difference], TensorType(shape: shape, elementType: expressed), location, &output)
        let scales = parameter(q.scales.map { q.expressedType.encode($0) }, expressed, shape, q, location, &output)
        return emit("stablehlo.multiply", [real, scales], TensorType(shape: shape, elementType: expressed), location, &output)
    }

    /// `convert(round_nearest_even(clamp(min, x / scale + zero_point, max)))` into `result`.
    mutating func quantize(_ value: Value, to type: TensorType, _ q: UniformQuantization, result: Value,
                           at location: SourceLocation, into output: inout [Operation]) throws {
        let shape = try staticShape(type, location)
        let f = q.expressedType
        let floatType = TensorType(shape: shape, elementType: .float(f))
        let scales = parameter(q.scales.map { f.encode($0) }, .float(f), shape, q, location, &output)
        let scaled = emit("stablehlo.divide", [value, scales], floatType, location, &output)
        let zeroPoints = parameter(q.zeroPoints.map { f.encode(Double($0)) }, .float(f), shape, q, location, &output)
        let shifted = emit("stablehlo.add", [scaled, zeroPoints], floatType, location, &output)
        let low = splat(f.encode(Double(q.storageMin)), floatType, location, &output)
        let high = splat(f.encode(Double(q.storageMax)), floatType, location, &output)
        let clamped = emit("stablehlo.clamp", [low, shifted, high], floatType, location, &output)
        let rounded = emit("stablehlo.round_nearest_even", [clamped], floatType, location, &output)
        output.append(Operation(name: "stablehlo.convert", operands: [rounded], results: [result], location: location))
    }

    func staticShape(_ type: TensorType, _ location: SourceLocation) throws -> [Int] {
        guard type.isStatic else {
            throw CompileError("\(location): quantized tensor \(type) has a dynamic shape; the quantized lowering needs static shapes")
        }
        if let q = type.quantization, let problem = q.violation(shape: type.shape) {
            throw CompileError("\(location): quantized tensor \(type): \(problem)")
        }
        return type.shape
    }

    mutating func emit(_ name: String, _ operands: [Value], _ type: TensorType, _ location: SourceLocation,
                       _ output: inout [Operation]) -> Value {
        let result = fresh(type)
        output.append(Operation(name: name, operands: operands, results: [result], location: location))
        return result
    }

    mutating func splat(_ bits: UInt64, _ type: TensorType, _ location: SourceLocation, _ output: inout [Operation]) -> Value {
        let result = fresh(type)
        output.append(.constant(DenseElements(type: type, littleEndianWords: [bits], isSplat: true), result: result, location: location))
        return result
    }

    /// A per-tensor parameter as a splat of `shape`; per-axis ones as a vector broadcast
    /// along the quantization dimension.
    mutating func parameter(_ bits: [UInt64], _ element: ElementType, _ shape: [Int], _ q: UniformQuantization,
                            _ location: SourceLocation, _ output: inout [Operation]) -> Value {
        let full = TensorType(shape: shape, elementType: element)
        guard let axis = q.quantizationDimension, axis < shape.count else {
            return splat(bits.first ?? 0, full, location, &output)
        }
        let vectorType = TensorType(shape: [bits.count], elementType: element)
        let vector = fresh(vectorType)
        output.append(.constant(DenseElements(type: vectorType, littleEndianWords: bits), result: vector, location: location))
        let result = fresh(full)
        output.append(Operation(name: "stablehlo.broadcast_in_dim", operands: [vector], results: [result],
                                attributes: [NamedAttribute("broadcast_dimensions", .denseInts(.si(64), [Int64(axis)]))],
                                location: location))
        return result
    }
}
