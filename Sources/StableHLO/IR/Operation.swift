/// An SSA value: a function argument, block argument or operation result.
///
/// `id` is unique within the function that defines it; the type travels with the value so
/// that every pass can read operand types without a lookup.
public struct Value: Hashable, Sendable {
    public var id: Int
    public var type: IRType

    public init(id: Int, type: IRType) {
        self.id = id
        self.type = type
    }
}

/// One operation: name, operands, results, attributes and regions.
///
/// The name is fully qualified (`stablehlo.add`, `func.return`, `check.expect_eq`).
/// Attributes keep their source order (inherent `<{...}>` ones first, then the
/// discardable `{...}` ones), so that printing reproduces the input.
public struct Operation: Hashable, Sendable {
    public var name: String
    public var operands: [Value]
    public var results: [Value]
    public var attributes: [NamedAttribute]
    public var regions: [Region]
    public var location: SourceLocation

    public init(
        name: String, operands: [Value] = [], results: [Value] = [],
        attributes: [NamedAttribute] = [], regions: [Region] = [],
        location: SourceLocation = .unknown
    ) {
        self.name = name
        self.operands = operands
        self.results = results
        self.attributes = attributes
        self.regions = regions
        self.location = location
    }

    /// The attribute named `name`, if present.
    public subscript(attribute name: String) -> Attribute? {
        get { attributes.first { $0.name == name }?.value }
        set {
            if let i = attributes.firstIndex(where: { $0.name == name }) {
                if let newValue { attributes[i].value = newValue } else { attributes.remove(at: i) }
            } else if let newValue {
                attributes.append(NamedAttribute(name, newValue))
            }
        }
    }

    /// The name without its dialect prefix (`add` for `stablehlo.add`).
    public var shortName: Substring {
        guard let dot = name.firstIndex(of: ".") else { return Substring(name) }
        return name[name.index(after: dot)...]
    }

    /// The tensor type of operand `i`, if it is a tensor.
    public func operandTensorType(_ i: Int) -> TensorType? { operands[i].type.tensorType }
    /// The tensor type of result `i`, if it is a tensor.
    public func resultTensorType(_ i: Int) -> TensorType? { results[i].type.tensorType }
}

/// A basic block: arguments and a list of operations; the last is its terminator.
public struct Block: Hashable, Sendable {
    public var arguments: [Value]
    public var operations: [Operation]

    public init(arguments: [Value] = [], operations: [Operation] = []) {
        self.arguments = arguments
        self.operations = operations
    }
}

/// A region: the body of a function or of an op such as `reduce`, `while` or `if`.
public struct Region: Hashable, Sendable {
    public var blocks: [Block]

    public init(blocks: [Block] = []) { self.blocks = blocks }

    /// The first block (StableHLO regions have exactly one).
    public var entry: Block? { blocks.first }
}

/// A `func.func`.
public struct Function: Hashable, Sendable {
    public var name: String
    /// `public`, `private` or nil when unspecified.
    public var visibility: String?
    public var inputTypes: [IRType]
    public var resultTypes: [IRType]
    /// Per-argument attribute dictionaries (`{jax.arg_info = "x"}`); empty when none.
    public var argumentAttributes: [[NamedAttribute]]
    public var resultAttributes: [[NamedAttribute]]
    /// `attributes {...}` of the function.
    public var attributes: [NamedAttribute]
    /// The body; the entry block's arguments are the function's parameters.
    /// Empty for an external declaration.
    public var body: Region
    public var location: SourceLocation

    public init(
        name: String, visibility: String? = nil, inputTypes: [IRType], resultTypes: [IRType],
        argumentAttributes: [[NamedAttribute]] = [], resultAttributes: [[NamedAttribute]] = [],
        attributes: [NamedAttribute] = [], body: Region, location: SourceLocation = .unknown
    ) {
        self.name = name
        self.visibility = visibility
        self.inputTypes = inputTypes
        self.resultTypes = resultTypes
        self.argumentAttributes = argumentAttributes
        self.resultAttributes = resultAttributes
        self.attributes = attributes
        self.body = body
        self.location = location
    }

    /// The next unused value id in this function (for passes that create values).
    public var nextValueID: Int {
        var maxID = -1
        func visit(_ region: Region) {
            for block in region.blocks {
                for a in block.arguments { maxID = max(maxID, a.id) }
                for op in block.operations {
                    for r in op.results { maxID = max(maxID, r.id) }
                    op.regions.forEach(visit)
                }
            }
        }
        visit(body)
        return maxID + 1
    }
}

/// A `module`: its optional name, attributes and functions.
public struct Module: Hashable, Sendable {
    public var name: String?
    public var attributes: [NamedAttribute]
    public var functions: [Function]
    public var location: SourceLocation

    public init(
        name: String? = nil, attributes: [NamedAttribute] = [], functions: [Function] = [],
        location: SourceLocation = .unknown
    ) {
        self.name = name
        self.attributes = attributes
        self.functions = functions
        self.location = location
    }

    /// The function named `name` (without `@`).
    public func function(named name: String) -> Function? {
        functions.first { $0.name == name }
    }

    /// A module attribute such as `mhlo.num_replicas`.
    public subscript(attribute name: String) -> Attribute? {
        attributes.first { $0.name == name }?.value
    }
}
