import Compiler
import Foundation
import Runtime
import StableHLO

/// How one `stablehlo.convolution` runs on the CUDA target.
public enum ConvolutionPath: Hashable, Sendable {
    /// cuDNN, after storing the filter in the order cuDNN takes when `filterPermutation`
    /// is not nil (filter dimension j of cuDNN's order is source dimension `filterPermutation[j]`).
    case vendor(call: ConvolutionCall, filterPermutation: [Int]?)
    /// The generated kernel (`ConvolutionKernel`), with the reason cuDNN was not used.
    case generated(reason: String)
}

/// The decision between cuDNN and the generated kernel, and the steps it becomes.
public enum ConvolutionLowering {
    static let vendorTypes: Set<String> = ["f32", "f16", "bf16"]

    /// The path for `op`; buffer indices in the returned call are placeholders (0, 1, 2).
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
        guard g.lhsDilation.allSatisfy({ $0 == 1 }) else { return .generated(reason: "lhs_dilation \(g.lhsDilation)") }
        guard Set(g.reversal).count <= 1 else { return .generated(reason: "window_reversal \(g.reversal) reverses some dimensions only") }
        let extents = [g.batch, g.inputFeatures, g.outputFeatures, g.kernelInputFeatures] + g.inputSizes + g.windowSizes + g.outputSizes
        guard extents.allSatisfy({ $0 > 0 && $0 < Int(Int32.max) }) else {
            return .generated(reason: "an empty or huge dimension")
        }
        // cuDNN pads both sides alike: fine when the high padding it would add changes no output.
        for d in 0..<s {
            let p = g.padding[d]
            let symmetric = ConvolutionGeometry.Padding(low: p.low, high: p.low)
            guard p.low >= 0, p.high >= 0, ConvolutionGeometry.outputExtent(
                input: g.inputSizes[d], window: g.windowSizes[d], stride: g.strides[d], padding: symmetric,
                lhsDilation: 1, rhsDilation: g.rhsDilation[d]) == g.outputSizes[d] else {
                return .generated(reason: "padding \(p.low),\(p.high) of spatial dimension \(d) (cuDNN pads both sides alike)")
            }
        }
        let channelsLast = [g.inputBatch] + g.inputSpatial + [g.inputFeature]
        let channelsFirst = [g.inputBatch, g.inputFeature] + g.inputSpatial
        let outputLast = [g.outputBatch] + g.outputSpatial + [g.outputFeature]
        let outputFirst = [g.outputBatch, g.outputFeature] + g.outputSpatial
        let identity = Array(0..<(s + 2))
        let layout: ConvolutionCall.Layout
        let filterOrder: [Int]
        if channelsLast == identity, outputLast == identity {
            layout = .nhwc
            filterOrder = [g.kernelOutput] + g.kernelSpatial + [g.kernelInput]
        } else if channelsFirst == identity, outputFirst == identity {
            layout = .nchw
            filterOrder = [g.kernelOutput, g.kernelInput] + g.kernelSpatial
        } else {
            return .generated(reason: "input/output layouts \(channelsFirst)/\(outputFirst) are not both NHWC or both NCHW")
        }
        var allowsTF32 = true
        if case .array(let items)? = op[attribute: "precision_config"] {
            for case .enumCase(_, _, let value) in items where value != "DEFAULT" { allowsTF32 = false }
        }
        // A 1-D convolution is a 2-D one of height 1.
        func pair(_ v: [Int], _ one: Int) -> [Int] { s == 1 ? [one, v[0]] : v }
        let spatial = pair(g.inputSizes, 1), window = pair(g.windowSizes, 1), output = pair(g.outputSizes, 1)
        let call = ConvolutionCall(
            input: 0, filter: 1, output: 2, layout: layout,
            n: g.batch, c: g.inputFeatures, h: spatial[0], w: spatial[1],
            k: g.outputFeatures, r: window[0], s: window[1], outputHeight: output[0], outputWidth: output[1],
            padding: pair(g.padding.map(\.low), 0), strides: pair(g.strides, 1), dilation: pair(g.rhsDilation, 1),
            groups: g.featureGroups, flipsWindow: g.reversal.first ?? false,
            elementType: lhs.elementType.description, allowsTF32: lhs.elementType == ElementType.float(.f32) && allowsTF32)
        return .vendor(call: call, filterPermutation: filterOrder == identity ? nil : filterOrder)
    }
}

extension Assembly {
    /// Adds the steps of one convolution: cuDNN (after a filter transpose when needed) or
    /// the generated kernel. Returns the names of the kernels it added.
    mutating func addConvolution(_ fusedOp: StableHLO.Operation, options: CompileOptions, name: String) throws -> [String] {
        let fused = try ConvolutionEpilogueMatcher.fusedEpilogue(of: fusedOp)
        var op = fused?.convolution ?? fusedOp
        op.results = fusedOp.results
        let input = try buffer(for: op.operands[0], definedBy: "convolution")
        let filter = try buffer(for: op.operands[1], definedBy: "convolution")
        let output = try buffer(for: op.results[0], definedBy: "convolution")
        guard let result = op.resultTensorType(0), result.elementCount > 0 else { return [] }
        switch ConvolutionLowering.path(op, useVendorLibraries: options.useVendorLibraries) {
        case .vendor(var call, let permutation):
            var names: [String] = []
            call.input = input
            call.output = output
            call.filter = filter
            if let bias = fused?.bias {
                let index = try buffer(for: bias, definedBy: "bias")
                call.reluBias = index
            }
            if let permutation, let filterType = op.operandTensorType(1) {
                let layoutName = name + "_filter"
                let kernel = try ConvolutionFilterLayout.build(
                    source: filterType, permutation: permutation, name: layoutName, location: op.location)
                let index = buffers.count
                let permuted = TensorType(shape: permutation.map { filterType.shape[$0] }, elementType: filterType.elementType)
                buffers.append(BufferSlot(name: "\(layoutName) (\(call.layout == .nhwc ? "KRSC" : "KCRS"))", type: permuted,
                                          placement: .arena(offset: 0)))
                arenaBuffers.insert(index)
                steps.append(.launch(KernelLaunch(kernel: kernels.count, grid: kernel.grid, block: kernel.block,
                                                  arguments: [.buffer(filter), .buffer(index)])))
                kernels.append(KernelImage(entryPoint: kernel.name, binary: Data(), source: kernel.source))
                stepBuffers.append([filter, index])
                call.filter = index
                names.append(layoutName)
            }
            steps.append(.convolution(call))
            stepBuffers.append([call.input, call.filter, output] + (call.reluBias.map { [$0] } ?? []))
            return names
        case .generated(let reason):
            if fused != nil { throw CodeGenError("convolution bias+ReLU epilogue needs cuDNN (\(reason))", at: op.location) }
            let kernel = try ConvolutionKernel.build(op, name: name, note: " (not cuDNN: \(reason))")
            steps.append(.launch(KernelLaunch(kernel: kernels.count, grid: kernel.grid, block: kernel.block,
                                              arguments: [.buffer(input), .buffer(filter), .buffer(output)])))
            kernels.append(KernelImage(entryPoint: kernel.name, binary: Data(), source: kernel.source))
            stepBuffers.append([input, filter, output])
            return [kernel.name]
        }
    }
}
