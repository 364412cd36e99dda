import Foundation
import Runtime
import StableHLO

/// How one `while`, `if` or `case` was lowered (`nvgpu compile --report`).
public struct ControlFlowReport: Sendable, Hashable {
    /// The step's name (`while3`, `body_if1`).
    public var name: String
    /// `stablehlo.while`.
    public var operation: String
    /// Whether its regions became device steps (false: the whole op runs on the host).
    public var onDevice: Bool
    /// What was decided: carried buffers and region sizes, or why it stays on the host.
    public var detail: String
    /// Control-flow ops inside its regions.
    public var nested: [ControlFlowReport]
}

/// Control flow on the device: a `while`, `if` or `case` becomes a `.loop` or `.branch`
/// step whose regions are lowered like any block (fusions, GEMMs, dedicated kernels, and
/// host steps for what has no kernel), sharing the executable's buffers.
///
/// A `while`'s results are its carried buffers: the inits are copied in, the condition and
/// body regions read them as their block arguments, and the body's last steps copy its
/// results back (through temporaries when results are permuted carried values). A branch
/// writes its results into the op's result buffers. Every buffer a region touches stays
/// live for the whole control step, so buffer planning never overlaps them.
enum ControlFlowLowering {
    /// The ops lowered as control steps.
    static let operationNames: Set<String> = ["stablehlo.while", "stablehlo.if", "stablehlo.case"]
    /// Control flow nested deeper than this stays on the host (the reference runs it), so
    /// that lowering and the executable's encoding stay shallow whatever the input nests.
    static let maximumDepth = 24

    /// `.control` when every operand and result is a static tensor a kernel can hold, else
    /// the host with the reason (tokens, dynamic shapes, element types with no kernel).
    static func operationClass(_ op: StableHLO.Operation) -> OperationClass {
        for v in op.operands + op.results {
            guard let t = v.type.tensorType, t.isStatic, KernelElementType(t.elementType) != nil else {
                return .host(reason: "no CUDA kernel for \(op.name) yet: it carries \(v.type)")
            }
        }
        let expectedRegions = op.name == "stablehlo.while" ? 2 : op.name == "stablehlo.if" ? 2 : max(1, op.regions.count)
        guard op.regions.count == expectedRegions, op.regions.allSatisfy({ $0.blocks.count == 1 }) else {
            return .host(reason: "no CUDA kernel for \(op.name) yet: its regions must have one block each")
        }
        return .control
    }
}

extension ExecutableBuilder {
    /// Lowers `op` (a `while`, `if` or `case`) into one control step; returns its report.
    func addControlFlow(_ op: StableHLO.Operation, into assembly: inout Assembly, context: BlockContext,
                        name: String) throws -> ControlFlowReport {
        guard context.depth < ControlFlowLowering.maximumDepth else {
            throw CodeGenError("control flow nested more than \(ControlFlowLowering.maximumDepth) deep", at: op.location)
        }
        switch op.name {
        case "stablehlo.while": return try addLoop(op, into: &assembly, context: context, name: name)
        case "stablehlo.if", "stablehlo.case": return try addBranch(op, into: &assembly, context: context, name: name)
        default: throw CodeGenError("\(op.name) is not a control-flow op", at: op.location)
        }
    }

