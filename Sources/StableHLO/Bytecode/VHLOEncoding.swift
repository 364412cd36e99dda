/// Decoders for the VHLO dialect's bytecode encodings (`stablehlo/dialect/VhloBytecode.cpp`):
/// attribute codes 1...25 and type codes 0...42, decoded straight into the StableHLO
/// forms our IR uses (VHLO types become builtin/StableHLO types, enums become
/// `#stablehlo<kind VALUE>`, `tensor_v1` becomes `dense`).
enum VHLOEncoding {
    static let comparisonDirections = ["EQ", "NE", "GE", "GT", "LE", "LT"]
    static let comparisonTypes = ["NOTYPE", "FLOAT", "TOTALORDER", "SIGNED", "UNSIGNED"]
    static let fftTypes = ["FFT", "IFFT", "RFFT", "IRFFT"]
    static let precisions = ["DEFAULT", "HIGH", "HIGHEST"]
    static let rngAlgorithms = ["DEFAULT", "THREE_FRY", "PHILOX"]
    static let rngDistributions = ["", "UNIFORM", "NORMAL"]
    static let transposes = ["TRANSPOSE_INVALID", "NO_TRANSPOSE", "TRANSPOSE", "ADJOINT"]
    static let resultAccuracyModes = ["DEFAULT", "HIGHEST", "TOLERANCE"]

    /// `#stablehlo<kind VALUE>` for an encoded enum value.
    static func readEnum(_ c: inout ByteCursor, kind: String, _ names: [String]) throws -> Attribute {
        let at = c.position
        let v = try c.readVarInt()
        guard v < UInt64(names.count), !names[Int(v)].isEmpty else { throw c.error("invalid \(kind) value \(v)", at: at) }
        return .enumCase(dialect: "stablehlo", kind: kind, value: names[Int(v)])
    }

