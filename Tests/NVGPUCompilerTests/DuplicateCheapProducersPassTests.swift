import Compiler
@testable import NVGPUCompiler
import StableHLO
import Testing

/// `nvgpu-duplicate-cheap-producers`: each user of a cheap chain (convert, broadcast,
/// reshape of inputs and constants) gets its own copy, so no fusion writes the chain's value
/// for others to read; what is not cheap, or has one user, is left alone.
@Suite struct DuplicateCheapProducersPassTests {
    static func rewritten(_ text: String) throws -> Module {
        var module = try Module.parse(text, file: "dup.mlir")
        try DuplicateCheapProducersPass(entry: "main", isEnabled: true).run(on: &module)
        try module.verify()
        return module
    }

    static func count(_ module: Module, _ name: String) -> Int {
        module.functions[0].body.blocks[0].operations.filter { $0.name == name }.count
    }

    /// Mean and variance of bf16 activations, as `jnp.var` exports them.
    static let variance = """
    func.func @main(%x: tensor<64x8xbf16>) -> (tensor<8xf32>, tensor<8xf32>) {
      %0 = stablehlo.convert %x : (tensor<64x8xbf16>) -> tensor<64x8xf32>
      %z = stablehlo.constant dense<0.0> : tensor<f32>
      %1 = stablehlo.reduce(%0 init: %z) applies stablehlo.add across dimensions = [0] : (tensor<64x8xf32>, tensor<f32>) -> tensor<8xf32>
      %2 = stablehlo.broadcast_in_dim %1, dims = [1] : (tensor<8xf32>) -> tensor<64x8xf32>
      %3 = stablehlo.subtract %0, %2 : tensor<64x8xf32>
      %4 = stablehlo.multiply %3, %3 : tensor<64x8xf32>
      %5 = stablehlo.reduce(%4 init: %z) applies stablehlo.add across dimensions = [0] : (tensor<64x8xf32>, tensor<f32>) -> tensor<8xf32>
      return %1, %5 : tensor<8xf32>, tensor<8xf32>
    }
    """

    @Test func eachUserOfAConvertedInputGetsItsOwnConvert() throws {
        let module = try Self.rewritten(Self.variance)
        #expect(Self.count(module, "stablehlo.convert") == 2)
        // The broadcast of a reduction is not cheap (the reduction is computed): one copy.
        #expect(Self.count(module, "stablehlo.broadcast_in_dim") == 1)
        let (e, _) = try TestPrograms.lower(Self.variance)
        // No fusion writes the f32 copy: every buffer written is 8 floats (or scratch).
        let written = e.buffers.filter { $0.byteSize >= 64 * 8 * 4 }
        #expect(written.isEmpty, "\(e.buffers.map(\.byteSize))")
    }

    @Test func chainsAreCopiedWholeAndOneOpReadingTwiceGetsOneCopy() throws {
        let text = """
        func.func @main(%x: tensor<8xf16>, %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
          %0 = stablehlo.convert %x : (tensor<8xf16>) -> tensor<8xf32>
          %1 = stablehlo.broadcast_in_dim %0, dims = [1] : (tensor<8xf32>) -> tensor<4x8xf32>
          %2 = stablehlo.add %1, %y : tensor<4x8xf32>
          %3 = stablehlo.multiply %1, %1 : tensor<4x8xf32>
          return %2, %3 : tensor<4x8xf32>, tensor<4x8xf32>
        }
        """
        let module = try Self.rewritten(text)
        #expect(Self.count(module, "stablehlo.convert") == 2)
        #expect(Self.count(module, "stablehlo.broadcast_in_dim") == 2)
        let multiply = try #require(module.functions[0].body.blocks[0].operations.first { $0.name == "stablehlo.multiply" })
        #expect(multiply.operands[0] == multiply.operands[1])
    }

    @Test func computedValuesAndSingleUsesAreLeftAlone() throws {
        let text = """
        func.func @main(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
          %0 = stablehlo.exponential %x : tensor<8xf32>
          %1 = stablehlo.convert %0 : (tensor<8xf32>) -> tensor<8xf16>
          %2 = stablehlo.convert %1 : (tensor<8xf16>) -> tensor<8xf32>
          %3 = stablehlo.negate %2 : tensor<8xf32>
          %4 = stablehlo.abs %2 : tensor<8xf32>
          return %3, %4 : tensor<8xf32>, tensor<8xf32>
        }
        """
        let module = try Self.rewritten(text)
        #expect(Self.count(module, "stablehlo.convert") == 2)
        #expect(module.text == (try Module.parse(text, file: "dup.mlir")).text)
    }
}
