import Foundation
import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// `bitcast_convert` (same width: an elementwise expression that fuses; other widths: a
/// byte copy of its own), `rng_bit_generator` (THREE_FRY/DEFAULT/PHILOX) and
/// `optimization_barrier`: which forms become kernels, which stay on the host and why, and
/// that the kernels compile with NVRTC for sm_90.
@Suite struct BitcastConvertKernelTests {
    static func unary(_ line: String, operand: String, result: String) -> String {
        """
        func.func @main(%x: tensor<\(operand)>) -> tensor<\(result)> {
          \(line)
          return %0 : tensor<\(result)>
        }
        """
    }

    static let sameWidth: [(String, String)] = [
        ("f32", "i32"), ("i32", "f32"), ("f32", "ui32"), ("f64", "i64"), ("ui64", "f64"), ("bf16", "i16"),
        ("i16", "bf16"), ("f16", "ui16"), ("ui16", "f16"), ("bf16", "f16"), ("i8", "ui8"), ("i32", "ui32"),
    ]

    /// Same-width bitcasts fuse with the ops around them: one kernel for negate, bitcast, add.
    @Test(arguments: sameWidth)
    func sameWidthBitcastFuses(_ source: String, target: String) throws {
        let text = """
            func.func @main(%x: tensor<6x5x\(source)>) -> tensor<6x5x\(target)> {
              %n = stablehlo.negate %x : tensor<6x5x\(source)>
              %0 = stablehlo.bitcast_convert %n : (tensor<6x5x\(source)>) -> tensor<6x5x\(target)>
              %1 = stablehlo.add %0, %0 : tensor<6x5x\(target)>
              return %1 : tensor<6x5x\(target)>
            }
            """
        let (e, report) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(TestPrograms.launches(e) == 1)
        #expect(!report.groups.contains { $0.kind == .dedicated })
        try SortKernelTests.compile(e)
    }

    /// Wider → narrower adds a trailing dimension, narrower → wider consumes it: one byte copy.
    @Test(arguments: [
        ("4x3xf32", "4x3x4xi8", "nv_v16"), ("4x3x2xi16", "4x3xf32", "nv_v16"), ("5xf64", "5x2xui32", "nv_v8"),
        ("3x4xbf16", "3xf64", "nv_v8"), ("3xi32", "3x2xf16", "unsigned int"), ("7x2xui8", "7xi16", "unsigned short"),
        ("3xui16", "3x2xi8", "unsigned short"), ("5x8xi8", "5xi64", "nv_v8"), ("3xi64", "3x4xbf16", "nv_v8"),
    ])
    func widthChangingBitcastCopiesBytes(_ operand: String, result: String, chunk: String) throws {
        let text = Self.unary("%0 = stablehlo.bitcast_convert %x : (tensor<\(operand)>) -> tensor<\(result)>",
                              operand: operand, result: result)
        let e = try SortKernelTests.lowerAndCompile(text, launches: 1)
        #expect(e.kernels[0].source.contains("const \(chunk)* __restrict__ in"))
    }

    @Test func bitcastOfBoolsStaysOnHost() throws {
        let text = Self.unary("%0 = stablehlo.bitcast_convert %x : (tensor<3x8xi1>) -> tensor<3xi8>", operand: "3x8xi1", result: "3xi8")
        let (e, _) = try TestPrograms.lower(text)
        let reasons = TestPrograms.hostSteps(e).map(\.reason)
        #expect(reasons.count == 1 && reasons.first?.contains("splits bytes into bits") == true)
    }

    static func rng(_ algorithm: String, state: String = "2xui64", output: String = "8x16xui64") -> String {
        """
        func.func @main(%s: tensor<\(state)>) -> (tensor<\(state)>, tensor<\(output)>) {
          %0, %1 = stablehlo.rng_bit_generator %s, algorithm = \(algorithm) : (tensor<\(state)>) -> (tensor<\(state)>, tensor<\(output)>)
          return %0, %1 : tensor<\(state)>, tensor<\(output)>
        }
        """
    }

