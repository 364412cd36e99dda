import StableHLO

/// `dynamic-to-static`: rewrites dynamic-shape ops whose result type is static into their
/// static forms, so a target that only has kernels for static shapes runs them:
///
/// - `get_dimension_size` of a static dimension → a constant;
/// - `dynamic_iota` → `iota`; `dynamic_broadcast_in_dim` → `broadcast_in_dim`;
///   `dynamic_reshape` → `reshape` (the shape operand is implied by the result type);
/// - `dynamic_pad` with constant low/high/interior padding → `pad` (negative edge padding
///   kept, as the spec allows);
/// - `real_dynamic_slice` with constant start/limit/strides → `slice`;
/// - `dynamic_gather` with constant slice sizes → `gather`;
/// - `dynamic_conv` with constant padding → `convolution`.
///
/// An op is rewritten only when its operands have static shapes and the constants describe
/// exactly the result type (otherwise the program is invalid and the op stays, so whoever
/// runs it reports the error as before).
public struct DynamicToStaticPass: Pass {
    public var name: String { "dynamic-to-static" }

    public init() {}

    public func run(on module: inout Module) throws {
        try OperationRewriter.rewrite(&module, rule: Self.rewrite)
    }

    static func rewrite(_ op: Operation, _ context: inout RewriteContext) -> Rewrite {
        guard op.results.count == 1, let result = op.results[0].type.tensorType, result.isStatic else { return .keep }
        switch op.name {
        case "stablehlo.get_dimension_size": return dimensionSize(op, result: result, &context)
        case "stablehlo.dynamic_iota": return iota(op, result: result)
        case "stablehlo.dynamic_broadcast_in_dim": return broadcast(op, result: result)
        case "stablehlo.dynamic_reshape": return reshape(op, result: result)
        case "stablehlo.dynamic_pad": return pad(op, result: result, context)
        case "stablehlo.real_dynamic_slice": return slice(op, result: result, context)
        case "stablehlo.dynamic_gather": return gather(op, context)
        case "stablehlo.dynamic_conv": return convolution(op, context)
        default: return .keep
        }
    }

    /// The elements of the integer constant `value` as `Int`s (a splat expanded), or nil
    /// when no constant defines it.
    static func constantIntegers(_ value: Value, _ context: RewriteContext) -> [Int]? {
        guard let elements = context.constantElements(of: value), elements.hasCompleteStorage,
              let values = elements.int64Values, values.count == elements.type.elementCount else { return nil }
        return values.map { Int(truncatingIfNeeded: $0) }
    }

    static func staticShape(_ value: Value) -> [Int]? {
        guard let type = value.type.tensorType, type.isStatic else { return nil }
        return type.shape
    }

    static func integers(_ values: [Int]) -> Attribute { .denseInts(.si(64), values.map(Int64.init)) }

    /// The op renamed, with `operands` and extra `attributes` (result and location kept).
    static func renamed(_ op: Operation, to name: String, operands: [Value],
                        keeping kept: [String], adding extra: [NamedAttribute] = []) -> Rewrite {
        let attributes = op.attributes.filter { kept.contains($0.name) } + extra
        return .update(Operation(name: name, operands: operands, results: op.results, attributes: attributes,
                                 location: op.location))
    }

    static func dimensionSize(_ op: Operation, result: TensorType, _ context: inout RewriteContext) -> Rewrite {
        guard op.operands.count == 1, let shape = staticShape(op.operands[0]),
              let dimension = op[attribute: "dimension"]?.intValue, dimension >= 0, Int(dimension) < shape.count,
              result.rank == 0, result.elementType.isInteger else { return .keep }
        let size = result.elementType.storageBytes
        let value = UInt64(shape[Int(dimension)])
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
        let constant = context.makeValue(op.results[0].type)
        return .expand([.constant(DenseElements(type: result, bytes: bytes), result: constant, location: op.location)],
                       results: [constant])
    }

    static func iota(_ op: Operation, result: TensorType) -> Rewrite {
        guard op.operands.count == 1, let dimension = op[attribute: "iota_dimension"]?.intValue,
              dimension >= 0, Int(dimension) < result.rank else { return .keep }
        return renamed(op, to: "stablehlo.iota", operands: [], keeping: ["iota_dimension"])
    }

    static func broadcast(_ op: Operation, result: TensorType) -> Rewrite {
        guard op.operands.count == 2, let input = staticShape(op.operands[0]),
              let dimensions = op[attribute: "broadcast_dimensions"]?.intArray, dimensions.count == input.count,
              Set(dimensions).count == dimensions.count else { return .keep }
        for (k, d) in dimensions.enumerated() {
            guard d >= 0, Int(d) < result.rank, input[k] == 1 || input[k] == result.shape[Int(d)] else { return .keep }
        }
        return renamed(op, to: "stablehlo.broadcast_in_dim", operands: [op.operands[0]], keeping: ["broadcast_dimensions"])
    }

