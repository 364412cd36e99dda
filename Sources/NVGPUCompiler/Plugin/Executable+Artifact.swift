import Runtime

extension Executable: CompiledArtifact {
    public func serialized() throws -> [UInt8] { try encoded() }

    /// Steps, kernels (with launch shapes), buffers with sizes and placements, arena size,
    /// and each host step with its reason.
    public func inspection() -> String {
        var lines: [String] = []
        lines.append("executable for \(target) \(architecture), entry @\(entry)")
        lines.append("arena: \(arenaBytes) bytes; \(buffers.count) buffers, \(kernels.count) kernels, \(steps.count) steps, \(hostPrograms.count) host programs")
        lines.append("buffers:")
        for (i, b) in buffers.enumerated() {
            let place: String
            switch b.placement {
            case .arena(let offset): place = "arena+\(offset)"
            case .input(let index): place = "input \(index)"
            case .constant(let index): place = "constant \(index)"
            }
            lines.append("  b\(i): \(b.elementTypeName)\(b.shape) \(b.byteSize) bytes @ \(place)  \(b.name)")
        }
        lines.append("steps:")
        func describe(_ steps: [ExecutionStep], indent: String) {
            for (i, step) in steps.enumerated() {
                switch step {
                case .launch(let l):
                    let k = l.kernel < kernels.count ? kernels[l.kernel] : nil
                    let args = l.arguments.map { a -> String in
                        switch a {
                        case .buffer(let b): return "b\(b)"
                        case .int64(let v): return "\(v)"
                        case .int32(let v): return "\(v)"
                        case .float32(let v): return "\(v)"
                        }
                    }
                    lines.append("\(indent)\(i): launch \(k?.entryPoint ?? "kernel \(l.kernel)") grid \(l.grid) block \(l.block) (\(args.joined(separator: ", ")))")
                    if let summary = k?.source.split(separator: "\n").first(where: { $0.hasPrefix("// \(k?.entryPoint ?? "")") }) {
                        lines.append("\(indent)     \(summary.dropFirst(3))")
                    }
                case .matmul(let m):
                    let tf32 = m.allowsTF32 == true ? ", TF32" : ""
                    let epilogue = m.epilogue == .none ? "" : " epilogue \(m.epilogue.rawValue)"
                    let bias = m.bias.map { ", bias b\($0)" } ?? ""
                    lines.append("\(indent)\(i): matmul cuBLASLt \(m.batch)×(\(m.m)×\(m.k)·\(m.k)×\(m.n)) \(m.inputType)→\(m.outputType) tA=\(m.transposeA) tB=\(m.transposeB)\(tf32)\(epilogue) (b\(m.a), b\(m.b)\(bias)) → b\(m.c)")
                case .host(let h):
                    lines.append("\(indent)\(i): host program \(h.program) (\(h.inputs.map { "b\($0)" }.joined(separator: ", "))) → (\(h.outputs.map { "b\($0)" }.joined(separator: ", "))): \(h.reason)")
                case .copy(let from, let to):
                    lines.append("\(indent)\(i): copy b\(from) → b\(to)")
                case .collective(let c):
                    lines += collectivePlanLines(c, step: i)
                case .convolution(let c):
                    let reads = [c.input, c.filter, c.output].filter { $0 != c.written }.map { "b\($0)" }
                        + (c.reluBias.map { ["bias b\($0)"] } ?? [])
                    lines.append("\(indent)\(i): \(c.summary) (\(reads.joined(separator: ", "))) → b\(c.written)")
                case .attention(let a):
                    lines.append("\(indent)\(i): \(a.summary) (q b\(a.query.buffer), k b\(a.key.buffer), v b\(a.value.buffer)"
                                 + (a.bias.map { ", bias b\($0.buffer)" } ?? "") + ") → b\(a.output.buffer); "
                                 + "cuDNN or kernel \(a.kernel.kernel) grid \(a.kernel.grid) block \(a.kernel.block), the faster")
                case .fft(let f):
                    lines.append("\(indent)\(i): \(f.summary) (b\(f.input)\(f.scratch.map { ", scratch b\($0)" } ?? "")) → b\(f.output)")
                case .loop(let loop):
                    lines.append("\(indent)\(i): while (carried \(loop.carried.map { "b\($0)" }.joined(separator: ", "))), predicate b\(loop.predicate), "
                                 + (loop.tripCount.map { "\($0) trips (counted: the condition is not evaluated)" } ?? "device-side (graph WHILE node)"))
                    lines.append("\(indent)   condition:")
                    describe(loop.condition, indent: indent + "     ")
                    lines.append("\(indent)   body:")
                    describe(loop.body, indent: indent + "     ")
                case .branch(let branch):
                    lines.append("\(indent)\(i): \(branch.selectorKind == .predicate ? "if" : "case") on b\(branch.selector) → (\(branch.results.map { "b\($0)" }.joined(separator: ", "))), device-side (graph SWITCH node)")
                    for (b, steps) in branch.branches.enumerated() {
                        lines.append("\(indent)   branch \(b):")
                        describe(steps, indent: indent + "     ")
                    }
                }
            }
        }
        describe(steps, indent: "  ")
        lines.append("inputs: \(inputs.map { "b\($0)" }.joined(separator: ", ")); outputs: \(outputs.map { "b\($0)" }.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }
}
