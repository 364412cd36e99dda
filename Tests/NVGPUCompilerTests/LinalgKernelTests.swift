import CUDA
import Foundation
import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// `triangular_solve` and `cholesky` as kernels of their own (`TriangularSolveKernel`,
/// `CholeskyKernel`): every attribute combination and element type lowers to one kernel
/// with no host step, the source follows the reference's order, unsupported forms stay on
/// the host with a reason, and every kernel compiles with NVRTC for sm_90.
@Suite struct LinalgKernelTests {
    static let elementTypes = ["f32", "f64", "bf16", "f16", "complex<f32>", "complex<f64>"]
    static let transposes = ["NO_TRANSPOSE", "TRANSPOSE", "ADJOINT"]

    /// Every (left_side, lower, unit_diagonal, transpose_a) combination.
    static let forms: [(left: Bool, lower: Bool, unit: Bool, transpose: String)] = [true, false].flatMap { left in
        [true, false].flatMap { lower in
            [true, false].flatMap { unit in transposes.map { (left, lower, unit, $0) } }
        }
    }

    static func triangularSolve(_ type: String, left: Bool, lower: Bool, unit: Bool, transpose: String,
                                batch: String = "", m: Int = 4, k: Int = 3) -> String {
        let a = "tensor<\(batch)\(m)x\(m)x\(type)>"
        let b = left ? "tensor<\(batch)\(m)x\(k)x\(type)>" : "tensor<\(batch)\(k)x\(m)x\(type)>"
        return """
            func.func @main(%a: \(a), %b: \(b)) -> \(b) {
              %0 = "stablehlo.triangular_solve"(%a, %b) {left_side = \(left), lower = \(lower), unit_diagonal = \(unit), transpose_a = #stablehlo<transpose \(transpose)>} : (\(a), \(b)) -> \(b)
              return %0 : \(b)
            }
            """
    }

    static func cholesky(_ type: String, lower: Bool, shape: String = "5x5") -> String {
        """
        func.func @main(%a: tensor<\(shape)x\(type)>) -> tensor<\(shape)x\(type)> {
          %0 = "stablehlo.cholesky"(%a) {lower = \(lower)} : (tensor<\(shape)x\(type)>) -> tensor<\(shape)x\(type)>
          return %0 : tensor<\(shape)x\(type)>
        }
        """
    }

