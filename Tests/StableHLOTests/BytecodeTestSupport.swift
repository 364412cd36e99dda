import Foundation
@testable import StableHLO

/// Puts a module in a canonical form for comparing a bytecode read with a text parse:
/// locations are dropped, attributes are sorted by name (also inside dictionaries), dense
/// literals are expanded (a splat and its full form compare equal), empty-array
/// parameters of `#stablehlo.*` attributes are dropped (MLIR's generic printer omits
/// them while the pretty forms spell them), value ids are renumbered per function in
/// definition order, and the `tf32` type (which the text parser lacks; the corpus test
/// rewrites it to `f32` in the text) compares as `f32`.
enum BytecodeNormalization {
    /// `renumbering: false` keeps the value ids (to check that the reader numbers values
    /// exactly as the text parser does).
    static func normalize(_ module: Module, renumbering: Bool = true) -> Module {
        var m = module
        m.location = .unknown
        m.attributes = attributes(m.attributes)
        m.functions = m.functions.map { function($0, renumbering: renumbering) }
        return m
    }

    static func function(_ f: Function, renumbering: Bool = true) -> Function {
        var f = f
        f.location = .unknown
        f.attributes = attributes(f.attributes)
        f.argumentAttributes = f.argumentAttributes.map(attributes)
        f.resultAttributes = f.resultAttributes.map(attributes)
        f.inputTypes = f.inputTypes.map(type)
        f.resultTypes = f.resultTypes.map(type)
        var ids: [Int: Int] = [:]
        var next = renumbering ? 0 : -1
        f.body = region(f.body, &ids, &next)
        return f
    }

    /// The value with its id renumbered (`next` counts definitions; -1 keeps ids).
    static func value(_ v: Value, _ ids: inout [Int: Int], _ next: inout Int, define: Bool) -> Value {
        if next < 0 { return Value(id: v.id, type: type(v.type)) }
        if define || ids[v.id] == nil {
            ids[v.id] = next
            next += 1
        }
        return Value(id: ids[v.id] ?? -1, type: type(v.type))
    }

    static func region(_ r: Region, _ ids: inout [Int: Int], _ next: inout Int) -> Region {
        var r = r
        for b in r.blocks.indices {
            r.blocks[b].arguments = r.blocks[b].arguments.map { value($0, &ids, &next, define: true) }
            for k in r.blocks[b].operations.indices {
                var op = r.blocks[b].operations[k]
                op.location = .unknown
                op.operands = op.operands.map { value($0, &ids, &next, define: false) }
                op.regions = op.regions.map { region($0, &ids, &next) }
                op.results = op.results.map { value($0, &ids, &next, define: true) }
                op.attributes = attributes(op.attributes)
                r.blocks[b].operations[k] = op
            }
        }
        return r
    }

    static func attributes(_ list: [NamedAttribute]) -> [NamedAttribute] {
        list.map { NamedAttribute($0.name, attribute($0.value)) }.sorted { $0.name < $1.name }
    }

    static func type(_ t: IRType) -> IRType {
        switch t {
        case .tuple(let ts): return .tuple(ts.map(type))
        case .function(let i, let r): return .function(inputs: i.map(type), results: r.map(type))
        default: return t
        }
    }

    static func attribute(_ a: Attribute) -> Attribute {
        switch a {
        case .array(let items): return .array(items.map(attribute))
        case .dictionary(let entries): return .dictionary(attributes(entries))
        case .dense(let d): return .dense(DenseElements(type: d.type, bytes: d.expandedBytes, isSplat: false))
        case .type(.opaque("tf32")): return .type(.scalar(.float(.f32)))
        case .type(let t): return .type(type(t))
        case .dialect(let name, let ps):
            let kept = ps.filter { $0.value != .array([]) }.map { NamedAttribute($0.name, attribute($0.value)) }
            return .dialect(name: name, parameters: kept)
        default: return a
        }
    }

    /// The module with every location set to `.unknown` and nothing else changed.
    static func droppingLocations(_ module: Module) -> Module {
        func region(_ r: Region) -> Region {
            var r = r
            for b in r.blocks.indices {
                for k in r.blocks[b].operations.indices {
                    r.blocks[b].operations[k].location = .unknown
                    r.blocks[b].operations[k].regions = r.blocks[b].operations[k].regions.map(region)
                }
            }
            return r
        }
        var m = module
        m.location = .unknown
        m.functions = m.functions.map { f in
            var f = f
            f.location = .unknown
            f.body = region(f.body)
            return f
        }
        return m
    }

    /// `text` with the type `tf32` (not `@type_tf32`) spelled `f32`.
    static func replacingTF32(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: "tf32") {
            let before = rest[..<r.lowerBound]
            out += before
            if let c = before.last ?? out.last, c.isLetter || c.isNumber || c == "_" {
                out += "tf32"
            } else {
                out += "f32"
            }
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    /// The first line where the generic-form texts of two modules differ, for messages.
    static func firstDifference(_ a: Module, _ b: Module) -> String {
        let x = a.text(prettyForms: false).split(separator: "\n", omittingEmptySubsequences: false)
        let y = b.text(prettyForms: false).split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? String(x[i]) : "<end>"
            let r = i < y.count ? String(y[i]) : "<end>"
            if l != r {
                // Show both lines from a little before the first differing character.
                let common = zip(l, r).prefix { $0 == $1 }.count
                let start = max(0, common - 60)
                let a = String(l.dropFirst(start).prefix(300)), b = String(r.dropFirst(start).prefix(300))
                return "line \(i + 1), column \(common + 1):\n  bytecode: …\(a)\n  text:     …\(b)"
            }
        }
        return "(texts are equal; the modules differ in a way the printer does not show)"
    }
}

/// Test files beside this source file.
enum BytecodeTestFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("bytecode")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}
