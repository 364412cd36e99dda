import CUDARuntime
import Foundation
import Runtime
import StableHLO
import Testing

@Suite("OutputComparison: normwise and rms-scaled elementwise errors")
struct OutputComparisonTests {
    static let floatTypes: [ElementType] = [.float(.f32), .float(.bf16), .float(.f16), .float(.f64)]

    func tensor(_ values: [Double], _ type: ElementType) -> HostTensor {
        let bytes = values.flatMap { type.encode(.float($0)) ?? [] }
        return HostTensor(type: TensorType(shape: [values.count], elementType: type), bytes: bytes)
    }

    /// Values spread like a layer's activations: magnitude about `scale`, both signs.
    func activations(_ count: Int, scale: Double) -> [Double] {
        (0..<count).map { i in scale * sin(Double(i) * 0.7 + 0.3) }
    }

    /// The values as `type` stores them (so that a perturbation is measured from them).
    func stored(_ values: [Double], _ type: ElementType) -> [Double] {
        tensor(values, type).elements.map { if case .float(let x) = $0 { return x }; return .nan }
    }

    @Test("a result near 0 after a cancelling residual add passes: its error is an ulp of the addends", arguments: [ElementType.float(.bf16), .float(.f16)])
    func cancellation(type: ElementType) throws {
        // a + b with a ≈ -b ≈ 500: the exact sum is 0.375, the rounded addends put it off by
        // one ulp of 500 (bf16: 2, f16: 0.25). The old per-element metric (scaled by
        // max(|ref|, 1)) called that a 530% (bf16) error.
        var expected = stored(activations(4096, scale: 500), type)
        var actual = expected
        let ulp = type == .float(.bf16) ? 2.0 : 0.25
        expected[7] = 0.375
        actual[7] = 0.375 + ulp
        let comparison = try OutputComparison(actual: tensor(actual, type), expected: tensor(expected, type))
        #expect(comparison.passed)
        #expect(comparison.worstIndex == 7)
        #expect(comparison.maxError < 0.01)
        #expect(comparison.normwiseError < 1e-3)
    }

    @Test("two swapped elements fail elementwise though the norm barely moves", arguments: floatTypes)
    func wrongIndex(type: ElementType) throws {
        let expected = stored(activations(100_000, scale: 3), type)
        var actual = expected
        actual.swapAt(10, 5000)
        let comparison = try OutputComparison(actual: tensor(actual, type), expected: tensor(expected, type))
        #expect(!comparison.passed)
        #expect([10, 5000].contains(comparison.worstIndex))
        #expect(comparison.maxError > 0.1)
        #expect(comparison.maxError > comparison.tolerance)
    }

    @Test("a uniform relative error passes under the normwise bound and fails over it", arguments: floatTypes)
    func normwiseBound(type: ElementType) throws {
        let bound = OutputComparison.normwiseTolerance(for: type)
        let signs = (0..<2000).map { i -> Double in i % 3 == 0 ? -1 : 1 }
        for (factor, passes) in [(0.5, true), (2.0, false)] {
            // ±1 against ±(1 + δ), δ the nearest value of the type to factor · bound: every
            // element and the norm are off by exactly δ.
            let delta = stored([1 + factor * bound], type)[0] - 1
            #expect(delta > 0)
            let comparison = try OutputComparison(actual: tensor(signs.map { $0 * (1 + delta) }, type),
                                                  expected: tensor(signs, type))
            #expect(abs(comparison.normwiseError - delta) <= 1e-12 * delta + 1e-300)
            #expect(comparison.maxError <= comparison.tolerance)  // only the norm decides here
            #expect(comparison.passed == passes)
        }
        #expect(OutputComparison.tolerance(for: type) == 10 * bound)
    }

