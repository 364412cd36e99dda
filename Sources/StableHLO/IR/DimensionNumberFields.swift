/// Reads the fields of a structured dimension-numbers attribute (`#stablehlo.gather<...>`,
/// `#stablehlo.scatter<...>`, `#stablehlo.conv<...>`) of one op, reporting a malformed field as a `Diagnostic` at
/// the op's location. A missing field takes its default, as in the StableHLO syntax.
struct DimensionNumberFields {
    /// The op that carries the attribute, for error locations and messages.
    let op: Operation
    /// The dimension-numbers attribute itself.
    let attribute: Attribute

    /// The attribute `name` of `op`, or a diagnostic saying it is missing.
    init(_ op: Operation, attribute name: String) throws(Diagnostic) {
        guard let attribute = op[attribute: name] else {
            throw Diagnostic(.verify, at: op.location, "\(op.name): missing attribute '\(name)'")
        }
        self.op = op
        self.attribute = attribute
    }

    /// The integer-list field `name` (missing means empty).
    func ints(_ name: String) throws(Diagnostic) -> [Int] {
        guard let field = attribute[parameter: name] else { return [] }
        guard let values = field.intArray else {
            throw Diagnostic(.verify, at: op.location, "\(op.name): dimension numbers field '\(name)' is not an integer list")
        }
        return values.map { Int($0) }
    }

    /// The integer field `name`, also accepted as a one-element list (missing means
    /// `defaultValue`, or an error when there is none).
    func int(_ name: String, default defaultValue: Int? = nil) throws(Diagnostic) -> Int {
        guard let field = attribute[parameter: name] else {
            if let defaultValue { return defaultValue }
            throw Diagnostic(.verify, at: op.location, "\(op.name): dimension numbers lack '\(name)'")
        }
        if let value = field.intValue { return Int(value) }
        if let values = field.intArray, values.count == 1 { return Int(values[0]) }
        throw Diagnostic(.verify, at: op.location, "\(op.name): dimension numbers field '\(name)' is not an integer")
    }
}
