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
        for (name, optional) in layout {
            if optional {
                if let a = try table.readOptionalAttribute(&c) { out.append(NamedAttribute(name, a)) }
            } else {
                out.append(NamedAttribute(name, try table.readAttribute(&c)))
            }
        }
        return out
    }
}
