import Runtime

/// Reading and writing the `.npy` byte format.
extension NPYArray {
    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Parses the bytes of an `.npy` file (versions 1.0, 2.0 and 3.0).
    public init(decoding data: [UInt8]) throws(NPYError) {
        guard data.count >= 10, Array(data[0..<6]) == Self.magic else {
            throw NPYError("not an .npy file (missing the \\x93NUMPY magic)")
        }
        let major = data[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(data[8]) | Int(data[9]) << 8
            headerStart = 10
        case 2, 3:
            guard data.count >= 12 else { throw NPYError("truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(data[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw NPYError("unsupported .npy version \(major).\(data[7])")
        }
        guard headerStart + headerLength <= data.count else { throw NPYError("truncated .npy header") }
        let header = String(decoding: data[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let fields = try Self.parseHeader(header)
        var descriptor = fields.descriptor
        let size = Int(descriptor.dropFirst(2)) ?? 0
        guard descriptor.count >= 3, "<>|=".contains(descriptor.first ?? " "), size > 0 else {
            throw NPYError("unsupported dtype '\(descriptor)' (structured or object arrays are not tensors)")
        }
        var count = 1
        for d in fields.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Int(Int32.max) * 64 else {
                throw NPYError("shape \(Self.shapeText(fields.shape)) is too large")
            }
            count = product
        }
        let payloadStart = headerStart + headerLength
        let (byteCount, tooMany) = count.multipliedReportingOverflow(by: size)
        guard !tooMany, data.count - payloadStart >= byteCount else {
            throw NPYError("truncated data: shape \(Self.shapeText(fields.shape)) of '\(descriptor)' needs \(tooMany ? "more than \(Int.max)" : "\(byteCount)") bytes, file has \(data.count - payloadStart)")
        }
        let kind = descriptor.dropFirst().first ?? " "
        // A complex item is two floats: an odd size has no lanes to byte-swap.
        guard kind != "c" || size % 2 == 0 else {
            throw NPYError("unsupported dtype '\(descriptor)' (a complex item of an odd number of bytes)")
        }
        var payload = Array(data[payloadStart..<(payloadStart + byteCount)])
        if descriptor.first == ">" && size > 1 && kind != "V" {
            let lane = kind == "c" ? size / 2 : size
            for start in stride(from: 0, to: payload.count, by: lane) {
                payload[start..<(start + lane)].reverse()
            }
        }
        descriptor = (size == 1 ? "|" : "<") + descriptor.dropFirst()
        if fields.fortranOrder && fields.shape.count > 1 {
            payload = Self.fortranToC(payload, shape: fields.shape, itemSize: size)
        }
        self.init(descriptor: descriptor, shape: fields.shape, bytes: payload)
    }

    /// The bytes of a version 1.0 `.npy` file holding this array (version 2.0 when the
    /// header does not fit in 65535 bytes).
    public var encoded: [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : Self.shapeText(shape)
        var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': \(shapeText), }"
        let fixed = header.utf8.count + 1 > 65535 - 10 ? 12 : 10
        let padding = (64 - (fixed + header.utf8.count + 1) % 64) % 64
        header += String(repeating: " ", count: padding) + "\n"
        let length = header.utf8.count
        var out = Self.magic
        if fixed == 10 {
            out += [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
        } else {
            out += [2, 0] + (0..<4).map { UInt8((length >> (8 * $0)) & 0xFF) }
        }
        out += Array(header.utf8)
        out += bytes
        return out
    }

    private struct Header {
        var descriptor: String
        var fortranOrder: Bool
        var shape: [Int]
    }

    /// Reads the three keys of the header's Python dict literal.
    private static func parseHeader(_ text: String) throws(NPYError) -> Header {
        func value(of key: String) -> Substring? {
            guard let r = text.range(of: "'\(key)'") else { return nil }
            var rest = text[r.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { return nil }
            rest = rest.dropFirst().drop { $0 == " " }
            return rest
        }
        guard let d = value(of: "descr"), let quote = d.first, quote == "'" || quote == "\"",
              let end = d.dropFirst().firstIndex(of: quote) else {
            throw NPYError("malformed .npy header: no string 'descr' (structured dtypes are not supported): \(text)")
        }
        let descriptor = String(d[d.index(after: d.startIndex)..<end])
        guard let f = value(of: "fortran_order") else { throw NPYError("malformed .npy header: no 'fortran_order'") }
        let fortran = f.hasPrefix("True")
        guard let s = value(of: "shape"), s.first == "(", let close = s.firstIndex(of: ")") else {
            throw NPYError("malformed .npy header: no 'shape' tuple")
        }
        var shape: [Int] = []
        for part in s[s.index(after: s.startIndex)..<close].split(separator: ",") {
            let t = part.trimmingSpaces
            if t.isEmpty { continue }
            guard let n = Int(t.hasSuffix("L") ? String(t.dropLast()) : t), n >= 0 else {
                throw NPYError("malformed .npy header: bad dimension '\(t)'")
            }
            shape.append(n)
        }
        return Header(descriptor: descriptor, fortranOrder: fortran, shape: shape)
    }

    private static func fortranToC(_ bytes: [UInt8], shape: [Int], itemSize: Int) -> [UInt8] {
        let count = shape.reduce(1, *)
        var out = [UInt8](repeating: 0, count: bytes.count)
        var index = [Int](repeating: 0, count: shape.count)
        for c in 0..<count {
            var f = 0, stride = 1
            for d in 0..<shape.count {
                f += index[d] * stride
                stride *= shape[d]
            }
            for k in 0..<itemSize { out[c * itemSize + k] = bytes[f * itemSize + k] }
            var d = shape.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return out
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
