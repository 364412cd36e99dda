import Compiler
import Foundation
import Runtime
import StableHLO

/// How one `stablehlo.convolution` runs on the CUDA target.
public enum ConvolutionPath: Hashable, Sendable {
    /// cuDNN. The call's `input`, `filter` and `output` are placeholders for the program's
    /// operands: 0 the lhs, 1 the rhs, 2 the result. A filter cuDNN reads is first stored in
    /// cuDNN's order when `filterPermutation` is not nil (dimension j of cuDNN's order is
    /// source dimension `filterPermutation[j]`); a filter a backward-filter step writes in
    /// cuDNN's order is stored in the program's order after it when `resultPermutation` is
    /// not nil (result dimension d is dimension `resultPermutation[d]` of cuDNN's order).
    case vendor(call: ConvolutionCall, filterPermutation: [Int]?, resultPermutation: [Int]?)
    /// The generated kernel (`ConvolutionKernel`), with the reason cuDNN was not used.
    case generated(reason: String)
}

/// The decision between cuDNN and the generated kernel, and the steps it becomes.
///
/// A convolution goes to cuDNN in whichever of cuDNN's three directions it is: a forward
/// convolution; an input gradient (`lhs_dilation` is the forward stride: cuDNN's backward
/// data, with the window flipped); or a filter gradient (the forward input's batch is the
/// contracted feature and the window is the forward output: cuDNN's backward filter, the
/// forward stride given as `rhs_dilation`). Each is recognised from the dimension numbers
/// and window alone, for any extents. `NVGPU_CONV_DIRECTIONS=0` keeps forward convolutions
/// only (for A/B timing).
public enum ConvolutionLowering {
    static let vendorTypes: Set<String> = ["f32", "f16", "bf16"]

    /// Placeholder buffer numbers of `ConvolutionPath.vendor` calls.
    static let (lhsPlaceholder, rhsPlaceholder, resultPlaceholder) = (0, 1, 2)

    /// The path for `op`.
    public static func path(_ op: StableHLO.Operation, useVendorLibraries: Bool) -> ConvolutionPath {
        guard useVendorLibraries else { return .generated(reason: "vendor libraries are off") }
        let g: ConvolutionGeometry
        do { g = try ConvolutionGeometry(op) } catch {
            return .generated(reason: "\((error as? CodeGenError)?.message ?? "\(error)")")
        }
        guard let lhs = op.operandTensorType(0), let rhs = op.operandTensorType(1), let result = op.resultTensorType(0),
              lhs.elementType == rhs.elementType, lhs.elementType == result.elementType,
              vendorTypes.contains(lhs.elementType.description) else {
            return .generated(reason: "cuDNN takes one element type of f32, f16, bf16 for input, filter and output")
        }
        let s = g.spatialRank
        guard s == 1 || s == 2 else { return .generated(reason: "\(s) spatial dimensions (cuDNN path: 1 or 2)") }
        guard g.batchGroups == 1 else { return .generated(reason: "batch_group_count \(g.batchGroups)") }
        guard Set(g.reversal).count <= 1 else { return .generated(reason: "window_reversal \(g.reversal) reverses some dimensions only") }
        let extents = [g.batch, g.inputFeatures, g.outputFeatures, g.kernelInputFeatures] + g.inputSizes + g.windowSizes + g.outputSizes
        guard extents.allSatisfy({ $0 > 0 && $0 < Int(Int32.max) }) else {
            return .generated(reason: "an empty or huge dimension")
        }
        if let reason = DepthwiseConvolutionKernel.preference(g) { return .generated(reason: reason) }
        if let reason = ImplicitGemmConvolutionKernel.preference(g, lhs: lhs.elementType, rhs: rhs.elementType,
                                                                 result: result.elementType) {
            return .generated(reason: reason)
        }
        var allowsTF32 = true
        if case .array(let items)? = op[attribute: "precision_config"] {
            for case .enumCase(_, _, let value) in items where value != "DEFAULT" { allowsTF32 = false }
        }
        let form = CUDNNForm(g: g, elementType: lhs.elementType.description,
                             allowsTF32: lhs.elementType == ElementType.float(.f32) && allowsTF32)
        let directions = ProcessInfo.processInfo.environment["NVGPU_CONV_DIRECTIONS"] != "0"
        if g.lhsDilation.contains(where: { $0 != 1 }) {
            return directions ? form.backwardData() : .generated(reason: "lhs_dilation \(g.lhsDilation) (NVGPU_CONV_DIRECTIONS=0)")
        }
        let forward = form.forward()
        if case .vendor = forward { return forward }
        guard directions else { return forward }
        let filterGradient = form.backwardFilter()
        if case .vendor = filterGradient { return filterGradient }
        return forward
    }
}

