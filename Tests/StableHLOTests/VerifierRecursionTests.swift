import Foundation
import Testing
@testable import StableHLO

/// Calls that form a cycle are verification errors at the call that closes it (with the
/// cycle's path), found without native recursion: self calls, mutual recursion, calls
/// inside `while`/`if` regions, and call chains thousands of functions deep.
@Suite struct VerifierRecursionTests {
    static func function(_ name: String, calls callees: [String], inWhile: Bool = false) -> String {
        let calls = callees.enumerated().map { i, callee in
            "  %c\(i) = call @\(callee)(%a) : (tensor<f32>) -> tensor<f32>"
        }.joined(separator: "\n")
        if inWhile {
            return """
            func.func private @\(name)(%a: tensor<f32>) -> tensor<f32> {
              %r = stablehlo.while(%x = %a) : tensor<f32>
              cond {
                %t = stablehlo.constant dense<false> : tensor<i1>
                stablehlo.return %t : tensor<i1>
              } do {
                %y = call @\(callees[0])(%x) : (tensor<f32>) -> tensor<f32>
                stablehlo.return %y : tensor<f32>
              }
              return %r : tensor<f32>
            }
            """
        }
        return "func.func private @\(name)(%a: tensor<f32>) -> tensor<f32> {\n\(calls)\n  return %a : tensor<f32>\n}"
    }

    static func program(_ functions: [String]) -> String {
        "func.func @main(%a: tensor<f32>) -> tensor<f32> {\n  %0 = call @f(%a) : (tensor<f32>) -> tensor<f32>\n  return %0 : tensor<f32>\n}\n"
            + functions.joined(separator: "\n")
    }

    @Test(arguments: [
        ([function("f", calls: ["f"])], "@f calls @f recursively (@f -> @f)"),
        ([function("f", calls: ["g"]), function("g", calls: ["h"]), function("h", calls: ["f"])],
         "@h calls @f recursively (@f -> @g -> @h -> @f)"),
        ([function("f", calls: ["g"], inWhile: true), function("g", calls: ["f"])], "@g calls @f recursively (@f -> @g -> @f)"),
    ])
    func recursionIsAnError(_ functions: [String], _ message: String) throws {
        let module = try Module.parse(Self.program(functions), file: "recursive.mlir")
        let messages = module.verifyAll().map(\.message)
        #expect(messages.contains { $0.contains(message) && $0.contains("cannot recurse") }, "\(messages)")
    }

    @Test func sharedCalleesAreNotCycles() throws {
        // A diamond: f calls g and h, both call k.
        let module = try Module.parse(Self.program([
            Self.function("f", calls: ["g", "h"]), Self.function("g", calls: ["k"]), Self.function("h", calls: ["k"]),
            Self.function("k", calls: []),
        ]), file: "diamond.mlir")
        try module.verify()
    }

    @Test func deepCallChainsVerifyWithoutNativeRecursion() throws {
        let depth = 5000
        var functions = (0..<depth - 1).map { Self.function("f\($0)", calls: ["f\($0 + 1)"]) }
        functions.append(Self.function("f\(depth - 1)", calls: ["f0"]))
        let text = Self.program(functions).replacingOccurrences(of: "call @f(%a)", with: "call @f0(%a)")
        let module = try Module.parse(text, file: "deep.mlir")
        let messages = module.verifyAll().map(\.message)
        #expect(messages.contains { $0.contains("@f\(depth - 1) calls @f0 recursively") }, "\(messages.prefix(2))")
    }
}
