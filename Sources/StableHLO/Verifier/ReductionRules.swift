/// Ops with a scalar body: `reduce`, `reduce_window`, `select_and_scatter`, `sort`, `map`.
enum ReductionRules {
    static let table: [String: VerificationRule] = [
        "stablehlo.reduce": reduce,
        "stablehlo.reduce_window": reduceWindow,
        "stablehlo.select_and_scatter": selectAndScatter,
        "stablehlo.sort": sort,
        "stablehlo.map": map,
        "stablehlo.all_reduce": allReduce,
    ]

    /// Checks a reduction body of type `(tensor<E0>, ..., tensor<EN-1>, tensor<E0>, ...,
    /// tensor<EN-1>) -> (tensor<E0>, ..., tensor<EN-1>)` with each `Ei` promotable from
    /// `inputs[i]`, and returns the `Ei`.
    static func reductionBody(
        _ v: VerifiedOperation, _ block: Block, inputs: [ElementType], name: String
    ) throws -> [ElementType] {
        let n = inputs.count
        guard block.arguments.count == 2 * n else {
            throw v.error("\(name) takes \(block.arguments.count) arguments, expected \(2 * n)")
        }
        var elements: [ElementType] = []
        for i in 0..<n {
            guard let t = block.arguments[i].type.tensorType, t.rank == 0 else {
                throw v.error("\(name) argument #\(i) must be a scalar tensor, got \(block.arguments[i].type)")
            }
            guard isPromotable(inputs[i], to: t.elementType) else {
                throw v.error("\(name) argument #\(i) type \(t) cannot hold input element type \(inputs[i])")
            }
            elements.append(t.elementType)
        }
        let scalars = elements.map(scalarTensor)
        try v.expectSignature(block, named: name, arguments: scalars + scalars, yields: scalars)
        return elements
    }

    /// Splits `2N` operands into inputs and init values; inputs share one shape and
    /// init values are scalars of the inputs' element types.
    static func inputsAndInits(_ v: VerifiedOperation) throws -> [TensorType] {
        let count = v.op.operands.count
        guard count >= 2, count % 2 == 0 else {
            throw v.error("expects inputs and as many init values, got \(count) operands")
        }
        let n = count / 2
        try v.expectResultCount(n)
        let inputs = try v.operands(0..<n), inits = try v.operands(n..<count)
        for (i, input) in inputs.enumerated() {
            guard TensorType.compatibleShapes(input.shape, inputs[0].shape) else {
                throw v.error("input #\(i) \(input) and input #0 \(inputs[0]) differ in shape")
            }
            guard inits[i].rank == 0 else { throw v.error("init value #\(i) must be a scalar tensor, got \(inits[i])") }
            try v.expectSameElementType(inits[i], input, "init value #\(i)", "input #\(i)")
        }
        return inputs
    }

    /// `reduce`: unique in-range `dimensions`; results drop the reduced dimensions.
    static func reduce(_ v: VerifiedOperation) throws {
        let inputs = try inputsAndInits(v)
        let dims = try v.ints("dimensions")
        try v.expectInRange(dims, rank: inputs[0].rank, "dimensions")
        try v.expectUnique(dims, "dimensions")
        let body = try v.block(0, named: "body")
        let elements = try reductionBody(v, body, inputs: inputs.map(\.elementType), name: "body")
        let kept = inputs[0].shape.enumerated().filter { !dims.contains($0.offset) }.map(\.element)
        for i in 0..<inputs.count {
            try v.expectResult(i, TensorType(shape: kept, elementType: elements[i]))
        }
    }

    /// The number of windows per dimension (spec `num_windows`).
    static func windowCounts(
        _ v: VerifiedOperation, shape: [Int], window: [Int], strides: [Int],
        baseDilations: [Int], windowDilations: [Int], padding: [(low: Int, high: Int)]
    ) throws -> [Int] {
        var counts: [Int] = []
        for d in 0..<shape.count {
            guard shape[d] != TensorType.dynamic, window[d] != TensorType.dynamic else {
                counts.append(TensorType.dynamic)
                continue
            }
            let what = "window arithmetic of dimension \(d)"
            let dilatedInput = shape[d] == 0 ? 0 : try v.add(try v.multiply(shape[d] - 1, baseDilations[d], what), 1, what)
            let padded = try v.add(try v.add(padding[d].low, dilatedInput, what), padding[d].high, what)
            let dilatedWindow = window[d] <= 0 ? 0 : try v.add(try v.multiply(window[d] - 1, windowDilations[d], what), 1, what)
            if padded < 0 { throw v.error("padding makes dimension \(d) negative (\(padded))") }
            let empty = padded == 0 || dilatedWindow > padded
            counts.append(empty ? 0 : (padded - dilatedWindow) / strides[d] + 1)
        }
        return counts
    }

    /// Reads and checks a window: sizes, strides and dilations positive, one per dimension.
    static func window(
        _ v: VerifiedOperation, rank: Int, dilations: (base: String, window: String)?
    ) throws -> (window: [Int], strides: [Int], base: [Int], dilation: [Int], padding: [(low: Int, high: Int)]) {
        let ones = Array(repeating: 1, count: rank)
        let window = try v.ints("window_dimensions")
        let strides = try v.ints("window_strides", default: ones)
        let base = try dilations.map { try v.ints($0.base, default: ones) } ?? ones
        let dilation = try dilations.map { try v.ints($0.window, default: ones) } ?? ones
        let padding = try v.padding("padding", defaultCount: rank)
        let named: [(String, [Int])] = [
            ("window_dimensions", window), ("window_strides", strides),
            (dilations?.base ?? "base_dilations", base), (dilations?.window ?? "window_dilations", dilation),
        ]
        for (name, values) in named {
            try v.expectSize(values, rank, name)
            if let bad = values.first(where: { $0 <= 0 }) { throw v.error("\(name) \(values) has non-positive entry \(bad)") }
        }
        guard padding.count == rank else { throw v.error("padding has \(padding.count) rows, expected \(rank)") }
        return (window, strides, base, dilation, padding)
    }