/// The three ways a convolution maps onto cuDNN's (N, C, H, W) x (K, C, R, S) -> (N, K, P, Q).
private struct CUDNNForm {
    let g: ConvolutionGeometry
    let elementType: String
    let allowsTF32: Bool
    var s: Int { g.spatialRank }
    var identity: [Int] { Array(0..<(s + 2)) }

    /// A 1-D convolution is a 2-D one of height 1.
    func pair(_ v: [Int], _ one: Int) -> [Int] { s == 1 ? [one, v[0]] : v }

    /// The layout whose orders `channelsLast` / `channelsFirst` are the identity for every
    /// listed tensor, with the filter order cuDNN takes for it.
    func layout(_ tensors: [(last: [Int], first: [Int])], filter: (last: [Int], first: [Int]))
        -> (ConvolutionCall.Layout, [Int])? {
        if tensors.allSatisfy({ $0.last == identity }) { return (.nhwc, filter.last) }
        if tensors.allSatisfy({ $0.first == identity }) { return (.nchw, filter.first) }
        return nil
    }

    func call(_ direction: ConvolutionCall.Direction, layout: ConvolutionCall.Layout, input: Int, filter: Int, output: Int,
              n: Int, c: Int, spatial: [Int], k: Int, window: [Int], out: [Int], padding: [Int], strides: [Int],
              dilation: [Int], groups: Int, flips: Bool) -> ConvolutionCall {
        let hw = pair(spatial, 1), rs = pair(window, 1), pq = pair(out, 1)
        var call = ConvolutionCall(
            input: input, filter: filter, output: output, layout: layout, n: n, c: c, h: hw[0], w: hw[1],
            k: k, r: rs[0], s: rs[1], outputHeight: pq[0], outputWidth: pq[1],
            padding: pair(padding, 0), strides: pair(strides, 1), dilation: pair(dilation, 1),
            groups: groups, flipsWindow: flips, elementType: elementType, allowsTF32: allowsTF32)
        call.direction = direction
        return call
    }

    /// cuDNN's forward output extent.
    static func forwardExtent(input: Int, window: Int, padding: Int, stride: Int, dilation: Int) -> Int {
        let span = (window - 1) * dilation + 1
        return input + 2 * padding < span ? 0 : (input + 2 * padding - span) / stride + 1
    }

    /// `y = conv(x, w)`: the program's lhs is x and its result y.
    func forward() -> ConvolutionPath {
        // cuDNN pads both sides alike: fine when the high padding it would add changes no output.
        for d in 0..<s {
            let p = g.padding[d]
            guard p.low >= 0, p.high >= 0, Self.forwardExtent(
                input: g.inputSizes[d], window: g.windowSizes[d], padding: p.low, stride: g.strides[d],
                dilation: g.rhsDilation[d]) == g.outputSizes[d] else {
                return .generated(reason: "padding \(p.low),\(p.high) of spatial dimension \(d) (cuDNN pads both sides alike)")
            }
        }
        let input = ([g.inputBatch] + g.inputSpatial + [g.inputFeature], [g.inputBatch, g.inputFeature] + g.inputSpatial)
        let output = ([g.outputBatch] + g.outputSpatial + [g.outputFeature], [g.outputBatch, g.outputFeature] + g.outputSpatial)
        let filter = ([g.kernelOutput] + g.kernelSpatial + [g.kernelInput], [g.kernelOutput, g.kernelInput] + g.kernelSpatial)
        guard let (layout, order) = layout([input, output], filter: filter) else {
            return .generated(reason: "input/output layouts \(input.1)/\(output.1) are not both NHWC or both NCHW")
        }
        let c = call(.forward, layout: layout, input: ConvolutionLowering.lhsPlaceholder, filter: ConvolutionLowering.rhsPlaceholder,
                     output: ConvolutionLowering.resultPlaceholder, n: g.batch, c: g.inputFeatures, spatial: g.inputSizes,
                     k: g.outputFeatures, window: g.windowSizes, out: g.outputSizes, padding: g.padding.map(\.low),
                     strides: g.strides, dilation: g.rhsDilation, groups: g.featureGroups, flips: g.reversal.first ?? false)
        return .vendor(call: c, filterPermutation: order == identity ? nil : order, resultPermutation: nil)
    }

