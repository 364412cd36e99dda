import Foundation
import Compiler
import Runtime
import StableHLO

/// What the CUDA target decided, step by step, before kernels are compiled.
public struct LoweringReport: Sendable {
    /// The final fusion groups, in execution order.
    public var groups: [FusionGroup]
    /// Kernel names per fusion group index (empty for non-fusion groups).
    public var kernelsPerGroup: [Int: [String]]
    /// Planning rounds needed (1 when every fusion became kernels at once).
    public var rounds: Int
    /// The block's `while`/`if`/`case` ops: how each was lowered.
    public var controlFlow: [ControlFlowReport] = []
}

/// Lowers a module's entry function to an `Executable` whose kernels carry CUDA C++ source
/// (binaries are filled in by `KernelCompilation`): plans fusions, generates kernels,
/// lowers `dot_general` to cuBLASLt or a generated GEMM, cuts host programs for the rest,
/// and packs intermediates into one arena.
public struct ExecutableBuilder {
    public var options: CompileOptions

    public init(options: CompileOptions) { self.options = options }

    /// Planning rounds before the remaining failures go to the host wholesale.
    static let maximumRounds = 8

    /// Lowers `module`'s entry function as the target's passes left it
    /// (`CUDATarget.passes(options:)`: calls inlined, attention and epilogues fused into
    /// `nvgpu.*` ops, collectives in leading-dimension form). It runs none of them itself, so
    /// what `--dump-after` shows is what is lowered: a caller that starts from a parsed
    /// module rather than a compiler session runs `CUDATarget.rewritten(_:options:)` first
    /// (without it, calls stay host steps and nothing is fused, and collectives in other
    /// forms are rejected).
    public func build(_ module: Module) throws -> (Executable, LoweringReport) {
        guard let entry = module.function(named: options.entry) else {
            throw Diagnostic(.verify, at: module.location, "no function @\(options.entry) to compile")
        }
        guard entry.body.blocks.count == 1, let body = entry.body.entry,
              let terminator = body.operations.last, terminator.name == "func.return" else {
            throw Diagnostic(.verify, at: entry.location, "@\(entry.name) must have one block ending in func.return")
        }
        let grid = try CollectiveLowering.grid(of: module)
        let boundaryTypes = body.arguments.map(\.type) + terminator.operands.map(\.type)
        if let dynamic = boundaryTypes.first(where: { $0.tensorType.map { !$0.isStatic } ?? false }) {
            throw CompileError("@\(entry.name) takes or returns \(dynamic), whose size is known only at run time: "
                + "the CUDA target needs static argument and result shapes (the reference backend, --device=cpu, runs it)")
        }
        if let bad = boundaryTypes.first(where: { !($0.tensorType?.isStatic ?? false) }) {
            return wholeProgramOnHost(entry, module: module, reason: "arguments or results of type \(bad) stay on the host")
        }
        var assembly = Assembly(block: body, arguments: body.arguments)
        let lowered = try lowerBlock(body, into: &assembly, context: BlockContext(module: module, grid: grid, prefix: ""))
        var executable = try assembly.finish(
            outputs: lowered.results, architecture: options.architecture ?? "sm_90", entry: options.entry)
        let remarks = CompileRemarks.lines(of: module)
        if !remarks.isEmpty { executable.remarks = remarks }
        if grid.processCount > 1 || executable.allSteps.contains(where: { if case .collective = $0 { return true } else { return false } }) {
            executable.replicas = grid.replicaCount
            executable.partitions = grid.partitionCount
        }
        return (executable, lowered.report)
    }

    /// What a block lowering shares with the blocks nested in it.
    struct BlockContext {
        var module: Module
        var grid: ProcessGrid
        /// Prepended to kernel names (`while3_body_`), so nested blocks' kernels stay unique.
        var prefix: String
        /// Control-flow ops enclosing the block (0 for the entry function's body).
        var depth = 0
        /// A `while` body's carried values that may be updated in place (`CarriedInPlace`).
        var carriedInPlace: [CarriedInPlace] = []
    }

