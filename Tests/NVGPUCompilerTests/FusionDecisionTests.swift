import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Fusion and buffer-planning decisions on small programs.
@Suite struct FusionDecisionTests {
    static let softmax = """
    func.func @main(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
      %ninf = stablehlo.constant dense<0xFF800000> : tensor<f32>
      %m = stablehlo.reduce(%x init: %ninf) applies stablehlo.maximum across dimensions = [1] : (tensor<4x64xf32>, tensor<f32>) -> tensor<4xf32>
      %mb = stablehlo.broadcast_in_dim %m, dims = [0] : (tensor<4xf32>) -> tensor<4x64xf32>
      %d = stablehlo.subtract %x, %mb : tensor<4x64xf32>
      %e = stablehlo.exponential %d : tensor<4x64xf32>
      %zero = stablehlo.constant dense<0.0> : tensor<f32>
      %s = stablehlo.reduce(%e init: %zero) applies stablehlo.add across dimensions = [1] : (tensor<4x64xf32>, tensor<f32>) -> tensor<4xf32>
      %sb = stablehlo.broadcast_in_dim %s, dims = [0] : (tensor<4xf32>) -> tensor<4x64xf32>
      %y = stablehlo.divide %e, %sb : tensor<4x64xf32>
      return %y : tensor<4x64xf32>
    }
    """

    @Test func softmaxIsOneRowKernel() throws {
        let (e, report) = try TestPrograms.lower(Self.softmax)
        #expect(TestPrograms.launches(e) == 1)
        let fusions = report.groups.filter { $0.kind == .fusion }
        #expect(fusions.count == 1)
        #expect(fusions.first?.operations.count == 7)
        #expect(e.kernels.first?.source.contains("nv_shfl_xor") == true)
        #expect(!e.kernels.contains { $0.source.contains("#include") })
    }