    /// `dx = conv^T(dy, w)`: the lhs is dy dilated by the forward stride, the rhs the forward
    /// filter with its input and output features swapped (K = the rhs's input features), the
    /// result dx. The program's window is the forward one flipped, so a window the program
    /// does not reverse runs in cuDNN's CONVOLUTION mode.
    func backwardData() -> ConvolutionPath {
        guard g.strides.allSatisfy({ $0 == 1 }) else {
            return .generated(reason: "lhs_dilation \(g.lhsDilation) with window strides \(g.strides)")
        }
        guard g.featureGroups == 1 else { return .generated(reason: "lhs_dilation \(g.lhsDilation) with feature groups") }
        var padding: [Int] = []
        for d in 0..<s {
            let pad = (g.windowSizes[d] - 1) * g.rhsDilation[d] - g.padding[d].low
            guard pad >= 0, Self.forwardExtent(input: g.outputSizes[d], window: g.windowSizes[d], padding: pad,
                                                stride: g.lhsDilation[d], dilation: g.rhsDilation[d]) == g.inputSizes[d] else {
                return .generated(reason: "lhs_dilation \(g.lhsDilation) with padding \(g.padding[d].low),\(g.padding[d].high) of spatial dimension \(d) is no cuDNN input gradient")
            }
            padding.append(pad)
        }
        let dy = ([g.inputBatch] + g.inputSpatial + [g.inputFeature], [g.inputBatch, g.inputFeature] + g.inputSpatial)
        let dx = ([g.outputBatch] + g.outputSpatial + [g.outputFeature], [g.outputBatch, g.outputFeature] + g.outputSpatial)
        let filter = ([g.kernelInput] + g.kernelSpatial + [g.kernelOutput], [g.kernelInput, g.kernelOutput] + g.kernelSpatial)
        guard let (layout, order) = layout([dy, dx], filter: filter) else {
            return .generated(reason: "lhs_dilation \(g.lhsDilation) with layouts \(dy.1)/\(dx.1) that are not both NHWC or both NCHW")
        }
        let c = call(.backwardData, layout: layout, input: ConvolutionLowering.resultPlaceholder,
                     filter: ConvolutionLowering.rhsPlaceholder, output: ConvolutionLowering.lhsPlaceholder,
                     n: g.batch, c: g.outputFeatures, spatial: g.outputSizes, k: g.inputFeatures, window: g.windowSizes,
                     out: g.inputSizes, padding: padding, strides: g.lhsDilation, dilation: g.rhsDilation, groups: 1,
                     flips: !(g.reversal.first ?? false))
        return .vendor(call: c, filterPermutation: order == identity ? nil : order, resultPermutation: nil)
    }

    /// `dw = corr(x, dy)`: the lhs is x with its batch as the feature dimension (contracted)
    /// and its channels as the batch, the rhs is dy (its batch the kernel input feature),
    /// the result dw with the forward window as its spatial extent. The forward stride is
    /// the program's `rhs_dilation` and the forward dilation its window stride.
    func backwardFilter() -> ConvolutionPath {
        guard g.featureGroups == 1, g.reversal.allSatisfy({ !$0 }) else {
            return .generated(reason: "no cuDNN filter gradient with feature groups or window reversal")
        }
        for d in 0..<s {
            guard g.padding[d].low >= 0, Self.forwardExtent(
                input: g.inputSizes[d], window: g.outputSizes[d], padding: g.padding[d].low, stride: g.rhsDilation[d],
                dilation: g.strides[d]) == g.windowSizes[d] else {
                return .generated(reason: "padding \(g.padding[d].low),\(g.padding[d].high) of spatial dimension \(d) is no cuDNN filter gradient")
            }
        }
        let x = ([g.inputFeature] + g.inputSpatial + [g.inputBatch], [g.inputFeature, g.inputBatch] + g.inputSpatial)
        let dy = ([g.kernelInput] + g.kernelSpatial + [g.kernelOutput], [g.kernelInput, g.kernelOutput] + g.kernelSpatial)
        // Result dimension d is this dimension of cuDNN's filter order (KRSC or KCRS).
        var last = [Int](repeating: 0, count: s + 2), first = last
        last[g.outputFeature] = 0
        last[g.outputBatch] = s + 1
        first[g.outputFeature] = 0
        first[g.outputBatch] = 1
        for (j, d) in g.outputSpatial.enumerated() { (last[d], first[d]) = (1 + j, 2 + j) }
        guard let (layout, order) = layout([x, dy], filter: (last, first)) else {
            return .generated(reason: "filter-gradient layouts \(x.1)/\(dy.1) are not both NHWC or both NCHW")
        }
        let c = call(.backwardFilter, layout: layout, input: ConvolutionLowering.lhsPlaceholder,
                     filter: ConvolutionLowering.resultPlaceholder, output: ConvolutionLowering.rhsPlaceholder,
                     n: g.inputFeatures, c: g.batch, spatial: g.inputSizes, k: g.outputFeatures, window: g.outputSizes,
                     out: g.windowSizes, padding: g.padding.map(\.low), strides: g.rhsDilation, dilation: g.strides,
                     groups: 1, flips: false)
        return .vendor(call: c, filterPermutation: nil, resultPermutation: order == identity ? nil : order)
    }
}