    /// Lowers one block (the entry function's body, or a region of a control-flow op) into
    /// `assembly`'s steps: fusion planning (with escalation when a fusion fails to become
    /// kernels), then each group's steps. Returns the values the block's terminator returns
    /// and the report.
    func lowerBlock(_ block: Block, into assembly: inout Assembly, context: BlockContext)
        throws -> (results: [Value], report: LoweringReport)
    {
        guard let terminator = block.operations.last,
              terminator.name == "func.return" || terminator.name == "stablehlo.return" else {
            throw Diagnostic(.verify, at: block.operations.last?.location ?? context.module.location,
                             "a block to lower must end in a return")
        }
        assembly.addLiterals(of: block)
        let prefix = context.prefix

        // Kernel-family ops: their kernels are built once, here; success decides the class.
        var familyKernels: [Int: FusionKernels] = [:]
        var vendorFFTs: [Int: FFTCall] = [:]
        var decided: [Int: OperationClass] = [:]
        for (i, op) in block.operations.enumerated() where KernelFamilies.family(for: op) != nil {
            if VariadicReductionKernel.isCandidate(op) {
                decided[i] = .selectingReduction  // fused with its producers
                continue
            }
            if op.name == "stablehlo.gather", FusedGatherPolicy.isEnabled, (try? GatherGeometry(op)) != nil {
                decided[i] = .view  // fused with its producers and consumers (`FusedGather`)
                continue
            }
            if op.name == "stablehlo.fft", case .vendor(let call) = FFTLowering.path(op, useVendorLibraries: options.useVendorLibraries) {
                vendorFFTs[i] = call
                decided[i] = .dedicated
                continue
            }
            do {
                familyKernels[i] = try DedicatedKernels.build(op, name: "\(prefix)dedicated_\(i)")
                decided[i] = .dedicated
            } catch {
                decided[i] = .host(reason: "no CUDA kernel for \(op.name) yet: \((error as? CodeGenError)?.message ?? "\(error)")")
            }
        }

        var policies: [Int: FusionPolicy] = [:]
        var groups: [FusionGroup] = []
        var fusionKernels: [Int: FusionKernels] = [:]
        var rounds = 0
        var mergesSiblings = true
        while true {
            rounds += 1
            groups = FusionGroup.splittingReshapeOutputs(FusionPlanner(policies: policies, decided: decided).plan(block), block: block)
            let planned = Set(groups.map(\.operations))
            if mergesSiblings { groups = FusionGroup.mergingSiblingReductions(groups, block: block, policies: policies) }
            fusionKernels = [:]
            var failed = false
            for (g, group) in groups.enumerated() where group.kind == .fusion {
                do {
                    var builder = try FusionKernelBuilder(group: group, block: block, name: "\(prefix)fusion_\(g)")
                    builder.keepsExcessPrecision = options.allowsExcessPrecision
                    fusionKernels[g] = try builder.build()
                } catch {
                    failed = true
                    if !planned.contains(group.operations) {
                        // A merge of sibling reductions that does not build: seal its
                        // reductions (no consumers fused) once, then plan without merges.
                        let reductions = group.operations.filter { block.operations[$0].name == "stablehlo.reduce" }
                        let feeding = Self.reductionsFeedingReductions(group, block: block)
                        if !feeding.isEmpty, feeding.allSatisfy({ (policies[$0] ?? .free) == .free }) {
                            // A reduction feeding another needs its own pass; the rest keep their consumers.
                            for i in feeding { policies[i] = .sealed }
                        } else if reductions.allSatisfy({ (policies[$0] ?? .free) == .free }) {
                            for i in reductions { policies[i] = .sealed }
                        } else {
                            mergesSiblings = false
                        }
                        continue
                    }
                    escalate(group, block: block, error: error, policies: &policies, final: rounds >= Self.maximumRounds)
                }
            }
            if !failed { break }
        }
        // Loop-carried values computed straight into their carried buffers, where no read
        // of the old value can see the write; their groups' kernels drop `__restrict__`.
        var aliasedByGroup: [Int: (values: Set<Int>, candidates: [CarriedInPlace])] = [:]
        for candidate in context.carriedInPlace {
            guard let g = CarriedInPlace.inPlaceGroup(for: candidate, groups: groups, block: block) else { continue }
            if groups[g].kind == .dedicated {
                let index = groups[g].operations[0]
                let op = block.operations[index]
                guard let kernel = try? DynamicSliceKernels.updateSliceInPlace(op, name: "\(prefix)dedicated_\(index)") else { continue }
                let empty = (op.operandTensorType(1)?.elementCount ?? 0) == 0
                familyKernels[index] = FusionKernels(kernels: empty ? [] : [kernel], scratch: [])
                assembly.bufferOf[candidate.result.id] = candidate.buffer
                continue
            }
            aliasedByGroup[g, default: ([], [])].values.formUnion([candidate.argument.id, candidate.result.id])
            aliasedByGroup[g, default: ([], [])].candidates.append(candidate)
        }
        for (g, aliased) in aliasedByGroup {
            guard var builder = try? FusionKernelBuilder(group: groups[g], block: block, name: "\(prefix)fusion_\(g)",
                                                         aliased: aliased.values) else { continue }
            builder.keepsExcessPrecision = options.allowsExcessPrecision
            guard let kernels = try? builder.build() else { continue }
            fusionKernels[g] = kernels
            for candidate in aliased.candidates { assembly.bufferOf[candidate.result.id] = candidate.buffer }
        }

        var kernelsPerGroup: [Int: [String]] = [:]
        var controlFlow: [ControlFlowReport] = []
        for (g, group) in groups.enumerated() {
            switch group.kind {
            case .constant:
                try assembly.addConstant(block.operations[group.operations[0]])
            case .fusion:
                if let alias = Self.reshapeAlias(group, block: block, assembly: assembly, context: context) {
                    assembly.bufferOf[alias.value] = alias.buffer
                    kernelsPerGroup[g] = []
                    continue
                }
                let planned = fusionKernels[g] ?? FusionKernels(kernels: [], scratch: [])
                kernelsPerGroup[g] = planned.kernels.map(\.name)
                try assembly.addKernels(planned, group: group)
            case .matmul:
                let op = block.operations[group.operations[0]]
                if op.name == AttentionPlan.operationName {
                    try assembly.addAttention(AttentionPlan(op), options: options, name: "\(prefix)attention_\(g)")
                    kernelsPerGroup[g] = ["\(prefix)attention_\(g)"]
                    continue
                }
                try assembly.addMatmul(op, options: options, name: "\(prefix)gemm_\(g)")
                if case .launch? = assembly.steps.last { kernelsPerGroup[g] = ["\(prefix)gemm_\(g)"] }
            case .convolution:
                kernelsPerGroup[g] = try assembly.addConvolution(
                    block.operations[group.operations[0]], options: options, name: "\(prefix)conv_\(g)")
            case .collective:
                try assembly.addCollective(block.operations[group.operations[0]], grid: context.grid)
            case .dedicated:
                let index = group.operations[0]
                if let call = vendorFFTs[index] {
                    kernelsPerGroup[g] = try assembly.addFFT(block.operations[index], call: call, name: "\(prefix)fft_\(g)")
                    continue
                }
                guard let planned = familyKernels[index] else {
                    throw CodeGenError("\(block.operations[index].name) was planned as a kernel family op without kernels",
                                       at: block.operations[index].location)
                }
                try assembly.addKernels(planned, group: group)
                kernelsPerGroup[g] = planned.kernels.map(\.name)
            case .control:
                let op = block.operations[group.operations[0]]
                let name = "\(prefix)\(op.name.split(separator: ".").last ?? "control")\(g)"
                let saved = assembly
                do {
                    controlFlow.append(try addControlFlow(op, into: &assembly, context: context, name: name))
                } catch {
                    // A region that cannot be lowered keeps the whole op on the host.
                    assembly = saved
                    let reason = "\(op.name) stays on the host: \((error as? CodeGenError)?.message ?? "\(error)")"
                    let program = HostPrograms.module(for: group, block: block, original: context.module, entry: options.entry)
                    try assembly.addHost(program.text, group: group, reason: reason)
                    controlFlow.append(ControlFlowReport(name: name, operation: op.name, onDevice: false, detail: reason, nested: []))
                }
            case .host(let reason):
                let program = HostPrograms.module(for: group, block: block, original: context.module, entry: options.entry)
                try assembly.addHost(program.text, group: group, reason: reason)
            }
        }
        let results = terminator.operands
        return (results, LoweringReport(groups: groups, kernelsPerGroup: kernelsPerGroup, rounds: rounds, controlFlow: controlFlow))
    }

