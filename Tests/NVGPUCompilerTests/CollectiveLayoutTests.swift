import Reference
import Runtime
import StableHLO
import Testing
@testable import NVGPUCompiler

/// The leading-dimension rewrite NCCL needs (transposes and reshapes around all_gather,
/// reduce_scatter and all_to_all on other dimensions) computes exactly what the original
/// op computes: both run on the reference backend over the process grid, on inputs that
/// differ per process and per element.
@Suite("Collective layout")
struct CollectiveLayoutTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var replicas: Int
        var operandType: String
        var resultType: String
        var op: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "all_gather dim 1 of 3-D, 2 processes", replicas: 2, operandType: "2x3x2xi32", resultType: "2x6x2xi32",
             op: #""stablehlo.all_gather"(%arg0) {all_gather_dim = 1 : i64, replica_groups = dense<[[1, 0]]> : tensor<1x2xi64>}"#),
        Case(name: "all_gather dim 2, 4 processes in 2 groups", replicas: 4, operandType: "2x2x3xi32", resultType: "2x2x6xi32",
             op: #""stablehlo.all_gather"(%arg0) {all_gather_dim = 2 : i64, replica_groups = dense<[[0, 3], [2, 1]]> : tensor<2x2xi64>}"#),
        Case(name: "reduce_scatter dim 1, 4 processes", replicas: 4, operandType: "3x8xi32", resultType: "3x2xi32",
             op: #""stablehlo.reduce_scatter"(%arg0) ({ ^bb0(%a: tensor<i32>, %b: tensor<i32>): %s = stablehlo.add %a, %b : tensor<i32> stablehlo.return %s : tensor<i32> }) {scatter_dimension = 1 : i64, replica_groups = dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>}"#),
        Case(name: "all_to_all split 1 concat 0, 2 processes", replicas: 2, operandType: "2x4xi32", resultType: "4x2xi32",
             op: #""stablehlo.all_to_all"(%arg0) {split_dimension = 1 : i64, concat_dimension = 0 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>}"#),
        Case(name: "all_to_all split 0 concat 1, 4 processes", replicas: 4, operandType: "4x3xi32", resultType: "1x12xi32",
             op: #""stablehlo.all_to_all"(%arg0) {split_dimension = 0 : i64, concat_dimension = 1 : i64, split_count = 4 : i64, replica_groups = dense<[[3, 1, 0, 2]]> : tensor<1x4xi64>}"#),
        Case(name: "all_to_all split 2 concat 1 of 3-D, 2 processes", replicas: 2, operandType: "2x3x4xi32", resultType: "2x6x2xi32",
             op: #""stablehlo.all_to_all"(%arg0) {split_dimension = 2 : i64, concat_dimension = 1 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>}"#),
        Case(name: "all_to_all split 1 concat 2 of 3-D, 8 processes", replicas: 8, operandType: "2x8x3xi32", resultType: "2x1x24xi32",
             op: #""stablehlo.all_to_all"(%arg0) {split_dimension = 1 : i64, concat_dimension = 2 : i64, split_count = 8 : i64, replica_groups = dense<[[0, 1, 2, 3, 4, 5, 6, 7]]> : tensor<1x8xi64>}"#),
    ]

    static func text(_ c: Case) -> String {
        """
        module @m attributes {mhlo.num_replicas = \(c.replicas) : i32, mhlo.num_partitions = 1 : i32} {
          func.func @main(%arg0: tensor<\(c.operandType)>) -> tensor<\(c.resultType)> {
            %0 = \(c.op) : (tensor<\(c.operandType)>) -> tensor<\(c.resultType)>
            return %0 : tensor<\(c.resultType)>
          }
        }
        """
    }

    /// `i32` elements `process * 1000 + index`.
    static func input(_ type: TensorType, process: Int) -> HostTensor {
        var bytes: [UInt8] = []
        for i in 0..<type.elementCount {
            withUnsafeBytes(of: Int32(process * 1000 + i).littleEndian) { bytes += $0 }
        }
        return HostTensor(type: type, bytes: bytes)
    }

    @Test(arguments: cases)
    func rewrittenProgramMatchesTheOriginalOnTheReference(_ c: Case) throws {
        let module = try Module.parse(Self.text(c), file: "layout.mlir")
        let function = try #require(module.function(named: "main"))
        let block = try #require(function.body.entry)
        var nextID = function.nextValueID
        let rewritten = CollectiveLayout.leadingDimensionForm(of: block, nextID: &nextID)
        // Every collective left works on the leading dimension.
        for op in rewritten.operations where CollectiveLowering.operationNames.contains(op.name) {
            for key in ["all_gather_dim", "scatter_dimension", "split_dimension", "concat_dimension"] {
                if let value = op[attribute: key]?.intValue { #expect(value == 0, "\(op.name) \(key)") }
            }
        }
        #expect(rewritten.operations.count > block.operations.count)
        var laidOut = module
        let index = try #require(module.functions.firstIndex { $0.name == "main" })
        laidOut.functions[index].body = Region(blocks: [rewritten])

        let grid = try ProcessGrid(replicas: c.replicas, partitions: 1)
        let type = try #require(block.arguments[0].type.tensorType)
        let inputs = (0..<c.replicas).map { [Self.input(type, process: $0)] }
        let expected = try ReferenceProgram(module: module).invoke(function: "main", grid: grid, inputs: inputs)
        let actual = try ReferenceProgram(module: laidOut).invoke(function: "main", grid: grid, inputs: inputs)
        #expect(actual == expected)
    }

    @Test func variadicCollectivesBecomeOneOpPerOperand() throws {
        let text = """
        module @m attributes {mhlo.num_replicas = 2 : i32} {
          func.func @main(%arg0: tensor<2xf32>, %arg1: tensor<3xi32>) -> (tensor<4xf32>, tensor<6xi32>) {
            %0:2 = "stablehlo.all_gather"(%arg0, %arg1) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<2xf32>, tensor<3xi32>) -> (tensor<4xf32>, tensor<6xi32>)
            return %0#0, %0#1 : tensor<4xf32>, tensor<6xi32>
          }
        }
        """
        let (executable, _) = try TestPrograms.lower(text)
        let calls = executable.steps.compactMap { step -> CollectiveCall? in
            if case .collective(let call) = step { return call } else { return nil }
        }
        #expect(calls.map(\.summary) == [
            "all_gather 2 × ncclFloat32, groups [[0, 1]], grouped with the next step",
            "all_gather 3 × ncclInt32, groups [[0, 1]]",
        ])
    }
}
