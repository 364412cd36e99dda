import Compiler
@testable import NVGPUCompiler
import StableHLO
import Testing

/// The CUDA target's platform rewrites (`composite-to-call`, `dynamic-to-static`,
/// `map-to-elementwise`, `forward-tuples`, `drop-unused-tokens`) leave programs that used to
/// need host steps with none: every op runs as a kernel.
@Suite struct HostFallbackRewriteTests {
    static let programs: [(name: String, text: String)] = [
        ("dynamic ops", """
        func.func @main(%arg0: tensor<5x4xf32>, %arg1: tensor<f32>, %arg2: tensor<3x1xf32>) -> (tensor<7x5xf32>, tensor<3x4xi64>, tensor<3x2x2xf32>, tensor<i32>, tensor<2x4xf32>) {
          %low = stablehlo.constant dense<[1, -1]> : tensor<2xi64>
          %interior = stablehlo.constant dense<[0, 1]> : tensor<2xi64>
          %0 = "stablehlo.dynamic_pad"(%arg0, %arg1, %low, %low, %interior) : (tensor<5x4xf32>, tensor<f32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<7x5xf32>
          %shape = stablehlo.constant dense<[3, 4]> : tensor<2xi64>
          %1 = "stablehlo.dynamic_iota"(%shape) {iota_dimension = 0 : i64} : (tensor<2xi64>) -> tensor<3x4xi64>
          %bshape = stablehlo.constant dense<[3, 2, 2]> : tensor<3xi64>
          %2 = "stablehlo.dynamic_broadcast_in_dim"(%arg2, %bshape) {broadcast_dimensions = array<i64: 0, 2>} : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<3x2x2xf32>
          %3 = "stablehlo.get_dimension_size"(%arg0) {dimension = 1 : i64} : (tensor<5x4xf32>) -> tensor<i32>
          %start = stablehlo.constant dense<[1, 0]> : tensor<2xi64>
          %limit = stablehlo.constant dense<[5, 4]> : tensor<2xi64>
          %strides = stablehlo.constant dense<[2, 1]> : tensor<2xi64>
          %4 = "stablehlo.real_dynamic_slice"(%arg0, %start, %limit, %strides) : (tensor<5x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<2x4xf32>
          return %0, %1, %2, %3, %4 : tensor<7x5xf32>, tensor<3x4xi64>, tensor<3x2x2xf32>, tensor<i32>, tensor<2x4xf32>
        }
        """),
        ("map", """
        func.func @main(%arg0: tensor<2x2xi64>, %arg1: tensor<2x2xi64>) -> tensor<2x2xi64> {
          %0 = "stablehlo.map"(%arg0, %arg1) ({
          ^bb0(%a: tensor<i64>, %b: tensor<i64>):
            %c = stablehlo.constant dense<2> : tensor<i64>
            %1 = stablehlo.multiply %a, %b : tensor<i64>
            %2 = stablehlo.add %1, %c : tensor<i64>
            stablehlo.return %2 : tensor<i64>
          }) {dimensions = array<i64: 0, 1>} : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi64>
          return %0 : tensor<2x2xi64>
        }
        """),
        ("composite", """
        func.func @add_n.impl(%arg0: tensor<i64>) -> tensor<i64> {
          %0 = stablehlo.constant dense<2> : tensor<i64>
          %1 = stablehlo.add %arg0, %0 : tensor<i64>
          func.return %1 : tensor<i64>
        }
        func.func @main(%arg0: tensor<i64>) -> tensor<i64> {
          %1 = stablehlo.composite "stablehlo.add_n" %arg0 {composite_attributes = { n = 2 : i64 }, decomposition = @add_n.impl} : (tensor<i64>) -> tensor<i64>
          return %1 : tensor<i64>
        }
        """),
        ("tuples and tokens", """
        func.func @main(%arg0: tensor<2xf64>, %arg1: tensor<i64>) -> (tensor<2xf64>, tensor<i64>) {
          %t0 = stablehlo.tuple %arg1 : tuple<tensor<i64>>
          %t1 = stablehlo.tuple %arg0, %t0 : tuple<tensor<2xf64>, tuple<tensor<i64>>>
          %0 = stablehlo.get_tuple_element %t1[0] : (tuple<tensor<2xf64>, tuple<tensor<i64>>>) -> tensor<2xf64>
          %1 = stablehlo.get_tuple_element %t1[1] : (tuple<tensor<2xf64>, tuple<tensor<i64>>>) -> tuple<tensor<i64>>
          %2 = stablehlo.get_tuple_element %1[0] : (tuple<tensor<i64>>) -> tensor<i64>
          %k0 = stablehlo.after_all : !stablehlo.token
          %k1 = stablehlo.after_all %k0 : !stablehlo.token
          %3 = stablehlo.negate %2 : tensor<i64>
          return %0, %3 : tensor<2xf64>, tensor<i64>
        }
        """),
    ]

    @Test(arguments: 0..<4)
    func runsWithoutHostSteps(_ index: Int) throws {
        let (name, text) = Self.programs[index]
        let (executable, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(executable).isEmpty, "\(name): \(TestPrograms.hostSteps(executable).map(\.reason))")
    }

    @Test func passesCanBeDumpedByName() throws {
        for name in ["composite-to-call", "dynamic-to-static", "map-to-elementwise", "forward-tuples", "drop-unused-tokens"] {
            let module = try TargetPassSupport.run(name, on: Self.programs[0].text)
            try module.verify()
        }
        let module = try TargetPassSupport.run("dynamic-to-static", on: Self.programs[0].text)
        #expect(!TargetPassSupport.names(in: module).contains { $0.contains("dynamic") || $0.contains("dimension_size") })
    }

    @Test func usedTokensTravelWithTheEffectTheyOrder() throws {
        let text = """
        func.func @main(%arg0: tensor<2xf32>) -> tensor<2xf32> {
          %t0 = stablehlo.after_all : !stablehlo.token
          %0 = stablehlo.negate %arg0 : tensor<2xf32>
          %t1 = "stablehlo.outfeed"(%0, %t0) {outfeed_config = ""} : (tensor<2xf32>, !stablehlo.token) -> !stablehlo.token
          %t2 = stablehlo.after_all %t1, %t0 : !stablehlo.token
          %1 = stablehlo.add %0, %0 : tensor<2xf32>
          return %1 : tensor<2xf32>
        }
        """
        let hosts = TestPrograms.hostSteps(try TestPrograms.lower(text).0)
        #expect(hosts.map(\.reason) == ["no CUDA kernel for stablehlo.outfeed yet"])
    }
}
