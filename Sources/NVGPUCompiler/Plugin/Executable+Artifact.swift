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
                lines.append("  \(i): launch \(k?.entryPoint ?? "kernel \(l.kernel)") grid \(l.grid) block \(l.block) (\(args.joined(separator: ", ")))")
                if let summary = k?.source.split(separator: "\n").first(where: { $0.hasPrefix("// \(k?.entryPoint ?? "")") }) {
                    lines.append("       \(summary.dropFirst(3))")
                }
            case .matmul(let m):
                let tf32 = m.allowsTF32 == true ? ", TF32" : ""
                let epilogue = m.epilogue == .none ? "" : " epilogue \(m.epilogue.rawValue)"
                let bias = m.bias.map { ", bias b\($0)" } ?? ""
                lines.append("  \(i): matmul cuBLASLt \(m.batch)×(\(m.m)×\(m.k)·\(m.k)×\(m.n)) \(m.inputType)→\(m.outputType) tA=\(m.transposeA) tB=\(m.transposeB)\(tf32)\(epilogue) (b\(m.a), b\(m.b)\(bias)) → b\(m.c)")
            case .host(let h):
                lines.append("  \(i): host program \(h.program) (\(h.inputs.map { "b\($0)" }.joined(separator: ", "))) → (\(h.outputs.map { "b\($0)" }.joined(separator: ", "))): \(h.reason)")
            case .copy(let from, let to):
                lines.append("  \(i): copy b\(from) → b\(to)")
            case .collective(let c):
                lines += collectivePlanLines(c, step: i)
            case .convolution(let c):
                lines.append("  \(i): \(c.summary) (b\(c.input), b\(c.filter)\(c.reluBias.map { ", bias b\($0)" } ?? "")) → b\(c.output)")
            }
        }
        lines.append("inputs: \(inputs.map { "b\($0)" }.joined(separator: ", ")); outputs: \(outputs.map { "b\($0)" }.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }
}
