import CUDA
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// `stablehlo.sort` and `chlo.top_k` (`SegmentedSort`): the family is chosen for every
/// dtype, dimension and operand count, short segments sort in one shared-memory kernel and
/// long ones in global memory (init, one merge kernel per width, write), unsupported forms
/// stay on the host with a reason, and every kernel compiles with NVRTC for sm_90.
@Suite struct SortKernelTests {
    static let elementTypes = ["f32", "bf16", "f16", "f64", "i1", "i8", "i16", "i32", "i64", "ui8", "ui16", "ui32", "ui64"]

    /// Lowers `text`, checks it runs entirely in dedicated kernels, and compiles them.
    static func lowerAndCompile(_ text: String, launches: Int? = nil) throws -> Executable {
        let (e, report) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(report.groups.contains { $0.kind == .dedicated })
        if let launches { #expect(TestPrograms.launches(e) == launches) }
        try compile(e)
        return e
    }

    /// Every kernel of `e` compiles with NVRTC for sm_90 (skipped without NVRTC).
    static func compile(_ e: Executable) throws {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        var seen = Set<String>()
        let programs = e.kernels.filter { seen.insert($0.source).inserted }.map { (name: $0.entryPoint, source: $0.source) }
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        let results = KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: nvrtc, cache: cache)
        for (program, result) in zip(programs, results) {
            if case .failure(let error) = result { Issue.record("\(program.name): \(error.log.prefix(2000))") }
        }
    }

    static func sort(_ type: String, shape: String, dimension: Int, direction: String = "LT", compareType: String = "") -> String {
        let suffix = compareType.isEmpty ? "" : ", \(compareType)"
        return """
            func.func @main(%x: tensor<\(shape)x\(type)>) -> tensor<\(shape)x\(type)> {
              %0 = "stablehlo.sort"(%x) <{dimension = \(dimension) : i64, is_stable = true}> ({
              ^bb0(%a: tensor<\(type)>, %b: tensor<\(type)>):
                %c = stablehlo.compare \(direction), %a, %b\(suffix) : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
                stablehlo.return %c : tensor<i1>
              }) : (tensor<\(shape)x\(type)>) -> tensor<\(shape)x\(type)>
              return %0 : tensor<\(shape)x\(type)>
            }
            """
    }

    /// One shared-memory kernel per sort, along the first, a middle and the last dimension.
    @Test(arguments: elementTypes, [0, 1, 2, -1])
    func shortSegmentsAreOneKernel(_ type: String, dimension: Int) throws {
        let e = try Self.lowerAndCompile(Self.sort(type, shape: "5x7x3", dimension: dimension), launches: 1)
        let source = e.kernels[0].source
        #expect(source.contains("__shared__ int keys[2]"))
        #expect(source.contains("nv_sort_merge("))
        let stride = [0: 21, 1: 3, 2: 1, -1: 1][dimension] ?? 0
        #expect(source.contains("(stride \(stride))"))
    }

    /// A segment longer than the shared-memory limit: identity, 13 merge widths, write.
    @Test(arguments: ["f32", "i64", "bf16"])
    func longSegmentsMergeInGlobalMemory(_ type: String) throws {
        let e = try Self.lowerAndCompile(Self.sort(type, shape: "2x5000", dimension: 1, direction: "GT"), launches: 15)
        #expect(e.kernels.first?.entryPoint.hasSuffix("_init") == true)
        #expect(e.kernels.last?.entryPoint.hasSuffix("_write") == true)
        // FLOAT comparisons (NaN is unordered) keep one thread per merge; integers use merge path.
        let merge = type == "i64" ? "_path4096" : "_merge4096"
        #expect(e.kernels.contains { $0.entryPoint.hasSuffix(merge) })
        let scratch = e.buffers.filter { $0.name.hasPrefix("scratch") }
        #expect(scratch.count == 2 && scratch.allSatisfy { $0.elementType == .si(32) })
    }