    /// A group of reshapes only holds its input's bytes in the same (row-major) order, so
    /// its result reads the input's buffer instead of a copy kernel writing a new one — when
    /// that buffer belongs to a value defined in this block (written once per run of the
    /// block: a fresh intermediate, or a carried buffer its value is computed into in place,
    /// which nothing writes again before the next iteration) and the result is not returned
    /// from the block.
    static func reshapeAlias(_ group: FusionGroup, block: Block, assembly: Assembly,
                             context: BlockContext) -> (value: Int, buffer: Int)? {
        guard group.operations.allSatisfy({ block.operations[$0].name == "stablehlo.reshape" }),
              group.inputs.count == 1, group.outputs.count == 1, !Self.reshapeAliasDisabled,
              let input = group.inputs.first, let output = group.outputs.first,
              input.type.tensorType?.elementCount == output.type.tensorType?.elementCount,
              input.type.tensorType?.elementType == output.type.tensorType?.elementType,
              !(block.operations.last?.operands.contains { $0.id == output.id } ?? true),
              block.operations.contains(where: { $0.results.contains { $0.id == input.id } }),
              let buffer = assembly.bufferOf[input.id], assembly.arenaBuffers.contains(buffer) else { return nil }
        return (output.id, buffer)
    }

    /// `NVGPU_RESHAPE_ALIAS=0` runs reshape-only groups as copy kernels (for A/B timing).
    static let reshapeAliasDisabled = ProcessInfo.processInfo.environment["NVGPU_RESHAPE_ALIAS"] == "0"

