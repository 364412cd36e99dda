import Foundation

/// One `stablehlo.convolution` test program: operand and result types, dimension numbers,
/// window and groups; `text` is a module whose `main` takes both operands as arguments
/// (so nothing folds them away).
struct ConvolutionCase: CustomStringConvertible, Sendable {
    var name: String
    var lhs: String
    var rhs: String
    var result: String
    var dimensions: String
    var window: String = ""
    var featureGroups = 1
    var batchGroups = 1

    var description: String { name }

    var text: String {
        """
        func.func @main(%lhs: tensor<\(lhs)>, %rhs: tensor<\(rhs)>) -> tensor<\(result)> {
          %0 = stablehlo.convolution(%lhs, %rhs) dim_numbers = \(dimensions), window = {\(window)} {batch_group_count = \(batchGroups) : i64, feature_group_count = \(featureGroups) : i64} : (tensor<\(lhs)>, tensor<\(rhs)>) -> tensor<\(result)>
          return %0 : tensor<\(result)>
        }
        """
    }

    /// The same convolution on another element type (every `xTYPE` suffix replaced).
    func with(elementType: String) -> ConvolutionCase {
        func retype(_ t: String) -> String {
            var parts = t.split(separator: "x").map(String.init)
            parts[parts.count - 1] = elementType
            return parts.joined(separator: "x")
        }
        var copy = self
        copy.name = name + "_" + elementType
        copy.lhs = retype(lhs)
        copy.rhs = retype(rhs)
        copy.result = retype(result)
        return copy
    }