    private func addLoop(_ op: StableHLO.Operation, into assembly: inout Assembly, context: BlockContext,
                         name: String) throws -> ControlFlowReport {
        guard op.regions.count == 2, let condition = op.regions[0].entry, let body = op.regions[1].entry,
              condition.arguments.count == op.operands.count, body.arguments.count == op.operands.count,
              op.results.count == op.operands.count else {
            throw CodeGenError("while needs a condition and a body taking every carried value", at: op.location)
        }
        let carried = try op.results.map { try assembly.buffer(for: $0, definedBy: name) }
        var outerTouched: [Int] = carried
        for (value, buffer) in zip(op.operands, carried) {
            let source = try assembly.buffer(for: value, definedBy: name)
            outerTouched.append(source)
            if source != buffer, assembly.buffers[buffer].byteSize > 0 {
                assembly.steps.append(.copy(from: source, to: buffer))
                assembly.stepBuffers.append([source, buffer])
            }
        }
        for (argument, buffer) in zip(condition.arguments, carried) { assembly.bufferOf[argument.id] = buffer }
        for (argument, buffer) in zip(body.arguments, carried) { assembly.bufferOf[argument.id] = buffer }

        let cond = try lowerRegion(condition, into: &assembly, context: context, prefix: "\(name)_cond_")
        guard cond.results.count == 1, let predicateType = cond.results[0].type.tensorType,
              predicateType.elementType.isBool, predicateType.elementCount == 1 else {
            throw CodeGenError("while condition must return one i1 scalar", at: op.location)
        }
        let predicate = try assembly.buffer(for: cond.results[0], definedBy: "\(name) condition")
        let inPlace = CarriedInPlace.candidates(body: body, carried: carried) { assembly.buffers[$0].byteSize }
        var loopBody = try lowerRegion(body, into: &assembly, context: context, prefix: "\(name)_body_", carriedInPlace: inPlace)
        guard loopBody.results.count == carried.count else {
            throw CodeGenError("while body returns \(loopBody.results.count) values for \(carried.count) carried", at: op.location)
        }
        // Copy the next state into the carried buffers; values that are themselves carried
        // (a permutation) go through temporaries first, so no copy reads an overwritten buffer.
        let sources = try loopBody.results.map { try assembly.buffer(for: $0, definedBy: "\(name) body") }
        let carriedSet = Set(carried)
        var staged: [Int] = sources
        var copies: [ExecutionStep] = []
        var touched: [Int] = sources
        for (i, source) in sources.enumerated() where source != carried[i] && carriedSet.contains(source) {
            let temporary = assembly.arenaBuffer(like: carried[i], name: "\(name) carried \(i) (staged)")
            copies.append(.copy(from: source, to: temporary))
            staged[i] = temporary
            touched.append(temporary)
        }
        for (i, source) in staged.enumerated() where source != carried[i] && assembly.buffers[carried[i]].byteSize > 0 {
            copies.append(.copy(from: source, to: carried[i]))
        }
        loopBody.steps += copies
        let inPlaceCount = zip(zip(sources, carried), zip(loopBody.results, body.arguments))
            .filter { $0.0.0 == $0.0.1 && $0.1.0.id != $0.1.1.id }.count
        let kernel = assembly.conditionKernel()
        let tripCount = LoopTripCount.of(op) { assembly.literalOps[$0.id] }
        assembly.steps.append(.loop(LoopStep(condition: cond.steps, predicate: predicate, body: loopBody.steps,
                                             carried: carried, setCondition: kernel, tripCount: tripCount)))
        assembly.stepBuffers.append(Array(Set(outerTouched + cond.touched + [predicate] + loopBody.touched + touched)))
        return ControlFlowReport(
            name: name, operation: op.name, onDevice: true,
            detail: "\(carried.count) carried buffer(s)\(inPlaceCount > 0 ? " (\(inPlaceCount) updated in place)" : ""); condition \(cond.steps.count) step(s), body \(loopBody.steps.count) step(s)"
                + (tripCount.map { ", trip count \($0)" } ?? "")
                + (cond.hostSteps + loopBody.hostSteps > 0 ? ", \(cond.hostSteps + loopBody.hostSteps) host step(s) inside" : ""),
            nested: cond.report.controlFlow + loopBody.report.controlFlow)
    }

