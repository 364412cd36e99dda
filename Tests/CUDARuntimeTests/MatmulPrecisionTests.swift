import CUDA
import Runtime
import Testing
@testable import CUDARuntime

/// A matmul step's `allowsTF32` picks cuBLASLt's compute type: `CUBLAS_COMPUTE_32F_FAST_TF32`
/// (77) only for f32 inputs with TF32 allowed (precision DEFAULT), plain `CUBLAS_COMPUTE_32F`
/// (68) for HIGH/HIGHEST, for older executables without the field and for 16-bit inputs.
@Suite struct MatmulPrecisionTests {
    static func call(_ type: String, allowsTF32: Bool?) -> MatmulCall {
        MatmulCall(a: 0, b: 1, c: 2, m: 4, n: 8, k: 16, inputType: type, outputType: type, allowsTF32: allowsTF32)
    }

    @Test(arguments: [
        ("f32", true as Bool?, Int32(77)), ("f32", false, 68), ("f32", nil, 68),
        ("bf16", true, 68), ("bf16", nil, 68), ("f16", true, 68), ("f16", false, 68),
    ])
    func computeTypeFollowsThePrecision(_ type: String, _ allowsTF32: Bool?, _ expected: Int32) throws {
        let plan = try BatchedMatmulDescription(Self.call(type, allowsTF32: allowsTF32), biasType: nil)
        #expect(plan.computeType == expected)
        #expect(plan.usesTF32 == (expected == 77))
    }

    @Test func tf32AndFullPrecisionPlansAreCachedApart() throws {
        let fast = try BatchedMatmulDescription(Self.call("f32", allowsTF32: true), biasType: nil)
        let exact = try BatchedMatmulDescription(Self.call("f32", allowsTF32: false), biasType: nil)
        #expect(fast != exact, "the plan cache is keyed by the description: one plan must not serve both")
        #expect(fast.description.hasSuffix(" tf32"))
        #expect(!exact.description.contains("tf32"))
    }
}