    static func readAttribute(_ c: inout ByteCursor, _ table: AttributeTable) throws -> Attribute {
        let codeAt = c.position
        let code = try c.readVarInt()
        switch code {
        case 1:  // ArrayV1Attr
            return .array(try table.readAttributes(&c))
        case 2:  // BooleanV1Attr
            let at = c.position
            let v = try c.readVarInt()
            guard v <= 1 else { throw c.error("invalid boolean value \(v)", at: at) }
            return .bool(v == 1)
        case 3: return try readEnum(&c, kind: "comparison_direction", comparisonDirections)
        case 4: return try readEnum(&c, kind: "comparison_type", comparisonTypes)
        case 5:  // CustomCallApiVersionV1Attr: an i32 in StableHLO
            let at = c.position
            let v = try c.readVarInt()
            guard v <= 4 else { throw c.error("invalid custom call API version \(v)", at: at) }
            return .integer(Int64(v), type: .scalar(.si(32)))
        case 6:  // DictionaryV1Attr
            let n = try c.readCount("dictionary entry", minimumBytesEach: 2)
            var entries: [NamedAttribute] = []
            entries.reserveCapacity(n)
            for _ in 0..<n {
                let name = try table.readStringAttribute(&c)
                entries.append(NamedAttribute(name, try table.readAttribute(&c)))
            }
            return .dictionary(entries)
        case 7: return try readEnum(&c, kind: "fft_type", fftTypes)
        case 8:  // FloatV1Attr
            let type = try table.readType(&c)
            guard case .scalar(.float(let f)) = type else { throw c.error("float attribute of non-float type \(type)") }
            return .float(f.decode(try table.readAPInt(&c, width: f.bitWidth)), type: type)
        case 9:  // IntegerV1Attr
            let type = try table.readType(&c)
            guard case .scalar(let e) = type, e.isInteger else { throw c.error("integer attribute of non-integer type \(type)") }
            let bits = try table.readAPInt(&c, width: e == .index ? 64 : e.bitWidth)
            return .integer(BuiltinEncoding.extend(bits, e), type: type)
        case 10:  // OutputOperandAliasV1Attr
            let outputTuple = try table.readSignedVarInts(&c)
            let operand = try c.readSignedVarInt()
            let operandTuple = try table.readSignedVarInts(&c)
            return .dialect(name: "stablehlo.output_operand_alias", parameters: [
                NamedAttribute("output_tuple_indices", integerArray(outputTuple)),
                NamedAttribute("operand_index", .integer(operand, type: nil)),
                NamedAttribute("operand_tuple_indices", integerArray(operandTuple)),
            ])
        case 11: return try readEnum(&c, kind: "precision", precisions)
        case 12: return try readEnum(&c, kind: "rng_algorithm", rngAlgorithms)
        case 13: return try readEnum(&c, kind: "rng_distribution", rngDistributions)
        case 14: return .string(try table.readString(&c))
        case 15:  // TensorV1Attr
            let type = try table.readType(&c)
            return try AttributeTable.denseAttribute(type: type, raw: try table.readBlob(&c), c)
        case 16: return try readEnum(&c, kind: "transpose", transposes)
        case 17: return .type(try table.readType(&c))
        case 18:  // TypeExtensionsV1Attr: the bounds of a dynamic tensor
            return .dialect(name: "stablehlo.bounds", parameters: [
                NamedAttribute("bounds", .denseInts(.si(64), try table.readSignedVarInts(&c)))])
        case 19: return try readEnum(&c, kind: "result_accuracy_mode", resultAccuracyModes)
        case 20:  // ResultAccuracyV1Attr
            let atol = FloatFormat.f64.decode(try table.readAPInt(&c, width: 64))
            let rtol = FloatFormat.f64.decode(try table.readAPInt(&c, width: 64))
            let ulps = try c.readSignedVarInt()
            let mode = try table.readAttribute(&c)
            return resultAccuracy(atol: atol, rtol: rtol, ulps: ulps, mode: mode)
        case 21:  // SubAxisInfoV1Attr
            let pre = try c.readSignedVarInt(), size = try c.readSignedVarInt()
            return .dialect(name: "stablehlo.sub_axis_info", parameters: [
                NamedAttribute("pre_size", .integer(pre, type: nil)), NamedAttribute("size", .integer(size, type: nil))])
        case 22:  // AxisRefV1Attr
            let name = try table.readAttribute(&c)
            guard try c.readVarInt() != 0 else {
                return .dialect(name: "stablehlo.axis_ref", parameters: [NamedAttribute("name", name)])
            }
            guard case .string(let axis) = name else { throw c.error("an axis reference name must be a string") }
            return try axisReference(name: axis, subAxis: try table.readAttribute(&c), c)
        case 23:  // ReplicaGroupMeshAxesV1Attr
            var mesh = try table.readAttribute(&c)
            if case .string(let s) = mesh { mesh = .symbolRef(s) }
            let axes = try table.readAttribute(&c)
            return .dialect(name: "stablehlo.replica_group_mesh_axes", parameters: [
                NamedAttribute("mesh", mesh), NamedAttribute("axes", axes)])
        case 24:  // MeshAxisV1Attr
            let name = try table.readAttribute(&c)
            let size = try c.readSignedVarInt()
            return .dialect(name: "stablehlo.mesh_axis", parameters: [
                NamedAttribute("name", name), NamedAttribute("size", .integer(size, type: nil))])
        case 25:  // MeshV1Attr
            let axes = try table.readAttribute(&c)
            var ps = [NamedAttribute("axes", axes)]
            if let ids = try table.readOptionalAttribute(&c) { ps.append(NamedAttribute("device_ids", ids)) }
            return .dialect(name: "stablehlo.mesh", parameters: ps)
        default:
            throw c.error("unknown VHLO attribute code \(code)", at: codeAt)
        }
    }

    /// `#stablehlo.result_accuracy<...>` with the parameters MLIR prints: those that differ
    /// from their defaults (0), and the mode.
    static func resultAccuracy(atol: Double, rtol: Double, ulps: Int64, mode: Attribute) -> Attribute {
        var modeText = "#stablehlo.result_accuracy_mode<DEFAULT>"
        if case .enumCase(_, _, let v) = mode { modeText = "#stablehlo.result_accuracy_mode<\(v)>" }
        var ps: [NamedAttribute] = []
        if atol != 0 { ps.append(NamedAttribute("atol", .float(atol, type: nil))) }
        if rtol != 0 { ps.append(NamedAttribute("rtol", .float(rtol, type: nil))) }
        if ulps != 0 { ps.append(NamedAttribute("ulps", .integer(ulps, type: nil))) }
        ps.append(NamedAttribute("mode", .opaque(modeText)))
        return .dialect(name: "stablehlo.result_accuracy", parameters: ps)
    }

