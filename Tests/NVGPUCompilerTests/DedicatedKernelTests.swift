import CUDA
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// reduce_window, select_and_scatter and general (argmax-like, variadic) reduces: which
/// forms become their own kernels, which stay on the host (and why), the CHLO functions and
/// standalone iota/concatenate that no longer fall back, and that the kernels of every
/// conformance program using them compile with NVRTC for sm_90.
@Suite struct DedicatedKernelTests {
    static let elementTypes = ["f32", "bf16", "f16", "f64", "i8", "i16", "i32", "i64", "ui8", "ui32", "ui64"]

    static func reduceWindow(_ type: String, combiner: String, attributes: String, input: String, result: String) -> String {
        """
        func.func @main(%x: tensor<\(input)x\(type)>, %init: tensor<\(type)>) -> tensor<\(result)x\(type)> {
          %0 = "stablehlo.reduce_window"(%x, %init) <{\(attributes)}> ({
          ^bb0(%a: tensor<\(type)>, %b: tensor<\(type)>):
            %s = \(combiner) %a, %b : tensor<\(type)>
            stablehlo.return %s : tensor<\(type)>
          }) : (tensor<\(input)x\(type)>, tensor<\(type)>) -> tensor<\(result)x\(type)>
          return %0 : tensor<\(result)x\(type)>
        }
        """
    }

    static func dedicatedLaunches(_ text: String) throws -> (Executable, LoweringReport) {
        let (e, report) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(report.groups.contains { $0.kind == .dedicated })
        #expect(e.kernels.allSatisfy { !$0.source.contains("#include") && !$0.source.contains("atomic") })
        return (e, report)
    }

    @Test(arguments: elementTypes, ["stablehlo.add", "stablehlo.maximum", "stablehlo.minimum"])
    func reduceWindowIsOneKernel(_ type: String, combiner: String) throws {
        let text = Self.reduceWindow(type, combiner: combiner, attributes: "window_dimensions = array<i64: 2, 3>",
                                     input: "4x6", result: "3x4")
        let (e, _) = try Self.dedicatedLaunches(text)
        #expect(TestPrograms.launches(e) == 1)
    }

    /// Padding, strides, base and window dilation: the kernel tests holes against the init.
    @Test func reduceWindowWithPaddingStridesAndDilations() throws {
        let attributes = """
            window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 2, 1>, base_dilations = array<i64: 2, 1>,
            window_dilations = array<i64: 1, 2>, padding = dense<[[1, 0], [2, 1]]> : tensor<2x2xi64>
            """
        // rows: dilated 7, padded 8, span 2 -> 4; columns: 6 + 3 = 9, span 3 -> 7.
        let text = Self.reduceWindow("f32", combiner: "stablehlo.add", attributes: attributes, input: "4x6", result: "4x7")
        let (e, _) = try Self.dedicatedLaunches(text)
        let source = try #require(e.kernels.first?.source)
        #expect(source.contains("% 2 != 0"))
        #expect(source.contains("inside ? "))
    }

