import Compiler
@testable import NVGPUCompiler
import StableHLO
import Testing

/// The `nvgpu-collective-layout` pass: collectives on other dimensions get transposes and
/// reshapes around a leading-dimension op, in the entry block and in control-flow regions,
/// with value ids unique across the function; its printed form parses back.
@Suite struct CollectiveLayoutPassTests {
    static let name = "nvgpu-collective-layout"

    static func leadingOnly(_ module: Module) -> Bool {
        TargetPassSupport.operations(in: module).filter { CollectiveLowering.operationNames.contains($0.name) }.allSatisfy { op in
            ["all_gather_dim", "scatter_dimension", "split_dimension", "concat_dimension"].allSatisfy {
                (op[attribute: $0]?.intValue ?? 0) == 0
            }
        }
    }

    @Test(arguments: CollectiveLayoutTests.cases)
    func rewritesToLeadingDimensionForm(_ c: CollectiveLayoutTests.Case) throws {
        let text = CollectiveLayoutTests.text(c)
        let module = try TargetPassSupport.run(Self.name, on: text)
        #expect(Self.leadingOnly(module))
        #expect(TargetPassSupport.operations(in: module).count > (try TargetPassSupport.operations(in: Module.parse(text, file: "c.mlir")).count))
        try module.verify()
        try TargetPassSupport.roundTrip(module)
    }

    @Test func leavesLeadingDimensionCollectives() throws {
        let text = """
        module @m attributes {mhlo.num_replicas = 2 : i32, mhlo.num_partitions = 1 : i32} {
          func.func @main(%arg0: tensor<2x3xi32>) -> tensor<4x3xi32> {
            %0 = "stablehlo.all_gather"(%arg0) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<2x3xi32>) -> tensor<4x3xi32>
            return %0 : tensor<4x3xi32>
          }
        }
        """
        #expect(try TargetPassSupport.run(Self.name, on: text).text == Module.parse(text, file: "l.mlir").text)
    }

    @Test(arguments: CollectiveLayoutTests.cases.prefix(3))
    func rewritesInsideControlFlowRegionsWithFreshIDs(_ c: CollectiveLayoutTests.Case) throws {
        let inner = try TargetPassSupport.insideCase(CollectiveLayoutTests.text(c))
        let module = try TargetPassSupport.run(Self.name, on: inner)
        let selection = try #require(module.function(named: "main")?.body.entry?.operations.first { $0.name == "stablehlo.case" })
        #expect(selection.regions.first?.entry?.operations.contains { $0.name == "stablehlo.transpose" } == true)
        #expect(Self.leadingOnly(module))
        try module.verify()  // no id defined twice
        try TargetPassSupport.roundTrip(module)
    }
}