    /// `#stablehlo.axis_ref<name = "x", sub_axis_info = (1)2>`: MLIR's custom spelling of a
    /// sub-axis, which the text parser keeps verbatim.
    static func axisReference(name: String, subAxis: Attribute, _ c: ByteCursor) throws -> Attribute {
        guard case .dialect(_, let ps) = subAxis, ps.count == 2,
              let pre = ps[0].value.intValue, let size = ps[1].value.intValue else {
            throw c.error("malformed sub-axis of axis reference '\(name)'")
        }
        return .opaque("#stablehlo.axis_ref<name = \"\(name)\", sub_axis_info = (\(pre))\(size)>")
    }

    static func integerArray(_ values: [Int64]) -> Attribute {
        .array(values.map { .integer($0, type: nil) })
    }

    static func readType(_ c: inout ByteCursor, _ table: AttributeTable) throws -> IRType {
        let codeAt = c.position
        let code = try c.readVarInt()
        switch code {
        case 0: return .scalar(.i1)
        case 1:
            let element = try table.readType(&c)
            guard case .scalar(.float(let f)) = element else { return .opaque("complex<\(element)>") }
            return .scalar(.complex(f))
        case 2: return .scalar(.float(.bf16))
        case 3: return .scalar(.float(.f16))
        case 4: return .scalar(.float(.f32))
        case 5: return .scalar(.float(.f64))
        case 6: return .scalar(.float(.f8E4M3FN))
        case 7: return .scalar(.float(.f8E5M2))
        case 8:
            let inputs = try table.readTypes(&c)
            return .function(inputs: inputs, results: try table.readTypes(&c))
        case 9: return .scalar(.index)
        case 10: return .scalar(.si(4))
        case 11: return .scalar(.si(8))
        case 12: return .scalar(.si(16))
        case 13: return .scalar(.si(32))
        case 14: return .scalar(.si(64))
        case 15: return .scalar(.ui(4))
        case 16: return .scalar(.ui(8))
        case 17: return .scalar(.ui(16))
        case 18: return .scalar(.ui(32))
        case 19: return .scalar(.ui(64))
        case 20, 21:
            var encoding: String?
            if code == 21 { encoding = AttributeTable.encodingText(try table.readAttribute(&c)) }
            let shape = try table.readSignedVarInts(&c)
            return try AttributeTable.tensorType(shape: shape, element: try table.readType(&c), encoding: encoding, c)
        case 22: return .token
        case 23: return .tuple(try table.readTypes(&c))
        case 24:  // UniformQuantizedV1Type
            let flags = try c.readVarInt()
            let storage = try table.readType(&c)
            let expressed = try table.readType(&c)
            let scale = FloatFormat.f64.decode(try table.readAPInt(&c, width: 64))
            let zeroPoint = try c.readSignedVarInt()
            let minimum = try c.readSignedVarInt(), maximum = try c.readSignedVarInt()
            return .opaque(quantizedText(flags: flags, storage: storage, minimum: minimum, maximum: maximum,
                                         expressed: expressed, axis: nil, parameters: [(scale, zeroPoint)]))
        case 25: return .opaque("tensor<*x\(try table.readType(&c))>")
        case 26: return .opaque("!shape.witness")
        case 27: return .scalar(.float(.f8E4M3FNUZ))
        case 28: return .scalar(.float(.f8E5M2FNUZ))
        case 29: return .scalar(.float(.f8E4M3B11FNUZ))
        case 30:  // UniformQuantizedPerAxisV1Type
            let flags = try c.readVarInt()
            let storage = try table.readType(&c)
            let expressed = try table.readType(&c)
            let axis = try c.readVarInt()
            let minimum = try c.readSignedVarInt(), maximum = try c.readSignedVarInt()
            let n = try c.readCount("scale")
            var scales: [Double] = []
            for _ in 0..<n { scales.append(FloatFormat.f64.decode(try table.readAPInt(&c, width: 64))) }
            let zeroPoints = try table.readSignedVarInts(&c)
            guard zeroPoints.count == scales.count else { throw c.error("per-axis quantized type has \(scales.count) scales but \(zeroPoints.count) zero points") }
            return .opaque(quantizedText(flags: flags, storage: storage, minimum: minimum, maximum: maximum,
                                         expressed: expressed, axis: axis, parameters: Array(zip(scales, zeroPoints))))
        case 31: return .scalar(.si(2))
        case 32: return .scalar(.ui(2))
        case 33: return .opaque("none")
        case 34: return .opaque("tf32")
        case 35: return .scalar(.float(.f8E4M3))
        case 36: return .scalar(.float(.f8E3M4))
        case 37: return .scalar(.float(.f4E2M1FN))
        case 38: return .scalar(.float(.f6E2M3FN))
        case 39: return .scalar(.float(.f6E3M2FN))
        case 40: return .scalar(.float(.f8E8M0FNU))
        case 41:  // RankedBufferV1Type
            let shape = try table.readSignedVarInts(&c)
            let element = try table.readType(&c)
            return .opaque("memref<" + (shape.map { $0 < 0 ? "?" : String($0) } + [element.description]).joined(separator: "x") + ">")
        case 42:  // FutureV1Type
            let types = try table.readTypes(&c)
            return .opaque("!stablehlo.future<" + types.map(\.description).joined(separator: ", ") + ">")
        default:
            throw c.error("unknown VHLO type code \(code)", at: codeAt)
        }
    }

