import Foundation
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Programs on the narrow element types (8/6/4-bit floats, 2/4-bit integers) lower to
/// generated kernels with no host step: elementwise chains fuse, with the narrow-type
/// prelude emitted only where a kernel uses it, and the kernels compile with NVRTC for
/// sm_90 (skipped without NVRTC unless required).
@Suite struct NarrowKernelTests {
    static let floatTypes = FloatFormat.allCases.filter {
        ![FloatFormat.bf16, .f16, .f32, .f64].contains($0)
    }.map(\.rawValue)
    static let integerTypes = ["i2", "i4", "ui2", "ui4"]

    /// A fused chain: (x + y) * x, negated, maximum with y, reduced over rows, plus a
    /// conversion from f64 and to f32.
    static func floatChain(_ t: String) -> String {
        """
        func.func @main(%x: tensor<4x8x\(t)>, %y: tensor<4x8x\(t)>, %d: tensor<4x8xf64>) -> (tensor<4x8x\(t)>, tensor<4x\(t)>, tensor<4x8xf32>) {
          %0 = stablehlo.add %x, %y : tensor<4x8x\(t)>
          %1 = stablehlo.multiply %0, %x : tensor<4x8x\(t)>
          %2 = stablehlo.negate %1 : tensor<4x8x\(t)>
          %3 = stablehlo.maximum %2, %y : tensor<4x8x\(t)>
          %c = stablehlo.convert %d : (tensor<4x8xf64>) -> tensor<4x8x\(t)>
          %4 = stablehlo.subtract %3, %c : tensor<4x8x\(t)>
          %z = stablehlo.constant dense<0.0> : tensor<\(t)>
          %5 = stablehlo.reduce(%4 init: %z) applies stablehlo.add across dimensions = [1] : (tensor<4x8x\(t)>, tensor<\(t)>) -> tensor<4x\(t)>
          %6 = stablehlo.convert %4 : (tensor<4x8x\(t)>) -> tensor<4x8xf32>
          return %4, %5, %6 : tensor<4x8x\(t)>, tensor<4x\(t)>, tensor<4x8xf32>
        }
        """
    }

    /// Integer ops whose results depend on the width, a conversion from f32, iota and a
    /// select on a comparison.
    static func integerChain(_ t: String) -> String {
        """
        func.func @main(%x: tensor<16x\(t)>, %y: tensor<16x\(t)>, %f: tensor<16xf32>) -> (tensor<16x\(t)>, tensor<16x\(t)>, tensor<16xi32>) {
          %0 = stablehlo.add %x, %y : tensor<16x\(t)>
          %1 = stablehlo.shift_left %0, %y : tensor<16x\(t)>
          %2 = stablehlo.shift_right_arithmetic %1, %x : tensor<16x\(t)>
          %3 = stablehlo.popcnt %2 : tensor<16x\(t)>
          %4 = stablehlo.count_leading_zeros %3 : tensor<16x\(t)>
          %i = stablehlo.iota dim = 0 : tensor<16x\(t)>
          %c = stablehlo.convert %f : (tensor<16xf32>) -> tensor<16x\(t)>
          %5 = stablehlo.xor %4, %i : tensor<16x\(t)>
          %6 = stablehlo.subtract %5, %c : tensor<16x\(t)>
          %p = stablehlo.compare LT, %6, %x : (tensor<16x\(t)>, tensor<16x\(t)>) -> tensor<16xi1>
          %7 = stablehlo.select %p, %6, %x : tensor<16xi1>, tensor<16x\(t)>
          %8 = stablehlo.negate %7 : tensor<16x\(t)>
          %w = stablehlo.convert %8 : (tensor<16x\(t)>) -> tensor<16xi32>
          return %7, %8, %w : tensor<16x\(t)>, tensor<16x\(t)>, tensor<16xi32>
        }
        """
    }