    @Test("NaN never passes against a number; infinities must match")
    func nonFinite() throws {
        let type = ElementType.float(.f32)
        let ref: [Double] = [1, 2, 3, 4]
        for bad in [Double.nan, .infinity, -.infinity] {
            var actual = ref
            actual[2] = bad
            let c = try OutputComparison(actual: tensor(actual, type), expected: tensor(ref, type))
            #expect(!c.passed)
            #expect(c.worstIndex == 2)
            #expect(c.normwiseError == .infinity)
            let reversed = try OutputComparison(actual: tensor(ref, type), expected: tensor(actual, type))
            #expect(!reversed.passed)
        }
        // The program computes NaN (or the same infinity) there itself: matching it is right.
        let special: [Double] = [1, .nan, .infinity, 4]
        #expect(try OutputComparison(actual: tensor(special, type), expected: tensor(special, type)).passed)
        // A NaN in the program-rounding model widens nothing.
        let model = try OutputComparison(actual: tensor([1, 2, 3, 40], type), expected: tensor(ref, type),
                                         programRounding: tensor([1, 2, .nan, 4], type))
        #expect(!model.passed)
        #expect(!model.widened)
    }

    @Test("integers must be equal, however large the values", arguments: [ElementType.si(32), .si(64), .ui(8)])
    func integers(type: ElementType) throws {
        let values: [Int64] = type == .ui(8) ? [200, 7, 0, 255] : [1_000_000, -7, 0, 123_456_789]
        let ints = HostTensor(type: TensorType(shape: [4], elementType: type),
                              bytes: values.flatMap { v in (0..<type.storageBytes).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } })
        var off = ints
        off.bytes[0] &+= 1
        #expect(try OutputComparison(actual: ints, expected: ints).passed)
        let wrong = try OutputComparison(actual: off, expected: ints)
        #expect(!wrong.passed)
        #expect(wrong.worstIndex == 0)
        #expect(wrong.tolerance == 0 && wrong.normwiseTolerance == 0)
        // A "program rounding" result cannot loosen an integer comparison.
        #expect(!(try OutputComparison(actual: off, expected: ints, programRounding: off).passed))
    }

    @Test("an all-zero reference: zeros pass, anything else fails")
    func zeroReference() throws {
        let zeros = tensor([0, 0, 0], .float(.f32))
        #expect(try OutputComparison(actual: zeros, expected: zeros).passed)
        let c = try OutputComparison(actual: tensor([0, 1e-30, 0], .float(.f32)), expected: zeros)
        #expect(!c.passed)
        #expect(c.worstIndex == 1)
    }

    @Test("the program's own rounding widens the bounds to twice its error, and no further")
    func programRounding() throws {
        // gpt_block's case: the oracle's 0.365 is -123 after the program's own bf16 rounding,
        // and the GPU lands next to the program (-124).
        let type = ElementType.float(.bf16)
        var oracle = stored(activations(4096, scale: 480), type)
        oracle[7115 % 4096] = 0.365234375
        var model = oracle
        model[7115 % 4096] = -123
        for i in stride(from: 0, to: 4096, by: 3) { model[i] = stored([oracle[i] * 1.03], type)[0] }
        var gpu = model
        gpu[7115 % 4096] = -124
        let strict = try OutputComparison(actual: tensor(gpu, type), expected: tensor(oracle, type))
        #expect(!strict.passed)
        let widened = try OutputComparison(actual: tensor(gpu, type), expected: tensor(oracle, type),
                                           programRounding: tensor(model, type))
        #expect(widened.passed)
        #expect(widened.widened)
        let own = try #require(widened.programRounding)
        #expect(own.worstIndex == 7115 % 4096)
        #expect(widened.tolerance == 2 * own.elementwise)
        #expect(widened.normwiseTolerance == max(OutputComparison.normwiseTolerance(for: type), 2 * own.normwise))
        // The same GPU result with one element negated (taken from the wrong place) still fails.
        let largest = try #require(oracle.indices.max { abs(oracle[$0]) < abs(oracle[$1]) })
        var misplaced = gpu
        misplaced[largest] = -oracle[largest]
        let wrong = try OutputComparison(actual: tensor(misplaced, type), expected: tensor(oracle, type),
                                         programRounding: tensor(model, type))
        #expect(!wrong.passed)
        #expect(wrong.worstIndex == largest)
        // A well-conditioned program's rounding leaves the per-dtype bounds alone.
        let calm = try OutputComparison(actual: tensor(oracle, type), expected: tensor(oracle, type),
                                        programRounding: tensor(oracle, type))
        #expect(!calm.widened)
        #expect(calm.tolerance == OutputComparison.tolerance(for: type))
    }
}
