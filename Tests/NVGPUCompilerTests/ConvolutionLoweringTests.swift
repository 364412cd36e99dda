import Foundation
@testable import NVGPUCompiler
import Runtime
import StableHLO
import Testing

/// Which path each convolution takes (cuDNN, with or without a filter transpose, or the
/// generated kernel), and that every generated convolution kernel compiles for sm_90.
@Suite struct ConvolutionLoweringTests {
    static func convolution(in text: String) throws -> StableHLO.Operation {
        let module = try Module.parse(text, file: "conv.mlir")
        guard let op = module.function(named: "main")?.body.entry?.operations.first(where: { $0.name == "stablehlo.convolution" }) else {
            throw CodeGenError("no convolution in the test program")
        }
        return op
    }

    @Test(arguments: ConvolutionCase.vendor.map(\.0.name))
    func vendorConvolutionsGoToCuDNN(_ name: String) throws {
        let (c, layout, permutation) = try #require(ConvolutionCase.vendor.first { $0.0.name == name })
        let op = try Self.convolution(in: c.text)
        guard case .vendor(let call, let planned, nil) = ConvolutionLowering.path(op, useVendorLibraries: true) else {
            Issue.record("\(name): \(ConvolutionLowering.path(op, useVendorLibraries: true))")
            return
        }
        #expect(call.layout.rawValue == layout)
        #expect(call.direction == .forward)
        #expect(planned == permutation)
        let geometry = try ConvolutionGeometry(op)
        #expect(call.n == geometry.batch && call.c == geometry.inputFeatures && call.k == geometry.outputFeatures)
        #expect(call.groups == geometry.featureGroups)
        #expect(call.flipsWindow == geometry.reversal.contains(true))
        #expect(call.outputHeight * call.outputWidth == geometry.outputSizes.reduce(1, *))

        let (executable, _) = try TestPrograms.lower(c.text)
        let steps = executable.steps
        let convolutions = steps.compactMap { step -> ConvolutionCall? in
            if case .convolution(let call) = step { return call }
            return nil
        }
        #expect(convolutions.count == 1)
        #expect(TestPrograms.launches(executable) == (permutation == nil ? 0 : 1))
        if let permutation, let step = convolutions.first {
            // The filter the step reads is the transposed scratch buffer, in cuDNN's order.
            let slot = executable.buffers[step.filter]
            let rhs = try #require(op.operandTensorType(1))
            #expect(slot.shape == permutation.map { rhs.shape[$0] })
            #expect(executable.kernels.first?.source.contains("filter layout") == true)
        }
        #expect(TestPrograms.hostSteps(executable).isEmpty)
    }

    @Test(arguments: ConvolutionCase.generated.map(\.0.name))
    func otherConvolutionsAreGenerated(_ name: String) throws {
        let (c, reason) = try #require(ConvolutionCase.generated.first { $0.0.name == name })
        let op = try Self.convolution(in: c.text)
        guard case .generated(let why) = ConvolutionLowering.path(op, useVendorLibraries: true) else {
            Issue.record("\(name) went to cuDNN")
            return
        }
        #expect(why.contains(reason), "\(why)")
        let (executable, _) = try TestPrograms.lower(c.text)
        if why.contains("layouts"), ConvolutionLayoutPass.isEnabledByEnvironment {
            // `nvgpu-convolution-layout` puts it channels-last for cuDNN first.
            #expect(executable.steps.contains { if case .convolution = $0 { return true } else { return false } })
            return
        }
        #expect(TestPrograms.launches(executable) == 1)
        #expect(executable.steps.count == 1)
        #expect(executable.kernels.first?.source.contains("not cuDNN: \(why)") == true)
    }

    @Test(arguments: ConvolutionCase.vendor.map(\.0.name))
    func noVendorLibrariesMeansGenerated(_ name: String) throws {
        let (c, _, _) = try #require(ConvolutionCase.vendor.first { $0.0.name == name })
        let (executable, _) = try TestPrograms.lower(c.text, vendor: false)
        #expect(executable.steps.count == 1)
        #expect(TestPrograms.launches(executable) == 1)
        // f16/bf16 take the tensor-core implicit GEMM; the rest one thread per output.
        let kernel = c.lhs.hasSuffix("f16") ? "implicit-GEMM convolution" : "one thread per output element"
        #expect(executable.kernels.first?.source.contains(kernel) == true, "\(name)")
    }

