/// Decoders for the StableHLO dialect's own bytecode encodings
/// (`stablehlo/dialect/StablehloBytecode.cpp`), used by plain (non-VHLO) bytecode such as
/// `jax._src.interpreters.mlir.module_to_bytecode` writes: attribute codes 1...22 and
/// type codes 0...1. This encoding carries no compatibility guarantee; it is read as
/// StableHLO 1.20 writes it.
enum StablehloEncoding {
    static func readAttribute(_ c: inout ByteCursor, _ table: AttributeTable) throws -> Attribute {
        let codeAt = c.position
        let code = try c.readVarInt()
        switch code {
        case 1:
            let handle = try c.readSignedVarInt(), type = try c.readSignedVarInt()
            return VHLOLegalizer.channelHandle(handle, type)
        case 2: return try VHLOEncoding.readEnum(&c, kind: "comparison_direction", VHLOEncoding.comparisonDirections)
        case 3: return try VHLOEncoding.readEnum(&c, kind: "comparison_type", VHLOEncoding.comparisonTypes)
        case 4:  // ConvDimensionNumbersAttr
            var ps: [NamedAttribute] = []
            for name in PrettyForms.convolutionParameterNames {
                if name.hasSuffix("_dimensions") {
                    ps.append(NamedAttribute(name, VHLOEncoding.integerArray(try table.readSignedVarInts(&c))))
                } else {
                    ps.append(NamedAttribute(name, .integer(try c.readSignedVarInt(), type: nil)))
                }
            }
            return .dialect(name: "stablehlo.conv", parameters: ps)
        case 5:  // DotDimensionNumbersAttr
            var ps: [NamedAttribute] = []
            for name in ["lhs_batching_dimensions", "rhs_batching_dimensions", "lhs_contracting_dimensions", "rhs_contracting_dimensions"] {
                let v = try table.readSignedVarInts(&c)
                if !v.isEmpty || name.hasSuffix("contracting_dimensions") { ps.append(NamedAttribute(name, VHLOEncoding.integerArray(v))) }
            }
            return .dialect(name: "stablehlo.dot", parameters: ps)
        case 6: return try VHLOEncoding.readEnum(&c, kind: "fft_type", VHLOEncoding.fftTypes)
        case 7:  // GatherDimensionNumbersAttr
            return try dimensionNumbers(&c, table, name: "stablehlo.gather", [
                "offset_dims", "collapsed_slice_dims", "operand_batching_dims", "start_indices_batching_dims", "start_index_map"])
        case 8: return try VHLOEncoding.readEnum(&c, kind: "precision", VHLOEncoding.precisions)
        case 9: return try VHLOEncoding.readEnum(&c, kind: "rng_algorithm", VHLOEncoding.rngAlgorithms)
        case 10: return try VHLOEncoding.readEnum(&c, kind: "rng_distribution", VHLOEncoding.rngDistributions)
        case 11:  // ScatterDimensionNumbersAttr
            return try dimensionNumbers(&c, table, name: "stablehlo.scatter", [
                "update_window_dims", "inserted_window_dims", "input_batching_dims", "scatter_indices_batching_dims",
                "scatter_dims_to_operand_dims"])
        case 12: return try VHLOEncoding.readEnum(&c, kind: "transpose", VHLOEncoding.transposes)
        case 13:
            return .dialect(name: "stablehlo.bounds", parameters: [
                NamedAttribute("bounds", .denseInts(.si(64), try table.readSignedVarInts(&c)))])
        case 14:
            let outputTuple = try table.readSignedVarInts(&c)
            let operand = try c.readSignedVarInt()
            let operandTuple = try table.readSignedVarInts(&c)
            return .dialect(name: "stablehlo.output_operand_alias", parameters: [
                NamedAttribute("output_tuple_indices", VHLOEncoding.integerArray(outputTuple)),
                NamedAttribute("operand_index", .integer(operand, type: nil)),
                NamedAttribute("operand_tuple_indices", VHLOEncoding.integerArray(operandTuple)),
            ])
        case 15:  // DotAlgorithmAttr
            var ps: [NamedAttribute] = []
            for name in ["lhs_precision_type", "rhs_precision_type", "accumulation_type"] {
                ps.append(NamedAttribute(name, .type(try table.readType(&c))))
            }
            for name in ["lhs_component_count", "rhs_component_count", "num_primitive_operations"] {
                ps.append(NamedAttribute(name, .integer(try c.readSignedVarInt(), type: nil)))
            }
            ps.append(NamedAttribute("allow_imprecise_accumulation", .bool(try c.readByte() != 0)))
            return .dialect(name: "stablehlo.dot_algorithm", parameters: ps)
        case 16: return try VHLOEncoding.readEnum(&c, kind: "result_accuracy_mode", VHLOEncoding.resultAccuracyModes)
        case 17:
            let atol = FloatFormat.f64.decode(try table.readAPInt(&c, width: 64))
            let rtol = FloatFormat.f64.decode(try table.readAPInt(&c, width: 64))
            let ulps = try c.readSignedVarInt()
            return VHLOEncoding.resultAccuracy(atol: atol, rtol: rtol, ulps: ulps, mode: try table.readAttribute(&c))
        case 18:  // ReplicaGroupMeshAxesAttr
            let mesh = try table.readAttribute(&c)
            let n = try c.readCount("mesh axis")
            var axes: [Attribute] = []
            for _ in 0..<n { axes.append(try table.readAttribute(&c)) }
            return .dialect(name: "stablehlo.replica_group_mesh_axes", parameters: [
                NamedAttribute("mesh", mesh), NamedAttribute("axes", .array(axes))])
        case 19:
            let pre = try c.readSignedVarInt(), size = try c.readSignedVarInt()
            return .dialect(name: "stablehlo.sub_axis_info", parameters: [
                NamedAttribute("pre_size", .integer(pre, type: nil)), NamedAttribute("size", .integer(size, type: nil))])
        case 20:  // AxisRefAttr
            let name = try table.readString(&c)
            guard try c.readByte() != 0 else {
                return .dialect(name: "stablehlo.axis_ref", parameters: [NamedAttribute("name", .string(name))])
            }
            return try VHLOEncoding.axisReference(name: name, subAxis: try table.readAttribute(&c), c)
        case 21:
            let name = try table.readString(&c)
            let size = try c.readSignedVarInt()
            return .dialect(name: "stablehlo.mesh_axis", parameters: [
                NamedAttribute("name", .string(name)), NamedAttribute("size", .integer(size, type: nil))])
        case 22:
            var ps = [NamedAttribute("axes", try table.readAttribute(&c))]
            if try c.readByte() != 0 { ps.append(NamedAttribute("device_ids", try table.readAttribute(&c))) }
            return .dialect(name: "stablehlo.mesh", parameters: ps)
        default:
            throw c.error("unknown StableHLO attribute code \(code)", at: codeAt)
        }
    }

    /// `#stablehlo.gather<...>`/`#stablehlo.scatter<...>`: the non-empty lists, then a
    /// non-zero `index_vector_dim` (what MLIR prints).
    static func dimensionNumbers(_ c: inout ByteCursor, _ table: AttributeTable, name: String, _ lists: [String]) throws -> Attribute {
        var ps: [NamedAttribute] = []
        for list in lists {
            let v = try table.readSignedVarInts(&c)
            if !v.isEmpty { ps.append(NamedAttribute(list, VHLOEncoding.integerArray(v))) }
        }
        let indexVectorDim = try c.readSignedVarInt()
        if indexVectorDim != 0 { ps.append(NamedAttribute("index_vector_dim", .integer(indexVectorDim, type: nil))) }
        return .dialect(name: name, parameters: ps)
    }

    static func readType(_ c: inout ByteCursor, _ table: AttributeTable) throws -> IRType {
        let codeAt = c.position
        let code = try c.readVarInt()
        switch code {
        case 0: return .token
        case 1:
            let types = try table.readTypes(&c)
            return .opaque("!stablehlo.future<" + types.map(\.description).joined(separator: ", ") + ">")
        default:
            throw c.error("unknown StableHLO type code \(code)", at: codeAt)
        }
    }
}
