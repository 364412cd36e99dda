import Foundation
import Reference
import StableHLO
import Testing

/// Runs the conformance programs of the structural op families (data movement,
/// reductions, dot, convolution, sort, top_k, fft): each `main` checks its own results
/// with `check.expect_*`; and the interpreter test cases of these ops.
@Suite("Structural: conformance testdata")
struct StructuralConformanceTests {
    static let prefixes = [
        "broadcast_in_dim_", "reshape_", "squeeze_", "transpose_", "slice_", "concatenate_", "pad_", "rev_",
        "reduce_sum_", "reduce_prod_", "reduce_max_", "reduce_min_", "reduce_and_", "reduce_or_", "reduce_window_",
        "cumsum_", "cumprod_", "cummax_", "cummin_", "argmax_", "argmin_",
        "dot_general_", "conv_general_dilated_", "sort_", "top_k_", "fft_", "rng_bit_generator_",
    ]

    /// `$NVGPU_CONFORMANCE_DIR`, defaulting to `../shared/conformance`.
    static var root: URL? {
        let path = ProcessInfo.processInfo.environment["NVGPU_CONFORMANCE_DIR"] ?? "../shared/conformance"
        let url = URL(fileURLWithPath: path)
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("testdata").path) ? url : nil
    }

    static var programs: [String] {
        guard let dir = root?.appendingPathComponent("testdata"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { n in n.hasSuffix(".mlir") && prefixes.contains { n.hasPrefix($0) } }.sorted()
    }

    /// Programs upstream marks `RUN-DISABLED`, which fail here for the same reasons: XLA's own
    /// f32/f64 FFT rounding on the 14x15x16x17 cases (we are 4-29 ULP off a 3-ULP check) and
    /// `check.expect_eq` on NaN outputs of top_k.
    static let knownFailures: Set<String> = [
        "fft_complex128_14_15_16_17.mlir", "fft_complex64_14_15_16_17.mlir",
        "fft_float32_14_15_16_17.mlir", "fft_float64_14_15_16_17.mlir", "top_k_float32_5_chlo.mlir",
    ]

    @Test("testdata program passes", .enabled(if: root != nil, "conformance data not found"), arguments: programs)
    func program(_ name: String) throws {
        let url = try #require(Self.root).appendingPathComponent("testdata").appendingPathComponent(name)
        let module = try Module.parse(try String(contentsOf: url, encoding: .utf8), file: name)
        let interpreter = Interpreter(module: module, deadline: .now + .seconds(60))
        if Self.knownFailures.contains(name) {
            withKnownIssue("upstream RUN-DISABLED: \(name)") { _ = try interpreter.run("main", inputs: []) }
        } else {
            _ = try interpreter.run("main", inputs: [])
        }
    }

    /// The interpreter test files of these ops: cases split by `// -----`.
    static let interpreterFiles = [
        "pad.mlir", "reduce.mlir", "slice.mlir", "sort.mlir", "get_dimension_size.mlir",
        "dynamic_broadcast_in_dim.mlir", "dynamic_iota.mlir", "dynamic_pad.mlir", "triangular_solve.mlir",
    ]

    @Test("interpreter test cases pass", .enabled(if: root != nil, "conformance data not found"), arguments: interpreterFiles)
    func interpreterCases(_ name: String) throws {
        let url = try #require(Self.root).appendingPathComponent("interpret").appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        var line = 1
        var cases = 0
        for chunk in text.components(separatedBy: "// -----") {
            defer { line += chunk.filter { $0 == "\n" }.count }
            let module = try Module.parse(chunk, file: name, firstLine: line)
            for function in module.functions where function.inputTypes.isEmpty {
                cases += 1
                do {
                    _ = try Interpreter(module: module).run(function.name, inputs: [])
                } catch {
                    Issue.record("\(name) @\(function.name): \(error)")
                }
            }
        }
        #expect(cases >= 1)
    }
}
