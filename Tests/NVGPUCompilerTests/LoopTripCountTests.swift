@testable import NVGPUCompiler
import StableHLO
import Testing

/// `LoopTripCount`: the iteration count of counted loops, exact or nil.
@Suite struct LoopTripCountTests {
    /// The loop run step by step in the counter's range: its count, or nil when it leaves
    /// the range (wraps) or runs past 1000 iterations.
    static func simulated(start: Int64, step: Int64, bound: Int64, direction: String, range: ClosedRange<Int64>) -> Int? {
        let holds: (Int64) -> Bool = {
            switch direction {
            case "LT": return $0 < bound
            case "LE": return $0 <= bound
            case "GT": return $0 > bound
            case "GE": return $0 >= bound
            default: return $0 != bound
            }
        }
        var i = start, n = 0
        while holds(i) {
            i += step
            n += 1
            if !range.contains(i) || n > 1000 { return nil }
        }
        return n
    }

    @Test(arguments: ["LT", "LE", "GT", "GE", "NE"])
    func countMatchesRunningTheLoopInAnEightBitCounter(direction: String) {
        let range = LoopTripCount.range(of: .si(8)) ?? 0...0
        for start in stride(from: Int64(-128), through: 127, by: 17) {
            for bound in stride(from: Int64(-128), through: 127, by: 13) {
                for step: Int64 in [-7, -3, -1, 0, 1, 2, 5, 64] {
                    let expected = Self.simulated(start: start, step: step, bound: bound, direction: direction, range: range)
                    let got = LoopTripCount.count(start: start, step: step, bound: bound, direction: direction, range: range)
                    #expect(got == expected, "\(start) \(direction) \(bound) step \(step)")
                }
            }
        }
    }

    static func loop(init initial: String = "%c0 = stablehlo.constant dense<0> : tensor<i32>", type: String = "i32",
                     condition: String = "%p = stablehlo.compare LT, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>",
                     bound: String = "%n = stablehlo.constant dense<256> : tensor<i32>",
                     next: String = "%j = stablehlo.add %i, %one : tensor<i32>",
                     step: String = "%one = stablehlo.constant dense<1> : tensor<i32>",
                     argument: String = "") -> String {
        """
        func.func @main(%x: tensor<4xf32>\(argument)) -> tensor<4xf32> {
          \(initial)
          %w:2 = stablehlo.while(%i = %c0, %v = %x) : tensor<\(type)>, tensor<4xf32>
           cond {
            \(bound)
            \(condition)
            stablehlo.return %p : tensor<i1>
          } do {
            \(step)
            \(next)
            %u = stablehlo.add %v, %v : tensor<4xf32>
            stablehlo.return %j, %u : tensor<\(type)>, tensor<4xf32>
          }
          return %w#1 : tensor<4xf32>
        }
        """
    }

    static func tripCount(_ text: String) throws -> Int? {
        let module = try Module.parse(text, file: "loop.mlir")
        try module.verify()
        let body = try #require(module.function(named: "main")?.body.entry)
        let loop = try #require(body.operations.first { $0.name == "stablehlo.while" })
        var literals: [Int: StableHLO.Operation] = [:]
        for op in body.operations where op.name == "stablehlo.constant" { literals[op.results[0].id] = op }
        return LoopTripCount.of(loop) { literals[$0.id] }
    }

    @Test func forLoopsAndScans() throws {
        #expect(try Self.tripCount(Self.loop()) == 256)
        #expect(try Self.tripCount(Self.loop(condition: "%p = stablehlo.compare GT, %n, %i, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>")) == 256)
        #expect(try Self.tripCount(Self.loop(condition: "%p = stablehlo.compare LE, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>")) == 257)
        #expect(try Self.tripCount(Self.loop(next: "%j = stablehlo.add %one, %i : tensor<i32>",
                                             step: "%one = stablehlo.constant dense<3> : tensor<i32>")) == 86)
        #expect(try Self.tripCount(Self.loop(init: "%c0 = stablehlo.constant dense<300> : tensor<i32>")) == 0)
        #expect(try Self.tripCount(Self.loop(
            init: "%c0 = stablehlo.constant dense<10> : tensor<ui8>", type: "ui8",
            condition: "%p = stablehlo.compare GE, %i, %n, UNSIGNED : (tensor<ui8>, tensor<ui8>) -> tensor<i1>",
            bound: "%n = stablehlo.constant dense<1> : tensor<ui8>",
            next: "%j = stablehlo.add %i, %one : tensor<ui8>", step: "%one = stablehlo.constant dense<255> : tensor<ui8>")) == nil)
    }

    @Test func loopsTheConditionDecides() throws {
        // The counter starts at a function argument.
        #expect(try Self.tripCount(Self.loop(init: "", argument: ", %c0: tensor<i32>")) == nil)
        // The condition does more than compare.
        #expect(try Self.tripCount(Self.loop(condition: """
            %q = stablehlo.compare LT, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
            %c0f = stablehlo.constant dense<0.0> : tensor<f32>
            %s = stablehlo.reduce(%v init: %c0f) applies stablehlo.maximum across dimensions = [0] : (tensor<4xf32>, tensor<f32>) -> tensor<f32>
            %r = stablehlo.compare LT, %s, %c0f, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
            %p = stablehlo.or %q, %r : tensor<i1>
            """)) == nil)
        // The counter is multiplied, not stepped.
        #expect(try Self.tripCount(Self.loop(next: "%j = stablehlo.multiply %i, %one : tensor<i32>")) == nil)
        // The bound is never met exactly (NE with step 3 from 0 to 256): it would wrap.
        #expect(try Self.tripCount(Self.loop(condition: "%p = stablehlo.compare NE, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>",
                                             step: "%one = stablehlo.constant dense<3> : tensor<i32>")) == nil)
    }
}
