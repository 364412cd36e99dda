import Foundation
@testable import NVGPUCompiler
import Reference
import Runtime
import StableHLO
import Testing

/// Convolutions mapped onto cuDNN's three directions (forward, backward data, backward
/// filter) compute what the program says: each call is evaluated here with cuDNN's
/// documented semantics and compared with the reference backend on random inputs; and the
/// gradients JAX emits reach the direction they are.
@Suite struct ConvolutionDirectionTests {
    static func conv(_ type: String, _ lhs: String, _ rhs: String, _ result: String, dims: String, window: String = "",
                     groups: Int = 1) -> String {
        ConvolutionCase(name: "c", lhs: "\(lhs)x\(type)", rhs: "\(rhs)x\(type)", result: "\(result)x\(type)",
                        dimensions: dims, window: window, featureGroups: groups).text
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var text: String
        var direction: ConvolutionCall.Direction
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "forward_nhwc", text: conv("f32", "2x7x7x3", "3x3x3x4", "2x4x4x4", dims: "[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]",
                                              window: "stride = [2, 2], pad = [[1, 1], [1, 1]]"), direction: .forward),
        // jax.grad of a stride-2 3x3 convolution with respect to its input.
        Case(name: "input_gradient_stride2_nhwc", text: conv("f32", "2x4x4x6", "3x3x4x6", "2x8x8x4", dims: "[b, 0, 1, f]x[0, 1, o, i]->[b, 0, 1, f]",
                                                             window: "pad = [[1, 2], [1, 2]], lhs_dilate = [2, 2]"), direction: .backwardData),
        Case(name: "input_gradient_stride2_odd_nhwc", text: conv("f32", "2x4x4x6", "3x3x4x6", "2x7x7x4", dims: "[b, 0, 1, f]x[0, 1, o, i]->[b, 0, 1, f]",
                                                                 window: "pad = [[1, 1], [1, 1]], lhs_dilate = [2, 2]"), direction: .backwardData),
        Case(name: "input_gradient_reversed_nchw", text: conv("f32", "2x6x5x5", "6x4x3x3", "2x4x9x9", dims: "[b, f, 0, 1]x[i, o, 0, 1]->[b, f, 0, 1]",
                                                              window: "pad = [[1, 1], [1, 1]], lhs_dilate = [2, 2], reverse = [true, true]"),
             direction: .backwardData),
        Case(name: "input_gradient_dilated_1d", text: conv("f32", "2x6x5", "3x4x5", "2x12x4", dims: "[b, 0, f]x[0, o, i]->[b, 0, f]",
                                                           window: "pad = [[2, 3]], lhs_dilate = [2], rhs_dilate = [2]"), direction: .backwardData),
        // jax.grad with respect to the filter, stride 1 and stride 2.
        Case(name: "filter_gradient_nhwc", text: conv("f32", "2x8x8x4", "2x8x8x6", "3x3x4x6", dims: "[f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f]",
                                                      window: "pad = [[1, 1], [1, 1]]"), direction: .backwardFilter),
        Case(name: "filter_gradient_stride2_nhwc", text: conv("f32", "2x9x9x4", "2x5x5x6", "3x3x4x6", dims: "[f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f]",
                                                              window: "pad = [[1, 1], [1, 1]], rhs_dilate = [2, 2]"), direction: .backwardFilter),
        Case(name: "filter_gradient_nchw_kcrs", text: conv("f32", "3x4x6x6", "3x5x6x6", "5x4x3x3", dims: "[f, b, 0, 1]x[i, o, 0, 1]->[f, b, 0, 1]",
                                                           window: "pad = [[1, 1], [1, 1]]"), direction: .backwardFilter),
    ]

    static func operation(_ text: String) throws -> StableHLO.Operation {
        try ConvolutionLoweringTests.convolution(in: text)
    }

    /// Small integers: every sum is exact in any order, so results compare exactly.
    static func inputs(_ text: String, seed: UInt64) throws -> [Tensor] {
        var numbers = LinalgHostEmulationTests.Numbers(state: seed)
        let module = try Module.parse(text, file: "conv.mlir")
        return module.functions[0].inputTypes.compactMap(\.tensorType).map { t in
            Tensor(type: t, storage: .floats((0..<t.elementCount).map { _ in (numbers.next() * 6).rounded() }))
        }
    }

    /// `values` (row-major `shape`) with dimensions permuted: dimension j of the result is
    /// dimension `permutation[j]` of the source.
    static func permuted(_ values: [Double], shape: [Int], _ permutation: [Int]) -> [Double] {
        let strides = ElementIndex.strides(shape)
        let outShape = permutation.map { shape[$0] }
        var out = [Double](repeating: 0, count: values.count)
        for i in out.indices {
            var r = i, from = 0
            for j in outShape.indices.reversed() {
                from += (r % outShape[j]) * strides[permutation[j]]
                r /= outShape[j]
            }
            out[i] = values[from]
        }
        return out
    }

    /// cuDNN's semantics of `call` over x, w, y in its layout: returns the buffer the
    /// direction writes, computed from the other two (the filter window flipped in
    /// CONVOLUTION mode, groups of C / groups input channels).
    static func evaluate(_ call: ConvolutionCall, x: [Double], w: [Double], y: [Double]) -> [Double] {
        let (n, c, h, wd, k, r, s, p, q) = (call.n, call.c, call.h, call.w, call.k, call.r, call.s, call.outputHeight, call.outputWidth)
        let nhwc = call.layout == .nhwc
        let cg = c / call.groups, kg = k / call.groups
        func xi(_ b: Int, _ ch: Int, _ i: Int, _ j: Int) -> Int { nhwc ? ((b * h + i) * wd + j) * c + ch : ((b * c + ch) * h + i) * wd + j }
        func yi(_ b: Int, _ ch: Int, _ i: Int, _ j: Int) -> Int { nhwc ? ((b * p + i) * q + j) * k + ch : ((b * k + ch) * p + i) * q + j }
        func wi(_ o: Int, _ ch: Int, _ i: Int, _ j: Int) -> Int { nhwc ? ((o * r + i) * s + j) * cg + ch : ((o * cg + ch) * r + i) * s + j }
        var out = [Double](repeating: 0, count: call.direction == .forward ? y.count : call.direction == .backwardData ? x.count : w.count)
        for b in 0..<n {
            for o in 0..<k {
                for oi in 0..<p {
                    for oj in 0..<q {
                        for cl in 0..<cg {
                            let ch = (o / kg) * cg + cl
                            for ri in 0..<r {
                                for sj in 0..<s {
                                    let i = oi * call.strides[0] + ri * call.dilation[0] - call.padding[0]
                                    let j = oj * call.strides[1] + sj * call.dilation[1] - call.padding[1]
                                    guard i >= 0, i < h, j >= 0, j < wd else { continue }
                                    let (fr, fs) = call.flipsWindow ? (r - 1 - ri, s - 1 - sj) : (ri, sj)
                                    let (xa, wa, ya) = (xi(b, ch, i, j), wi(o, cl, fr, fs), yi(b, o, oi, oj))
                                    switch call.direction {
                                    case .forward: out[ya] += x[xa] * w[wa]
                                    case .backwardData: out[xa] += y[ya] * w[wa]
                                    case .backwardFilter: out[wa] += y[ya] * x[xa]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: cases)
    func cuDNNDirectionComputesTheProgram(_ c: Case) throws {
        let op = try Self.operation(c.text)
        guard case .vendor(let call, let filterPermutation, let resultPermutation) = ConvolutionLowering.path(op, useVendorLibraries: true) else {
            Issue.record("\(c.name): \(ConvolutionLowering.path(op, useVendorLibraries: true))")
            return
        }
        #expect(call.direction == c.direction)
        let inputs = try Self.inputs(c.text, seed: 11)
        let expected = try Interpreter(module: Module.parse(c.text, file: "conv.mlir")).run("main", inputs: inputs)
        let result = try #require(op.resultTensorType(0))
        var data: [Int: (values: [Double], shape: [Int])] = [
            ConvolutionLowering.lhsPlaceholder: (try #require(inputs[0].floats), inputs[0].shape),
            ConvolutionLowering.rhsPlaceholder: (try #require(inputs[1].floats), inputs[1].shape),
            ConvolutionLowering.resultPlaceholder: ([Double](repeating: 0, count: result.elementCount), result.shape),
        ]
        if let filterPermutation, let filter = data[call.filter] {
            data[call.filter] = (Self.permuted(filter.values, shape: filter.shape, filterPermutation), filterPermutation.map { filter.shape[$0] })
        }
        let x = try #require(data[call.input]).values, w = try #require(data[call.filter]).values, y = try #require(data[call.output]).values
        var got = Self.evaluate(call, x: x, w: w, y: y)
        if let resultPermutation {
            var inverse = [Int](repeating: 0, count: resultPermutation.count)
            for (d, j) in resultPermutation.enumerated() { inverse[j] = d }
            got = Self.permuted(got, shape: inverse.map { result.shape[$0] }, resultPermutation)
        }
        #expect(got == expected[0].floats, "\(c.name): \(call.summary)")
    }

    @Test(arguments: cases)
    func directionLowersWithoutHostSteps(_ c: Case) throws {
        let (executable, _) = try TestPrograms.lower(c.text)
        let calls = executable.steps.compactMap { step -> ConvolutionCall? in
            if case .convolution(let call) = step { return call }
            return nil
        }
        #expect(calls.map(\.direction) == [c.direction])
        #expect(TestPrograms.hostSteps(executable).isEmpty)
        if let call = calls.first {
            #expect(executable.outputs == [call.written] || TestPrograms.launches(executable) > 0)
        }
    }

    /// The gradients of `bench/suite/` that are not forward convolutions keep their direction
    /// (a stride-1 input gradient is a forward convolution of the flipped filter).
    @Test func suiteGradientsTakeTheirDirection() throws {
        let suite = TestPrograms.packageRoot.appendingPathComponent("bench/suite")
        for (name, direction) in [("conv3x3_s2_bwd_input_bf16", ConvolutionCall.Direction.backwardData),
                                  ("conv3x3_bwd_filter_bf16", .backwardFilter)] {
            let text = try String(contentsOf: suite.appendingPathComponent(name + ".mlir"), encoding: .utf8)
            let (executable, _) = try TestPrograms.lower(text)
            let directions = executable.steps.compactMap { step -> ConvolutionCall.Direction? in
                if case .convolution(let call) = step { return call.direction }
                return nil
            }
            #expect(directions.contains(direction), "\(name): \(directions)")
            #expect(!executable.steps.contains { if case .launch(let l) = $0 { return executable.kernels[l.kernel].source.contains("one thread per output element") } else { return false } },
                    "\(name) still runs the generic convolution kernel")
        }
    }

    @Test func oldExecutablesReadAsForward() throws {
        let call = ConvolutionCall(input: 0, filter: 1, output: 2, layout: .nhwc, n: 1, c: 2, h: 3, w: 3, k: 2, r: 3, s: 3,
                                   outputHeight: 1, outputWidth: 1, padding: [0, 0], strides: [1, 1], dilation: [1, 1],
                                   groups: 1, flipsWindow: false, elementType: "f32", allowsTF32: true)
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(call)) as? [String: Any] ?? [:]
        #expect(json["direction"] as? String == "forward")
        json["direction"] = nil
        let decoded = try JSONDecoder().decode(ConvolutionCall.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded == call)
    }
}
