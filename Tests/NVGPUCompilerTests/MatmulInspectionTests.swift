import NVGPUCompiler
import Runtime
import Testing

/// `nvgpu inspect` (`Executable.inspection()`) shows a matmul step's epilogue and bias buffer.
@Suite struct MatmulInspectionTests {
    typealias Fusion = MatmulEpilogueFusionTests

    static let cases: [(name: String, tail: @Sendable (String) -> String, epilogue: MatmulCall.Epilogue)] = [
        ("bias", { _ in Fusion.biasAdd }, .bias),
        ("relu", { t in Fusion.relu(t, input: "%0") }, .relu),
        ("biasRelu", { t in Fusion.biasAdd + "\n" + Fusion.relu(t) }, .biasRelu),
        ("gelu", { t in Fusion.gelu(t, input: "%0") }, .gelu),
        ("biasGelu", { t in Fusion.biasAdd + "\n" + Fusion.gelu(t) }, .biasGelu),
    ]

    @Test(arguments: ["bf16", "f32"], cases.indices)
    func epilogueIsListed(_ type: String, _ index: Int) throws {
        let item = Self.cases[index]
        let results = item.epilogue == .bias ? "%1" : "%2"
        let (calls, _, executable) = try Fusion.lower(type, item.tail(type), results: results)
        let call = try #require(calls.first)
        #expect(call.epilogue == item.epilogue)
        let line = try #require(executable.inspection().split(separator: "\n").first { $0.contains("matmul cuBLASLt") })
        #expect(line.contains(" epilogue \(item.name) "), "\(line)")
        if let bias = call.bias {
            #expect(line.contains(", bias b\(bias))"), "\(line)")
        } else {
            #expect(!line.contains("bias b"), "\(line)")
        }
    }

    @Test func plainMatmulShowsNoEpilogue() throws {
        let (_, _, executable) = try Fusion.lower("f32", "  %2 = stablehlo.add %0, %0 : tensor<4x16xf32>")
        let line = try #require(executable.inspection().split(separator: "\n").first { $0.contains("matmul cuBLASLt") })
        #expect(!line.contains("epilogue"), "\(line)")
    }
}