    @Test(arguments: [("THREE_FRY", "2xui64", "8x16xui64"), ("DEFAULT", "2xui64", "100xi64"), ("THREE_FRY", "2xi64", "3x5x7xui64"),
                      ("THREE_FRY", "2xui64", "0x4xui64"), ("THREE_FRY", "2xui64", "7xui32"), ("PHILOX", "2xui64", "8x16xui64"),
                      ("PHILOX", "2xui64", "9xi32"), ("PHILOX", "2xi64", "5xi64"), ("PHILOX", "2xui64", "0xui32")])
    func generatorsAreOneKernel(_ algorithm: String, state: String, output: String) throws {
        let e = try SortKernelTests.lowerAndCompile(Self.rng(algorithm, state: state, output: output), launches: 1)
        let source = e.kernels[0].source
        if algorithm == "PHILOX" {
            #expect(source.contains("nv_philox4x32((unsigned int)key") == !output.hasPrefix("0x"))
        } else {
            #expect(source.contains("0x1BD11BDAu") && source.contains("x1 = (x1 << 13) | (x1 >> 19)"))
        }
    }

    @Test(arguments: [("THREE_FRY", "3xui64", "8xui64", "THREE_FRY needs a 2-element"),
                      ("PHILOX", "3xui64", "8xui64", "PHILOX needs a 2-element"),
                      ("THREE_FRY", "2xui64", "8xui16", "32- or 64-bit integer tensor"),
                      ("PHILOX", "2xui64", "8xf64", "32- or 64-bit integer tensor")])
    func otherGeneratorsStayOnHost(_ algorithm: String, state: String, output: String, reason: String) throws {
        let (e, _) = try TestPrograms.lower(Self.rng(algorithm, state: state, output: output))
        let reasons = TestPrograms.hostSteps(e).map(\.reason)
        #expect(reasons.count == 1 && reasons.first?.contains(reason) == true, "\(reasons)")
    }

    @Test func optimizationBarrierCopiesEachOperand() throws {
        let text = """
            func.func @main(%x: tensor<4x5xf32>, %y: tensor<3xi8>) -> (tensor<4x5xf32>, tensor<3xi8>) {
              %0:2 = stablehlo.optimization_barrier %x, %y : tensor<4x5xf32>, tensor<3xi8>
              return %0#0, %0#1 : tensor<4x5xf32>, tensor<3xi8>
            }
            """
        let e = try SortKernelTests.lowerAndCompile(text, launches: 2)
        #expect(e.kernels.map(\.entryPoint).allSatisfy { $0.hasSuffix("_0") || $0.hasSuffix("_1") })
    }

    /// The conformance programs with bitcasts and the random generators keep none of them on
    /// the host (complex and sub-byte types aside), and their kernels compile.
    @Test func conformanceBitcastsAndGeneratorsRunOnTheDevice() throws {
        let files = TestPrograms.mlirFiles(in: TestPrograms.conformanceDirectory.appendingPathComponent("testdata"))
            .filter { ["bitcast_convert", "random_", "rng_bit_generator"].contains(where: $0.lastPathComponent.hasPrefix) }
        guard !files.isEmpty else {
            print("SKIPPED: no conformance programs in \(TestPrograms.conformanceDirectory.path) (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        for file in files {
            let (e, _) = try TestPrograms.lower(try String(contentsOf: file, encoding: .utf8))
            let reasons = TestPrograms.hostSteps(e).map(\.reason)
                .filter { $0.contains("bitcast_convert") || $0.contains("rng_bit_generator") }
            if !file.lastPathComponent.contains("complex") {
                #expect(reasons.isEmpty, "\(file.lastPathComponent): \(reasons)")
            }
            try SortKernelTests.compile(e)
        }
    }
}
