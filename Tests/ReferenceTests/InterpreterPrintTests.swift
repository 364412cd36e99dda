import Reference
import StableHLO
import Testing

/// `interpreter.print` writes what the StableHLO interpreter writes (its
/// `stablehlo/tests/interpret/printing.mlir` expectations), and floats read as MLIR prints
/// them.
@Suite struct InterpreterPrintTests {
    final class Captured: @unchecked Sendable {
        var text = ""
    }

    static func printed(_ body: String) throws -> String {
        let module = try Module.parse("func.func @main() {\n\(body)\n  func.return\n}", file: "print.mlir")
        try module.verify()
        let captured = Captured()
        let interpreter = Interpreter(module: module, output: InterpreterOutput { captured.text += $0 })
        _ = try interpreter.run("main", inputs: [])
        return captured.text
    }

    @Test("ranks and element types", arguments: [
        ("dense<[1, 2, -3, -4]> : tensor<4xi8>", "%c = tensor<4xi8> {\n  [1, 2, -3, -4]\n}\n"),
        ("dense<[1.0, 2.0, -3.0, -4.0]> : tensor<4xf16>", "%cst = tensor<4xf16> {\n  [1.000000e+00, 2.000000e+00, -3.000000e+00, -4.000000e+00]\n}\n"),
        ("dense<[true, false]> : tensor<2xi1>", "%c = tensor<2xi1> {\n  [true, false]\n}\n"),
        ("dense<1> : tensor<ui8>", "%c = tensor<ui8> {1}\n"),
        ("dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>", "%c = tensor<2x2xi8> {\n  [\n    [1, 2],\n    [3, 4]\n  ]\n}\n"),
        ("dense<[[[0, 1], [2, 3]], [[4, 0], [1, 2]]]> : tensor<2x2x2xi64>",
         "%c = tensor<2x2x2xi64> {\n  [\n    [\n      [0, 1],\n      [2, 3]\n    ],\n    [\n      [4, 0],\n      [1, 2]\n    ]\n  ]\n}\n"),
        ("dense<> : tensor<0xui8>", "%c = tensor<0xui8> {\n  []\n}\n"),
        ("dense<> : tensor<2x0xi8>", "%c = tensor<2x0xi8> {\n  [\n    [],\n    []\n  ]\n}\n"),
        ("dense<[1, -2]> : tensor<2xi2>", "%c = tensor<2xi2> {\n  [1, -2]\n}\n"),
        ("dense<[1.0, -4.0]> : tensor<2xf8E3M4>", "%cst = tensor<2xf8E3M4> {\n  [1.000000e+00, -4.000000e+00]\n}\n"),
        ("dense<(3.140000e+00, 1.0)> : tensor<2xcomplex<f32>>",
         "%cst = tensor<2xcomplex<f32>> {\n  [[3.140000e+00, 1.000000e+00], [3.140000e+00, 1.000000e+00]]\n}\n"),
    ])
    func constants(literal: String, expected: String) throws {
        let type = String(literal[literal.range(of: " : ")!.upperBound...])
        let text = try Self.printed("  %x = stablehlo.constant \(literal)\n  interpreter.print %x : \(type)")
        #expect(text == expected)
    }

    /// Results are numbered in order, constants named `%c`/`%cst` and made unique from one
    /// counter, multi-result ops written `%N:K`, arguments as upstream writes them.
    @Test func ssaNames() throws {
        let text = try Self.printed("""
          %a = stablehlo.constant dense<1> : tensor<i32>
          %b = stablehlo.constant dense<2.5> : tensor<f32>
          %c = stablehlo.constant dense<3> : tensor<i32>
          %s = stablehlo.add %a, %c : tensor<i32>
          %p:2 = "stablehlo.while"(%a, %s) ({
          ^bb0(%i: tensor<i32>, %j: tensor<i32>):
            %lt = stablehlo.compare LT, %i, %j : (tensor<i32>, tensor<i32>) -> tensor<i1>
            stablehlo.return %lt : tensor<i1>
          }, {
          ^bb0(%i: tensor<i32>, %j: tensor<i32>):
            %one = stablehlo.constant dense<1> : tensor<i32>
            %k = stablehlo.add %i, %one : tensor<i32>
            interpreter.print %k : tensor<i32>
            stablehlo.return %k, %j : tensor<i32>, tensor<i32>
          }) : (tensor<i32>, tensor<i32>) -> (tensor<i32>, tensor<i32>)
          interpreter.print %c : tensor<i32>
          interpreter.print %b : tensor<f32>
          interpreter.print %s : tensor<i32>
          interpreter.print %p#1 : tensor<i32>
        """)
        let expected = [
            "%2 = tensor<i32> {2}", "%2 = tensor<i32> {3}", "%2 = tensor<i32> {4}",
            "%c_0 = tensor<i32> {3}", "%cst = tensor<f32> {2.500000e+00}", "%0 = tensor<i32> {4}", "%1:2 = tensor<i32> {4}",
        ]
        #expect(text == expected.joined(separator: "\n") + "\n")
    }

    @Test("floats as MLIR prints them", arguments: [
        (0.1, FloatFormat.f32, "1.000000e-01"),
        (Double(Float(1.2345678)), .f32, "1.23456776"),
        (Double(Float(123456789)), .f32, "0x4CEB79A3"),
        (Double(Float(1e20)), .f32, "1.000000e+20"),
        (Double(Float(3.0e-5)), .f32, "3.000000e-05"),
        (Double(Float(0.00048828125)), .f32, "4.8828125E-4"),
        (-0.0, .f32, "-0.000000e+00"),
        (Double.nan, .f32, "0x7FC00000"),
        (-Double.infinity, .f32, "0xFF800000"),
        (Double(Float.leastNonzeroMagnitude), .f32, "1.401300e-45"),
        (0.1, .f64, "1.000000e-01"),
        (1.0 / 3.0, .f64, "0.33333333333333331"),
        (1e300, .f64, "1.000000e+300"),
        (FloatFormat.bf16.round(3.14159), .bf16, "3.140630e+00"),
        (FloatFormat.f16.round(65504), .f16, "6.550400e+04"),
    ])
    func floats(value: Double, format: FloatFormat, expected: String) throws {
        let literal = value.isNaN || value.isInfinite ? "0x" + String(format.encode(value), radix: 16, uppercase: true) : "\(value)"
        let type = "tensor<\(format.rawValue)>"
        let text = try Self.printed("  %x = stablehlo.constant dense<\(literal)> : \(type)\n  interpreter.print %x : \(type)")
        #expect(text == "%cst = \(type) {\(expected)}\n")
    }
}