    /// Tightens the policies of a group's ops after it failed to become kernels.
    private func escalate(_ group: FusionGroup, block: Block, error: any Error,
                          policies: inout [Int: FusionPolicy], final: Bool) {
        let reason = "no CUDA kernel for this fusion: \((error as? CodeGenError)?.message ?? "\(error)")"
        let reductions = group.operations.filter { block.operations[$0].name == "stablehlo.reduce" }
        if reductions.isEmpty || final {
            for i in group.operations { policies[i] = .host(reason) }
            return
        }
        // Reductions that feed another reduction of the group (a mean feeding a variance)
        // need a pass of their own: seal those first and keep the others' consumers fused.
        let feeding = Self.reductionsFeedingReductions(group, block: block)
            .filter { (policies[$0] ?? .free) == .free }
        if !feeding.isEmpty {
            for i in feeding { policies[i] = .sealed }
            return
        }
        for i in reductions {
            switch policies[i] ?? .free {
            case .free: policies[i] = .sealed
            case .sealed: policies[i] = .isolated
            default: policies[i] = .host(reason)
            }
        }
    }

    /// The group's reductions whose results reach another reduction of the group.
    static func reductionsFeedingReductions(_ group: FusionGroup, block: Block) -> [Int] {
        let members = Set(group.operations)
        var definedBy: [Int: Int] = [:]
        for i in group.operations { for r in block.operations[i].results { definedBy[r.id] = i } }
        var users: [Int: [Int]] = [:]
        for i in group.operations {
            for v in FusionPlanner.freeValues(of: block.operations[i]) {
                if let d = definedBy[v.id], members.contains(d) { users[d, default: []].append(i) }
            }
        }
        return group.operations.filter { block.operations[$0].name == "stablehlo.reduce" }.filter { r in
            var seen: Set<Int> = [r], pending = users[r] ?? []
            while let next = pending.popLast() {
                if !seen.insert(next).inserted { continue }
                if block.operations[next].name == "stablehlo.reduce" { return true }
                pending += users[next] ?? []
            }
            return false
        }
    }

    private func wholeProgramOnHost(_ entry: Function, module: Module, reason: String) -> (Executable, LoweringReport) {
        let program = HostPrograms.wholeProgram(entry, original: module)
        var buffers: [BufferSlot] = []
        var inputs: [Int] = [], outputs: [Int] = []
        for (i, type) in entry.inputTypes.enumerated() {
            inputs.append(buffers.count)
            buffers.append(BufferSlot(name: "arg\(i)", type: type.tensorType ?? TensorType(shape: [], elementType: .si(8)),
                                      placement: .input(index: i)))
        }
        var offset = 0
        for (i, type) in entry.resultTypes.enumerated() {
            outputs.append(buffers.count)
            let slot = BufferSlot(name: "result\(i)", type: type.tensorType ?? TensorType(shape: [], elementType: .si(8)),
                                  placement: .arena(offset: offset))
            offset += BufferPlanning.rounded(max(1, slot.byteSize))
            buffers.append(slot)
        }
        let step = ExecutionStep.host(HostCall(program: 0, function: "main", inputs: inputs, outputs: outputs, reason: reason))
        let executable = Executable(
            target: "cuda", architecture: options.architecture ?? "sm_90", entry: options.entry, arenaBytes: offset,
            buffers: buffers, inputs: inputs, outputs: outputs, constants: [], kernels: [], steps: [step],
            hostPrograms: [program.text])
        return (executable, LoweringReport(groups: [], kernelsPerGroup: [:], rounds: 0))
    }
}