    @Test(arguments: ["f32", "bf16", "f16", "f64", "i32", "ui8"])
    func elementwiseChainIsOneKernel(_ type: String) throws {
        let text = """
        func.func @main(%a: tensor<8x16x\(type)>, %b: tensor<8x16x\(type)>) -> tensor<8x16x\(type)> {
          %0 = stablehlo.multiply %a, %b : tensor<8x16x\(type)>
          %1 = stablehlo.add %0, %a : tensor<8x16x\(type)>
          %2 = stablehlo.maximum %1, %b : tensor<8x16x\(type)>
          %3 = stablehlo.transpose %2, dims = [1, 0] : (tensor<8x16x\(type)>) -> tensor<16x8x\(type)>
          %4 = stablehlo.reshape %3 : (tensor<16x8x\(type)>) -> tensor<8x16x\(type)>
          %5 = stablehlo.subtract %4, %a : tensor<8x16x\(type)>
          return %5 : tensor<8x16x\(type)>
        }
        """
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.launches(e) == 1)
        #expect(e.steps.count == 1)
    }

    @Test func reductionOverLeadingDimensionIsAColumnKernel() throws {
        let text = """
        func.func @main(%x: tensor<32x8xf32>) -> tensor<8xf32> {
          %z = stablehlo.constant dense<0.0> : tensor<f32>
          %e = stablehlo.exponential %x : tensor<32x8xf32>
          %s = stablehlo.reduce(%e init: %z) applies stablehlo.add across dimensions = [0] : (tensor<32x8xf32>, tensor<f32>) -> tensor<8xf32>
          return %s : tensor<8xf32>
        }
        """
        let (e, _) = try TestPrograms.lower(text)
        #expect(TestPrograms.launches(e) == 1)
        #expect(e.kernels.first?.source.contains("column reduction of [1, 32, 8]") == true)
    }

    /// `chlo.square` (what `jnp.var` exports) is elementwise in every element type: one
    /// kernel, no host step, compiled by NVRTC.
    @Test(arguments: ["f32", "bf16", "f16", "f64", "i32", "i8", "ui16", "i1", "complex<f32>"])
    func chloSquareIsElementwise(_ type: String) throws {
        let e = try ComplexKernelTests.onDevice(ComplexKernelTests.unary("chlo.square", type))
        #expect(TestPrograms.launches(e) == 1)
        try ComplexKernelTests.expectCompiles(e, label: "chlo.square \(type)")
    }

    @Test func unsupportedOpsBecomeHostStepsWithReasons() throws {
        let text = """
        func.func @main(%x: tensor<16xf32>) -> tensor<16xf32> {
          %0 = stablehlo.exponential %x : tensor<16xf32>
          %1 = stablehlo.custom_call @user_library_call(%0) : (tensor<16xf32>) -> tensor<16xf32>
          %2 = stablehlo.negate %1 : tensor<16xf32>
          return %2 : tensor<16xf32>
        }
        """
        let (e, _) = try TestPrograms.lower(text)
        let hosts = TestPrograms.hostSteps(e)
        #expect(hosts.count == 1)
        #expect(hosts.first?.reason == "no CUDA kernel for stablehlo.custom_call yet")
        #expect(TestPrograms.launches(e) == 2)
        #expect(e.hostPrograms.first?.contains("user_library_call") == true)
    }

    /// `c = a + dot(a, w)` must not fuse `a` and `c` around the matmul (a cycle).
    @Test func fusionNeverFormsACycleAroundAMatmul() throws {
        let text = """
        func.func @main(%x: tensor<16x16xf32>, %w: tensor<16x16xf32>) -> tensor<16x16xf32> {
          %a = stablehlo.exponential %x : tensor<16x16xf32>
          %d = stablehlo.dot_general %a, %w, contracting_dims = [1] x [0] : (tensor<16x16xf32>, tensor<16x16xf32>) -> tensor<16x16xf32>
          %c = stablehlo.add %a, %d : tensor<16x16xf32>
          return %c : tensor<16x16xf32>
        }
        """
        let (e, report) = try TestPrograms.lower(text)
        #expect(report.groups.count == 3)
        #expect(TestPrograms.launches(e) == 2)
        #expect(TestPrograms.matmuls(e) == 1)
        guard case .matmul(let call)? = e.steps.dropFirst().first else {
            Issue.record("the matmul is not the second step: \(e.inspection())")
            return
        }
        #expect(call.allowsTF32 == true)
    }

    @Test(arguments: [true, false])
    func matmulLowering(vendor: Bool) throws {
        let text = """
        func.func @main(%q: tensor<2x8x4xbf16>, %k: tensor<2x8x4xbf16>) -> tensor<2x8x8xf32> {
          %0 = stablehlo.dot_general %q, %k, batching_dims = [0] x [0], contracting_dims = [2] x [2], precision = [HIGHEST, HIGHEST] : (tensor<2x8x4xbf16>, tensor<2x8x4xbf16>) -> tensor<2x8x8xf32>
          return %0 : tensor<2x8x8xf32>
        }
        """
        let (e, _) = try TestPrograms.lower(text, vendor: vendor)
        if vendor {
            guard case .matmul(let call)? = e.steps.first else {
                Issue.record("expected a matmul: \(e.inspection())")
                return
            }
            #expect(call.batch == 2 && call.m == 8 && call.n == 8 && call.k == 4)
            #expect(!call.transposeA && call.transposeB)
            #expect(call.inputType == "bf16" && call.outputType == "f32")
        } else {
            #expect(TestPrograms.launches(e) == 1)
            #expect(e.kernels.first?.entryPoint.hasPrefix("gemm_") == true)
        }
    }

    @Test func chainReusesArenaBuffers() throws {
        // Each matmul output dies two steps later, so the arena needs far less than the sum.
        var lines = ["func.func @main(%x: tensor<64x64xf32>, %w: tensor<64x64xf32>) -> tensor<64x64xf32> {"]
        var last = "%x"
        for i in 0..<6 {
            lines.append("  %d\(i) = stablehlo.dot_general \(last), %w, contracting_dims = [1] x [0] : (tensor<64x64xf32>, tensor<64x64xf32>) -> tensor<64x64xf32>")
            lines.append("  %t\(i) = stablehlo.tanh %d\(i) : tensor<64x64xf32>")
            last = "%t\(i)"
        }
        lines.append("  return \(last) : tensor<64x64xf32>")
        lines.append("}")
        let (e, _) = try TestPrograms.lower(lines.joined(separator: "\n"))
        let arena = e.buffers.filter { if case .arena = $0.placement { return true } else { return false } }
        let total = arena.map(\.byteSize).reduce(0, +)
        #expect(arena.count == 12)
        #expect(e.arenaBytes <= 3 * 64 * 64 * 4)
        #expect(e.arenaBytes < total)
        for b in arena { if case .arena(let offset) = b.placement { #expect(offset % 256 == 0) } }
    }

    @Test func liveBuffersNeverOverlap() {
        let lifetimes = [
            BufferPlanning.Lifetime(buffer: 0, bytes: 1000, firstStep: 0, lastStep: 1),
            BufferPlanning.Lifetime(buffer: 1, bytes: 300, firstStep: 1, lastStep: 2),
            BufferPlanning.Lifetime(buffer: 2, bytes: 700, firstStep: 2, lastStep: 3),
            BufferPlanning.Lifetime(buffer: 3, bytes: 5000, firstStep: 3, lastStep: 4),
        ]
        let plan = BufferPlanning.plan(lifetimes)
        for a in lifetimes {
            for b in lifetimes where a.buffer < b.buffer && a.lastStep >= b.firstStep && b.lastStep >= a.firstStep {
                let (oa, ob) = (plan.offsets[a.buffer] ?? -1, plan.offsets[b.buffer] ?? -1)
                #expect(oa + a.bytes <= ob || ob + b.bytes <= oa, "buffers \(a.buffer) and \(b.buffer) overlap")
            }
        }
        #expect(plan.offsets[2] == 0)  // buffer 0 is dead by step 2
        #expect(plan.arenaBytes < lifetimes.map { BufferPlanning.rounded($0.bytes) }.reduce(0, +))
    }
}
