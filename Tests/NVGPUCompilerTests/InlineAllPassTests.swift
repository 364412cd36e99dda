import Compiler
@testable import NVGPUCompiler
import StableHLO
import Testing

/// `inline-all`, the CUDA target's inliner (`InlinePass(includingPublicCallees: true)`):
/// calls of public and private helpers are inlined, also inside regions; very deep call
/// chains stay calls instead of growing without bound, and recursion is rejected by the
/// verifier before the inliner sees it.
@Suite struct InlineAllPassTests {
    static let name = "inline-all"

    static let helpers = """
    func.func public @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %0 = func.call @relu(%x) : (tensor<4xf32>) -> tensor<4xf32>
      %1 = func.call @twice(%0) : (tensor<4xf32>) -> tensor<4xf32>
      return %1 : tensor<4xf32>
    }
    func.func private @relu(%a: tensor<4xf32>) -> tensor<4xf32> {
      %z = stablehlo.constant dense<0.0> : tensor<4xf32>
      %m = stablehlo.maximum %a, %z : tensor<4xf32>
      return %m : tensor<4xf32>
    }
    func.func public @twice(%a: tensor<4xf32>) -> tensor<4xf32> {
      %s = stablehlo.add %a, %a : tensor<4xf32>
      return %s : tensor<4xf32>
    }
    """

    @Test func inlinesPublicAndPrivateCallees() throws {
        let module = try TargetPassSupport.run(Self.name, on: Self.helpers)
        let main = try #require(module.function(named: "main")?.body.entry)
        #expect(main.operations.map(\.name) == ["stablehlo.constant", "stablehlo.maximum", "stablehlo.add", "func.return"])
        #expect(module.function(named: "relu") == nil)  // private and unused now
        #expect(module.function(named: "twice") != nil)  // public: kept
        try TargetPassSupport.roundTrip(module)
        // The standard `inline` leaves the public callee's call.
        var standard = try Module.parse(Self.helpers, file: "h.mlir")
        try InlinePass().run(on: &standard)
        #expect(standard.function(named: "main")?.body.entry?.operations.contains { $0.name == "func.call" } == true)
    }

    @Test func inlinesCallsInsideRegions() throws {
        let text = try TargetPassSupport.insideCase(Self.helpers)
        let module = try TargetPassSupport.run(Self.name, on: text)
        #expect(!TargetPassSupport.names(in: module.function(named: "main").map { Module(name: "m", attributes: [], functions: [$0]) }
            ?? module).contains("func.call"))
        try module.verify()
    }

    /// Mutual recursion is rejected by the verifier (StableHLO programs, like XLA's
    /// computations, do not recurse; every entry point verifies first), and the inliner
    /// itself still terminates on an unverified cycle: the calls that close it stay calls.
    @Test func recursionIsRejectedAndInliningStillTerminates() throws {
        let text = """
        func.func public @main(%x: tensor<f32>) -> tensor<f32> {
          %0 = func.call @even(%x) : (tensor<f32>) -> tensor<f32>
          return %0 : tensor<f32>
        }
        func.func public @even(%a: tensor<f32>) -> tensor<f32> {
          %0 = func.call @odd(%a) : (tensor<f32>) -> tensor<f32>
          return %0 : tensor<f32>
        }
        func.func public @odd(%a: tensor<f32>) -> tensor<f32> {
          %0 = func.call @even(%a) : (tensor<f32>) -> tensor<f32>
          %1 = func.call @odd(%0) : (tensor<f32>) -> tensor<f32>
          return %1 : tensor<f32>
        }
        """
        #expect { try Module.parse(text, file: "pass.mlir").verify() } throws: { error in
            "\(error)".contains("pass.mlir:10:3") && "\(error)".contains("@odd calls @even recursively (@even -> @odd -> @even)")
        }
        let module = try TargetPassSupport.run(Self.name, on: text)
        let calls = module.function(named: "main")?.body.entry?.operations.filter { $0.name == "func.call" } ?? []
        #expect(!calls.isEmpty && calls.count < 8)
    }

    @Test func deepCallChainsStopAtTheDepthLimit() throws {
        let depth = 3 * InlinePass.maximumDepth
        var lines = ["func.func public @main(%x: tensor<f32>) -> tensor<f32> {",
                     "  %0 = func.call @f0(%x) : (tensor<f32>) -> tensor<f32>", "  return %0 : tensor<f32>", "}"]
        for i in 0..<depth {
            let body = i + 1 < depth ? "func.call @f\(i + 1)(%n)" : "stablehlo.negate %n"
            lines += ["func.func private @f\(i)(%a: tensor<f32>) -> tensor<f32> {",
                      "  %n = stablehlo.negate %a : tensor<f32>",
                      "  %r = \(body) : \(i + 1 < depth ? "(tensor<f32>) -> tensor<f32>" : "tensor<f32>")",
                      "  return %r : tensor<f32>", "}"]
        }
        let module = try TargetPassSupport.run(Self.name, on: lines.joined(separator: "\n"))
        let main = try #require(module.function(named: "main")?.body.entry)
        let negations = main.operations.filter { $0.name == "stablehlo.negate" }.count
        #expect(negations > InlinePass.maximumDepth / 2 && negations <= InlinePass.maximumDepth + 1)
        #expect(main.operations.filter { $0.name == "func.call" }.count == 1)
        try module.verify()
    }
}
