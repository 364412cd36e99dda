import Foundation
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// A `while` body computes a carried value straight into its carried buffer only where no
/// read of the old value can see the write (`CarriedInPlace`); everywhere else the iteration
/// ends with a copy, as before.
@Suite struct CarriedInPlaceTests {
    /// A loop of `%i` (counter) and `%acc` (tensor<8xf32>) whose body computes `%z` from
    /// `BODY` (which may use `%acc`, `%x` and `%b`, another tensor<8xf32> carried unchanged
    /// or swapped) and returns `RETURNS`.
    static func loop(body: String, returns: String) -> String {
        """
        func.func @main(%x: tensor<8xf32>) -> (tensor<i32>, tensor<8xf32>, tensor<8xf32>) {
          %zero = stablehlo.constant dense<0> : tensor<i32>
          %r:3 = stablehlo.while(%i = %zero, %acc = %x, %b = %x) : tensor<i32>, tensor<8xf32>, tensor<8xf32>
          cond {
            %limit = stablehlo.constant dense<10> : tensor<i32>
            %p = stablehlo.compare LT, %i, %limit : (tensor<i32>, tensor<i32>) -> tensor<i1>
            stablehlo.return %p : tensor<i1>
          } do {
            %one = stablehlo.constant dense<1> : tensor<i32>
            %next = stablehlo.add %i, %one : tensor<i32>
        \(body)
            stablehlo.return \(returns) : tensor<i32>, tensor<8xf32>, tensor<8xf32>
          }
          return %r#0, %r#1, %r#2 : tensor<i32>, tensor<8xf32>, tensor<8xf32>
        }
        """
    }

    static func loopStep(_ text: String) throws -> (Executable, LoopStep) {
        let (executable, _) = try TestPrograms.lower(text)
        let loop = try #require(executable.steps.compactMap { step -> LoopStep? in
            if case .loop(let loop) = step { return loop } else { return nil }
        }.first)
        return (executable, loop)
    }

    /// The carried slots the body copies into at the end of an iteration.
    static func copied(_ loop: LoopStep) -> Set<Int> {
        Set(loop.body.compactMap { step -> Int? in
            guard case .copy(_, let to) = step, let slot = loop.carried.firstIndex(of: to) else { return nil }
            return slot
        })
    }

    @Test func elementwiseUpdatesNeedNoCopy() throws {
        let text = Self.loop(body: """
                %y = stablehlo.multiply %acc, %acc : tensor<8xf32>
                %z = stablehlo.add %y, %x : tensor<8xf32>
            """, returns: "%next, %z, %b")
        let (executable, loop) = try Self.loopStep(text)
        #expect(Self.copied(loop).isEmpty)
        // The kernel that updates %acc in place declares those pointers without __restrict__;
        // its other parameters keep it.
        // `float* __restrict__ out0` elsewhere; `float* out0` / `const float* in1` here.
        let aliased = executable.kernels.filter { $0.source.contains("float* out") }
        #expect(aliased.count == 1)
        #expect(aliased.first?.source.contains("const float* in") == true)
        #expect(aliased.first?.source.contains("__restrict__") == true)  // %x keeps it
    }

    @Test(arguments: [
        // The argument is returned in another slot (a swap): its old value must survive.
        ("swap", "    %z = stablehlo.add %acc, %x : tensor<8xf32>", "%next, %b, %acc"),
        // Read at other indices (a reversal) by the kernel that writes the result.
        ("reverse", "    %t = stablehlo.reverse %acc, dims = [0] : tensor<8xf32>\n    %z = stablehlo.add %t, %x : tensor<8xf32>", "%next, %z, %b"),
        // Read by a reduction too.
        ("reduce", """
                %c0 = stablehlo.constant dense<0.0> : tensor<f32>
                %s = stablehlo.reduce(%acc init: %c0) applies stablehlo.add across dimensions = [0] : (tensor<8xf32>, tensor<f32>) -> tensor<f32>
                %sb = stablehlo.broadcast_in_dim %s, dims = [] : (tensor<f32>) -> tensor<8xf32>
                %z = stablehlo.add %acc, %sb : tensor<8xf32>
            """, "%next, %z, %b"),
        // Read by a later op of another carried value (%b's update reads the old %acc).
        ("other slot", "    %z = stablehlo.add %acc, %x : tensor<8xf32>\n    %w = stablehlo.slice %acc [0:8] : (tensor<8xf32>) -> tensor<8xf32>\n    %v = stablehlo.reverse %w, dims = [0] : tensor<8xf32>", "%next, %z, %v"),
    ] as [(String, String, String)])
    func readsOfTheOldValueKeepTheCopy(_ name: String, _ body: String, _ returns: String) throws {
        let (_, loop) = try Self.loopStep(Self.loop(body: body, returns: returns))
        // Slot 1 (%acc) must be copied (or, for the swap, both swapped slots).
        #expect(Self.copied(loop).contains(1), "\(name): \(loop.body)")
    }
}
