import Testing
@testable import StableHLO

/// The collective ops' shape rules: one broken program per rule, and well-formed programs
/// (including group sizes only the process grid knows) that must verify.
@Suite struct VerifierCollectiveTests {
    static let broken: [BrokenProgram] = [
        BrokenProgram(rule: "all_gather multiplies the gathered dimension", source: """
            func.func @main(%x: tensor<2x3xf32>) {
              %0 = "stablehlo.all_gather"(%x) {all_gather_dim = 1 : i64, replica_groups = dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>} : (tensor<2x3xf32>) -> tensor<2x6xf32> // error
              func.return
            }
            """, message: "stablehlo.all_gather: result type tensor<2x6xf32> differs from the inferred tensor<2x12xf32>"),
        BrokenProgram(rule: "all_gather dimension in range", source: """
            func.func @main(%x: tensor<2xf32>) {
              %0 = "stablehlo.all_gather"(%x) {all_gather_dim = 1 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<2xf32>) -> tensor<4xf32> // error
              func.return
            }
            """, message: "all_gather_dim 1 is out of range"),
        BrokenProgram(rule: "replica_groups ids unique", source: """
            func.func @main(%x: tensor<2xf32>) {
              %0 = "stablehlo.all_gather"(%x) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1], [1, 2]]> : tensor<2x2xi64>} : (tensor<2xf32>) -> tensor<4xf32> // error
              func.return
            }
            """, message: "replica_groups holds 1 more than once"),
        BrokenProgram(rule: "use_global_device_ids needs a channel", source: """
            func.func @main(%x: tensor<2xf32>) {
              %0 = "stablehlo.all_gather"(%x) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>, use_global_device_ids} : (tensor<2xf32>) -> tensor<4xf32> // error
              func.return
            }
            """, message: "use_global_device_ids needs a channel_handle with handle > 0"),
        BrokenProgram(rule: "reduce_scatter splits evenly", source: """
            func.func @main(%x: tensor<5xi32>) {
              %0 = "stablehlo.reduce_scatter"(%x) ({ // error
                ^bb0(%a: tensor<i32>, %b: tensor<i32>):
                  %s = "stablehlo.add"(%a, %b) : (tensor<i32>, tensor<i32>) -> tensor<i32>
                  "stablehlo.return"(%s) : (tensor<i32>) -> ()
              }) {scatter_dimension = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<5xi32>) -> tensor<2xi32>
              func.return
            }
            """, message: "dimension 0 of size 5 does not split into 2 parts"),
        BrokenProgram(rule: "all_to_all split_count matches the groups", source: """
            func.func @main(%x: tensor<4xf32>) {
              %0 = "stablehlo.all_to_all"(%x) {split_dimension = 0 : i64, concat_dimension = 0 : i64, split_count = 4 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4xf32>) -> tensor<4xf32> // error
              func.return
            }
            """, message: "split_count 4 differs from the replica group size 2"),
        BrokenProgram(rule: "all_to_all result shape", source: """
            func.func @main(%x: tensor<4x2xf32>) {
              %0 = "stablehlo.all_to_all"(%x) {split_dimension = 0 : i64, concat_dimension = 1 : i64, split_count = 2 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<4x2xf32>) -> tensor<4x2xf32> // error
              func.return
            }
            """, message: "differs from the inferred tensor<2x4xf32>"),
        BrokenProgram(rule: "collective_permute targets unique", source: """
            func.func @main(%x: tensor<2xf32>) {
              %0 = "stablehlo.collective_permute"(%x) {source_target_pairs = dense<[[0, 1], [2, 1]]> : tensor<2x2xi64>} : (tensor<2xf32>) -> tensor<2xf32> // error
              func.return
            }
            """, message: "source_target_pairs has target 1 more than once"),
        BrokenProgram(rule: "collective_broadcast keeps types", source: """
            func.func @main(%x: tensor<2xf32>) {
              %0 = "stablehlo.collective_broadcast"(%x) {replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>} : (tensor<2xf32>) -> tensor<3xf32> // error
              func.return
            }
            """, message: "stablehlo.collective_broadcast: result type tensor<3xf32> differs from the inferred tensor<2xf32>"),
    ]

    @Test(arguments: broken)
    func rejects(_ program: BrokenProgram) throws {
        let module = try parseForVerifier(program.source, file: "broken.mlir")
        let diagnostics = module.verifyAll()
        let expected = try #require(program.expectedLineColumn)
        let match = diagnostics.first { $0.message.contains(program.message) }
        #expect(match != nil, "no diagnostic contains \"\(program.message)\"; got \(diagnostics.map(\.description))")
        #expect(match?.location.line == expected.line)
    }

    /// Group sizes the verifier cannot know (a channel without global ids spans every
    /// partition; -1 padding; no groups) only need to be consistent.
    @Test(arguments: [
        "\"stablehlo.all_gather\"(%x) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1]]> : tensor<1x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>} : (tensor<2xf32>) -> tensor<8xf32>",
        "\"stablehlo.all_gather\"(%x) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 1], [2, -1]]> : tensor<2x2xi64>} : (tensor<2xf32>) -> tensor<4xf32>",
        "\"stablehlo.all_gather\"(%x) {all_gather_dim = 0 : i64, replica_groups = dense<[[0, 3], [1, 2]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, use_global_device_ids} : (tensor<2xf32>) -> tensor<4xf32>",
        "\"stablehlo.all_to_all\"(%x) {split_dimension = 0 : i64, concat_dimension = 0 : i64, split_count = 2 : i64} : (tensor<2xf32>) -> tensor<2xf32>",
        "\"stablehlo.collective_permute\"(%x) {source_target_pairs = dense<[[0, 1], [1, 0]]> : tensor<2x2xi64>, channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>} : (tensor<2xf32>) -> tensor<2xf32>",
    ])
    func accepts(_ op: String) throws {
        let source = """
            func.func @main(%x: tensor<2xf32>) {
              %0 = \(op)
              func.return
            }
            """
        let module = try parseForVerifier(source, file: "ok.mlir")
        #expect(module.verifyAll().isEmpty, "\(module.verifyAll().map(\.description))")
    }
}
