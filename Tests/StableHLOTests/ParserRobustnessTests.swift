import Foundation
import Testing
@testable import StableHLO

/// Damaged inputs must give a `Diagnostic`, never a trap.
@Suite struct ParserRobustnessTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let sample = """
        #loc1 = loc("f.py":3:4)
        module @m attributes {mhlo.num_replicas = 1 : i32} {
          func.func public @main(%arg0: tensor<2x3xf32> {jax.arg_info = "x"}) -> (tensor<3xf32> {jax.result_info = ""}) {
            %cst = stablehlo.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
            %c = stablehlo.constant dense<"0x0000000000000000"> : tensor<2xf32>
            %0 = stablehlo.add %arg0, %cst : tensor<2x3xf32> loc(#loc1)
            %1 = stablehlo.reduce(%0 init: %c) applies stablehlo.add across dimensions = [0] : (tensor<2x3xf32>, tensor<f32>) -> tensor<3xf32>
            %2:2 = "stablehlo.sort"(%1, %1) <{dimension = 0 : i64}> ({
            ^bb0(%a: tensor<f32>, %b: tensor<f32>, %x: tensor<f32>, %y: tensor<f32>):
              %3 = stablehlo.compare  GT, %a, %b,  FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
              stablehlo.return %3 : tensor<i1>
            }) : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
            %4 = stablehlo.while(%it = %2#0) : tensor<3xf32> attributes {a = #stablehlo<precision HIGH>}
             cond {
              %t = stablehlo.constant dense<true> : tensor<i1>
              stablehlo.return %t : tensor<i1>
            } do {
              stablehlo.return %it : tensor<3xf32>
            }
            %5 = stablehlo.dot_general %arg0, %arg0, contracting_dims = [0] x [0] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
            return %4 : tensor<3xf32>
          }
        }
        """

    @Test func everyTruncationThrowsOrParses() throws {
        let bytes = Array(Self.sample.utf8)
        _ = try Module.parse(Self.sample, file: "sample.mlir")
        var errors = 0
        for cut in 0..<bytes.count {
            do {
                _ = try Module.parse(utf8: Array(bytes[0..<cut]), file: "cut.mlir")
            } catch let d as Diagnostic {
                errors += 1
                #expect(d.location.line >= 1 && d.location.line <= 25, "\(d)")
            }
        }
        #expect(errors > bytes.count / 2)
    }

    @Test func randomByteDamageNeverTraps() throws {
        var rng = SplitMix(state: 42)
        let original = Array(Self.sample.utf8)
        let alphabet = Array("%#@!<>()[]{}:,=\"x0123456789-.ef?^ \n".utf8)
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
                case 1: bytes.remove(at: i)
                default: bytes.insert(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)], at: i)
                }
            }
            do {
                let module = try Module.parse(utf8: bytes, file: "damaged.mlir")
                // Whatever parses must print and parse again.
                _ = try Module.parse(module.text, file: "reprinted.mlir")
            } catch is Diagnostic {
                continue
            }
        }
    }

    @Test func deepNestingIsAnErrorNotAStackOverflow() {
        let deep = "func.func @f() {\n %0 = stablehlo.constant dense<" + String(repeating: "[", count: 100_000) + "> : tensor<1xf32>\n}"
        #expect(parseError(deep)?.message.contains("nests more than") == true)
        let hugeType = "func.func private @f(tensor<4294967296x4294967296x4294967296xf32>)"
        #expect(parseError(hugeType)?.message.contains("too many elements") == true)
    }
}
