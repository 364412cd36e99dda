import Testing
@testable import StableHLO

@Suite struct PrinterTests {
    static let program = """
        func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<i64>) -> tensor<3xf32> {
          %c = stablehlo.constant dense<0.000000e+00> : tensor<f32>
          %0 = stablehlo.reduce(%arg0 init: %c) applies stablehlo.add across dimensions = [0] : (tensor<2x3xf32>, tensor<f32>) -> tensor<3xf32>
          %1:2 = stablehlo.reduce(%arg0 init: %c), (%arg0 init: %c) across dimensions = [0] : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<f32>, tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>)
           reducer(%a: tensor<f32>, %b: tensor<f32>) (%x: tensor<f32>, %y: tensor<f32>)  {
            %5 = stablehlo.maximum %a, %b : tensor<f32>
            stablehlo.return %5, %x : tensor<f32>, tensor<f32>
          }
          %2:2 = stablehlo.while(%it = %arg1, %v = %0) : tensor<i64>, tensor<3xf32>
           cond {
            %c10 = stablehlo.constant dense<10> : tensor<i64>
            %6 = stablehlo.compare  LT, %it, %c10,  SIGNED : (tensor<i64>, tensor<i64>) -> tensor<i1>
            stablehlo.return %6 : tensor<i1>
          } do {
            %7 = stablehlo.add %v, %v : tensor<3xf32>
            stablehlo.return %it, %7 : tensor<i64>, tensor<3xf32>
          }
          %3 = stablehlo.slice %2#1 [0:3:2] : (tensor<3xf32>) -> tensor<2xf32>
          %4 = stablehlo.dot_general %arg0, %arg0, contracting_dims = [0] x [0], precision = [DEFAULT, DEFAULT] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
          return %0 : tensor<3xf32>
        }
        """

    @Test func prettyFormsRoundTrip() throws {
        let module = try Module.parse(Self.program, file: "p.mlir")
        let text = module.text
        let reparsed = try Module.parse(text, file: "printed.mlir")
        #expect(reparsed.withoutLocations == module.withoutLocations)
        #expect(reparsed.text == text)
        for expected in [
            "%6 = stablehlo.reduce(%0 init: %2) applies stablehlo.add across dimensions = [0]",
            "reducer(%7: tensor<f32>, %9: tensor<f32>) (%8: tensor<f32>, %10: tensor<f32>)",
            "%21, %22 = stablehlo.while(%14 = %1, %15 = %6) : tensor<i64>, tensor<3xf32>",
            "%20 = stablehlo.add %15, %15 : tensor<3xf32>",
            "stablehlo.slice %22 [0:3:2] : (tensor<3xf32>) -> tensor<2xf32>",
            "contracting_dims = [0] x [0], precision = [DEFAULT, DEFAULT]",
            "stablehlo.compare  LT, %14, %16,  SIGNED",
        ] {
            #expect(text.contains(expected), "missing: \(expected)\n\(text)")
        }
    }

    @Test func genericFormRoundTrips() throws {
        let module = try Module.parse(Self.program, file: "p.mlir")
        let generic = module.text(prettyForms: false)
        #expect(!generic.contains("stablehlo.while("))
        #expect(try Module.parse(generic, file: "g.mlir").withoutLocations == module.withoutLocations)
    }

    @Test(arguments: [
        "dense<[1.5, -0.0, 0x7FC00000, 0x7F800000]> : tensor<4xf32>",
        "dense<[(1.0, -2.5), (0.0, 0x7FF0000000000000)]> : tensor<2xcomplex<f64>>",
        "dense<[255, 0]> : tensor<2xui8>",
        "dense<[-128, 127]> : tensor<2xi8>",
        "dense<18446744073709551615> : tensor<3xui64>",
        "dense<[true, false]> : tensor<2xi1>",
        "dense<1.0e-40> : tensor<f32>",
        "dense<[0.1, 448.0]> : tensor<2xf8E4M3FN>",
        "dense<[[1, 2], [3, 4]]> : tensor<2x2xi4>",
        "dense<> : tensor<0x3xbf16>",
    ])
    func denseLiteralsRoundTrip(_ literal: String) throws {
        let value = try #require(try parseConstantValue(literal))
        let printed = AttributePrinter.text(value)
        #expect(try parseConstantValue(printed) == value, "printed as \(printed)")
    }

    @Test func largeLiteralsPrintAsHex() throws {
        let values = (0..<100).map(String.init).joined(separator: ", ")
        let value = try #require(try parseConstantValue("dense<[\(values)]> : tensor<100xi32>"))
        let printed = AttributePrinter.text(value)
        #expect(printed.hasPrefix("dense<\"0x00000000010000000200"))
        #expect(try parseConstantValue(printed) == value)
    }
}
