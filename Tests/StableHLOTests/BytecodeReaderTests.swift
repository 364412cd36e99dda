import Foundation
import Testing
@testable import StableHLO

/// Encodes `value` as an MLIR PrefixVarInt (the writer side, for tests).
func prefixVarInt(_ value: UInt64) -> [UInt8] {
    if value >> 56 != 0 {
        return [0] + (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
    }
    var bytes = 1
    while bytes < 8, value >> UInt64(7 * bytes) != 0 { bytes += 1 }
    let encoded = (value << UInt64(bytes)) | (1 << UInt64(bytes - 1))
    return (0..<bytes).map { UInt8(truncatingIfNeeded: encoded >> UInt64(8 * $0)) }
}

func testCursor(_ bytes: [UInt8]) -> ByteCursor {
    ByteCursor(bytes: bytes, range: 0..<bytes.count, section: "test", file: "t.mlirbc")
}

/// The error `Module.parse(bytecode:)` throws, or nil when it succeeds.
func bytecodeError(_ bytes: [UInt8]) -> BytecodeError? {
    do {
        _ = try Module.parse(bytecode: bytes, file: "t.mlirbc")
        return nil
    } catch let e as BytecodeError {
        return e
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

@Suite struct BytecodeReaderTests {
    @Test func varIntKnownEncodings() throws {
        #expect(prefixVarInt(0) == [0x01])
        #expect(prefixVarInt(1) == [0x03])
        #expect(prefixVarInt(127) == [0xFF])
        #expect(prefixVarInt(128) == [0x02, 0x02])
        var c = testCursor([0x01, 0x03, 0xFF, 0x02, 0x02])
        #expect(try c.readVarInt() == 0)
        #expect(try c.readVarInt() == 1)
        #expect(try c.readVarInt() == 127)
        #expect(try c.readVarInt() == 128)
        #expect(c.isAtEnd)
    }

    @Test(arguments: [UInt64(0), 5, 127, 128, 300, 16_383, 16_384, 1 << 20, 1 << 35, 1 << 49, 1 << 55, 1 << 56, 1 << 63, UInt64.max])
    func varIntRoundTrips(value: UInt64) throws {
        let bytes = prefixVarInt(value)
        var c = testCursor(bytes)
        #expect(try c.readVarInt() == value)
        #expect(c.isAtEnd)
        // Every proper prefix is truncated and must throw.
        for n in 0..<bytes.count {
            var t = testCursor(Array(bytes[0..<n]))
            #expect(throws: BytecodeError.self) { try t.readVarInt() }
        }
    }

    @Test func signedVarIntIsZigZag() throws {
        // zigzag: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, Int64.min -> UInt64.max
        let cases: [(UInt64, Int64)] = [(0, 0), (1, -1), (2, 1), (3, -2), (4_294_967_294, 2_147_483_647), (UInt64.max, Int64.min)]
        for (encoded, value) in cases {
            var c = testCursor(prefixVarInt(encoded))
            #expect(try c.readSignedVarInt() == value)
        }
    }

    @Test func varIntWithFlagSplitsTheLowBit() throws {
        var c = testCursor(prefixVarInt(41 << 1 | 1) + prefixVarInt(40 << 1))
        let a = try c.readVarIntWithFlag()
        let b = try c.readVarIntWithFlag()
        #expect(a.value == 41 && a.flag)
        #expect(b.value == 40 && !b.flag)
    }

    @Test func sectionsWithAlignmentSkipPadding() throws {
        // id 2 aligned (0x82), length 3, alignment 8, padding 0xCB to offset 8, then data.
        let bytes: [UInt8] = [0x82] + prefixVarInt(3) + prefixVarInt(8) + [0xCB, 0xCB, 0xCB, 0xCB, 0xCB] + [7, 8, 9]
            + [0x04] + prefixVarInt(1) + [42]
        var c = testCursor(bytes)
        let first = try c.readSection()
        #expect(first.id == 2)
        #expect(first.range == 8..<11)
        let second = try c.readSection()
        #expect(second.id == 4)
        #expect(Array(bytes[second.range]) == [42])
        #expect(c.isAtEnd)
    }

    @Test func badAlignmentPaddingIsAnError() {
        let bytes: [UInt8] = [0x82] + prefixVarInt(1) + prefixVarInt(8) + [0xCB, 0x00, 0xCB, 0xCB, 0xCB, 1]
        var c = testCursor(bytes)
        #expect(throws: BytecodeError.self) { try c.readSection() }
        var d = testCursor([0x82] + prefixVarInt(1) + prefixVarInt(3) + [1])
        #expect(throws: BytecodeError.self) { try d.readSection() }
    }

    @Test func sectionLongerThanTheFileIsAnError() throws {
        var c = testCursor([0x00] + prefixVarInt(1000) + [1, 2, 3])
        #expect(throws: BytecodeError.self) { try c.readSection() }
    }

    @Test func isBytecodeChecksTheMagic() throws {
        #expect(Module.isBytecode([0x4D, 0x4C, 0xEF, 0x52, 0x06]))
        #expect(!Module.isBytecode([0x4D, 0x4C, 0xEF]))
        #expect(!Module.isBytecode(Array("module {}".utf8)))
        #expect(Module.isBytecode(try BytecodeTestFiles.bytes("jit_cond.mlirbc")))
    }

    @Test func badMagicNamesTheHeader() throws {
        let e = bytecodeError(Array("module {}".utf8))
        #expect(e?.offset == 0)
        #expect(e?.section == "header")
        #expect(e?.description.contains("magic") == true)
    }

    @Test func errorsPrintFileOffsetAndSection() {
        let e = BytecodeError(file: "model.mlirbc", offset: 1234, section: "attribute section", message: "unknown VHLO attribute code 99")
        #expect(e.description == "model.mlirbc: byte 1234 (attribute section): unknown VHLO attribute code 99")
    }

    @Test func newerBytecodeVersionIsRejected() {
        let e = bytecodeError([0x4D, 0x4C, 0xEF, 0x52] + prefixVarInt(99) + Array("x".utf8) + [0])
        #expect(e?.message.contains("version 99") == true)
    }

    @Test func everyTruncationThrows() throws {
        let bytes = try BytecodeTestFiles.bytes("jit_while_loop.mlirbc")
        for n in 0..<bytes.count {
            #expect(bytecodeError(Array(bytes[0..<n])) != nil, "prefix of \(n) bytes")
        }
    }

    @Test func missingSectionIsNamed() throws {
        // A header with no sections at all.
        let e = bytecodeError([0x4D, 0x4C, 0xEF, 0x52] + prefixVarInt(6) + Array("p".utf8) + [0])
        #expect(e?.message.contains("missing string section") == true)
    }

    @Test func unknownVHLOAttributeCodeNamesTheEntry() throws {
        var bytes = try BytecodeTestFiles.bytes("jit_cond.mlirbc")
        let file = try BytecodeFile(bytes: bytes, file: "t.mlirbc")
        let table = try AttributeTable(file: file)
        let entry = try #require(table.attributeEntries.first { $0.dialect == "vhlo" && $0.isCustom && !$0.range.isEmpty })
        bytes[entry.range.lowerBound] = prefixVarInt(99)[0]
        let e = try #require(bytecodeError(bytes))
        #expect(e.message.contains("unknown VHLO attribute code 99"))
        #expect(e.offset == entry.range.lowerBound)
        #expect(e.section.contains("attribute"))
    }

    @Test func unknownVHLOTypeCodeNamesTheEntry() throws {
        var bytes = try BytecodeTestFiles.bytes("jit_cond.mlirbc")
        let file = try BytecodeFile(bytes: bytes, file: "t.mlirbc")
        let table = try AttributeTable(file: file)
        let entry = try #require(table.typeEntries.first { $0.dialect == "vhlo" && $0.isCustom && !$0.range.isEmpty })
        bytes[entry.range.lowerBound] = prefixVarInt(100)[0]
        let e = try #require(bytecodeError(bytes))
        #expect(e.message.contains("unknown VHLO type code 100"))
        #expect(e.section.contains("type"))
    }

    @Test func vhloOpNamesLoseTheirVersion() {
        #expect(VHLOLegalizer.baseName("vhlo.dot_general_v2") == "dot_general")
        #expect(VHLOLegalizer.baseName("vhlo.add_v1") == "add")
        #expect(VHLOLegalizer.baseName("vhlo.cross-replica-sum_v1") == "cross-replica-sum")
        #expect(VHLOLegalizer.baseName("vhlo.exponential_minus_one_v2") == "exponential_minus_one")
    }

    @Test func everyVHLOOpHasAPropertyList() {
        // 145 op versions in StableHLO 1.20.0's VhloOps.td, each with its attributes sorted.
        #expect(VHLOOpTable.propertyNames.count == 145)
        for (name, attributes) in VHLOOpTable.propertyNames {
            #expect(attributes == attributes.sorted(), "\(name)")
        }
        #expect(VHLOOpTable.propertyNames["dot_general_v2"]?.count == 12)
    }

    @Test func locationsFallBackToTheBytecodeFile() throws {
        let m = try Module.parse(bytecode: try BytecodeTestFiles.bytes("jit_cond.mlirbc"), file: "model.mlirbc")
        // The module's location is `loc(unknown)`: the file name with line 0.
        #expect(m.location == SourceLocation(file: "model.mlirbc", line: 0, column: 0))
    }

    @Test func quantizedTypesPrintAsMLIRDoes() {
        #expect(VHLOEncoding.scientific(34) == "3.400000e+01")
        #expect(VHLOEncoding.scientific(0.00390625) == "3.906250e-03")
        #expect(VHLOEncoding.scientific(0) == "0.000000e+00")
        #expect(VHLOEncoding.scientific(-1.5) == "-1.500000e+00")
        let t = VHLOEncoding.quantizedText(flags: 1, storage: .scalar(.si(8)), minimum: -128, maximum: 127,
                                           expressed: .scalar(.float(.f32)), axis: nil, parameters: [(34, 16)])
        #expect(t == "!quant.uniform<i8:f32, 3.400000e+01:16>")
    }

    /// Random byte mutations of a valid artifact either read or throw a `BytecodeError`;
    /// none traps.
    @Test func randomMutationsNeverCrash() throws {
        let original = try BytecodeTestFiles.bytes("jit_mlp_grad.mlirbc")
        var rng = BytecodeMutationRNG(seed: 0x5EED)
        var read = 0, rejected = 0
        for _ in 0..<1000 {
            var bytes = original
            let edits = 1 + Int(rng.next() % 4)
            for _ in 0..<edits {
                let i = 4 + Int(rng.next() % UInt64(bytes.count - 4))
                switch rng.next() % 3 {
                case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes[i] ^= UInt8(1 << (rng.next() % 8))
                default: bytes.remove(at: i)
                }
            }
            if bytecodeError(bytes) == nil { read += 1 } else { rejected += 1 }
        }
        #expect(read + rejected == 1000)
    }

    @Test func randomBytesAfterTheMagicNeverCrash() {
        var rng = BytecodeMutationRNG(seed: 42)
        for length in 0..<300 {
            let bytes: [UInt8] = [0x4D, 0x4C, 0xEF, 0x52] + (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = bytecodeError(bytes)
        }
    }
}

/// A small deterministic generator (SplitMix64) for the mutation tests.
struct BytecodeMutationRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