    /// Data movement and a dot_general: transpose, concatenate, pad, slice, then a GEMM
    /// (never cuBLASLt on these types).
    static func movement(_ t: String, zero: String) -> String {
        """
        func.func @main(%x: tensor<4x6x\(t)>, %y: tensor<6x4x\(t)>) -> (tensor<8x6x\(t)>, tensor<4x4x\(t)>) {
          %0 = stablehlo.transpose %y, dims = [1, 0] : (tensor<6x4x\(t)>) -> tensor<4x6x\(t)>
          %1 = stablehlo.concatenate %x, %0, dim = 0 : (tensor<4x6x\(t)>, tensor<4x6x\(t)>) -> tensor<8x6x\(t)>
          %z = stablehlo.constant dense<\(zero)> : tensor<\(t)>
          %2 = stablehlo.pad %1, %z, low = [1, 0], high = [1, 2], interior = [0, 0] : (tensor<8x6x\(t)>, tensor<\(t)>) -> tensor<10x8x\(t)>
          %3 = stablehlo.slice %2 [1:9, 1:7] : (tensor<10x8x\(t)>) -> tensor<8x6x\(t)>
          %4 = stablehlo.dot_general %x, %y, contracting_dims = [1] x [0] : (tensor<4x6x\(t)>, tensor<6x4x\(t)>) -> tensor<4x4x\(t)>
          return %3, %4 : tensor<8x6x\(t)>, tensor<4x4x\(t)>
        }
        """
    }

    static func expectNarrowPrelude(_ e: Executable, _ label: String) {
        #expect(e.kernels.contains { $0.source.contains("#define NVGPU_NARROW") }, "\(label): no kernel has the narrow prelude")
    }

    @Test(arguments: floatTypes) func floatFormatFusesOnTheDevice(type: String) throws {
        let e = try ComplexKernelTests.onDevice(Self.floatChain(type))
        Self.expectNarrowPrelude(e, type)
        #expect(e.kernels.contains { $0.source.contains("nv_fp_round_d(") }, "\(type): f64 → \(type) rounds once from double")
        try ComplexKernelTests.expectCompiles(e, label: type)
    }

    @Test(arguments: integerTypes) func subByteIntegerFusesOnTheDevice(type: String) throws {
        let e = try ComplexKernelTests.onDevice(Self.integerChain(type))
        Self.expectNarrowPrelude(e, type)
        let width = type.hasSuffix("2") ? 2 : 4
        #expect(e.kernels.contains { $0.source.contains("nv_n_shl(") && $0.source.contains(", \(width))") })
        try ComplexKernelTests.expectCompiles(e, label: type)
    }

    @Test(arguments: ["i4", "ui2", "f8E4M3FN", "f4E2M1FN", "f8E8M0FNU"]) func movementAndGemmStayGenerated(type: String) throws {
        let zero = type.hasPrefix("f") ? (type == "f8E8M0FNU" ? "1.0" : "0.0") : "0"
        let e = try ComplexKernelTests.onDevice(Self.movement(type, zero: zero))
        #expect(TestPrograms.matmuls(e) == 0, "\(type) must not go to cuBLASLt")
        try ComplexKernelTests.expectCompiles(e, label: type)
    }

    @Test func widePreludeOnlyWhereUsed() throws {
        let e = try ComplexKernelTests.onDevice(ComplexKernelTests.unary("stablehlo.negate", "f32"))
        #expect(!e.kernels.contains { $0.source.contains("NVGPU_NARROW") })
    }

