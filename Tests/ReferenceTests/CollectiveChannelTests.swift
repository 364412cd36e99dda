import Reference
import Runtime
import StableHLO
import Testing

/// `send` / `recv` between processes started by `interpreter.run_parallel`: values go
/// through the channel in order; a `recv` nothing can satisfy is an error, not a hang.
@Suite struct CollectiveChannelTests {
    static let programs = """
        func.func @sender(%x: tensor<2xi32>, %t: !stablehlo.token) -> !stablehlo.token {
          %a = "stablehlo.send"(%x, %t) {channel_handle = #stablehlo.channel_handle<handle = 3, type = 2>} : (tensor<2xi32>, !stablehlo.token) -> !stablehlo.token
          %y = stablehlo.add %x, %x : tensor<2xi32>
          %b = "stablehlo.send"(%y, %a) {channel_handle = #stablehlo.channel_handle<handle = 3, type = 2>} : (tensor<2xi32>, !stablehlo.token) -> !stablehlo.token
          %z = stablehlo.multiply %x, %x : tensor<2xi32>
          %c = "stablehlo.send"(%z, %b) {channel_handle = #stablehlo.channel_handle<handle = 4, type = 2>} : (tensor<2xi32>, !stablehlo.token) -> !stablehlo.token
          return %c : !stablehlo.token
        }
        func.func @receiver(%t: !stablehlo.token) -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) {
          %v4, %t4 = "stablehlo.recv"(%t) {channel_handle = #stablehlo.channel_handle<handle = 4, type = 3>} : (!stablehlo.token) -> (tensor<2xi32>, !stablehlo.token)
          %v1, %t1 = "stablehlo.recv"(%t4) {channel_handle = #stablehlo.channel_handle<handle = 3, type = 3>} : (!stablehlo.token) -> (tensor<2xi32>, !stablehlo.token)
          %v2, %t2 = "stablehlo.recv"(%t1) {channel_handle = #stablehlo.channel_handle<handle = 3, type = 3>} : (!stablehlo.token) -> (tensor<2xi32>, !stablehlo.token)
          return %v1, %v2, %v4 : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>
        }
        """

    func run(_ main: String) throws -> [Tensor] {
        let module = try Module.parse(Self.programs + main, file: "channels.mlir")
        try module.verify()
        return try Interpreter(module: module, deadline: .now + .seconds(20)).run("main", inputs: [])
    }

    @Test(arguments: [false, true])
    func valuesArriveInOrder(receiverFirst: Bool) throws {
        let programs = receiverFirst ? "[[@receiver], [@sender]]" : "[[@sender], [@receiver]]"
        let operands = receiverFirst ? "%t, %x, %t" : "%x, %t, %t"
        let types = "!stablehlo.token, tensor<2xi32>, !stablehlo.token"
        let operandTypes = receiverFirst ? types : "tensor<2xi32>, !stablehlo.token, !stablehlo.token"
        let resultTypes = receiverFirst
            ? "tensor<2xi32>, tensor<2xi32>, tensor<2xi32>, !stablehlo.token"
            : "!stablehlo.token, tensor<2xi32>, tensor<2xi32>, tensor<2xi32>"
        let first = receiverFirst ? 0 : 1
        let main = """
            func.func @main() -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) {
              %x = stablehlo.constant dense<[3, -4]> : tensor<2xi32>
              %t = stablehlo.after_all : !stablehlo.token
              %r:4 = "interpreter.run_parallel"(\(operands)) {programs = \(programs)} : (\(operandTypes)) -> (\(resultTypes))
              return %r#\(first), %r#\(first + 1), %r#\(first + 2) : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>
            }
            """
        let out = try run(main)
        #expect(out.map { $0.ints ?? [] } == [[3, -4], [6, -8], [9, 16]])
    }

    @Test func receiveWithoutSenderIsAnError() {
        let main = """
            func.func @main() -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) {
              %t = stablehlo.after_all : !stablehlo.token
              %r:3 = "interpreter.run_parallel"(%t) {programs = [[@receiver]]} : (!stablehlo.token) -> (tensor<2xi32>, tensor<2xi32>, tensor<2xi32>)
              return %r#0, %r#1, %r#2 : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>
            }
            """
        do {
            _ = try run(main)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("waits in stablehlo.recv"), "\(error)")
            #expect("\(error)".contains("channel 4"), "\(error)")
        }
    }
}
