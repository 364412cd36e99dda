@testable import Driver
import Testing

/// Token joins (`after_all`, `create_token`) carry no data and have no effect of their own:
/// a host step that holds them next to host I/O counts as host I/O, not a fallback.
@Suite struct TokenPlacementTests {
    static let program = """
        func.func @main(%arg0: tensor<2xf32>) {
          %t0 = stablehlo.after_all : !stablehlo.token
          %t1 = "stablehlo.outfeed"(%arg0, %t0) {outfeed_config = ""} : (tensor<2xf32>, !stablehlo.token) -> !stablehlo.token
          %t2 = stablehlo.after_all %t1, %t0 : !stablehlo.token
          return
        }
        """

    @Test func tokenJoinsNextToIOAreIO() {
        #expect(HostStepInventory.isOnlyIO(program: Self.program, function: "main"))
        let reason = "no CUDA kernel for stablehlo.after_all, stablehlo.outfeed yet"
        #expect(HostStepInventory.fallbackReason(reason, program: Self.program, function: "main")
                == "no CUDA kernel for stablehlo.outfeed yet")
    }
}