    /// `reduce_window`: a window per dimension; results have `num_windows` shape.
    static func reduceWindow(_ v: VerifiedOperation) throws {
        let inputs = try inputsAndInits(v)
        let rank = inputs[0].rank
        let w = try window(v, rank: rank, dilations: ("base_dilations", "window_dilations"))
        let body = try v.block(0, named: "body")
        let elements = try reductionBody(v, body, inputs: inputs.map(\.elementType), name: "body")
        let shape = try windowCounts(
            v, shape: inputs[0].shape, window: w.window, strides: w.strides,
            baseDilations: w.base, windowDilations: w.dilation, padding: w.padding)
        for i in 0..<inputs.count {
            try v.expectResult(i, TensorType(shape: shape, elementType: elements[i]))
        }
    }

    /// `select_and_scatter(operand, source, init_value)`: `source` has the window count
    /// shape; `select` is `(E, E) -> i1`, `scatter` a reduction body.
    static func selectAndScatter(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(3)
        try v.expectResultCount(1)
        let x = try v.operand(0), source = try v.operand(1), initValue = try v.operand(2)
        try v.expectSameElementType(source, x, "source", "operand")
        try v.expectSameElementType(initValue, x, "init_value", "operand")
        guard initValue.rank == 0 else { throw v.error("init_value must be a scalar tensor, got \(initValue)") }
        let w = try window(v, rank: x.rank, dilations: nil)
        let counts = try windowCounts(
            v, shape: x.shape, window: w.window, strides: w.strides,
            baseDilations: w.base, windowDilations: w.dilation, padding: w.padding)
        guard TensorType.compatibleShapes(source.shape, counts) else {
            throw v.error("source \(source) must have the window count shape \(counts)")
        }
        let scalar = scalarTensor(x.elementType)
        try v.expectSignature(try v.block(0, named: "select"), named: "select",
                              arguments: [scalar, scalar], yields: [scalarTensor(.i1)])
        let elements = try reductionBody(v, try v.block(1, named: "scatter"), inputs: [x.elementType], name: "scatter")
        try v.expectResult(0, TensorType(shape: x.shape, elementType: elements[0]))
    }

    /// `sort`: inputs of one shape, results of the inputs' types, `-R <= dimension < R`,
    /// comparator `(E0, E0, ..., EN-1, EN-1) -> i1`.
    static func sort(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(v.op.operands.count)
        let inputs = try v.operands(0..<v.op.operands.count)
        for (i, input) in inputs.enumerated() {
            guard TensorType.compatibleShapes(input.shape, inputs[0].shape) else {
                throw v.error("input #\(i) \(input) and input #0 \(inputs[0]) differ in shape")
            }
            try v.expectResult(i, input)
        }
        let rank = inputs[0].rank
        let dimension = try v.int("dimension", default: -1)
        guard dimension >= -rank, dimension < max(rank, 1) else {
            throw v.error("dimension \(dimension) is out of range for \(inputs[0])")
        }
        let arguments = inputs.flatMap { [scalarTensor($0.elementType), scalarTensor($0.elementType)] }
        try v.expectSignature(try v.block(0, named: "comparator"), named: "comparator",
                              arguments: arguments, yields: [scalarTensor(.i1)])
    }

    /// `map`: inputs of one shape, `dimensions = [0, ..., R-1]`, a scalar computation.
    static func map(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(1)
        let inputs = try v.operands(0..<v.op.operands.count)
        for (i, input) in inputs.enumerated() where !TensorType.compatibleShapes(input.shape, inputs[0].shape) {
            throw v.error("input #\(i) \(input) and input #0 \(inputs[0]) differ in shape")
        }
        let dims = try v.ints("dimensions", default: Array(0..<inputs[0].rank))
        guard dims == Array(0..<inputs[0].rank) else {
            throw v.error("dimensions \(dims) must be [0, ..., \(inputs[0].rank - 1)]")
        }
        let block = try v.block(0, named: "computation")
        let yielded = v.yieldedTypes(block)
        guard yielded.count == 1, let out = yielded[0].tensorType, out.rank == 0 else {
            throw v.error("computation must return one scalar tensor, got (\(ModuleWalker.list(yielded)))")
        }
        try v.expectSignature(block, named: "computation",
                              arguments: inputs.map { scalarTensor($0.elementType) }, yields: yielded)
        try v.expectResult(0, TensorType(shape: inputs[0].shape, elementType: out.elementType))
    }

    /// `all_reduce`: one `(E, E) -> E` computation applied to every operand; results
    /// keep the operands' shapes.
    static func allReduce(_ v: VerifiedOperation) throws {
        try v.expectOperandCount(atLeast: 1)
        try v.expectResultCount(v.op.operands.count)
        let inputs = try v.operands(0..<v.op.operands.count)
        let body = try v.block(0, named: "computation")
        let elements = try reductionBody(v, body, inputs: [inputs[0].elementType], name: "computation")
        for (i, input) in inputs.enumerated() {
            guard isPromotable(input.elementType, to: elements[0]) else {
                throw v.error("computation type tensor<\(elements[0])> cannot hold operand #\(i) element type \(input.elementType)")
            }
            try v.expectResult(i, TensorType(shape: input.shape, elementType: elements[0]))
        }
    }
}