    private func addBranch(_ op: StableHLO.Operation, into assembly: inout Assembly, context: BlockContext,
                           name: String) throws -> ControlFlowReport {
        guard op.operands.count == 1, let selectorType = op.operands[0].type.tensorType, selectorType.elementCount == 1 else {
            throw CodeGenError("\(op.name) needs one scalar selector", at: op.location)
        }
        let isIf = op.name == "stablehlo.if"
        if isIf ? !selectorType.elementType.isBool : selectorType.elementType != .si(32) {
            throw CodeGenError("\(op.name) selector of type \(selectorType) is not supported", at: op.location)
        }
        let selector = try assembly.buffer(for: op.operands[0], definedBy: name)
        let results = try op.results.map { try assembly.buffer(for: $0, definedBy: name) }
        var branches: [[ExecutionStep]] = []
        var touched: [Int] = [selector] + results
        var nested: [ControlFlowReport] = []
        var stepCounts: [Int] = []
        var hostSteps = 0
        for (b, region) in op.regions.enumerated() {
            guard let block = region.entry, block.arguments.isEmpty else {
                throw CodeGenError("\(op.name) branch \(b) must take no arguments", at: op.location)
            }
            var lowered = try lowerRegion(block, into: &assembly, context: context, prefix: "\(name)_branch\(b)_")
            guard lowered.results.count == results.count else {
                throw CodeGenError("\(op.name) branch \(b) returns \(lowered.results.count) values for \(results.count) results", at: op.location)
            }
            for (value, result) in zip(lowered.results, results) {
                let source = try assembly.buffer(for: value, definedBy: "\(name) branch \(b)")
                touched.append(source)
                if source != result, assembly.buffers[result].byteSize > 0 {
                    lowered.steps.append(.copy(from: source, to: result))
                }
            }
            branches.append(lowered.steps)
            touched += lowered.touched
            nested += lowered.report.controlFlow
            stepCounts.append(lowered.steps.count)
            hostSteps += lowered.hostSteps
        }
        let kernel = assembly.conditionKernel()
        assembly.steps.append(.branch(BranchStep(selector: selector, selectorKind: isIf ? .predicate : .index,
                                                 branches: branches, results: results, setCondition: kernel)))
        assembly.stepBuffers.append(Array(Set(touched)))
        return ControlFlowReport(
            name: name, operation: op.name, onDevice: true,
            detail: "\(branches.count) branches of \(stepCounts.map(String.init).joined(separator: "/")) step(s)"
                + (hostSteps > 0 ? ", \(hostSteps) host step(s) inside" : ""),
            nested: nested)
    }

    /// Lowers a region's block into a step list of its own (the assembly's steps are put
    /// back afterwards); returns the steps, the buffers they touch and the returned values.
    private func lowerRegion(_ block: Block, into assembly: inout Assembly, context: BlockContext, prefix: String,
                             carriedInPlace: [CarriedInPlace] = [])
        throws -> (steps: [ExecutionStep], touched: [Int], results: [Value], report: LoweringReport, hostSteps: Int)
    {
        let outerSteps = assembly.steps, outerBuffers = assembly.stepBuffers
        assembly.steps = []
        assembly.stepBuffers = []
        defer {
            assembly.steps = outerSteps
            assembly.stepBuffers = outerBuffers
        }
        var nested = context
        nested.prefix = prefix
        nested.depth = context.depth + 1
        nested.carriedInPlace = carriedInPlace
        let lowered = try lowerBlock(block, into: &assembly, context: nested)
        let steps = assembly.steps
        func hostCount(_ steps: [ExecutionStep]) -> Int {
            steps.reduce(0) { count, step in
                if case .host = step { return count + 1 }
                return count + hostCount(step.nestedSteps)
            }
        }
        let hostSteps = hostCount(steps)
        return (steps, assembly.stepBuffers.flatMap { $0 }, lowered.results, lowered.report, hostSteps)
    }
}

extension Assembly {
    /// A fresh arena buffer of `buffer`'s type.
    mutating func arenaBuffer(like buffer: Int, name: String) -> Int {
        var slot = buffers[buffer]
        slot.name = name
        slot.placement = .arena(offset: 0)
        let index = buffers.count
        buffers.append(slot)
        arenaBuffers.insert(index)
        return index
    }

    /// The index of the set-condition kernel (`ConditionKernel`), added once.
    mutating func conditionKernel() -> Int {
        if let index = kernels.firstIndex(where: { $0.entryPoint == ConditionKernel.entryPoint }) { return index }
        kernels.append(KernelImage(entryPoint: ConditionKernel.entryPoint, binary: Data(), source: ConditionKernel.source))
        return kernels.count - 1
    }
}
