/// Decodes the native properties of registered ops: the inherent attributes written by
/// ODS-generated code, one attribute reference per attribute in name order (optional
/// ones as `(index << 1) | present`).
enum PropertiesDecoder {
    /// The properties layouts of the non-VHLO ops this reader knows: (name, optional).
    static let builtinLayouts: [String: [(String, Bool)]] = [
        "builtin.module": [("sym_name", true), ("sym_visibility", true)],
        "func.func": [("arg_attrs", true), ("function_type", false), ("no_inline", true), ("res_attrs", true),
                      ("sym_name", false), ("sym_visibility", true)],
        "func.call": [("arg_attrs", true), ("callee", false), ("no_inline", true), ("res_attrs", true)],
        "func.return": [],
        "chlo.top_k": [("is_stable", true), ("k", false)],
        "chlo.compare": [("compare_type", true), ("comparison_direction", false)],
        "chlo.constant": [("value", false)],
        "chlo.constant_like": [("value", false)],
    ]

    /// Layouts of older writers, tried when the current one does not fit the payload.
    static let olderLayouts: [String: [(String, Bool)]] = [
        "chlo.top_k": [("k", false)],
    ]

    static func read(_ opName: String, _ c: inout ByteCursor, _ table: AttributeTable) throws -> [NamedAttribute] {
        var out: [NamedAttribute] = []
        if opName.hasPrefix("vhlo.") {
            guard let names = VHLOOpTable.propertyNames[String(opName.dropFirst(5))] else {
                throw c.error("unknown VHLO operation '\(opName)'")
            }
            out.reserveCapacity(names.count)
            for name in names { out.append(NamedAttribute(name, try table.readAttribute(&c))) }
            return out
        }
        if opName.hasPrefix("sdy.") {
            // Shardy's sharding metadata (`sdy.mesh`): meaningless on one device and dropped
            // when the module is assembled; its properties are skipped unread.
            try c.skip(UInt64(c.remaining))
            return out
        }
        guard let layout = builtinLayouts[opName] ?? StablehloOpTable.propertyLayouts[opName] else {
            throw c.error("no properties layout known for '\(opName)'")
        }
        if let older = olderLayouts[opName] {
            var attempt = c
            if let attributes = try? read(layout, &attempt, table), attempt.isAtEnd {
                c = attempt
                return attributes
            }
            return try read(older, &c, table)
        }
        return try read(layout, &c, table)
    }

    /// Reads the attributes of `layout` in order.
    static func read(_ layout: [(String, Bool)], _ c: inout ByteCursor, _ table: AttributeTable) throws -> [NamedAttribute] {
        var out: [NamedAttribute] = []
        for (name, optional) in layout {
            // Optional attributes that a newer StableHLO added at the end of an op's list
            // (e.g. custom_call's `result_tilings` in 1.18) are absent in older writers' output.
            if optional, c.isAtEnd { continue }
            if optional {
                if let a = try table.readOptionalAttribute(&c) { out.append(NamedAttribute(name, a)) }
            } else {
                out.append(NamedAttribute(name, try table.readAttribute(&c)))
            }
        }
        return out
    }
}