    @Test func workloadUsesCuDNNWithTheBiasAndReLUFolded() throws {
        let url = TestPrograms.workloadsDirectory.appendingPathComponent("conv3x3_relu_bf16.mlir")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            print("SKIPPED: \(url.path) is absent")
            return
        }
        let (executable, _) = try TestPrograms.lower(text)
        let kinds = executable.steps.map { step -> String in
            switch step {
            case .launch(let l): return executable.kernels[l.kernel].entryPoint.hasSuffix("_filter") ? "filter" : "kernel"
            case .convolution(let c):
                return "cudnn \(c.layout) \(c.elementType) \(c.n)x\(c.h)x\(c.w)x\(c.c) k\(c.k) \(c.r)x\(c.s) pad \(c.padding)"
                    + (c.reluBias.map { " relu(+b\($0))" } ?? "")
            default: return "other"
            }
        }
        #expect(kinds == ["filter", "cudnn nhwc bf16 32x56x56x256 k256 3x3 pad [1, 1] relu(+b2)"], "\(kinds)")
        #expect(executable.constants.isEmpty && executable.arenaBytes < 60 << 20, "\(executable.inspection())")
        let (generated, _) = try TestPrograms.lower(text, vendor: false)
        #expect(TestPrograms.launches(generated) == 2 && generated.steps.count == 2)
    }

    /// `relu(conv + bias)` in NHWC folds into the step; anything else stays a fusion.
    @Test(arguments: [("nhwc", true), ("nhwc_shared", false), ("nchw", false), ("nhwc_no_relu", false)])
    func biasAndReLUFoldIntoCuDNN(_ form: String, _ folds: Bool) throws {
        let nchw = form == "nchw"
        let (x, out) = nchw ? ("2x16x8x8", "2x6x8x8") : ("2x8x8x16", "2x8x8x6")
        let dims = nchw ? "[b, f, 0, 1]x[0, 1, i, o]->[b, f, 0, 1]" : "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]"
        let biasDimension = nchw ? 1 : 3
        let tail: String
        switch form {
        case "nhwc_shared":  // the convolution's value is also returned
            tail = "%r = stablehlo.maximum %s, %z : tensor<\(out)xbf16>\n  %t = stablehlo.add %r, %c : tensor<\(out)xbf16>\n  return %t : tensor<\(out)xbf16>"
        case "nhwc_no_relu":
            tail = "return %s : tensor<\(out)xbf16>"
        default:
            tail = "%r = stablehlo.maximum %s, %z : tensor<\(out)xbf16>\n  return %r : tensor<\(out)xbf16>"
        }
        let text = """
        func.func @main(%x: tensor<\(x)xbf16>, %w: tensor<3x3x16x6xbf16>, %b: tensor<6xbf16>) -> tensor<\(out)xbf16> {
          %c = stablehlo.convolution(%x, %w) dim_numbers = \(dims), window = {pad = [[1, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<\(x)xbf16>, tensor<3x3x16x6xbf16>) -> tensor<\(out)xbf16>
          %bb = stablehlo.broadcast_in_dim %b, dims = [\(biasDimension)] : (tensor<6xbf16>) -> tensor<\(out)xbf16>
          %s = stablehlo.add %c, %bb : tensor<\(out)xbf16>
          %zero = stablehlo.constant dense<0.0> : tensor<bf16>
          %z = stablehlo.broadcast_in_dim %zero, dims = [] : (tensor<bf16>) -> tensor<\(out)xbf16>
          \(tail)
        }
        """
        let (executable, _) = try TestPrograms.lower(text)
        let calls = executable.steps.compactMap { step -> ConvolutionCall? in
            if case .convolution(let call) = step { return call }
            return nil
        }
        #expect(calls.count == 1)
        #expect((calls.first?.reluBias != nil) == folds)
        if folds, let call = calls.first, let bias = call.reluBias {
            #expect(executable.buffers[bias].shape == [6] && executable.buffers[bias].placement == .input(index: 2))
            #expect(executable.outputs == [call.output])
            #expect(TestPrograms.launches(executable) == 1)  // the filter transpose only
            #expect(executable.constants.isEmpty, "the ReLU's zero was left behind as a buffer")
        } else {
            // Filter transpose + the bias/ReLU fusion; channels-first bf16 also transposes its
            // input (the output transpose fuses with the bias and ReLU).
            #expect(TestPrograms.launches(executable) == (nchw ? 3 : 2))
        }
        let (generated, _) = try TestPrograms.lower(text, vendor: false)
        #expect(!generated.steps.contains { if case .convolution = $0 { return true } else { return false } })
    }

    @Test func badGeometryIsAnErrorNotACrash() throws {
        // The result's spatial extent does not match the window: classified for the host,
        // and the geometry reader names the op's types.
        let c = ConvolutionCase(name: "bad", lhs: "1x8x8x2xf32", rhs: "3x3x2x2xf32", result: "1x7x7x2xf32",
                                dimensions: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]")
        let op = try Self.convolution(in: c.text)
        #expect(throws: CodeGenError.self) { try ConvolutionGeometry(op) }
        if case .convolution = OperationClass(op) { Issue.record("a bad convolution was classified for the GPU") }
    }

    // MARK: - NVRTC

    static func compileAll(_ cases: [ConvolutionCase], vendor: Bool, label: String) throws -> (kernels: Int, failures: [String]) {
        guard let nvrtc = try NVRTCCompileTests.compiler() else { return (0, []) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nvgpu-conv-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [URL] = []
        for c in cases {
            let file = directory.appendingPathComponent(c.name + ".mlir")
            try c.text.write(to: file, atomically: true, encoding: .utf8)
            files.append(file)
            // Every case must lower: compileKernels skips programs that do not.
            _ = try TestPrograms.lower(c.text, vendor: vendor)
        }
        let result = try NVRTCCompileTests.compileKernels(of: files, label: label, compiler: nvrtc)
        return (result.kernels, result.failures)
    }

    @Test(arguments: [false, true])
    func everyConvolutionKernelCompiles(vendor: Bool) throws {
        let result = try Self.compileAll(ConvolutionCase.all, vendor: vendor, label: "convolution cases")
        #expect(result.failures.isEmpty, "\(result.failures.prefix(3).joined(separator: "\n\n"))")
    }

    @Test(arguments: ["f64", "f16", "bf16", "i8", "i64", "ui8", "ui32", "i1"])
    func generatedKernelCompilesForElementType(_ type: String) throws {
        let cases = [ConvolutionCase.generated[0].0, ConvolutionCase.vendor[0].0].map { $0.with(elementType: type) }
        let result = try Self.compileAll(cases, vendor: false, label: "convolution \(type)")
        #expect(result.failures.isEmpty, "\(result.failures.prefix(3).joined(separator: "\n\n"))")
    }

    @Test func conformanceConvolutionKernelsCompile() throws {
        let cases = ConvolutionCase.conformance(in: TestPrograms.conformanceDirectory.appendingPathComponent("testdata"))
        guard !cases.isEmpty else {
            print("SKIPPED: no conformance convolutions in \(TestPrograms.conformanceDirectory.path)")
            return
        }
        #expect(cases.count >= 11)
        let generated = try Self.compileAll(cases, vendor: false, label: "conformance convolutions (generated)")
        #expect(generated.failures.isEmpty, "\(generated.failures.prefix(3).joined(separator: "\n\n"))")
        let vendor = try Self.compileAll(cases, vendor: true, label: "conformance convolutions (cuDNN where it applies)")
        #expect(vendor.failures.isEmpty, "\(vendor.failures.prefix(3).joined(separator: "\n\n"))")
    }
}
