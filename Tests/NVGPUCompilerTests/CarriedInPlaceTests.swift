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

    /// A scan step: the old state is read by a matmul that runs before the group writing the
    /// new state; the per-step output is stacked with `dynamic_update_slice`; the counter
    /// feeds both. Every carried value is written in place and the stack's update stores only
    /// the update.
    @Test func readersThatRunFirstAndStackedOutputsNeedNoCopy() throws {
        let text = """
        func.func @main(%h0: tensor<4x8xf32>, %w: tensor<8x8xf32>, %xs: tensor<16x4x8xf32>) -> (tensor<4x8xf32>, tensor<16x4x8xf32>) {
          %zero = stablehlo.constant dense<0> : tensor<i32>
          %ys0 = stablehlo.constant dense<0.0> : tensor<16x4x8xf32>
          %r:3 = stablehlo.while(%i = %zero, %h = %h0, %ys = %ys0) : tensor<i32>, tensor<4x8xf32>, tensor<16x4x8xf32>
          cond {
            %limit = stablehlo.constant dense<16> : tensor<i32>
            %p = stablehlo.compare LT, %i, %limit, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
            stablehlo.return %p : tensor<i1>
          } do {
            %c0 = stablehlo.constant dense<0> : tensor<i32>
            %x3 = stablehlo.dynamic_slice %xs, %i, %c0, %c0, sizes = [1, 4, 8] : (tensor<16x4x8xf32>, tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<1x4x8xf32>
            %x = stablehlo.reshape %x3 : (tensor<1x4x8xf32>) -> tensor<4x8xf32>
            %m = stablehlo.dot_general %h, %w, contracting_dims = [1] x [0] : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
            %s = stablehlo.add %m, %x : tensor<4x8xf32>
            %n = stablehlo.tanh %s : tensor<4x8xf32>
            %y = stablehlo.reshape %n : (tensor<4x8xf32>) -> tensor<1x4x8xf32>
            %ys1 = stablehlo.dynamic_update_slice %ys, %y, %i, %c0, %c0 : (tensor<16x4x8xf32>, tensor<1x4x8xf32>, tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<16x4x8xf32>
            %one = stablehlo.constant dense<1> : tensor<i32>
            %next = stablehlo.add %i, %one : tensor<i32>
            stablehlo.return %next, %n, %ys1 : tensor<i32>, tensor<4x8xf32>, tensor<16x4x8xf32>
          }
          return %r#1, %r#2 : tensor<4x8xf32>, tensor<16x4x8xf32>
        }
        """
        let (executable, loop) = try Self.loopStep(text)
        #expect(Self.copied(loop).isEmpty, "\(loop.body)")
        #expect(loop.tripCount == 16)
        let update = try #require(executable.kernels.first { $0.source.contains("dynamic_update_slice") })
        #expect(update.source.contains("in place, one thread per update element"))
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