    /// `!quant.uniform<i8<-127:127>:f32:0, {5.000000e-01:1,2.500000e-01}>` as MLIR prints it.
    static func quantizedText(flags: UInt64, storage: IRType, minimum: Int64, maximum: Int64, expressed: IRType,
                              axis: UInt64?, parameters: [(Double, Int64)]) -> String {
        var s = "!quant.uniform<"
        let isSigned = flags & 1 == 1
        if case .scalar(let e) = storage, e.isInteger || e == .i1 {
            let w = Int64(e.bitWidth)
            s += (isSigned ? "i" : "u") + String(w)
            let low: Int64 = isSigned ? 0 &- (Int64(1) << (w - 1)) : 0
            let high: Int64 = isSigned ? (Int64(1) << (w - 1)) &- 1 : (Int64(1) << w) &- 1
            if minimum != low || maximum != high { s += "<\(minimum):\(maximum)>" }
        } else {
            s += storage.description
        }
        s += ":\(expressed)"
        if let axis { s += ":\(axis)" }
        let items = parameters.map { p in p.1 == 0 ? scientific(p.0) : scientific(p.0) + ":\(p.1)" }
        s += axis == nil ? ", " + (items.first ?? "") : ", {" + items.joined(separator: ",") + "}"
        return s + ">"
    }

    /// `x` the way C's `%e` writes it (`3.400000e+01`), as LLVM's `raw_ostream` prints doubles.
    static func scientific(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        let sign = x.sign == .minus ? "-" : ""
        var m = x.magnitude
        var e = 0
        if m != 0 {
            while m >= 10, e < 400 { m /= 10; e += 1 }
            while m < 1, e > -400 { m *= 10; e -= 1 }
            var power = 1.0
            for _ in 0..<min(abs(e), 22) { power *= 10 }
            if abs(e) <= 22 { m = e >= 0 ? x.magnitude / power : x.magnitude * power }
        }
        var digits = Int64((m * 1_000_000).rounded())
        if digits >= 10_000_000 { digits = (digits + 5) / 10; e += 1 }
        let whole = digits / 1_000_000
        let fraction = String(digits % 1_000_000).leftPadded(6)
        let exponent = (e < 0 ? "-" : "+") + String(abs(e)).leftPadded(2)
        return sign + "\(whole).\(fraction)e" + exponent
    }
}
