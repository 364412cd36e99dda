import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// f16/bf16 convolutions with few input features per group take the tensor-core
/// implicit-GEMM kernel rather than cuDNN: which ones do, the kernel run as host C++ (the
/// m16n8k16 MMA emulated across each warp's lanes) against the reference in every layout,
/// stride, dilation, padding, reversal, group count and tail, and NVRTC compiling it.
@Suite struct ImplicitGemmConvolutionKernelTests {
    static func conv(_ lhs: String, _ rhs: String, _ result: String, dims: String = "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                     window: String = "", groups: Int = 1) -> String {
        ConvolutionCase(name: "c", lhs: lhs, rhs: rhs, result: result, dimensions: dims, window: window,
                        featureGroups: groups).text
    }

    /// Programs the kernel takes, in element type `t` (results of `r`, default `t`).
    static func programs(_ t: String, result r: String? = nil) -> [(name: String, text: String)] {
        let r = r ?? t
        return [
            // Three features (K = 147: taps and features packed, two 16-bit loads a pair).
            ("stem_7x7_stride2", conv("2x15x14x3x\(t)", "7x7x3x16x\(t)", "2x8x7x16x\(r)",
                                      window: "stride = [2, 2], pad = [[3, 3], [3, 3]]")),
            // Eight features a group, two groups (32-bit pair loads), feature tail of 12 of 16.
            ("grouped_3x3", conv("1x9x10x16x\(t)", "3x3x8x24x\(t)", "1x9x10x24x\(r)",
                                 window: "pad = [[1, 1], [1, 1]]", groups: 2)),
            // Five features a group, three groups side by side in a block (16-bit loads).
            ("grouped_odd_features", conv("1x6x5x15x\(t)", "3x3x5x24x\(t)", "1x6x5x24x\(r)",
                                          window: "pad = [[1, 1], [1, 1]]", groups: 3)),
            // Dilation, reversal, asymmetric and negative padding, 5 output features (scalar stores).
            ("dilated_reversed_padding", conv("2x11x9x6x\(t)", "3x3x6x5x\(t)", "2x10x6x5x\(r)",
                                              window: "pad = [[2, 1], [-1, 2]], rhs_dilate = [2, 2], reverse = [true, true]")),
            // Filter in OIHW order, one spatial dimension, more than 64 output features (two n blocks).
            ("conv1d_oih", conv("3x20x5x\(t)", "72x5x3x\(t)", "3x18x72x\(r)", dims: "[b, 0, f]x[o, i, 0]->[b, 0, f]")),
            // 800 positions: four 256-row tiles (one block each, or one block looping over them).
            ("many_tiles", conv("2x20x20x3x\(t)", "3x3x3x8x\(t)", "2x20x20x8x\(r)", window: "pad = [[1, 1], [1, 1]]")),
            // Channels-first input and output (strided gathers and stores), M tail.
            ("nchw", conv("2x4x7x9x\(t)", "8x4x3x3x\(t)", "2x8x5x7x\(r)", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]")),
        ]
    }

    @Test func narrowConvolutionsTakeTheKernel() throws {
        for (name, text) in Self.programs("bf16") where name != "nchw" {
            let op = try ConvolutionLoweringTests.convolution(in: text)
            if name.hasPrefix("grouped") {
                // Grouped convolutions stay with cuDNN (faster on the H100); without vendor
                // libraries they take the kernel.
                if case .generated(let reason) = ConvolutionLowering.path(op, useVendorLibraries: true) {
                    Issue.record("\(name) did not go to cuDNN: \(reason)")
                }
                let (executable, _) = try TestPrograms.lower(text, vendor: false)
                #expect(executable.kernels.first?.source.contains("implicit-GEMM convolution") == true, "\(name)")
                continue
            }
            guard case .generated(let reason) = ConvolutionLowering.path(op, useVendorLibraries: true) else {
                Issue.record("\(name) went to cuDNN")
                continue
            }
            #expect(reason.contains("implicit-GEMM"), "\(name): \(reason)")
            for vendor in [true, false] {
                let (executable, _) = try TestPrograms.lower(text, vendor: vendor)
                #expect(executable.steps.count == 1 && TestPrograms.launches(executable) == 1, "\(name) vendor \(vendor)")
                #expect(executable.kernels.first?.source.contains("implicit-GEMM convolution") == true, "\(name)")
            }
        }
        // A channels-first f16 stem is put channels-last (tiled transposes), not padded to 16 features.
        let nchw = Self.conv("2x3x16x16xf16", "8x3x3x3xf16", "2x8x16x16xf16", dims: "[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]",
                             window: "pad = [[1, 1], [1, 1]]")
        let (executable, _) = try TestPrograms.lower(nchw)
        #expect(executable.kernels.contains { $0.source.contains("implicit-GEMM convolution tensor<2x16x16x3xf16>") },
                "\(executable.kernels.map(\.entryPoint))")
        // 16 features, f32, and depthwise convolutions keep their paths.
        let others: [(String, String)] = [
            (Self.conv("2x8x8x16xbf16", "3x3x16x8xbf16", "2x6x6x8xbf16"), "cudnn"),
            (Self.conv("2x8x8x3xf32", "3x3x3x8xf32", "2x6x6x8xf32"), "cudnn"),
            (Self.conv("2x8x8x8xbf16", "3x3x1x8xbf16", "2x6x6x8xbf16", groups: 8), "depthwise"),
        ]
        for (text, path) in others {
            let op = try ConvolutionLoweringTests.convolution(in: text)
            switch ConvolutionLowering.path(op, useVendorLibraries: true) {
            case .vendor: #expect(path == "cudnn", "\(text)")
            case .generated(let reason): #expect(reason.contains(path), "\(text): \(reason)")
            }
        }
        // A filter slice too large for shared memory is staged in chunks of K.
        let large = try #require(ImplicitGemmConvolutionKernel.Tiling(try ConvolutionGeometry(
            ConvolutionLoweringTests.convolution(in: Self.conv("1x8x8x15xbf16", "15x15x15x64xbf16", "1x8x8x64xbf16",
                                                               window: "pad = [[7, 7], [7, 7]]")))))
        #expect(large.isChunked && large.chunk % 16 == 0 && large.sharedBytes <= ImplicitGemmConvolutionKernel.sharedLimit)
    }

    /// Inputs of -1, 0 and 1: every partial sum is an integer of at most K ≤ 256 in
    /// magnitude, exact in f16 and bf16, so the reference's per-add rounding and the
    /// kernel's f32 accumulation agree bit for bit.
    static func cases(_ programs: [(name: String, text: String)], seed: UInt64) throws -> [LinalgHostEmulationTests.Case] {
        var numbers = LinalgHostEmulationTests.Numbers(state: seed)
        return try programs.map { p in
            let module = try Module.parse(p.text, file: "\(p.name).mlir")
            let types = module.functions.first?.inputTypes.compactMap(\.tensorType) ?? []
            let inputs = types.map { t in
                Tensor(type: t, storage: .floats((0..<t.elementCount).map { _ in (numbers.next() * 1.49).rounded() }))
            }
            return LinalgHostEmulationTests.Case(name: p.name, text: p.text, inputs: inputs)
        }
    }

    @Test(arguments: [("bf16", "bf16"), ("f16", "f16"), ("bf16", "f32")])
    func kernelMatchesTheReference(_ types: (String, String)) throws {
        let cases = try Self.cases(Self.programs(types.0, result: types.1), seed: 11)
        try LinalgHostEmulationTests.expectBitForBit(cases, label: "implicit gemm \(types.0) \(types.1)")
        // One block per feature block, looping over every position tile; and K staged in
        // chunks of 16 or 32 (a 3 KiB shared-memory limit), restaged for every tile.
        try ImplicitGemmConvolutionKernel.$maxBlocks.withValue(1) {
            try LinalgHostEmulationTests.expectBitForBit(cases, label: "implicit gemm looped \(types.0) \(types.1)")
            try ImplicitGemmConvolutionKernel.$sharedLimit.withValue(3 * 1024) {
                try LinalgHostEmulationTests.expectBitForBit(cases, label: "implicit gemm chunked \(types.0) \(types.1)")
            }
        }
    }

    @Test(arguments: [("bf16", "bf16"), ("f16", "f16"), ("f16", "f32")])
    func kernelCompilesForSM90(_ types: (String, String)) throws {
        for (name, text) in Self.programs(types.0, result: types.1) {
            let (executable, _) = try TestPrograms.lower(text, vendor: false)
            #expect(executable.kernels.contains { $0.source.contains("implicit-GEMM") }, "\(name)")
            try ComplexKernelTests.expectCompiles(executable, label: "implicit gemm \(name) \(types.0)")
        }
        // Without vendor libraries a wide convolution takes the kernel too, K in chunks.
        let wide = Self.conv("2x8x8x256x\(types.0)", "3x3x256x64x\(types.0)", "2x8x8x64x\(types.1)", window: "pad = [[1, 1], [1, 1]]")
        let (executable, _) = try TestPrograms.lower(wide, vendor: false)
        #expect(executable.kernels.contains { $0.source.contains("in chunks of") }, "\(executable.kernels.map(\.entryPoint))")
        try ComplexKernelTests.expectCompiles(executable, label: "implicit gemm chunked \(types.0)")
    }
}