    /// Convolutions cuDNN takes: (case, layout, filter permutation or nil). f16/bf16 ones have
    /// at least 16 input features per group (fewer take `ImplicitGemmConvolutionKernel`).
    static let vendor: [(ConvolutionCase, String, [Int]?)] = [
        (ConvolutionCase(name: "nhwc_hwio", lhs: "2x8x8x16xbf16", rhs: "3x3x16x6xbf16", result: "2x8x8x6xbf16",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", window: "stride = [1, 1], pad = [[1, 1], [1, 1]]"),
         "nhwc", [3, 0, 1, 2]),
        (ConvolutionCase(name: "nhwc_ohwi_strided", lhs: "2x8x8x16xf16", rhs: "6x3x3x16xf16", result: "2x4x4x6xf16",
                         dimensions: "[b, 0, 1, f]x[o, 0, 1, i]->[b, 0, 1, f]", window: "stride = [2, 2], pad = [[1, 1], [1, 1]]"),
         "nhwc", nil),
        (ConvolutionCase(name: "nchw_oihw_dilated", lhs: "2x4x9x9xf32", rhs: "6x4x3x3xf32", result: "2x6x5x5xf32",
                         dimensions: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]", window: "rhs_dilate = [2, 2]"),
         "nchw", nil),
        (ConvolutionCase(name: "nchw_hwio", lhs: "2x4x9x9xf32", rhs: "3x3x4x6xf32", result: "2x6x7x7xf32",
                         dimensions: "[b, f, 0, 1]x[0, 1, i, o]->[b, f, 0, 1]"),
         "nchw", [3, 2, 0, 1]),
        (ConvolutionCase(name: "grouped", lhs: "2x8x8x32xbf16", rhs: "3x3x16x6xbf16", result: "2x6x6x6xbf16",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", featureGroups: 2),
         "nhwc", [3, 0, 1, 2]),
        (ConvolutionCase(name: "reversed", lhs: "1x8x8x2xf32", rhs: "3x3x2x2xf32", result: "1x6x6x2xf32",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", window: "reverse = [true, true]"),
         "nhwc", [3, 0, 1, 2]),
        (ConvolutionCase(name: "conv1d_nwc", lhs: "2x16x3xf32", rhs: "3x3x5xf32", result: "2x16x5xf32",
                         dimensions: "[b, 0, f]x[0, i, o]->[b, 0, f]", window: "pad = [[1, 1]]"),
         "nhwc", [2, 0, 1]),
        (ConvolutionCase(name: "asymmetric_padding_unused", lhs: "1x7x7x2xf32", rhs: "3x3x2x2xf32", result: "1x4x4x2xf32",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", window: "stride = [2, 2], pad = [[1, 2], [1, 2]]"),
         "nhwc", [3, 0, 1, 2]),
    ]

    /// Convolutions only the generated kernel runs: (case, words the reason contains).
    static let generated: [(ConvolutionCase, String)] = [
        (ConvolutionCase(name: "mixed_layouts", lhs: "2x3x9x10xf32", rhs: "4x5x3x3xf32", result: "2x6x6x3xf32",
                         dimensions: "[b, f, 0, 1]x[0, 1, i, o]->[b, 0, 1, f]"), "layouts"),
        (ConvolutionCase(name: "lhs_dilated_strided", lhs: "1x16x16x2xf32", rhs: "2x3x2x2xf32", result: "1x15x15x2xf32",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", window: "stride = [2, 2], lhs_dilate = [2, 2]"),
         "lhs_dilation"),
        (ConvolutionCase(name: "lhs_dilated_grouped", lhs: "1x16x16x8xf32", rhs: "2x3x4x2xf32", result: "1x32x33x2xf32",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", window: "pad = [[1, 1], [2, 2]], lhs_dilate = [2, 2]",
                         featureGroups: 2),
         "feature groups"),
        (ConvolutionCase(name: "batch_groups", lhs: "4x6x6x2xf32", rhs: "3x3x2x4xf32", result: "2x4x4x4xf32",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", batchGroups: 2), "batch_group_count"),
        (ConvolutionCase(name: "negative_padding", lhs: "1x8x8x2xf32", rhs: "3x3x2x2xf32", result: "1x5x5x2xf32",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", window: "pad = [[-1, 0], [0, -1]]"), "padding"),
        (ConvolutionCase(name: "partial_reversal", lhs: "1x8x8x2xf32", rhs: "3x3x2x2xf32", result: "1x6x6x2xf32",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]", window: "reverse = [true, false]"), "window_reversal"),
        (ConvolutionCase(name: "conv3d", lhs: "1x4x4x4x2xf32", rhs: "2x2x2x2x3xf32", result: "1x3x3x3x3xf32",
                         dimensions: "[b, 0, 1, 2, f]x[0, 1, 2, i, o]->[b, 0, 1, 2, f]"), "spatial dimensions"),
        (ConvolutionCase(name: "integer", lhs: "1x5x5x2xi32", rhs: "3x3x2x2xi32", result: "1x3x3x2xi32",
                         dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]"), "element type"),
        (ConvolutionCase(name: "transposed_layout", lhs: "4x2x6x6xf32", rhs: "3x3x4x2xf32", result: "2x2x4x4xf32",
                         dimensions: "[f, b, 0, 1]x[0, 1, i, o]->[b, f, 0, 1]"), "layouts"),
    ]

    /// Every case above.
    static var all: [ConvolutionCase] { vendor.map(\.0) + generated.map(\.0) }

    /// The convolutions of the conformance programs, with their operands as arguments
    /// (the files compute them from constants, which the pipeline folds away).
    static func conformance(in directory: URL) -> [ConvolutionCase] {
        var cases: [ConvolutionCase] = []
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        for name in names where name.hasSuffix(".mlir") {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.contains("stablehlo.convolution(") {
                guard let c = parse(String(line), name: String(name.dropLast(5))) else { continue }
                cases.append(c)
            }
        }
        return cases
    }

    /// Reads `%r = stablehlo.convolution(%a, %b) dim_numbers = D, window = {W} {attrs} : (A, B) -> C`.
    static func parse(_ line: String, name: String) -> ConvolutionCase? {
        guard let dims = line.range(of: "dim_numbers = "), let window = line.range(of: ", window = {"),
              let windowEnd = line.range(of: "} {", range: window.upperBound..<line.endIndex),
              let types = line.range(of: " : (tensor<", options: .backwards) else { return nil }
        let typeText = line[types.upperBound...]
        let parts = typeText.components(separatedBy: ">, tensor<")
        guard parts.count == 2, let arrow = parts[1].range(of: ">) -> tensor<") else { return nil }
        let lhs = parts[0], rhs = String(parts[1][..<arrow.lowerBound])
        let result = String(parts[1][arrow.upperBound...].dropLast())
        func integer(_ key: String) -> Int {
            guard let r = line.range(of: key + " = ") else { return 1 }
            return Int(line[r.upperBound...].prefix { $0.isNumber }) ?? 1
        }
        return ConvolutionCase(
            name: name, lhs: lhs, rhs: rhs, result: result,
            dimensions: String(line[dims.upperBound..<window.lowerBound]),
            window: String(line[window.upperBound..<windowEnd.lowerBound]),
            featureGroups: integer("feature_group_count"), batchGroups: integer("batch_group_count"))
    }
}