    /// Lowers `text`, expecting one dedicated kernel and no host step; returns its source.
    static func oneKernel(_ text: String) throws -> String {
        let (e, report) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty, "\(TestPrograms.hostSteps(e).map(\.reason))")
        #expect(report.groups.contains { $0.kind == .dedicated })
        #expect(TestPrograms.launches(e) == 1)
        #expect(e.kernels.allSatisfy { !$0.source.contains("#include") && !$0.source.contains("atomic") })
        return try #require(e.kernels.first?.source)
    }

    @Test(arguments: elementTypes)
    func triangularSolveEveryFormIsOneKernel(_ type: String) throws {
        for form in Self.forms {
            let text = Self.triangularSolve(type, left: form.left, lower: form.lower, unit: form.unit, transpose: form.transpose)
            // The kernel function, after the prelude and the nv_wc helpers.
            let source = try Self.oneKernel(text).components(separatedBy: "extern \"C\"").last ?? ""
            // Forward substitution exactly when the solved matrix is lower triangular.
            let opLower = form.lower == (form.transpose == "NO_TRANSPOSE")
            let forward = form.left ? opLower : !opLower
            #expect(source.contains(forward ? "for (idx_t i = 0; i < 4; ++i)" : "for (idx_t i = 3; i >= 0; --i)"), "\(form)")
            #expect(source.contains("nv_wc_div(s, ") && source.contains("nv_wc_sub(s, nv_wc_mul("))
            #expect(source.contains("nv_wc_make(1.0, 0.0)") == form.unit, "\(form)")
            #expect(source.contains("nv_wc_conj(") == (form.transpose == "ADJOINT"), "\(form)")
        }
    }

    /// Leading batch dimensions: one thread per (batch, right-hand side), a double scratch.
    @Test func batchedTriangularSolve() throws {
        let text = Self.triangularSolve("f32", left: false, lower: true, unit: false, transpose: "TRANSPOSE", batch: "2x3x", m: 6, k: 5)
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.hostSteps(e).isEmpty)
        let source = try #require(e.kernels.first?.source)
        #expect(source.contains("o < (idx_t)30;"))  // 6 batches x 5 rows of b
        #expect(source.contains("batch * 36"))
        let scratch = e.buffers.filter { $0.name.hasPrefix("scratch0") }
        #expect(scratch.map(\.elementType) == [ElementType.float(.f64)])
        #expect(scratch.first?.shape == [2 * 6 * 6 * 5])
    }

    /// Forward substitution on few long right-hand sides: a block per right-hand side, one
    /// barrier per row, rows taking their terms in the same order; back substitution and
    /// many right-hand sides keep a thread each.
    @Test func fewLongRightHandSidesTakeABlockEach() throws {
        let forward = Self.triangularSolve("f32", left: true, lower: true, unit: false, transpose: "NO_TRANSPOSE", m: 70, k: 2)
        let source = try Self.oneKernel(forward)
        #expect(source.contains("one block per right-hand side"))
        #expect(source.contains("for (idx_t j = 0; j < 70; ++j)") && source.contains("__syncthreads()"))
        let (e, _) = try TestPrograms.lower(forward)
        guard case .launch(let launch)? = e.steps.first(where: { if case .launch = $0 { return true } else { return false } }) else {
            Issue.record("no launch")
            return
        }
        #expect(launch.grid == [2, 1, 1])
        // The right side with op(a) lower solves the transpose: back substitution, a thread each.
        let backward = Self.triangularSolve("f32", left: false, lower: true, unit: false, transpose: "NO_TRANSPOSE", m: 70, k: 2)
        #expect(try Self.oneKernel(backward).contains("one thread per right-hand side"))
        let many = Self.triangularSolve("f32", left: true, lower: true, unit: false, transpose: "NO_TRANSPOSE", m: 70, k: 2000)
        #expect(try Self.oneKernel(many).contains("one thread per right-hand side"))
    }

    @Test(arguments: elementTypes, [true, false])
    func choleskyIsOneBlockPerMatrix(_ type: String, lower: Bool) throws {
        let source = try Self.oneKernel(Self.cholesky(type, lower: lower, shape: "3x5x5"))
        #expect(source.contains("bm < 3;"))
        #expect(source.contains("__dsqrt_rn(d)") && source.contains("0x7ff8000000000000LL"))
        #expect(source.contains("__syncthreads()"))
        // The result keeps l (lower) or its conjugate transpose (upper) in the used triangle.
        #expect(source.contains(lower ? "q <= p ?" : "p <= q ? nv_wc_conj("))
    }

    /// Forms with no kernel say why; an empty batch needs no kernel at all.
    @Test func unsupportedFormsStayOnHostWithReason() throws {
        let (e, _) = try TestPrograms.lower(Self.triangularSolve("f8E5M2", left: true, lower: true, unit: false, transpose: "NO_TRANSPOSE"))
        let reasons = TestPrograms.hostSteps(e).map(\.reason)
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains("only f64, f32, bf16, f16, complex<f32> and complex<f64> have kernels") == true, "\(reasons)")

        let (empty, _) = try TestPrograms.lower(Self.cholesky("f32", lower: true, shape: "0x4x4"))
        #expect(TestPrograms.hostSteps(empty).isEmpty)
        #expect(TestPrograms.launches(empty) == 0)
    }

    /// The kernels of every attribute combination and element type compile with NVRTC
    /// for sm_90.
    @Test func everyLinalgKernelCompiles() throws {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return }
        var sources: [String: String] = [:]
        for type in Self.elementTypes {
            for (k, form) in Self.forms.enumerated() {
                let text = Self.triangularSolve(type, left: form.left, lower: form.lower, unit: form.unit,
                                                transpose: form.transpose, batch: "2x", m: 5, k: 3)
                for kernel in try TestPrograms.lower(text).0.kernels { sources[kernel.source] = "trsm_\(k)_\(type)" }
                // The block-per-right-hand-side schedule where it applies.
                let long = Self.triangularSolve(type, left: form.left, lower: form.lower, unit: form.unit,
                                                transpose: form.transpose, m: 64, k: 1)
                for kernel in try TestPrograms.lower(long).0.kernels where kernel.source.contains("one block per right-hand side") {
                    sources[kernel.source] = "trsm_block_\(k)_\(type)"
                }
            }
            for lower in [true, false] {
                for kernel in try TestPrograms.lower(Self.cholesky(type, lower: lower, shape: "2x6x6")).0.kernels {
                    sources[kernel.source] = "cholesky_\(lower)_\(type)"
                }
            }
        }
        let programs = sources.map { (name: $0.value.replacingOccurrences(of: "<", with: "_").replacingOccurrences(of: ">", with: "_"),
                                      source: $0.key) }
        // Half the forms solve forward; each of those also has a block-per-right-hand-side kernel.
        #expect(programs.count == (Self.forms.count * 3 / 2 + 2) * Self.elementTypes.count)
        let cache = KernelCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-test-kernels"))
        let results = KernelCompilation.compileAll(programs, architecture: "sm_90", compiler: nvrtc, cache: cache)
        var failures: [String] = []
        for (program, result) in zip(programs, results) {
            if case .failure(let error) = result { failures.append("\(program.name): \(error.log.prefix(1500))") }
        }
        print("linalg: \(programs.count) kernels, \(programs.count - failures.count) compiled for sm_90")
        #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n\n"))")
    }
}