    static func reshape(_ op: Operation, result: TensorType) -> Rewrite {
        guard op.operands.count == 2, let input = op.operands[0].type.tensorType, input.isStatic,
              input.elementCount == result.elementCount else { return .keep }
        return renamed(op, to: "stablehlo.reshape", operands: [op.operands[0]], keeping: [])
    }

    static func pad(_ op: Operation, result: TensorType, _ context: RewriteContext) -> Rewrite {
        guard op.operands.count == 5, let input = staticShape(op.operands[0]),
              let low = constantIntegers(op.operands[2], context), let high = constantIntegers(op.operands[3], context),
              let interior = constantIntegers(op.operands[4], context),
              low.count == input.count, high.count == input.count, interior.count == input.count,
              PadGeometry.shape(input, low: low, high: high, interior: interior) == result.shape else { return .keep }
        return renamed(op, to: "stablehlo.pad", operands: [op.operands[0], op.operands[1]], keeping: [], adding: [
            NamedAttribute("edge_padding_low", integers(low)), NamedAttribute("edge_padding_high", integers(high)),
            NamedAttribute("interior_padding", integers(interior)),
        ])
    }

    static func slice(_ op: Operation, result: TensorType, _ context: RewriteContext) -> Rewrite {
        guard op.operands.count == 4, let input = staticShape(op.operands[0]),
              let start = constantIntegers(op.operands[1], context), let limit = constantIntegers(op.operands[2], context),
              let strides = constantIntegers(op.operands[3], context),
              SliceGeometry.shape(input, start: start, limit: limit, strides: strides) == result.shape else { return .keep }
        return renamed(op, to: "stablehlo.slice", operands: [op.operands[0]], keeping: [], adding: [
            NamedAttribute("start_indices", integers(start)), NamedAttribute("limit_indices", integers(limit)),
            NamedAttribute("strides", integers(strides)),
        ])
    }

    static func gather(_ op: Operation, _ context: RewriteContext) -> Rewrite {
        guard op.operands.count == 3, let input = staticShape(op.operands[0]), staticShape(op.operands[1]) != nil,
              let sizes = constantIntegers(op.operands[2], context), sizes.count == input.count,
              zip(sizes, input).allSatisfy({ $0 >= 0 && $0 <= $1 }) else { return .keep }
        return renamed(op, to: "stablehlo.gather", operands: [op.operands[0], op.operands[1]],
                       keeping: ["dimension_numbers", "indices_are_sorted"],
                       adding: [NamedAttribute("slice_sizes", integers(sizes))])
    }

    static func convolution(_ op: Operation, _ context: RewriteContext) -> Rewrite {
        guard op.operands.count == 3, staticShape(op.operands[0]) != nil, staticShape(op.operands[1]) != nil,
              let padding = constantIntegers(op.operands[2], context), padding.count % 2 == 0 else { return .keep }
        let rows = padding.count / 2
        let type = TensorType(shape: [rows, 2], elementType: .si(64))
        let bytes = padding.flatMap { value in (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: Int64(value)) >> UInt64(8 * $0)) } }
        let kept = op.attributes.filter { $0.name != "padding" }.map(\.name)
        return renamed(op, to: "stablehlo.convolution", operands: [op.operands[0], op.operands[1]], keeping: kept,
                       adding: [NamedAttribute("padding", .dense(DenseElements(type: type, bytes: bytes)))])
    }
}

/// The result shape of a `pad`, or nil when the padding is invalid (negative interior
/// padding, or a dimension that would be negative).
enum PadGeometry {
    static func shape(_ input: [Int], low: [Int], high: [Int], interior: [Int]) -> [Int]? {
        let limit = 1 << 40
        guard low.count == input.count, high.count == input.count, interior.count == input.count,
              interior.allSatisfy({ $0 >= 0 && $0 < limit }), (low + high).allSatisfy({ $0 > -limit && $0 < limit }),
              input.allSatisfy({ $0 >= 0 && $0 < limit }) else { return nil }
        var shape: [Int] = []
        for d in input.indices {
            // Every term is below 2^40; their product may not be (up to 2^80), so it is checked
            // and kept below 2^60, which leaves the sum far from overflowing.
            let n = input[d]
            let (interiors, overflow) = max(n - 1, 0).multipliedReportingOverflow(by: interior[d])
            guard !overflow, interiors < 1 << 60 else { return nil }
            let size = low[d] + high[d] + n + interiors
            guard size >= 0 else { return nil }
            shape.append(size)
        }
        return shape
    }
}

/// The result shape of a `slice`, or nil when the bounds are invalid.
enum SliceGeometry {
    static func shape(_ input: [Int], start: [Int], limit: [Int], strides: [Int]) -> [Int]? {
        guard start.count == input.count, limit.count == input.count, strides.count == input.count else { return nil }
        var shape: [Int] = []
        for d in input.indices {
            guard start[d] >= 0, start[d] <= limit[d], limit[d] <= input[d], strides[d] > 0 else { return nil }
            shape.append(limit[d] == start[d] ? 0 : (limit[d] - start[d] - 1) / strides[d] + 1)
        }
        return shape
    }
}
