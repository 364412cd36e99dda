import Compiler
@testable import NVGPUCompiler
import Reference
import StableHLO
import Testing

/// The `nvgpu-process-grid` pass: an `interpreter.run_parallel` grid becomes ordinary ops
/// that compute, on one device, exactly what the reference's process grid computes. Each
/// case runs on the reference before and after the rewrite; results must be equal.
@Suite struct ProcessGridPassTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// Functions of the module besides `@main`.
        var processes: String
        /// `@main`'s body (ends with `func.return`) and its result types.
        var main: String
        var results: String
        var testDescription: String { name }

        var text: String {
            """
            module @grid {
            \(processes)
              func.func @main() -> (\(results)) {
            \(main)
              }
            }
            """
        }
    }

    static let reduceRegion = """
    ({
        ^bb0(%a: tensor<f32>, %b: tensor<f32>):
          %s = stablehlo.multiply %a, %b : tensor<f32>
          %t = stablehlo.add %s, %a : tensor<f32>
          stablehlo.return %t : tensor<f32>
      })
    """

    static let cases: [Case] = [
        Case(name: "all_reduce over 3 replicas, a non-commutative fold, local ops around it",
             processes: """
               func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
                 %y = stablehlo.sine %x : tensor<2x3xf32>
                 %r = "stablehlo.all_reduce"(%y) \(reduceRegion) {replica_groups = dense<[[2, 0, 1]]> : tensor<1x3xi64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
                 %z = stablehlo.add %r, %x : tensor<2x3xf32>
                 return %z : tensor<2x3xf32>
               }
             """,
             main: """
                 %a = stablehlo.constant dense<[[0.5, 1.0, 1.5], [2.0, -1.0, 0.25]]> : tensor<2x3xf32>
                 %b = stablehlo.constant dense<[[1.5, -2.0, 0.5], [0.0, 3.0, 1.25]]> : tensor<2x3xf32>
                 %c = stablehlo.constant dense<[[-0.5, 2.0, 2.5], [1.0, 1.0, -0.75]]> : tensor<2x3xf32>
                 %r:3 = "interpreter.run_parallel"(%a, %b, %c) {programs = [[@f], [@f], [@f]]} : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
                 func.return %r#0, %r#1, %r#2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
             """,
             results: "tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>"),
        Case(name: "all_gather and reduce_scatter on dimension 1, 2x2 grid, flattened ids and cross-replica groups",
             processes: """
               func.func @f(%x: tensor<2x4xi32>) -> (tensor<2x8xi32>, tensor<2x2xi32>) {
                 %g = "stablehlo.all_gather"(%x) {all_gather_dim = 1 : i64, replica_groups = dense<[[0, 3], [2, 1]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 1, type = 0>, use_global_device_ids} : (tensor<2x4xi32>) -> tensor<2x8xi32>
                 %s = "stablehlo.reduce_scatter"(%x) ({
                   ^bb0(%a: tensor<i32>, %b: tensor<i32>):
                     %m = stablehlo.maximum %a, %b : tensor<i32>
                     stablehlo.return %m : tensor<i32>
                 }) {scatter_dimension = 1 : i64, replica_groups = dense<[[1, 0]]> : tensor<1x2xi64>} : (tensor<2x4xi32>) -> tensor<2x2xi32>
                 return %g, %s : tensor<2x8xi32>, tensor<2x2xi32>
               }
             """,
             main: """
                 %a = stablehlo.iota dim = 1 : tensor<2x4xi32>
                 %k = stablehlo.constant dense<3> : tensor<2x4xi32>
                 %b = stablehlo.multiply %a, %k : tensor<2x4xi32>
                 %c = stablehlo.subtract %k, %a : tensor<2x4xi32>
                 %d = stablehlo.add %b, %c : tensor<2x4xi32>
                 %r:8 = "interpreter.run_parallel"(%a, %b, %c, %d) {programs = [[@f, @f], [@f, @f]]} : (tensor<2x4xi32>, tensor<2x4xi32>, tensor<2x4xi32>, tensor<2x4xi32>) -> (tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>)
                 func.return %r#0, %r#1, %r#2, %r#3, %r#4, %r#5, %r#6, %r#7 : tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>
             """,
             results: "tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>, tensor<2x8xi32>, tensor<2x2xi32>"),
        Case(name: "all_to_all, split 0 concat 1, then replica_id and partition_id",
             processes: """
               func.func @f(%x: tensor<4x2xf32>) -> (tensor<2x4xf32>, tensor<ui32>, tensor<ui32>) {
                 %t = "stablehlo.all_to_all"(%x) {split_dimension = 0 : i64, concat_dimension = 1 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4x2xf32>) -> tensor<2x4xf32>
                 %r = stablehlo.replica_id : tensor<ui32>
                 %p = stablehlo.partition_id : tensor<ui32>
                 return %t, %r, %p : tensor<2x4xf32>, tensor<ui32>, tensor<ui32>
               }
             """,
             main: """
                 %a = stablehlo.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
                 %b = stablehlo.constant dense<[[-1.0, -2.0], [-3.0, -4.0], [-5.0, -6.0], [-7.0, -8.0]]> : tensor<4x2xf32>
                 %r:6 = "interpreter.run_parallel"(%a, %b) {programs = [[@f], [@f]]} : (tensor<4x2xf32>, tensor<4x2xf32>) -> (tensor<2x4xf32>, tensor<ui32>, tensor<ui32>, tensor<2x4xf32>, tensor<ui32>, tensor<ui32>)
                 func.return %r#0, %r#1, %r#2, %r#3, %r#4, %r#5 : tensor<2x4xf32>, tensor<ui32>, tensor<ui32>, tensor<2x4xf32>, tensor<ui32>, tensor<ui32>
             """,
             results: "tensor<2x4xf32>, tensor<ui32>, tensor<ui32>, tensor<2x4xf32>, tensor<ui32>, tensor<ui32>"),
        Case(name: "collective_permute with a process nobody sends to, then collective_broadcast",
             processes: """
               func.func @f(%x: tensor<3xi64>) -> (tensor<3xi64>, tensor<3xi64>) {
                 %p = "stablehlo.collective_permute"(%x) {source_target_pairs = dense<[[0, 1], [1, 2]]> : tensor<2x2xi64>} : (tensor<3xi64>) -> tensor<3xi64>
                 %b = "stablehlo.collective_broadcast"(%p) {replica_groups = dense<[[2, 1]]> : tensor<1x2xi64>} : (tensor<3xi64>) -> tensor<3xi64>
                 return %p, %b : tensor<3xi64>, tensor<3xi64>
               }
             """,
             main: """
                 %a = stablehlo.constant dense<[1, 2, 3]> : tensor<3xi64>
                 %b = stablehlo.constant dense<[4, 5, 6]> : tensor<3xi64>
                 %c = stablehlo.constant dense<[7, 8, 9]> : tensor<3xi64>
                 %r:6 = "interpreter.run_parallel"(%a, %b, %c) {programs = [[@f], [@f], [@f]]} : (tensor<3xi64>, tensor<3xi64>, tensor<3xi64>) -> (tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>)
                 func.return %r#0, %r#1, %r#2, %r#3, %r#4, %r#5 : tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>
             """,
             results: "tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>, tensor<3xi64>"),
        Case(name: "collective_reduce to the group's first process, different functions per process",
             processes: """
               func.func @f(%x: tensor<4xf64>) -> tensor<4xf64> {
                 %r = "stablehlo.collective_reduce"(%x) ({
                   ^bb0(%a: tensor<f64>, %b: tensor<f64>):
                     %s = stablehlo.subtract %a, %b : tensor<f64>
                     stablehlo.return %s : tensor<f64>
                 }) {replica_groups = dense<[[1, 0]]> : tensor<1x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 0, type = 0>} : (tensor<4xf64>) -> tensor<4xf64>
                 return %r : tensor<4xf64>
               }
               func.func @g(%x: tensor<4xf64>) -> tensor<4xf64> {
                 %y = stablehlo.exponential %x : tensor<4xf64>
                 %r = "stablehlo.collective_reduce"(%y) ({
                   ^bb0(%a: tensor<f64>, %b: tensor<f64>):
                     %s = stablehlo.subtract %a, %b : tensor<f64>
                     stablehlo.return %s : tensor<f64>
                 }) {replica_groups = dense<[[1, 0]]> : tensor<1x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 0, type = 0>} : (tensor<4xf64>) -> tensor<4xf64>
                 return %r : tensor<4xf64>
               }
             """,
             main: """
                 %a = stablehlo.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf64>
                 %b = stablehlo.constant dense<[0.5, -0.5, 0.25, 2.0]> : tensor<4xf64>
                 %r:2 = "interpreter.run_parallel"(%a, %b) {programs = [[@f], [@g]]} : (tensor<4xf64>, tensor<4xf64>) -> (tensor<4xf64>, tensor<4xf64>)
                 func.return %r#0, %r#1 : tensor<4xf64>, tensor<4xf64>
             """,
             results: "tensor<4xf64>, tensor<4xf64>"),
    ]

    static func rewritten(_ text: String) throws -> Module {
        var module = try Module.parse(text, file: "grid.mlir")
        try InlinePass(includingPublicCallees: true).run(on: &module)
        try ProcessGridPass().run(on: &module)
        return module
    }

    @Test(arguments: cases)
    func computesWhatTheGridComputes(_ c: Case) throws {
        let original = try Module.parse(c.text, file: "grid.mlir")
        try original.verify()
        let expected = try Interpreter(module: original).run("main", inputs: [])
        let module = try Self.rewritten(c.text)
        let names = TargetPassSupport.names(in: try #require(module.function(named: "main").map { Module(functions: [$0]) }))
        #expect(!names.contains("interpreter.run_parallel"))
        #expect(!names.contains { ProcessGridInlining.collectives.contains($0) || $0.hasSuffix("_id") })
        try module.verify()
        let got = try Interpreter(module: module).run("main", inputs: [])
        #expect(got == expected)
        try TargetPassSupport.roundTrip(module)
    }

    /// Grids the rewrite cannot express exactly keep their run_parallel (the reference
    /// runs them): send/recv, a collective inside a loop, processes that never meet.
    @Test(arguments: [
        """
          func.func @f(%x: tensor<2xf32>, %t: !stablehlo.token) -> !stablehlo.token {
            %s = "stablehlo.send"(%x, %t) {channel_handle = #stablehlo.channel_handle<handle = 1, type = 2>, is_host_transfer = false} : (tensor<2xf32>, !stablehlo.token) -> !stablehlo.token
            return %s : !stablehlo.token
          }
        """,
        """
          func.func @f(%x: tensor<2xf32>, %t: !stablehlo.token) -> !stablehlo.token {
            %c = stablehlo.constant dense<0> : tensor<i32>
            %w:2 = stablehlo.while(%i = %c, %v = %x) : tensor<i32>, tensor<2xf32>
             cond {
              %n = stablehlo.constant dense<2> : tensor<i32>
              %p = stablehlo.compare LT, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
              stablehlo.return %p : tensor<i1>
            } do {
              %r = "stablehlo.all_reduce"(%v) ({
                ^bb0(%a: tensor<f32>, %b: tensor<f32>):
                  %s = stablehlo.add %a, %b : tensor<f32>
                  stablehlo.return %s : tensor<f32>
              }) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<2xf32>) -> tensor<2xf32>
              %one = stablehlo.constant dense<1> : tensor<i32>
              %j = stablehlo.add %i, %one : tensor<i32>
              stablehlo.return %j, %r : tensor<i32>, tensor<2xf32>
            }
            return %t : !stablehlo.token
          }
        """,
        """
          func.func @f(%x: tensor<2xf32>, %t: !stablehlo.token) -> !stablehlo.token {
            %r = "stablehlo.all_gather"(%x) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<2xf32>) -> tensor<4xf32>
            return %t : !stablehlo.token
          }
          func.func @g(%x: tensor<2xf32>, %t: !stablehlo.token) -> !stablehlo.token {
            %r = "stablehlo.all_to_all"(%x) {split_dimension = 0 : i64, concat_dimension = 0 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<2xf32>) -> tensor<2xf32>
            return %t : !stablehlo.token
          }
        """,
    ])
    func keepsWhatItCannotExpress(_ processes: String) throws {
        let second = processes.contains("@g(") ? "@g" : "@f"
        let text = """
        module @grid {
        \(processes)
          func.func @main() {
            %x = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xf32>
            %t = stablehlo.after_all : !stablehlo.token
            %r:2 = "interpreter.run_parallel"(%x, %t, %x, %t) {programs = [[@f], [\(second)]]} : (tensor<2xf32>, !stablehlo.token, tensor<2xf32>, !stablehlo.token) -> (!stablehlo.token, !stablehlo.token)
            func.return
          }
        }
        """
        let module = try Self.rewritten(text)
        #expect(module.function(named: "main").map { TargetPassSupport.names(in: Module(functions: [$0])) }?
            .contains("interpreter.run_parallel") == true)
    }
}
