import Driver
import Foundation
import Runtime
import StableHLO
import Testing

/// `--input` strings in IREE's syntax, and the printed form of results.
@Suite struct InputArgumentTests {
    func load(_ text: String, expected: TensorType? = nil) throws -> HostTensor {
        try InputArgument(parsing: text).load(expected: expected)
    }

    struct Case: Sendable, CustomStringConvertible {
        var input: String
        var printed: String
        var description: String { input }
    }

    static let roundTrips: [Case] = [
        .init(input: "2x3xf32=1,2,3,4,5,6", printed: "2x3xf32=[[1 2 3][4 5 6]]"),
        .init(input: "f32=1.5", printed: "f32=1.5"),
        .init(input: "2xi1=true,false", printed: "2xi1=[true false]"),
        .init(input: "2xcomplex<f32>=(1,2),(3,-4)", printed: "2xcomplex<f32>=[(1,2) (3,-4)]"),
        .init(input: "3xi8=-128 0 127", printed: "3xi8=[-128 0 127]"),
        .init(input: "2xui64=0,18446744073709551615", printed: "2xui64=[0 18446744073709551615]"),
        .init(input: "4xi32=7", printed: "4xi32=[7 7 7 7]"),
        .init(input: "2xbf16=0.1,-2", printed: "2xbf16=[0.100097656 -2]"),
        .init(input: "3xf64=nan,inf,-inf", printed: "3xf64=[nan inf -inf]"),
        .init(input: "2x2x1xi16=[1,2],[3,4]", printed: "2x2x1xi16=[[[1][2]][[3][4]]]"),
        .init(input: "0xf32=", printed: "0xf32=[]"),
        .init(input: "2xi32=0x10,-0x1", printed: "2xi32=[16 -1]"),
        .init(input: "f64=0.1", printed: "f64=0.1"),
    ]

    @Test(arguments: roundTrips)
    func parsesAndPrints(_ c: Case) throws {
        let tensor = try load(c.input)
        #expect(TensorPrinter().format(tensor) == c.printed)
    }

    static let badInputs: [(String, String)] = [
        ("2x3xf32", "expected SHAPExTYPE=VALUES"),
        ("2x3xq32=1", "is not a tensor type"),
        ("2x3xf32=1,2,3", "needs 6 elements, got 3"),
        ("2xi8=1,300", "does not fit in i8"),
        ("2xui8=1,-1", "does not fit in ui8"),
        ("2xi32=1,abc", "'abc' is not a i32 value"),
        ("2xi32=1.5,2", "'1.5' is not a i32 value"),
        ("2xi1=true,maybe", "'maybe' is not a i1 value"),
        ("2xcomplex<f32>=(1,2),(3)", "'(3)' is not a complex<f32> value"),
        ("@x.bin", "must be an .npy file"),
        ("4xf32=@", "missing file name"),
        ("4xf32=@/nonexistent/a.bin", "cannot read file"),
        ("@/nonexistent/a.npy", "cannot read file"),
    ]

    @Test(arguments: badInputs)
    func rejectsBadInputs(_ text: String, _ message: String) {
        let error = #expect(throws: InputError.self) { try load(text) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
        #expect(error?.description.hasPrefix("--input=\(text): ") == true)
    }

    @Test func rawFilesMustHaveTheRightSize() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-raw-\(UUID()).bin").path
        _ = FileManager.default.createFile(atPath: path, contents: Data([0, 0x3F, 0x80, 0x3F]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ok = try load("2xbf16=@\(path)")
        #expect(ok.elements == [.float(0.5), .float(1)])
        let error = #expect(throws: InputError.self) { try load("4xbf16=@\(path)") }
        #expect(error?.message.contains("has 4 bytes but 4xbf16 needs 8") == true)
    }

    @Test func untypedNPYTakesTheParameterTypeForVoidDTypes() throws {
        let tensor = HostTensor(type: TensorType(shape: [2], elementType: .float(.bf16)), bytes: [0x80, 0x3F, 0x00, 0x40])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-bf16-\(UUID()).npy").path
        try OutputDestination(parsing: "@" + path).write(tensor)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: InputError.self) { try load("@" + path) }
        #expect(try load("@" + path, expected: tensor.type) == tensor)
        #expect(try load("2xbf16=@" + path) == tensor)
    }

    @Test(arguments: ["2x3xf32", "f32", "0x2xi1", "4xcomplex<f64>", "2xindex", "3xf8E4M3FNUZ", "1x1x1xui4"])
    func typeTextRoundTrips(_ text: String) throws {
        let type = try #require(TensorTypeText.parse(text))
        #expect(TensorTypeText.format(type) == text)
    }

    @Test(arguments: ["", "x", "2x", "2xf33", "-1xf32", "99999999999x99999999999xf32", "2x?xf32"])
    func badTypeTextIsRejected(_ text: String) {
        #expect(TensorTypeText.parse(text) == nil)
    }

    @Test func largeTensorsPrintTheirCountOnly() throws {
        let tensor = try load("2000xi32=1")
        #expect(TensorPrinter().format(tensor) == "2000xi32=<2000 elements; write them with --output=@FILE.npy>")
    }

    @Test func signatureMismatchNamesTheParameter() throws {
        let f = Function(name: "main", inputTypes: [.tensor(TensorType(shape: [2], elementType: .float(.f32)))],
                         resultTypes: [], body: Region())
        let error = #expect(throws: RuntimeError.self) { try f.checkInputs([try load("3xf32=1")]) }
        #expect(error?.message == "@main input #0 must be tensor<2xf32>, got tensor<3xf32>")
        let count = #expect(throws: RuntimeError.self) { try f.checkInputs([]) }
        #expect(count?.message.contains("takes 1 input (tensor<2xf32>), got 0") == true)
    }

    /// Found by fuzzing (fuzz/regressions/input): one literal filling a 47-billion-element
    /// shape was allocated (and aborted the process); it is refused against the host budget.
    @Test func fillLargerThanHostMemoryIsAnError() {
        let error = #expect(throws: InputError.self) { try InputArgument(parsing: "47777777776xi1=0").load() }
        #expect(error?.message.contains("bytes of host memory available") == true, "\(String(describing: error))")
        #expect(throws: InputError.self) { try InputArgument(parsing: "9223372036854775807x4xf32=1").load() }
    }
}
