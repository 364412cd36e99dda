extension AttributePrinter {
    /// Appends `dense<...> : tensor<...>`: one value for a splat, a hex blob for large
    /// literals, nested lists otherwise.
    static func writeDense(_ d: DenseElements, to out: inout String) {
        let element = d.type.elementType
        let size = element.storageBytes
        let count = d.isSplat ? 1 : d.bytes.count / max(1, size)
        out += "dense<"
        if d.isSplat {
            if d.bytes.count == size { writeElement(d, at: 0, to: &out) }
        } else if count > hexThreshold {
            out += "\""
            out += hexBlob(d.bytes)
            out += "\""
        } else if count > 0 || d.type.elementCount > 0 {
            var index = 0
            writeNested(d, shape: d.type.shape[...], index: &index, to: &out)
        }
        out += "> : " + d.type.description
    }

    private static func writeNested(_ d: DenseElements, shape: ArraySlice<Int>, index: inout Int, to out: inout String) {
        guard let n = shape.first else {
            writeElement(d, at: index, to: &out)
            index += 1
            return
        }
        out += "["
        for i in 0..<max(0, n) {
            if i > 0 { out += ", " }
            writeNested(d, shape: shape.dropFirst(), index: &index, to: &out)
        }
        out += "]"
    }

    private static func writeElement(_ d: DenseElements, at i: Int, to out: inout String) {
        let element = d.type.elementType
        let size = element.storageBytes
        guard (i + 1) * size <= d.bytes.count else { return }
        switch element {
        case .i1:
            out += d.bytes[i] != 0 ? "true" : "false"
        case .si(let w):
            let bits = d.rawBits(at: i)
            let shift = UInt64(64 - w)
            out += String(Int64(bitPattern: bits << shift) >> Int64(shift))
        case .ui, .index:
            let bits = d.rawBits(at: i)
            out += element == .index ? String(Int64(bitPattern: bits)) : String(bits)
        case .float(let f):
            writeFloat(bits: d.rawBits(at: i), format: f, to: &out)
        case .complex(let f):
            let half = f.storageBytes
            var re: UInt64 = 0, im: UInt64 = 0
            for k in 0..<half {
                re |= UInt64(d.bytes[i * size + k]) << UInt64(8 * k)
                im |= UInt64(d.bytes[i * size + half + k]) << UInt64(8 * k)
            }
            out += "("
            writeFloat(bits: re, format: f, to: &out)
            out += ", "
            writeFloat(bits: im, format: f, to: &out)
            out += ")"
        }
    }

    private static func writeFloat(bits: UInt64, format: FloatFormat, to out: inout String) {
        let v = format.decode(bits)
        // Non-finite values (and NaN payloads) print as their bit pattern.
        if v.isFinite {
            out += format == .f32 ? floatText(Float(v)) : floatText(v)
        } else {
            out += hexBits(bits, digits: 2 * format.storageBytes)
        }
    }

    /// `0x` and the bytes in uppercase hex.
    static func hexBlob(_ bytes: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(2 + 2 * bytes.count)
        out.append(0x30)
        out.append(0x78)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
