/// What the plugin reads of a serialized `xla.CompileOptionsProto` (protobuf wire format):
/// `executable_build_options` (field 3) → `num_replicas` (4), `num_partitions` (5),
/// `device_assignment` (9: `replica_count` 1, `computation_count` 2). Every other field is
/// skipped by its wire type; malformed bytes are an error, never a crash.
struct CompileOptionsProto: Equatable {
    var replicas = 1
    var partitions = 1
    var assignedReplicas: Int?
    var assignedComputations: Int?

    init() {}

    init(serialized bytes: [UInt8]) throws {
        var reader = ProtobufReader(bytes)
        while let (field, value) = try reader.next() {
            guard field == 3, case .bytes(let build) = value else { continue }
            var inner = ProtobufReader(build)
            while let (buildField, buildValue) = try inner.next() {
                switch (buildField, buildValue) {
                case (4, .varint(let n)): replicas = max(1, Int(truncatingIfNeeded: n))
                case (5, .varint(let n)): partitions = max(1, Int(truncatingIfNeeded: n))
                case (9, .bytes(let assignment)):
                    var deviceReader = ProtobufReader(assignment)
                    while let (assignmentField, assignmentValue) = try deviceReader.next() {
                        if assignmentField == 1, case .varint(let n) = assignmentValue { assignedReplicas = Int(truncatingIfNeeded: n) }
                        if assignmentField == 2, case .varint(let n) = assignmentValue { assignedComputations = Int(truncatingIfNeeded: n) }
                    }
                default: continue
                }
            }
        }
    }
}

/// A minimal protobuf wire-format reader.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes([UInt8])
        case fixed32(UInt32)
    }

    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The next field number and value; nil at the end.
    mutating func next() throws -> (Int, Value)? {
        guard offset < bytes.count else { return nil }
        let key = try varint()
        let field = Int(truncatingIfNeeded: key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1: return (field, .fixed64(try fixed(8)))
        case 2:
            let length = try varint()
            guard length <= UInt64(bytes.count - offset) else { throw malformed("a field runs past the end") }
            let slice = Array(bytes[offset..<(offset + Int(length))])
            offset += Int(length)
            return (field, .bytes(slice))
        case 5: return (field, .fixed32(UInt32(try fixed(4))))
        default: throw malformed("wire type \(key & 7) at byte \(offset)")
        }
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw malformed("a varint runs past the end")
    }

    private mutating func fixed(_ size: Int) throws -> UInt64 {
        guard bytes.count - offset >= size else { throw malformed("a fixed field runs past the end") }
        var result: UInt64 = 0
        for k in 0..<size { result |= UInt64(bytes[offset + k]) << UInt64(8 * k) }
        offset += size
        return result
    }

    private func malformed(_ detail: String) -> PluginFailure {
        .invalidArgument("malformed CompileOptionsProto: \(detail)")
    }
}
