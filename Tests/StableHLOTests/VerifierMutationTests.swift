import Testing
@testable import StableHLO

/// Mutation testing over the conformance programs: change the result shape of one op
/// and expect the verifier to blame that op. This measures how much of each op's
/// result type the rules actually infer.
@Suite struct VerifierMutationTests {
    /// Ops whose result shape is not (fully) determined by operands and attributes.
    static let freeResultShape: Set<String> = [
        "stablehlo.iota", "stablehlo.broadcast_in_dim", "stablehlo.dynamic_iota",
        "stablehlo.dynamic_pad", "stablehlo.dynamic_broadcast_in_dim", "stablehlo.dynamic_reshape",
    ]

    /// Ops whose result element type is chosen by the program, not inferred.
    static let freeResultElementType: Set<String> = [
        "stablehlo.iota", "stablehlo.dynamic_iota", "stablehlo.convert", "stablehlo.bitcast_convert",
        "stablehlo.dot_general", "stablehlo.dot", "stablehlo.convolution",
    ]

    /// One way to break a result type.
    enum Mutation: String, CaseIterable, Sendable {
        case shape, elementType

        /// Ops exempt from this mutation.
        var exempt: Set<String> { self == .shape ? freeResultShape : freeResultElementType }

        func apply(_ type: TensorType) -> TensorType {
            switch self {
            case .shape: return reshaped(type)
            case .elementType: return retyped(type)
            }
        }
    }

    /// Instances of each op name mutated at most.
    static let perOpLimit = 6

    /// A copy of `type` with a different shape: dimension 0 grown by one, or a scalar
    /// turned into a 2-vector.
    static func reshaped(_ type: TensorType) -> TensorType {
        var t = type
        if t.rank == 0 { t.shape = [2] } else if t.shape[0] != TensorType.dynamic { t.shape[0] += 1 } else { t.shape.append(1) }
        return t
    }

    /// A copy of `type` with another element type of the same kind.
    static func retyped(_ type: TensorType) -> TensorType {
        var t = type
        switch t.elementType {
        case .i1: t.elementType = .si(32)
        case .si(let w): t.elementType = .si(w == 32 ? 64 : 32)
        case .ui(let w): t.elementType = .ui(w == 32 ? 64 : 32)
        case .index: t.elementType = .si(32)
        case .float(let f): t.elementType = .float(f == .f32 ? .f64 : .f32)
        case .complex(let f): t.elementType = .complex(f == .f32 ? .f64 : .f32)
        }
        return t
    }

    /// Applies `transform` to the op numbered `target` in a pre-order walk of `module`.
    static func mutate(_ module: Module, target: Int, _ transform: (inout Operation) -> Void) -> Module {
        var copy = module
        var counter = 0
        func visit(_ region: inout Region) {
            for b in region.blocks.indices {
                for o in region.blocks[b].operations.indices {
                    if counter == target { transform(&region.blocks[b].operations[o]) }
                    counter += 1
                    for r in region.blocks[b].operations[o].regions.indices {
                        visit(&region.blocks[b].operations[o].regions[r])
                    }
                }
            }
        }
        for f in copy.functions.indices { visit(&copy.functions[f].body) }
        return copy
    }

    /// Every op of `module` in pre-order.
    static func operations(_ module: Module) -> [Operation] {
        var ops: [Operation] = []
        func visit(_ region: Region) {
            for block in region.blocks {
                for op in block.operations {
                    ops.append(op)
                    op.regions.forEach(visit)
                }
            }
        }
        module.functions.forEach { visit($0.body) }
        return ops
    }

    @Test(arguments: Mutation.allCases)
    func detectsWrongResultTypes(_ mutation: Mutation) throws {
        guard let directory = ConformanceProgram.directory else {
            print("VerifierMutationTests: skipped, no conformance data (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        var mutatedPerOp: [String: Int] = [:]
        var missed: [String] = []
        var detected = 0
        for program in try ConformanceProgram.all(in: directory) {
            guard let module = try? parseForVerifier(program.text, file: program.file, firstLine: program.firstLine)
            else { continue }
            for (index, op) in Self.operations(module).enumerated() {
                guard VerifierRules.table[op.name] != nil, !mutation.exempt.contains(op.name),
                      !ModuleWalker.involvesOpaqueTypes(op),
                      let first = op.results.first?.type.tensorType,
                      mutatedPerOp[op.name, default: 0] < Self.perOpLimit
                else { continue }
                mutatedPerOp[op.name, default: 0] += 1
                let broken = Self.mutate(module, target: index) { op in
                    op.results[0].type = .tensor(mutation.apply(first))
                }
                let blamed = broken.verifyAll().contains {
                    $0.location == op.location && $0.message.hasPrefix(op.name + ":")
                }
                if blamed { detected += 1 } else { missed.append("\(op.name) at \(op.location)") }
            }
        }
        let total = mutatedPerOp.values.reduce(0, +)
        print("VerifierMutationTests (\(mutation.rawValue)): \(detected)/\(total) mutated results blamed on their op, over \(mutatedPerOp.count) op kinds")
        #expect(total > 0)
        #expect(missed.isEmpty, "mutations not detected:\n\(missed.joined(separator: "\n"))")
    }
}
