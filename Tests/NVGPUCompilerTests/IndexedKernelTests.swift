import CUDA
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Gather, scatter, dynamic_slice and dynamic_update_slice: which forms become kernels,
/// which stay on the host (and why), and that the kernels of every conformance program
/// using them compile with NVRTC for sm_90.
@Suite struct IndexedKernelTests {
    static let elementTypes = ["f32", "bf16", "f16", "f64", "i8", "i32", "i64", "ui8", "ui64", "i1"]

    static func scatter(_ type: String, body: String, dims: String, operand: String, indices: String, updates: String) -> String {
        """
        func.func @main(%x: tensor<\(operand)x\(type)>, %i: tensor<\(indices)>, %u: tensor<\(updates)x\(type)>) -> tensor<\(operand)x\(type)> {
          %0 = "stablehlo.scatter"(%x, %i, %u) <{scatter_dimension_numbers = #stablehlo.scatter<\(dims)>}> ({
          ^bb0(%a: tensor<\(type)>, %b: tensor<\(type)>):
        \(body)
          }) : (tensor<\(operand)x\(type)>, tensor<\(indices)>, tensor<\(updates)x\(type)>) -> tensor<\(operand)x\(type)>
          return %0 : tensor<\(operand)x\(type)>
        }
        """
    }

    static let add = """
        %s = stablehlo.add %a, %b : tensor<TYPE>
        stablehlo.return %s : tensor<TYPE>
    """
    static let replace = "    stablehlo.return %b : tensor<TYPE>"

    /// The program's only step is the indexed kernel's launch.
    static func expectOneKernel(_ text: String) throws {
        let (e, report) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(TestPrograms.launches(e) == 1)
        #expect(report.groups.contains { $0.kind == .dedicated })
        #expect(e.kernels.allSatisfy { $0.entryPoint.hasPrefix("dedicated_") && !$0.source.contains("#include") })
    }

    @Test(arguments: elementTypes)
    func scatterAddIsOneKernel(_ type: String) throws {
        let text = Self.scatter(
            type, body: Self.add.replacingOccurrences(of: "TYPE", with: type),
            dims: "update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1",
            operand: "5x3", indices: "4x1xi32", updates: "4x3")
        try Self.expectOneKernel(text)
    }

    @Test(arguments: ["i64", "ui32", "i8", "ui64"])
    func scatterReplaceInSpecOrderIsOneKernel(_ indexType: String) throws {
        let text = Self.scatter(
            "f32", body: Self.replace.replacingOccurrences(of: "TYPE", with: "f32"),
            dims: "update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1",
            operand: "5x3", indices: "4x1x\(indexType)", updates: "4x3")
        try Self.expectOneKernel(text)
        let source = try TestPrograms.lower(text).0.kernels[0].source
        #expect(source.contains("nv_position(idx["))
    }

    /// A window dim before the scatter dim that indexes the input: a float add would be
    /// applied out of the reference's order, so it stays on the host; max does not care.
    @Test func orderSensitiveScatterOutOfOrderStaysOnHost() throws {
        let dims = "update_window_dims = [0], inserted_window_dims = [1], scatter_dims_to_operand_dims = [0, 1], index_vector_dim = 1"
        let addText = Self.scatter("f32", body: Self.add.replacingOccurrences(of: "TYPE", with: "f32"), dims: dims,
                                   operand: "6x4", indices: "3x2xi32", updates: "2x3")
        let (e, _) = try TestPrograms.lower(addText)
        let hosts = TestPrograms.hostSteps(e)
        #expect(hosts.count == 1)
        #expect(hosts.first?.reason.contains("order-sensitive") == true)

        let maxBody = """
            %s = stablehlo.maximum %a, %b : tensor<f32>
            stablehlo.return %s : tensor<f32>
        """
        try Self.expectOneKernel(Self.scatter("f32", body: maxBody, dims: dims, operand: "6x4", indices: "3x2xi32", updates: "2x3"))
        try Self.expectOneKernel(Self.scatter("i32", body: Self.add.replacingOccurrences(of: "TYPE", with: "i32"), dims: dims,
                                              operand: "6x4", indices: "3x2xi32", updates: "2x3"))
    }

    @Test func scatterWithTwoInputsAndBatchingDimsIsOneKernel() throws {
        let text = """
        func.func @main(%x: tensor<2x5xf32>, %y: tensor<2x5xi32>, %i: tensor<2x3x1xi64>, %u: tensor<2x3xf32>, %v: tensor<2x3xi32>) -> (tensor<2x5xf32>, tensor<2x5xi32>) {
          %0:2 = "stablehlo.scatter"(%x, %y, %i, %u, %v) <{scatter_dimension_numbers = #stablehlo.scatter<inserted_window_dims = [1], input_batching_dims = [0], scatter_indices_batching_dims = [0], scatter_dims_to_operand_dims = [1], index_vector_dim = 2>}> ({
          ^bb0(%a: tensor<f32>, %b: tensor<i32>, %c: tensor<f32>, %d: tensor<i32>):
            %s = stablehlo.add %a, %c : tensor<f32>
            %t = stablehlo.maximum %b, %d : tensor<i32>
            stablehlo.return %s, %t : tensor<f32>, tensor<i32>
          }) : (tensor<2x5xf32>, tensor<2x5xi32>, tensor<2x3x1xi64>, tensor<2x3xf32>, tensor<2x3xi32>) -> (tensor<2x5xf32>, tensor<2x5xi32>)
          return %0#0, %0#1 : tensor<2x5xf32>, tensor<2x5xi32>
        }
        """
        try Self.expectOneKernel(text)
    }