    @Test func reduceWindowWithWrongResultShapeStaysOnHost() throws {
        let text = Self.reduceWindow("f32", combiner: "stablehlo.add", attributes: "window_dimensions = array<i64: 2, 2>",
                                     input: "4x6", result: "3x4")
        let (e, _) = try TestPrograms.lower(text)
        let reasons = TestPrograms.hostSteps(e).map(\.reason)
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains("does not match the window count [3, 5]") == true)
    }

    /// Narrow float types (computed in float, rounded after every op) get the kernel too.
    @Test func reduceWindowOnANarrowFloatRunsOnTheDevice() throws {
        let text = Self.reduceWindow("f8E4M3FN", combiner: "stablehlo.add", attributes: "window_dimensions = array<i64: 2, 2>",
                                     input: "4x6", result: "3x5")
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(e.kernels.contains { $0.source.contains("nv_fp_decode(") })
    }

    static func argmax(_ type: String, compareType: String, initial: String) -> String {
        """
        func.func @main(%x: tensor<18x12x\(type)>) -> tensor<18xi32> {
          %0 = stablehlo.iota dim = 1 : tensor<18x12xi32>
          %init = stablehlo.constant dense<\(initial)> : tensor<\(type)>
          %c = stablehlo.constant dense<0> : tensor<i32>
          %1:2 = stablehlo.reduce(%x init: %init), (%0 init: %c) across dimensions = [1] : (tensor<18x12x\(type)>, tensor<18x12xi32>, tensor<\(type)>, tensor<i32>) -> (tensor<18x\(type)>, tensor<18xi32>)
           reducer(%a: tensor<\(type)>, %b: tensor<\(type)>) (%i: tensor<i32>, %j: tensor<i32>)  {
            %2 = stablehlo.compare  GT, %a, %b,  \(compareType) : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
            %3 = stablehlo.compare  NE, %a, %a,  \(compareType) : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
            %4 = stablehlo.or %2, %3 : tensor<i1>
            %5 = stablehlo.compare  EQ, %a, %b,  \(compareType) : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
            %6 = stablehlo.compare  LT, %i, %j,  SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
            %7 = stablehlo.and %5, %6 : tensor<i1>
            %8 = stablehlo.or %4, %7 : tensor<i1>
            %9 = stablehlo.select %4, %a, %b : tensor<i1>, tensor<\(type)>
            %10 = stablehlo.select %8, %i, %j : tensor<i1>, tensor<i32>
            stablehlo.return %9, %10 : tensor<\(type)>, tensor<i32>
          }
          return %1#1 : tensor<18xi32>
        }
        """
    }

    /// argmax over types the warp shuffles take: one kernel, the iota computed in it
    /// (`VariadicReductionKernelTests` checks its results).
    @Test(arguments: [("f32", "FLOAT", "0xFF800000"), ("bf16", "FLOAT", "0xFF80"), ("f64", "FLOAT", "0xFFF0000000000000")])
    func argmaxIsOneFusedKernel(_ type: String, compareType: String, initial: String) throws {
        let (e, report) = try TestPrograms.lower(Self.argmax(type, compareType: compareType, initial: initial))
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(!report.groups.contains { $0.kind == .dedicated })
        #expect(TestPrograms.launches(e) == 1)
        #expect(e.kernels.first?.source.contains("selecting reduction of 18 rows of 12") == true)
    }

    /// argmax over the other types: the iota becomes a fill kernel, the two-value reduce a
    /// kernel of its own.
    @Test(arguments: [("i16", "SIGNED", "-32768"), ("ui8", "UNSIGNED", "0"), ("i1", "UNSIGNED", "false")])
    func argmaxIsAFillAndAReduceKernel(_ type: String, compareType: String, initial: String) throws {
        let (e, _) = try Self.dedicatedLaunches(Self.argmax(type, compareType: compareType, initial: initial))
        #expect(TestPrograms.launches(e) == 2)
        let source = try #require(e.kernels.first { $0.source.contains("reduce [18, 12] over [1]") }?.source)
        #expect(source.contains("acc1 = "))
    }

    /// TOTALORDER compares through the prelude's totalOrder keys.
    @Test(arguments: ["f32", "bf16", "f64"])
    func totalOrderComparisonInABodyIsAKernel(_ type: String) throws {
        let initial = ["f32": "0xFF800000", "bf16": "0xFF80", "f64": "0xFFF0000000000000"][type] ?? "0"
        let (e, _) = try TestPrograms.lower(Self.argmax(type, compareType: "TOTALORDER", initial: initial))
        #expect(TestPrograms.hostSteps(e).isEmpty)
        let source = try #require(e.kernels.first { $0.source.contains("selecting reduction of 18 rows") }?.source)
        #expect(source.contains(type == "f64" ? "nv_total_order_f64(" : type == "f32" ? "nv_total_order_f32(" : "nv_total_order_half("))
    }

    static func selectAndScatter(_ type: String, select: String, padding: String) -> String {
        """
        func.func @main(%x: tensor<4x6x\(type)>, %s: tensor<2x3x\(type)>, %init: tensor<\(type)>) -> tensor<4x6x\(type)> {
          %0 = "stablehlo.select_and_scatter"(%x, %s, %init) <{window_dimensions = array<i64: 3, 3>, window_strides = array<i64: 2, 2>, padding = dense<\(padding)> : tensor<2x2xi64>}> ({
          ^bb0(%a: tensor<\(type)>, %b: tensor<\(type)>):
            %c = stablehlo.compare \(select), %a, %b : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
            stablehlo.return %c : tensor<i1>
          }, {
          ^bb0(%a: tensor<\(type)>, %b: tensor<\(type)>):
            %t = stablehlo.add %a, %b : tensor<\(type)>
            stablehlo.return %t : tensor<\(type)>
          }) : (tensor<4x6x\(type)>, tensor<2x3x\(type)>, tensor<\(type)>) -> tensor<4x6x\(type)>
          return %0 : tensor<4x6x\(type)>
        }
        """
    }

    /// Two kernels (select into an i64 scratch, then scatter per result element), no atomics.
    @Test(arguments: elementTypes)
    func selectAndScatterIsTwoKernels(_ type: String) throws {
        let text = Self.selectAndScatter(type, select: "GE", padding: "[[0, 1], [0, 1]]")
        let (e, _) = try Self.dedicatedLaunches(text)
        #expect(TestPrograms.launches(e) == 2)
        #expect(e.kernels.map(\.entryPoint).allSatisfy { $0.hasSuffix("_select") || $0.hasSuffix("_scatter") })
        let scratch = e.buffers.filter { (slot: BufferSlot) -> Bool in slot.name.hasPrefix("scratch0") }
        #expect(scratch.map(\.elementType) == [ElementType.si(64)])
    }

    @Test func selectAndScatterWithWrongSourceShapeStaysOnHost() throws {
        let text = Self.selectAndScatter("f32", select: "GE", padding: "[[0, 0], [0, 0]]")
        let (e, _) = try TestPrograms.lower(text)
        let reasons = TestPrograms.hostSteps(e).map(\.reason)
        #expect(reasons.first?.contains("must have the window count [1, 2]") == true)
    }

    /// Ops that used to fall back: a standalone iota (scalar `iota_dimension`), a
    /// concatenate alone, CHLO functions computed in double precision, reduce_precision and
    /// next_after on the format's bits, pad (negative and interior padding).
    @Test(arguments: [
        ("%0 = stablehlo.iota dim = 1 : tensor<3x4xi8>", "tensor<3x4xi8>"),
        ("%0 = stablehlo.concatenate %x, %x, dim = 0 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<6x4xf32>", "tensor<6x4xf32>"),
        ("%0 = chlo.lgamma %x : tensor<3x4xf32> -> tensor<3x4xf32>", "tensor<3x4xf32>"),
        ("%0 = chlo.erf_inv %x : tensor<3x4xf32> -> tensor<3x4xf32>", "tensor<3x4xf32>"),
        ("%0 = chlo.acosh %x : tensor<3x4xf32> -> tensor<3x4xf32>", "tensor<3x4xf32>"),
        ("%0 = chlo.cosh %x : tensor<3x4xf32> -> tensor<3x4xf32>", "tensor<3x4xf32>"),
        ("%0 = stablehlo.reduce_precision %x, format = e5m2 : tensor<3x4xf32>", "tensor<3x4xf32>"),
        ("%0 = chlo.next_after %x, %x : tensor<3x4xf32>, tensor<3x4xf32> -> tensor<3x4xf32>", "tensor<3x4xf32>"),
        ("%p = stablehlo.constant dense<1.5> : tensor<f32>\n  %0 = stablehlo.pad %x, %p, low = [1, -1], high = [0, 2], interior = [1, 0] : (tensor<3x4xf32>, tensor<f32>) -> tensor<6x5xf32>",
         "tensor<6x5xf32>"),
    ])
    func formerFallbacksAreKernels(_ line: String, resultType: String) throws {
        let text = """
            func.func @main(%x: tensor<3x4xf32>) -> \(resultType) {
              \(line)
              return %0 : \(resultType)
            }
            """
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(TestPrograms.launches(e) == 1)
        let source = e.kernels[0].source
        if line.contains("chlo.lgamma") { #expect(source.contains("lgamma((double)")) }
        if line.contains("chlo.cosh") { #expect(source.contains("0xbf317218")) }
        if line.contains("reduce_precision") { #expect(source.contains("nv_reduce_precision_f32(") && source.contains(", 5, 2)")) }
        if line.contains("next_after") { #expect(source.contains("nv_next_after_f32(")) }
        if line.contains("stablehlo.pad") { #expect(source.contains("% 2 == 0") && source.contains("1.5f")) }
    }

    /// Every dedicated kernel, and every kernel using a function added here, of the
    /// conformance programs compiles with NVRTC for sm_90 (the other kernels of these
    /// programs are `NVRTCCompileTests`' business).
    @Test func conformanceKernelsOfTheseOpsCompile() throws {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        let prefixes = ["reduce_window", "argmax", "argmin", "select_and_scatter", "cummax", "cummin", "cumsum", "cumprod",
                        "reduce_", "concatenate", "iota", "lgamma", "digamma", "erf", "acosh", "asin", "atan", "cosh",
                        "sinh", "tan_", "pad", "nextafter", "reduce_precision"]
        let files = TestPrograms.mlirFiles(in: TestPrograms.conformanceDirectory.appendingPathComponent("testdata"))
            .filter { url in prefixes.contains { url.lastPathComponent.hasPrefix($0) } }
        guard !files.isEmpty else {
            print("SKIPPED: no conformance programs in \(TestPrograms.conformanceDirectory.path) (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        let markers = ["nv_digamma(", "nv_reduce_precision_", "nv_next_after_", "lgamma((double)", "erfinv((double)", "acosh((double)"]
        var sources: [String: String] = [:]
        var dedicated = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            guard let (e, report) = try? TestPrograms.lower(text) else { continue }
            dedicated += report.groups.filter { $0.kind == .dedicated }.count
            for kernel in e.kernels where kernel.entryPoint.hasPrefix("dedicated_")
                || markers.contains(where: { (kernel.source.components(separatedBy: "#endif").last ?? "").contains($0) }) {
                sources[kernel.source] = file.lastPathComponent + "_" + kernel.entryPoint
            }
        }
        #expect(dedicated >= 60, "only \(dedicated) dedicated groups")
        let programs = sources.map { (name: $0.value, source: $0.key) }
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        let results = KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: nvrtc, cache: cache)
        var failures: [String] = []
        for (program, result) in zip(programs, results) {
            if case .failure(let error) = result { failures.append("\(program.name): \(error.log.prefix(1500))") }
        }
        print("dedicated ops: \(programs.count) kernels, \(programs.count - failures.count) compiled for sm_90")
        #expect(programs.count >= 60)
        #expect(failures.isEmpty, "\(failures.prefix(5).joined(separator: "\n\n"))")
    }
}