    /// The acceptance pair: an i4 and an f8E4M3FN elementwise program, one fused kernel each.
    @Test(arguments: ["i4", "f8E4M3FN"]) func fusedKernelForOneProgram(type: String) throws {
        let text = """
        func.func @main(%x: tensor<64x\(type)>, %y: tensor<64x\(type)>) -> tensor<64x\(type)> {
          %0 = stablehlo.subtract %x, %y : tensor<64x\(type)>
          %1 = stablehlo.negate %0 : tensor<64x\(type)>
          %2 = stablehlo.minimum %1, %x : tensor<64x\(type)>
          return %2 : tensor<64x\(type)>
        }
        """
        let e = try ComplexKernelTests.onDevice(text)
        #expect(TestPrograms.launches(e) == 1)
        Self.expectNarrowPrelude(e, type)
        try ComplexKernelTests.expectCompiles(e, label: type)
    }
}

extension NarrowKernelTests {
    /// reduce_precision and next_after work on the narrow format's bit pattern, fused.
    @Test func reducePrecisionAndNextAfterFuse() throws {
        let text = """
        func.func @main(%x: tensor<8xf8E4M3FN>, %y: tensor<8xf8E4M3FN>) -> tensor<8xf8E4M3FN> {
          %0 = stablehlo.negate %x : tensor<8xf8E4M3FN>
          %1 = stablehlo.reduce_precision %0, format = e2m1 : tensor<8xf8E4M3FN>
          %2 = chlo.next_after %1, %y : tensor<8xf8E4M3FN>, tensor<8xf8E4M3FN> -> tensor<8xf8E4M3FN>
          return %2 : tensor<8xf8E4M3FN>
        }
        """
        let e = try ComplexKernelTests.onDevice(text)
        #expect(TestPrograms.launches(e) == 1)
        try ComplexKernelTests.expectCompiles(e, label: "reduce_precision/next_after")
    }

    /// Narrow float math is computed in double and rounded once (the reference's Double).
    @Test func narrowFloatMathRunsInDouble() throws {
        let text = """
        func.func @main(%x: tensor<8xf8E5M2>) -> tensor<8xf8E5M2> {
          %0 = stablehlo.exponential %x : tensor<8xf8E5M2>
          %1 = chlo.erf %0 : tensor<8xf8E5M2> -> tensor<8xf8E5M2>
          return %1 : tensor<8xf8E5M2>
        }
        """
        let e = try ComplexKernelTests.onDevice(text)
        let source = try #require(e.kernels.first?.source).replacingOccurrences(of: KernelPrelude.source, with: "")
        #expect(source.contains("exp(((double)(") && !source.contains("expf("), "\(source.suffix(1500))")
        #expect(source.contains("erf((double)("))
    }

    /// A convolution on a narrow float or integer is the generated kernel, never cuDNN.
    @Test(arguments: ["f8E4M3FN", "f8E5M2", "i4"]) func convolutionStaysGenerated(type: String) throws {
        let text = """
        func.func @main(%x: tensor<1x8x8x4x\(type)>, %w: tensor<3x3x4x8x\(type)>) -> tensor<1x6x6x8x\(type)> {
          %0 = stablehlo.convolution(%x, %w) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [1, 1], pad = [[0, 0], [0, 0]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x8x8x4x\(type)>, tensor<3x3x4x8x\(type)>) -> tensor<1x6x6x8x\(type)>
          return %0 : tensor<1x6x6x8x\(type)>
        }
        """
        let e = try ComplexKernelTests.onDevice(text)
        #expect(!e.steps.contains { if case .convolution = $0 { return true } else { return false } })
        try ComplexKernelTests.expectCompiles(e, label: "convolution \(type)")
    }

    /// What has no kernel for these types stays on the host with a reason, alone.
    @Test func rngIntoSubByteIntegersStaysOnTheHost() throws {
        let text = """
        func.func @main(%s: tensor<2xui64>) -> (tensor<2xui64>, tensor<8xui4>) {
          %0, %1 = stablehlo.rng_bit_generator %s, algorithm = DEFAULT : (tensor<2xui64>) -> (tensor<2xui64>, tensor<8xui4>)
          return %0, %1 : tensor<2xui64>, tensor<8xui4>
        }
        """
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).count == 1)
    }
}