    /// 2^26 result elements × 2^9 scatter positions is over the per-result kernel's budget.
    @Test func hugeScatterStaysOnHost() throws {
        let text = Self.scatter(
            "f32", body: Self.add.replacingOccurrences(of: "TYPE", with: "f32"),
            dims: "update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1",
            operand: "65536x1024", indices: "512x1xi32", updates: "512x1024")
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).first?.reason.contains("budget") == true)
        try Self.expectOneKernel(Self.scatter(
            "f32", body: Self.add.replacingOccurrences(of: "TYPE", with: "f32"),
            dims: "update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1",
            operand: "65536x1024", indices: "256x1xi32", updates: "256x1024"))
    }

    @Test func scatterWithUnsupportedBodyStaysOnHost() throws {
        let body = """
            %s = stablehlo.custom_call @opaque(%b) : (tensor<f32>) -> tensor<f32>
            stablehlo.return %s : tensor<f32>
        """
        let text = Self.scatter(
            "f32", body: body,
            dims: "update_window_dims = [1], inserted_window_dims = [0], scatter_dims_to_operand_dims = [0], index_vector_dim = 1",
            operand: "5x3", indices: "4x1xi32", updates: "4x3")
        let (e, _) = try TestPrograms.lower(text)
        let hosts = TestPrograms.hostSteps(e)
        #expect(hosts.count == 1)
        #expect(hosts.first?.reason.contains("stablehlo.custom_call has no CUDA expression") == true, "\(hosts.map(\.reason))")
    }

    @Test(arguments: elementTypes)
    func gatherIsOneKernel(_ type: String) throws {
        let text = """
        func.func @main(%x: tensor<3x4x2x\(type)>, %i: tensor<2x3x2xi32>) -> tensor<2x3x2x2x\(type)> {
          %0 = "stablehlo.gather"(%x, %i) <{dimension_numbers = #stablehlo.gather<offset_dims = [2, 3], collapsed_slice_dims = [0], start_index_map = [1, 0], index_vector_dim = 2>, slice_sizes = array<i64: 1, 2, 2>}> : (tensor<3x4x2x\(type)>, tensor<2x3x2xi32>) -> tensor<2x3x2x2x\(type)>
          return %0 : tensor<2x3x2x2x\(type)>
        }
        """
        // A gather is fused (`FusedGather`): alone, it is one loop kernel that clamps its starts.
        let (e, report) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(TestPrograms.launches(e) == 1)
        #expect(report.groups.allSatisfy { $0.kind != .dedicated })
        #expect(e.kernels.first?.source.contains("< 0LL ? 0LL") == true)
    }

    @Test(arguments: elementTypes)
    func dynamicSlicesAreKernels(_ type: String) throws {
        let slice = """
        func.func @main(%x: tensor<5x3x\(type)>, %a: tensor<i64>, %b: tensor<ui8>) -> tensor<2x3x\(type)> {
          %0 = stablehlo.dynamic_slice %x, %a, %b, sizes = [2, 3] : (tensor<5x3x\(type)>, tensor<i64>, tensor<ui8>) -> tensor<2x3x\(type)>
          return %0 : tensor<2x3x\(type)>
        }
        """
        try Self.expectOneKernel(slice)
        let update = """
        func.func @main(%x: tensor<5x3x\(type)>, %u: tensor<2x2x\(type)>, %a: tensor<i32>, %b: tensor<i32>) -> tensor<5x3x\(type)> {
          %0 = stablehlo.dynamic_update_slice %x, %u, %a, %b : (tensor<5x3x\(type)>, tensor<2x2x\(type)>, tensor<i32>, tensor<i32>) -> tensor<5x3x\(type)>
          return %0 : tensor<5x3x\(type)>
        }
        """
        try Self.expectOneKernel(update)
    }

    /// Every indexed kernel of the conformance programs (lowered as conformance does: no
    /// constant folding) compiles with NVRTC for sm_90.
    @Test func conformanceIndexedKernelsCompile() throws {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        let directory = TestPrograms.conformanceDirectory.appendingPathComponent("testdata")
        let names = ["scatter", "gather", "dynamic_slice", "dynamic_update_slice"]
        let files = TestPrograms.mlirFiles(in: directory).filter { f in names.contains { f.lastPathComponent.hasPrefix($0) } }
        guard !files.isEmpty else {
            print("SKIPPED: no conformance programs in \(directory.path) (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        var sources: [String: String] = [:]
        var hostReasons: [String: Int] = [:]
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8),
                  let (e, _) = try? TestPrograms.lower(text) else { continue }
            for kernel in e.kernels {
                sources[kernel.source] = file.lastPathComponent + "_" + kernel.entryPoint
            }
            for host in TestPrograms.hostSteps(e) where names.contains(where: { host.reason.contains("stablehlo.\($0)") }) {
                hostReasons[host.reason, default: 0] += 1
            }
        }
        let programs = sources.map { (name: $0.value, source: $0.key) }
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        let results = KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: nvrtc, cache: cache)
        let failures = zip(programs, results).compactMap { program, result -> String? in
            if case .failure(let error) = result { return "\(program.name): \(error.log.prefix(1500))" }
            return nil
        }
        print("indexed kernels: \(files.count) programs, \(programs.count) distinct kernels, \(failures.count) failed; host: \(hostReasons)")
        #expect(programs.count >= files.count / 2)
        #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n\n"))")
    }
}
