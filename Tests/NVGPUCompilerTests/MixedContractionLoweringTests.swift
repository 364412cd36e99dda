import Foundation
@testable import NVGPUCompiler
import Runtime
import Testing

/// `dot_general` and `convolution` with operands of other element types than the result
/// (and each other) lower to device kernels that convert each operand to the result's
/// element type, as the reference does (or, for same-type float operands, to cuBLASLt), and
/// those kernels compile for sm_90.
@Suite struct MixedContractionLoweringTests {
    static let mixes: [(String, String, String)] = [
        ("i8", "f32", "f32"), ("f16", "bf16", "f32"), ("f32", "f32", "f16"), ("f32", "i16", "i32"),
        ("ui8", "i8", "i16"), ("i32", "bf16", "bf16"), ("f64", "f32", "f64"),
    ]

    static func dot(_ l: String, _ r: String, _ o: String) -> String {
        """
        func.func @main(%a: tensor<3x40x24x\(l)>, %b: tensor<3x24x20x\(r)>) -> tensor<3x40x20x\(o)> {
          %0 = stablehlo.dot_general %a, %b, batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<3x40x24x\(l)>, tensor<3x24x20x\(r)>) -> tensor<3x40x20x\(o)>
          return %0 : tensor<3x40x20x\(o)>
        }
        """
    }

    static func convolution(_ l: String, _ r: String, _ o: String) -> String {
        """
        func.func @main(%x: tensor<2x9x9x4x\(l)>, %w: tensor<3x3x4x8x\(r)>) -> tensor<2x7x7x8x\(o)> {
          %0 = stablehlo.convolution(%x, %w) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<2x9x9x4x\(l)>, tensor<3x3x4x8x\(r)>) -> tensor<2x7x7x8x\(o)>
          return %0 : tensor<2x7x7x8x\(o)>
        }
        """
    }

    @Test(arguments: mixes.map { "\($0.0) x \($0.1) -> \($0.2)" })
    func mixedContractionsRunOnTheDevice(_ label: String) throws {
        let parts = label.components(separatedBy: " ")
        let (l, r, o) = (parts[0], parts[2], parts[4])
        for text in [Self.dot(l, r, o), Self.convolution(l, r, o)] {
            let (executable, _) = try TestPrograms.lower(text)
            #expect(TestPrograms.hostSteps(executable).isEmpty, "\(label)")
            #expect(TestPrograms.launches(executable) + TestPrograms.matmuls(executable) >= 1, "\(label)")
            try ComplexKernelTests.expectCompiles(executable, label: "mixed \(label)")
        }
    }
}
