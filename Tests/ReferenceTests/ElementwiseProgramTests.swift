import Foundation
import Reference
import StableHLO
import Testing

/// Elementwise and check ops run from StableHLO text: small programs in both the pretty
/// and the generic form, and every conformance program made only of elementwise, check
/// and call ops.
@Suite struct ElementwiseProgramTests {
    static func run(_ text: String) throws -> Interpreter {
        let module = try Module.parse(text, file: "test.mlir")
        let interpreter = Interpreter(module: module)
        _ = try interpreter.run("main", inputs: [])
        return interpreter
    }

    @Test func prettyFormWithCheckDialect() throws {
        let interpreter = try Self.run("""
            func.func @main() {
              %lhs = stablehlo.constant dense<[127, -128, 5]> : tensor<3xi8>
              %rhs = stablehlo.constant dense<[1, -1, 0]> : tensor<3xi8>
              %sum = stablehlo.add %lhs, %rhs : tensor<3xi8>
              check.expect_eq_const %sum, dense<[-128, 127, 5]> : tensor<3xi8>
              %quotient = stablehlo.divide %lhs, %rhs : tensor<3xi8>
              check.expect_eq_const %quotient, dense<[127, -128, -1]> : tensor<3xi8>
              %x = stablehlo.constant dense<[1.0, 2.0]> : tensor<2xbf16>
              %cmp = stablehlo.compare LT, %x, %x, TOTALORDER : (tensor<2xbf16>, tensor<2xbf16>) -> tensor<2xi1>
              check.expect_eq_const %cmp, dense<false> : tensor<2xi1>
              %c = stablehlo.convert %x : (tensor<2xbf16>) -> tensor<2xcomplex<f32>>
              check.expect_almost_eq_const %c, dense<[(1.0, 0.0), (2.0, 0.0)]> : tensor<2xcomplex<f32>>
              func.return
            }
            """)
        #expect(interpreter.checkCount == 4)
    }

    @Test func genericFormWithCustomCallChecks() throws {
        let interpreter = try Self.run("""
            module {
              func.func public @main() -> tensor<2xf32> {
                %0 = "stablehlo.constant"() {value = dense<[0.5, 4.0]> : tensor<2xf32>} : () -> tensor<2xf32>
                %1 = "stablehlo.sqrt"(%0) : (tensor<2xf32>) -> tensor<2xf32>
                %2 = "stablehlo.constant"() {value = dense<[0.707106769, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
                "stablehlo.custom_call"(%1, %2) {call_target_name = "check.expect_close", has_side_effect = true} : (tensor<2xf32>, tensor<2xf32>) -> ()
                %3 = "stablehlo.custom_call"(%1, %2) {call_target_name = "check.eq"} : (tensor<2xf32>, tensor<2xf32>) -> tensor<i1>
                "func.return"(%1) : (tensor<2xf32>) -> ()
              }
            }
            """)
        #expect(interpreter.checkCount == 2)
    }

    @Test func failedCheckNamesTheSourceLocation() {
        do {
            _ = try Self.run("""
                func.func @main() {
                  %0 = stablehlo.constant dense<[1, 2]> : tensor<2xi32>
                  check.expect_eq_const %0, dense<[1, 3]> : tensor<2xi32>
                  func.return
                }
                """)
            Issue.record("the check should have failed")
        } catch InterpreterError.checkFailed(let message, let location) {
            #expect(location.line == 3)
            #expect(message.contains("[1]") && message.contains("2 (actual) vs 3 (expected)"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    /// Where the conformance data lives: `NVGPU_CONFORMANCE_DIR`, else `../shared/conformance`
    /// beside the package.
    static var conformanceDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["NVGPU_CONFORMANCE_DIR"] { return dir }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return package.deletingLastPathComponent().appendingPathComponent("shared/conformance").path
    }

    static func opNames(_ region: Region, into names: inout Set<String>) {
        for block in region.blocks {
            for op in block.operations {
                names.insert(op.name)
                for r in op.regions { opNames(r, into: &names) }
            }
        }
    }

    /// Every testdata program whose ops are all elementwise/check/call ops passes its
    /// checks (programs upstream marks `RUN-DISABLED` are skipped, as upstream does).
    @Test func elementwiseConformancePrograms() throws {
        let dir = Self.conformanceDirectory + "/testdata"
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            print("skipping: no conformance data at \(dir)")
            return
        }
        let allowed = Interpreter.elementwiseOperationNames.union(["func.call", "call", "func.return", "return", "stablehlo.return"])
        var ran = 0
        for file in files.sorted() where file.hasSuffix(".mlir") {
            let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            if text.prefix(200).contains("RUN-DISABLED") { continue }
            let module = try Module.parse(text, file: file)
            var names = Set<String>()
            for f in module.functions { Self.opNames(f.body, into: &names) }
            guard names.isSubset(of: allowed) else { continue }
            let interpreter = Interpreter(module: module)
            do {
                _ = try interpreter.run("main", inputs: [])
                #expect(interpreter.checkCount > 0, "\(file) ran no checks")
            } catch {
                Issue.record("\(file): \(error)")
            }
            ran += 1
        }
        #expect(ran > 300)
    }
}
