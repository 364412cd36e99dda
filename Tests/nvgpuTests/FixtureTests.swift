import Driver
import Foundation
import Runtime
import StableHLO
import Testing

/// Runs each JAX-exported model in `tests/fixtures/NAME/` through `nvgpu run` and compares
/// every result with what JAX computed, within a tolerance for the element type.
@Suite struct FixtureTests {
    static let root = NVGPUProcess.packageRoot.appendingPathComponent("tests/fixtures")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
    }

    /// (relative, absolute) tolerance per element type: a few ulps of the type, widened
    /// for the reductions the models do.
    static func tolerance(_ type: ElementType) -> (Double, Double) {
        switch type {
        case .float(.f64), .complex(.f64): return (1e-12, 1e-12)
        case .float(.f32), .complex(.f32): return (2e-5, 1e-6)
        case .float(.f16): return (2e-3, 1e-3)
        case .float(.bf16): return (2e-2, 1e-2)
        default: return (0, 0)
        }
    }

    static func files(_ dir: URL, prefix: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".npy") }
            .sorted { Int($0.dropFirst(prefix.count).dropLast(4)) ?? 0 < Int($1.dropFirst(prefix.count).dropLast(4)) ?? 0 }
            .map { dir.appendingPathComponent($0) }
    }

    static func readNPY(_ url: URL, as type: ElementType? = nil) throws -> HostTensor {
        try NPYArray(decoding: [UInt8](Data(contentsOf: url))).hostTensor(as: type)
    }

    @Test func fixturesExist() {
        #expect(Set(Self.names).isSuperset(of: ["mlp", "layernorm", "softmax", "attention", "conv_net"]))
    }

    @Test(arguments: names)
    func matchesJAX(_ name: String) throws {
        let dir = Self.root.appendingPathComponent(name)
        let inputs = Self.files(dir, prefix: "input_").map { "--input=@" + $0.path }
        let expected = Self.files(dir, prefix: "expected_")
        let outDir = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outDir) }
        let outputs = expected.indices.map { outDir.appendingPathComponent("result_\($0).npy") }
        let result = try NVGPUProcess.run(["run", dir.appendingPathComponent(name + ".mlir").path] + inputs
                                          + outputs.map { "--output=@" + $0.path })
        try #require(result.status == 0, "nvgpu run failed: \(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == expected.count)
        let printedTypes = result.stdout.split(separator: "\n").map { line in
            line.split(separator: "=", maxSplits: 1).first.flatMap { TensorTypeText.parse(String($0)) }
        }
        for ((want, got), printed) in zip(zip(expected, outputs), printedTypes) {
            let type = try #require(printed, "unreadable result line in \(result.stdout)")
            let actual = try Self.readNPY(got, as: type.elementType)
            #expect(actual.type == type)
            let reference = try Self.readNPY(want, as: type.elementType)
            #expect(reference.type == type)
            let (rtol, atol) = Self.tolerance(type.elementType)
            for (a, b) in zip(actual.elements, reference.elements) {
                switch (a, b) {
                case (.float(let x), .float(let y)):
                    let excess = abs(x - y) - (atol + rtol * abs(y))
                    #expect(excess <= 0 || (x.isNaN && y.isNaN), "\(name): got \(x), JAX \(y)")
                default:
                    #expect(a == b, "\(name): got \(a), JAX \(b)")
                }
            }
        }
    }

    @Test func exampleMLPRunsAsTheREADMESays() throws {
        let example = NVGPUProcess.packageRoot.appendingPathComponent("examples/mlp.mlir").path
        let result = try NVGPUProcess.run(["run", example, "--input=2x4xf32=1,2,3,4,-1,0.5,2,-3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("2x2xf32=[["))
        let numbers = result.stdout.dropFirst("2x2xf32=".count)
            .split(whereSeparator: { "[] \n".contains($0) }).compactMap { Double($0) }
        let expected = [-0.45625013, 0.36875015, 1.6999999, 6.5499997]
        #expect(numbers.count == expected.count, "\(result.stdout)")
        for (got, want) in zip(numbers, expected) {
            #expect(abs(got - want) <= 1e-5 * abs(want) + 1e-6, "\(result.stdout)")
        }
    }
}
