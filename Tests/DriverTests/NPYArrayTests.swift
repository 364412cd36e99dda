import Driver
import Foundation
import Runtime
import StableHLO
import Testing

/// `.npy` files written by NumPy (and ml_dtypes), read back as tensors.
@Suite struct NPYArrayTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("npy")

    func load(_ name: String, as type: ElementType? = nil) throws -> HostTensor {
        let data = try Data(contentsOf: Self.folder.appendingPathComponent(name))
        return try NPYArray(decoding: [UInt8](data)).hostTensor(as: type)
    }

    struct Expectation: Sendable, CustomStringConvertible {
        var file: String
        var type: String
        var values: [ScalarValue]
        var declared: ElementType? = nil
        var description: String { file }
    }

    static let files: [Expectation] = [
        .init(file: "bool.npy", type: "3xi1", values: [.bool(true), .bool(false), .bool(true)]),
        .init(file: "int8.npy", type: "2x2xi8", values: [.signed(-128), .signed(0), .signed(5), .signed(127)]),
        .init(file: "uint16.npy", type: "3xui16", values: [.unsigned(0), .unsigned(65535), .unsigned(7)]),
        .init(file: "int64.npy", type: "2xi64", values: [.signed(Int64.min), .signed(Int64.max)]),
        .init(file: "float16.npy", type: "3xf16", values: [.float(1.5), .float(-0.25), .float(65504)]),
        .init(file: "float64_scalar.npy", type: "f64", values: [.float(3.25)]),
        .init(file: "complex64.npy", type: "2xcomplex<f32>", values: [.complex(re: 1, im: 2), .complex(re: -3.5, im: -0.5)]),
        .init(file: "complex128.npy", type: "2x1xcomplex<f64>", values: [.complex(re: 1, im: 2), .complex(re: 3, im: -4)]),
        .init(file: "bfloat16.npy", type: "3xbf16", values: [.float(1), .float(-2.5), .float(FloatFormat.bf16.round(0.1))],
              declared: .float(.bf16)),
        .init(file: "big_endian.npy", type: "3xf32", values: [.float(1), .float(2), .float(-3)]),
        .init(file: "fortran.npy", type: "2x3xi32", values: (0..<6).map { .signed(Int64($0)) }),
        .init(file: "v2.npy", type: "2xf32", values: [.float(1), .float(2)]),
        .init(file: "v3.npy", type: "2xf32", values: [.float(1), .float(2)]),
    ]

    @Test(arguments: files)
    func readsNumPyFiles(_ e: Expectation) throws {
        let tensor = try load(e.file, as: e.declared)
        #expect(TensorTypeText.format(tensor.type) == e.type)
        #expect(tensor.elements == e.values)
    }

    @Test func bfloat16NeedsADeclaredType() throws {
        #expect(throws: NPYError.self) { try load("bfloat16.npy") }
    }

    @Test func structuredArraysAreRejected() throws {
        let error = #expect(throws: NPYError.self) { try load("structured.npy") }
        #expect(error?.message.contains("structured") == true)
    }

    @Test func declaredTypeMustMatchTheDType() throws {
        let error = #expect(throws: NPYError.self) { try load("int8.npy", as: .float(.f32)) }
        #expect(error?.message.contains("declared f32") == true)
    }

    static let roundTripTypes: [String] = ["3xi1", "2x2xi8", "4xui32", "2xi64", "3xf16", "2x3xbf16", "f32", "2xf64",
                                           "2xcomplex<f32>", "1x2xcomplex<f64>", "3xf8E4M3FN", "0x3xf32"]

    @Test(arguments: roundTripTypes)
    func writesWhatItReads(_ typeText: String) throws {
        let type = try #require(TensorTypeText.parse(typeText))
        let size = type.elementCount * type.elementType.storageBytes
        let bytes: [UInt8] = (0..<size).map { i in type.elementType == .i1 ? UInt8(i % 2) : UInt8(truncatingIfNeeded: i &* 37 &+ 11) }
        let tensor = HostTensor(type: type, bytes: bytes)
        let decoded = try NPYArray(decoding: NPYArray(tensor).encoded).hostTensor(as: type.elementType)
        #expect(decoded == tensor)
    }

    @Test func headerIsPaddedTo64Bytes() {
        let encoded = NPYArray(HostTensor(type: TensorType(shape: [5], elementType: .float(.f32)), bytes: Array(repeating: 0, count: 20))).encoded
        let headerLength = Int(encoded[8]) | Int(encoded[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        #expect(encoded[10 + headerLength - 1] == 10)
    }

    @Test(arguments: [
        [UInt8](), [0x93, 0x4E, 0x55], Array("not numpy at all".utf8),
        [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 9, 0, 0, 0],
        [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0xFF, 0x00] + Array("{'descr'".utf8),
    ])
    func truncatedOrForeignBytesThrow(_ bytes: [UInt8]) {
        #expect(throws: NPYError.self) { try NPYArray(decoding: bytes) }
    }

    @Test func truncatedPayloadThrows() throws {
        let full = NPYArray(HostTensor(type: TensorType(shape: [4], elementType: .float(.f64)), bytes: Array(repeating: 1, count: 32))).encoded
        let error = #expect(throws: NPYError.self) { try NPYArray(decoding: Array(full.dropLast(3))) }
        #expect(error?.message.contains("truncated") == true)
    }

    /// Found by fuzzing (fuzz/regressions/npy): big-endian complex items of an odd size
    /// (`>c7`) and item sizes whose byte count overflows were a crash, not an error.
    @Test(arguments: ["'>c7', 'fortran_order': False, 'shape': (1,)",
                      "'<f4611686018427387904', 'fortran_order': False, 'shape': (4,)"])
    func impossibleItemSizesThrow(_ fields: String) {
        var header = "{'descr': \(fields), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            + Array(header.utf8) + Array(repeating: 0x3F, count: 16)
        #expect(throws: NPYError.self) { try NPYArray(decoding: bytes) }
    }
}