    /// Comparators that are strict weak orders merge runs of 16 and more by merge path
    /// (`_path<width>` kernels); the others keep one thread per merge at every width.
    @Test(arguments: [
        ("%c = stablehlo.compare LT, %a, %b, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>", true),
        ("%c = stablehlo.compare GT, %b, %a : (tensor<i32>, tensor<i32>) -> tensor<i1>", true),
        ("%n = stablehlo.negate %a : tensor<i32>\n    %m = stablehlo.negate %b : tensor<i32>\n    %c = stablehlo.compare LT, %n, %m : (tensor<i32>, tensor<i32>) -> tensor<i1>", true),
        ("%c = stablehlo.compare LE, %a, %b : (tensor<i32>, tensor<i32>) -> tensor<i1>", false),
        ("%n = stablehlo.negate %a : tensor<i32>\n    %c = stablehlo.compare LT, %n, %b : (tensor<i32>, tensor<i32>) -> tensor<i1>", false),
        ("%c = stablehlo.compare LT, %a, %a : (tensor<i32>, tensor<i32>) -> tensor<i1>", false),
    ])
    func mergePathOnlyForStrictWeakOrders(_ body: String, path: Bool) throws {
        let text = """
            func.func @main(%x: tensor<2x5000xi32>) -> tensor<2x5000xi32> {
              %0 = "stablehlo.sort"(%x) <{dimension = 1 : i64}> ({
              ^bb0(%a: tensor<i32>, %b: tensor<i32>):
                \(body)
                stablehlo.return %c : tensor<i1>
              }) : (tensor<2x5000xi32>) -> tensor<2x5000xi32>
              return %0 : tensor<2x5000xi32>
            }
            """
        let e = try Self.lowerAndCompile(text, launches: 15)
        let names = e.kernels.map(\.entryPoint)
        #expect(names.filter { $0.contains("_path") }.count == (path ? 9 : 0), "\(names)")
        #expect(names.filter { $0.contains("_merge") }.count == (path ? 4 : 13), "\(names)")
    }

    /// In shared memory too, runs of 16 and more merge by merge path only for strict weak orders.
    @Test(arguments: [("LT", true), ("LE", false)])
    func sharedMemoryMergePath(_ direction: String, path: Bool) throws {
        let e = try Self.lowerAndCompile(Self.sort("i32", shape: "4x1000", dimension: 1, direction: direction), launches: 1)
        #expect(e.kernels[0].source.contains("nv_sort_merge_part(in0, keys[from]") == path)
    }

    /// The comparator JAX writes for floats: NaNs and zeros canonicalised, then TOTALORDER.
    @Test(arguments: [("f32", "0x7FC00000"), ("bf16", "0x7FC0"), ("f16", "0x7E00"), ("f64", "0x7FF8000000000000")])
    func totalOrderComparatorOfJax(_ type: String, nan: String) throws {
        let text = """
            func.func @main(%x: tensor<5x7x\(type)>) -> tensor<5x7x\(type)> {
              %0 = "stablehlo.sort"(%x) <{dimension = 0 : i64}> ({
              ^bb0(%a: tensor<\(type)>, %b: tensor<\(type)>):
                %z = stablehlo.constant dense<0.0> : tensor<\(type)>
                %n = stablehlo.constant dense<\(nan)> : tensor<\(type)>
                %1 = stablehlo.compare EQ, %a, %z, FLOAT : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
                %2 = stablehlo.select %1, %z, %a : tensor<i1>, tensor<\(type)>
                %3 = stablehlo.compare NE, %a, %a, FLOAT : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
                %4 = stablehlo.select %3, %n, %2 : tensor<i1>, tensor<\(type)>
                %5 = stablehlo.compare EQ, %b, %z, FLOAT : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
                %6 = stablehlo.select %5, %z, %b : tensor<i1>, tensor<\(type)>
                %7 = stablehlo.compare NE, %b, %b, FLOAT : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
                %8 = stablehlo.select %7, %n, %6 : tensor<i1>, tensor<\(type)>
                %9 = stablehlo.compare LT, %4, %8, TOTALORDER : (tensor<\(type)>, tensor<\(type)>) -> tensor<i1>
                stablehlo.return %9 : tensor<i1>
              }) : (tensor<5x7x\(type)>) -> tensor<5x7x\(type)>
              return %0 : tensor<5x7x\(type)>
            }
            """
        let e = try Self.lowerAndCompile(text, launches: 1)
        #expect(e.kernels[0].source.contains("nv_total_order_"))
    }

