import Testing
@testable import StableHLO

/// Bad input must give a diagnostic, never a trap: every rule is run on conformance ops
/// whose attributes, operands, results and regions were damaged in many ways. A trap
/// would kill the test process, so finishing is the check; the counts are printed.
@Suite struct VerifierRobustnessTests {
    static let hostileInts: [[Int64]] = [[], [-1], [Int64.max], [Int64.min], [0, 0, 0, 0, 0, 0, 0], [1 << 40, -(1 << 40)]]

    /// Variants of one attribute value: hostile integer lists and scalars, recursively
    /// inside structured attributes.
    static func variants(of attribute: Attribute) -> [Attribute] {
        var out: [Attribute] = []
        if let values = attribute.intArray {
            out += hostileInts.map { .denseInts(.si(64), $0) }
            out.append(.denseInts(.si(64), values + [Int64(values.count)]))
            out.append(.denseInts(.si(64), values.map { $0 &+ 1000 }))
        }
        if attribute.intValue != nil {
            out += [-1, Int64.max, Int64.min, 1000].map { .integer($0, type: nil) }
        }
        if case .dialect(let name, let parameters) = attribute {
            for (i, parameter) in parameters.enumerated() {
                for variant in variants(of: parameter.value) {
                    var changed = parameters
                    changed[i].value = variant
                    out.append(.dialect(name: name, parameters: changed))
                }
            }
            out.append(.dialect(name: name, parameters: []))
        }
        out += [.string("bogus"), .unit, .array([.array([])])]
        return out
    }

    /// Damaged copies of `op`.
    static func damaged(_ op: Operation) -> [Operation] {
        var out: [Operation] = []
        for (i, attribute) in op.attributes.enumerated() {
            for variant in variants(of: attribute.value) {
                var copy = op
                copy.attributes[i].value = variant
                out.append(copy)
            }
            var dropped = op
            dropped.attributes.remove(at: i)
            out.append(dropped)
        }
        var noOperands = op
        noOperands.operands = []
        var noResults = op
        noResults.results = []
        var noRegions = op
        noRegions.regions = []
        var emptyRegions = op
        emptyRegions.regions = op.regions.map { _ in Region(blocks: [Block()]) }
        var tokenOperands = op
        tokenOperands.operands = op.operands.map { Value(id: $0.id, type: .token) }
        var scalarOperands = op
        scalarOperands.operands = op.operands.map {
            Value(id: $0.id, type: .tensor(TensorType(shape: [], elementType: $0.type.tensorType?.elementType ?? .i1)))
        }
        var doubled = op
        doubled.operands += op.operands
        doubled.results += op.results
        return out + [noOperands, noResults, noRegions, emptyRegions, tokenOperands, scalarOperands, doubled]
    }

    @Test func damagedOperationsGiveDiagnostics() throws {
        guard let directory = ConformanceProgram.directory else {
            print("VerifierRobustnessTests: skipped, no conformance data (set NVGPU_CONFORMANCE_DIR)")
            return
        }
        var seen: [String: Int] = [:]
        var runs = 0, rejected = 0
        for program in try ConformanceProgram.all(in: directory) {
            guard let module = try? parseForVerifier(program.text, file: program.file, firstLine: program.firstLine),
                  let function = module.functions.first else { continue }
            for op in VerifierMutationTests.operations(module) {
                guard let rule = VerifierRules.table[op.name], seen[op.name, default: 0] < 3 else { continue }
                seen[op.name, default: 0] += 1
                for broken in Self.damaged(op) {
                    runs += 1
                    do {
                        try rule(VerifiedOperation(op: broken, module: module, function: function))
                    } catch let diagnostic as Diagnostic {
                        rejected += 1
                        #expect(diagnostic.message.hasPrefix(op.name + ": "))
                        #expect(diagnostic.location == op.location)
                    }
                }
            }
        }
        print("VerifierRobustnessTests: \(runs) damaged ops of \(seen.count) kinds, \(rejected) rejected, no traps")
        #expect(runs > 0)
    }
}