extension Assembly {
    /// Adds the steps of one convolution: cuDNN (with filter or result transposes when
    /// needed) or the generated kernel. Returns the names of the kernels it added.
    mutating func addConvolution(_ fusedOp: StableHLO.Operation, options: CompileOptions, name: String) throws -> [String] {
        let fused = try ConvolutionEpilogueMatcher.fusedEpilogue(of: fusedOp)
        var op = fused?.convolution ?? fusedOp
        op.results = fusedOp.results
        let input = try buffer(for: op.operands[0], definedBy: "convolution")
        let filter = try buffer(for: op.operands[1], definedBy: "convolution")
        let output = try buffer(for: op.results[0], definedBy: "convolution")
        guard let result = op.resultTensorType(0), result.elementCount > 0 else { return [] }
        switch ConvolutionLowering.path(op, useVendorLibraries: options.useVendorLibraries) {
        case .vendor(var call, let filterPermutation, let resultPermutation):
            var names: [String] = []
            let program = [ConvolutionLowering.lhsPlaceholder: input, ConvolutionLowering.rhsPlaceholder: filter,
                           ConvolutionLowering.resultPlaceholder: output]
            let types = [ConvolutionLowering.lhsPlaceholder: op.operandTensorType(0), ConvolutionLowering.rhsPlaceholder: op.operandTensorType(1),
                         ConvolutionLowering.resultPlaceholder: result]
            let filterType = types[call.filter] ?? nil
            let filterName = call.layout == .nhwc ? "KRSC" : "KCRS"
            guard let i = program[call.input], let f = program[call.filter], let o = program[call.output], let filterType else {
                throw CodeGenError("convolution call \(call.summary) names no operand", at: op.location)
            }
            (call.input, call.filter, call.output) = (i, f, o)
            if let bias = fused?.bias {
                call.reluBias = try buffer(for: bias, definedBy: "bias")
            }
            // A scratch buffer holding the filter in cuDNN's order.
            func scratch(_ suffix: String, permutation: [Int], of type: TensorType) -> (Int, TensorType) {
                let permuted = TensorType(shape: permutation.map { type.shape[$0] }, elementType: type.elementType)
                buffers.append(BufferSlot(name: "\(name)_\(suffix) (\(filterName))", type: permuted, placement: .arena(offset: 0)))
                arenaBuffers.insert(buffers.count - 1)
                return (buffers.count - 1, permuted)
            }
            func permute(_ source: TensorType, _ permutation: [Int], from: Int, to: Int, kernelName: String) throws {
                let kernel = try ConvolutionFilterLayout.build(source: source, permutation: permutation, name: kernelName,
                                                               location: op.location)
                steps.append(.launch(KernelLaunch(kernel: kernels.count, grid: kernel.grid, block: kernel.block,
                                                  arguments: [.buffer(from), .buffer(to)])))
                kernels.append(KernelImage(entryPoint: kernel.name, binary: Data(), source: kernel.source))
                stepBuffers.append([from, to])
                names.append(kernelName)
            }
            if let filterPermutation, call.direction != .backwardFilter {
                let (index, _) = scratch("filter", permutation: filterPermutation, of: filterType)
                try permute(filterType, filterPermutation, from: call.filter, to: index, kernelName: name + "_filter")
                call.filter = index
            }
            var written: (scratch: Int, type: TensorType, permutation: [Int])?
            if let resultPermutation, call.direction == .backwardFilter {
                // cuDNN writes dw in its own order; result dimension d is its dimension resultPermutation[d].
                var inverse = [Int](repeating: 0, count: resultPermutation.count)
                for (d, j) in resultPermutation.enumerated() { inverse[j] = d }
                let (index, type) = scratch("filter_gradient", permutation: inverse, of: filterType)
                written = (index, type, resultPermutation)
                call.filter = index
            }
            steps.append(.convolution(call))
            stepBuffers.append([call.input, call.filter, call.output] + (call.reluBias.map { [$0] } ?? []))
            if let written {
                try permute(written.type, written.permutation, from: written.scratch, to: output, kernelName: name + "_result")
            }
            return names
        case .generated(let reason):
            if fused != nil { throw CodeGenError("convolution bias+ReLU epilogue needs cuDNN (\(reason))", at: op.location) }
            let kernel = try DepthwiseConvolutionKernel.build(op, name: name, note: " (not cuDNN: \(reason))")
                ?? ImplicitGemmConvolutionKernel.build(op, name: name, note: " (not cuDNN: \(reason))")
                ?? ConvolutionKernel.build(op, name: name, note: " (not cuDNN: \(reason))")
            steps.append(.launch(KernelLaunch(kernel: kernels.count, grid: kernel.grid, block: kernel.block,
                                              arguments: [.buffer(input), .buffer(filter), .buffer(output)])))
            kernels.append(KernelImage(entryPoint: kernel.name, binary: Data(), source: kernel.source))
            stepBuffers.append([input, filter, output])
            return [kernel.name]
        }
    }
}