    /// Two operands sorted together by a lexicographic comparator (key, then value GT).
    @Test func severalOperandsSortTogether() throws {
        let text = """
            func.func @main(%k: tensor<4x300xi32>, %v: tensor<4x300xf32>) -> (tensor<4x300xi32>, tensor<4x300xf32>) {
              %0:2 = "stablehlo.sort"(%k, %v) <{dimension = 1 : i64}> ({
              ^bb0(%a: tensor<i32>, %b: tensor<i32>, %c: tensor<f32>, %d: tensor<f32>):
                %lt = stablehlo.compare LT, %a, %b, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
                %eq = stablehlo.compare EQ, %a, %b, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
                %gt = stablehlo.compare GT, %c, %d, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
                %t = stablehlo.and %eq, %gt : tensor<i1>
                %r = stablehlo.or %lt, %t : tensor<i1>
                stablehlo.return %r : tensor<i1>
              }) : (tensor<4x300xi32>, tensor<4x300xf32>) -> (tensor<4x300xi32>, tensor<4x300xf32>)
              return %0#0, %0#1 : tensor<4x300xi32>, tensor<4x300xf32>
            }
            """
        let e = try Self.lowerAndCompile(text, launches: 1)
        let source = e.kernels[0].source
        #expect(source.contains("out0[at] = in0[from];") && source.contains("out1[at] = in1[from];"))
    }

    /// 2/4-bit integers (one byte each, wrapped after every op) sort on the device too.
    @Test func sortOfASubByteIntegerRunsOnTheDevice() throws {
        let (e, _) = try TestPrograms.lower(Self.sort("i4", shape: "5x7", dimension: 0))
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        try Self.compile(e)
    }

    static func topK(_ type: String, shape: [Int], k: Int, indexType: String = "i32") -> String {
        var result = shape
        result[result.count - 1] = k
        let s = shape.map(String.init).joined(separator: "x"), r = result.map(String.init).joined(separator: "x")
        return """
            func.func @main(%x: tensor<\(s)x\(type)>) -> (tensor<\(r)x\(type)>, tensor<\(r)x\(indexType)>) {
              %0:2 = chlo.top_k(%x, k = \(k)) : tensor<\(s)x\(type)> -> (tensor<\(r)x\(type)>, tensor<\(r)x\(indexType)>)
              return %0#0, %0#1 : tensor<\(r)x\(type)>, tensor<\(r)x\(indexType)>
            }
            """
    }

    @Test(arguments: ["f32", "bf16", "f16", "f64", "i8", "i16", "i32", "i64", "ui8", "ui16", "ui32", "ui64"])
    func topKIsOneKernelPerRowBlock(_ type: String) throws {
        let e = try Self.lowerAndCompile(Self.topK(type, shape: [5, 3, 9], k: 4), launches: 1)
        let source = e.kernels[0].source
        #expect(source.contains("values[s * 4 + i] = in0[from];") && source.contains("indices[s * 4 + i] = p;"))
        if type.hasPrefix("f") || type == "bf16" { #expect(source.contains("nv_total_order_")) }
    }

    @Test func topKOfALongRowMergesInGlobalMemory() throws {
        let e = try Self.lowerAndCompile(Self.topK("f32", shape: [3, 10000], k: 10), launches: 16)
        #expect(e.kernels.last?.source.contains("o / 10") == true)
    }

    @Test func topKWithNoElementsToWriteHasNoKernel() throws {
        let (e, _) = try TestPrograms.lower(Self.topK("f32", shape: [4, 6], k: 0))
        #expect(TestPrograms.hostSteps(e).isEmpty)
        #expect(TestPrograms.launches(e) == 0)
    }

    @Test func topKWithI64IndicesStaysOnHost() throws {
        let (e, _) = try TestPrograms.lower(Self.topK("f32", shape: [4, 6], k: 2, indexType: "i64"))
        let reasons = TestPrograms.hostSteps(e).map(\.reason)
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains("of i32") == true)
    }

    /// The kernels of every conformance program using sort or top_k compile, and none of
    /// these programs keeps a sort or top_k on the host unless its element type is complex.
    @Test func conformanceSortsAndTopKsRunOnTheDevice() throws {
        let files = TestPrograms.mlirFiles(in: TestPrograms.conformanceDirectory.appendingPathComponent("testdata"))
            .filter { $0.lastPathComponent.hasPrefix("sort_") || $0.lastPathComponent.hasPrefix("top_k_") }
        guard !files.isEmpty else {
            print("SKIPPED: no conformance programs in \(TestPrograms.conformanceDirectory.path) (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        var lowered = 0
        for file in files {
            let (e, _) = try TestPrograms.lower(try String(contentsOf: file, encoding: .utf8))
            let reasons = TestPrograms.hostSteps(e).map(\.reason).filter { $0.contains("sort") || $0.contains("top_k") }
            if !file.lastPathComponent.contains("complex") {
                #expect(reasons.isEmpty, "\(file.lastPathComponent): \(reasons)")
            }
            try Self.compile(e)
            lowered += 1
        }
        #expect(lowered >= 20)
    }
}
