import Compiler
import Foundation
import Runtime
import StableHLO

/// Collects buffers, constants, kernels, steps and host programs while the builder walks
/// the planned groups, then places intermediates in the arena.
struct Assembly {
    var buffers: [BufferSlot] = []
    var constants: [ConstantData] = []
    var kernels: [KernelImage] = []
    var steps: [ExecutionStep] = []
    var hostPrograms: [String] = []
    /// Value id → buffer index.
    var bufferOf: [Int: Int] = [:]
    var inputs: [Int] = []
    /// Buffers that live in the arena.
    var arenaBuffers: Set<Int> = []
    /// Buffers each step touches, for liveness.
    var stepBuffers: [[Int]] = []
    /// Value id → literal op (small constants only kernels read, inlined).
    var literalOps: [Int: StableHLO.Operation]

    init(block: Block, arguments: [Value]) {
        var literals: [Int: StableHLO.Operation] = [:]
        for op in block.operations where op.name == "stablehlo.constant" {
            for r in op.results { literals[r.id] = op }
        }
        literalOps = literals
        for (i, v) in arguments.enumerated() {
            guard let t = v.type.tensorType else { continue }
            bufferOf[v.id] = buffers.count
            inputs.append(buffers.count)
            buffers.append(BufferSlot(name: "arg\(i)", type: t, placement: .input(index: i)))
        }
    }

    /// Records the literals of `block` (a rewritten or nested block), so that steps other
    /// than kernels that read one get it as a constant buffer.
    mutating func addLiterals(of block: Block) {
        for op in block.operations where op.name == "stablehlo.constant" {
            for r in op.results where literalOps[r.id] == nil { literalOps[r.id] = op }
        }
    }

    mutating func addConstant(_ op: StableHLO.Operation) throws {
        guard case .dense(let d)? = op[attribute: "value"], let t = op.resultTensorType(0) else {
            throw Diagnostic(.verify, at: op.location, "constant without a dense value")
        }
        let index = buffers.count
        buffers.append(BufferSlot(name: "%\(op.results[0].id) = constant", type: t, placement: .constant(index: constants.count)))
        constants.append(ConstantData(buffer: index, bytes: Data(d.expandedBytes)))
        bufferOf[op.results[0].id] = index
    }

    /// The buffer of `v`, creating an arena buffer for a value a step defines. Literal
    /// inputs that were not planned as buffers (a step other than a kernel reads them)
    /// become constants here.
    mutating func buffer(for v: Value, definedBy name: String) throws -> Int {
        if let b = bufferOf[v.id] { return b }
        if let literal = literalOps[v.id] {
            try addConstant(literal)
            if let b = bufferOf[v.id] { return b }
        }
        guard let t = v.type.tensorType, t.isStatic else {
            throw CodeGenError("value %\(v.id) of type \(v.type) cannot live in a device buffer")
        }
        let index = buffers.count
        buffers.append(BufferSlot(name: "%\(v.id) = \(name)", type: t, placement: .arena(offset: 0)))
        arenaBuffers.insert(index)
        bufferOf[v.id] = index
        return index
    }

    mutating func addKernels(_ planned: FusionKernels, group: FusionGroup) throws {
        var scratch: [Int] = []
        for (k, s) in planned.scratch.enumerated() {
            let index = buffers.count
            buffers.append(BufferSlot(name: "scratch\(k) of \(planned.kernels.first?.name ?? "fusion")", type: s.type, placement: .arena(offset: 0)))
            arenaBuffers.insert(index)
            scratch.append(index)
        }
        // Outputs get buffers even when no kernel writes them (empty tensors).
        for v in group.outputs { _ = try buffer(for: v, definedBy: planned.kernels.first?.name ?? "empty fusion") }
        for kernel in planned.kernels {
            var arguments: [KernelLaunch.Argument] = []
            var touched: [Int] = []
            for binding in kernel.bindings {
                let b: Int
                switch binding {
                case .value(let v): b = try buffer(for: v, definedBy: kernel.name)
                case .scratch(let k): b = scratch[k]
                }
                arguments.append(.buffer(b))
                touched.append(b)
            }
            steps.append(.launch(KernelLaunch(
                kernel: kernels.count, grid: kernel.grid, block: kernel.block,
                sharedMemoryBytes: kernel.sharedMemoryBytes, arguments: arguments)))
            kernels.append(KernelImage(entryPoint: kernel.name, binary: Data(), source: kernel.source))
            stepBuffers.append(touched)
        }
    }

    mutating func addMatmul(_ fusedOp: StableHLO.Operation, options: CompileOptions, name: String) throws {
        let fused = try MatmulEpilogueMatcher.fusedEpilogue(of: fusedOp)
        let op = fused?.product ?? fusedOp
        let a = try buffer(for: op.operands[0], definedBy: "dot_general")
        let b = try buffer(for: op.operands[1], definedBy: "dot_general")
        let c = try buffer(for: op.results[0], definedBy: "dot_general")
        guard let result = op.resultTensorType(0), result.elementCount > 0 else { return }
        if options.useVendorLibraries, var call = MatmulLowering.vendorCall(op, a: a, b: b, c: c) {
            if !options.allowsTF32, call.allowsTF32 != nil { call.allowsTF32 = false }
            var touched = [a, b, c]
            if let fused {
                call.epilogue = fused.epilogue
                if let bias = fused.bias {
                    let index = try buffer(for: bias, definedBy: "bias")
                    call.bias = index
                    touched.append(index)
                }
            }
            steps.append(.matmul(call))
            stepBuffers.append(touched)
            return
        }
        if let fused {
            throw CodeGenError("matmul epilogue \(fused.epilogue) needs cuBLASLt", at: op.location)
        }
        let kernel = try GemmKernel.build(op, name: name)
        steps.append(.launch(KernelLaunch(
            kernel: kernels.count, grid: kernel.grid, block: kernel.block, arguments: [.buffer(a), .buffer(b), .buffer(c)])))
        kernels.append(KernelImage(entryPoint: kernel.name, binary: Data(), source: kernel.source))
        stepBuffers.append([a, b, c])
    }

    mutating func addHost(_ text: String, group: FusionGroup, reason: String) throws {
        let ins = try group.inputs.map { try buffer(for: $0, definedBy: "host") }
        let outs = try group.outputs.map { try buffer(for: $0, definedBy: "host") }
        steps.append(.host(HostCall(program: hostPrograms.count, function: "main", inputs: ins, outputs: outs, reason: reason)))
        hostPrograms.append(text)
        stepBuffers.append(ins + outs)
    }

    mutating func finish(outputs: [Value], architecture: String, entry: String) throws -> Executable {
        let results = try outputs.map { try buffer(for: $0, definedBy: "result") }
        let lifetimes = BufferPlanning.lifetimes(
            buffers: arenaBuffers.sorted().map { ($0, buffers[$0].byteSize) },
            stepBuffers: stepBuffers, results: Set(results))
        let plan = BufferPlanning.plan(lifetimes)
        for (b, offset) in plan.offsets { buffers[b].placement = .arena(offset: offset) }
        return Executable(
            target: "cuda", architecture: architecture, entry: entry, arenaBytes: plan.arenaBytes,
            buffers: buffers, inputs: inputs, outputs: results, constants: constants, kernels: kernels,
            steps: steps, hostPrograms: hostPrograms)
    }
}
