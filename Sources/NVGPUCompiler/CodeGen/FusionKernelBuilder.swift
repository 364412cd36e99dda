import StableHLO

/// Turns one fusion group into kernels: a loop kernel per output shape (tiled through shared
/// memory when it reads an input across its memory order), a row-reduction
/// kernel (one warp or block per row) for softmax/layernorm-like groups, or a two-stage
/// tree for a reduction of one long row. Throws `CodeGenError` when the group has no
/// kernel shape; the planner then splits it.
struct FusionKernelBuilder {
    let group: FusionGroup
    let operations: [Operation]
    let name: String

    /// Value id → defining op, over the group.
    let definitions: [Int: Operation]
    /// Literal ops among the group's inputs.
    let literals: [Int: Operation]
    /// Pointer parameters: inputs that are buffers, then outputs.
    let parameterNames: [Int: String]
    let parameterDeclarations: [String]
    let bindings: [GeneratedKernel.Binding]
    let reductions: [Operation]
    /// Whether bf16/f16 chains keep f32 values between ops (`CompileOptions.allowsExcessPrecision`).
    var keepsExcessPrecision = false

    /// - Parameter aliased: value ids whose buffers alias another parameter of the kernel (a
    ///   loop's carried value updated in place): their pointers are declared without
    ///   `__restrict__`.
    init(group: FusionGroup, block: Block, name: String, aliased: Set<Int> = []) throws {
        self.group = group
        self.name = name
        operations = group.operations.map { block.operations[$0] }
        var definitions: [Int: Operation] = [:]
        var reductions: [Operation] = []
        for op in operations {
            for r in op.results { definitions[r.id] = op }
            if op.name == "stablehlo.reduce" { reductions.append(op) }
        }
        self.definitions = definitions
        self.reductions = reductions
        var producers: [Int: Operation] = [:]
        for op in block.operations { for r in op.results { producers[r.id] = op } }
        var literals: [Int: Operation] = [:]
        var names: [Int: String] = [:]
        var declarations: [String] = []
        var bindings: [GeneratedKernel.Binding] = []
        for v in group.inputs {
            if let p = producers[v.id], p.name == "stablehlo.constant", !FusionPlanner.isLargeConstant(p) {
                literals[v.id] = p
                continue
            }
            guard let t = v.type.tensorType, let kt = KernelElementType(t.elementType) else {
                throw CodeGenError("input of type \(v.type) has no CUDA element type")
            }
            let n = "in\(declarations.count)"
            names[v.id] = n
            declarations.append("const \(kt.storage)* \(aliased.contains(v.id) ? "" : "__restrict__ ")\(n)")
            bindings.append(.value(v))
        }
        for (k, v) in group.outputs.enumerated() {
            guard let t = v.type.tensorType, let kt = KernelElementType(t.elementType) else {
                throw CodeGenError("output of type \(v.type) has no CUDA element type")
            }
            let n = "out\(k)"
            names[v.id] = n
            declarations.append("\(kt.storage)* \(aliased.contains(v.id) ? "" : "__restrict__ ")\(n)")
            bindings.append(.value(v))
        }
        self.literals = literals
        self.parameterNames = names
        self.parameterDeclarations = declarations
        self.bindings = bindings
    }

    var operationNames: [String] { operations.map(\.name) }

    func writer(indexType: String = "idx_t") -> KernelBodyWriter {
        var inputsOnly = parameterNames
        for v in group.outputs { inputsOnly[v.id] = nil }
        let w = KernelBodyWriter(definitions: definitions, literals: literals, parameters: inputsOnly, indexType: indexType)
        w.keepsExcessPrecision = keepsExcessPrecision
        if keepsExcessPrecision { w.halfRoundedValues = halfRoundedValues() }
        return w
    }

    /// f32 values whose every use ends in a rounding to bf16/f16 inside the kernel: used only
    /// by `convert`s to a 16-bit float, or by float ops whose own results are such values
    /// (a softmax computed in f32 on bf16 data: exp → sum → divide → convert). Their low f32
    /// bits are rounded away, so the writer may compute them a little less exactly
    /// (`KernelBodyWriter.halfRoundedValues`). Not outputs, not read by comparisons,
    /// integer conversions or bit-level ops.
    func halfRoundedValues() -> Set<Int> {
        var users: [Int: [Operation]] = [:]
        for op in operations { for operand in op.operands { users[operand.id, default: []].append(op) } }
        let outputs = Set(group.outputs.map(\.id))
        let bitLevel: Set<String> = ["stablehlo.bitcast_convert", "stablehlo.reduce_precision", "chlo.next_after"]
        func isHalf(_ v: Value) -> Bool {
            v.type.tensorType.flatMap { KernelElementType($0.elementType) }?.isHalfPrecisionFloat ?? false
        }
        var result: Set<Int> = []
        for op in operations.reversed() {
            for r in op.results where r.type.tensorType?.elementType == .float(.f32) && !outputs.contains(r.id) {
                guard let consumers = users[r.id], !consumers.isEmpty else { continue }
                let ends = consumers.allSatisfy { user in
                    if user.name == "stablehlo.convert" { return user.results.allSatisfy(isHalf) }
                    return !bitLevel.contains(user.name) && !user.results.isEmpty
                        && user.results.allSatisfy { result.contains($0.id) }
                }
                if ends { result.insert(r.id) }
            }
        }
        return result
    }

    func comment(_ shape: String) -> String {
        let names = operations.map { String($0.shortName) }
        let listed = names.count > 12 ? names.prefix(12).joined(separator: " ") + " … (\(names.count) ops)" : names.joined(separator: " ")
        return "\(name): \(shape) of \(listed)"
    }

    /// The kernels for the group.
    func build() throws -> FusionKernels {
        if reductions.isEmpty { return FusionKernels(kernels: try loopKernels(for: group.outputs), scratch: []) }
        if reductions.contains(where: { OperationClass.simpleCombiner($0) == nil }) {
            return try VariadicReductionKernel.build(self)
        }
        if let fused = try? fusedReduction() { return fused }
        if ColumnReductionKernel.isEnabled, let column = try? ColumnReductionKernel.build(self) { return column }
        return try kernelsPerOutput()
    }

    // MARK: Loop kernels

    /// One loop kernel per distinct output shape, named `name`, then a `_k` suffix when
    /// there are several shapes, then `suffix`.
    func loopKernels(for outputs: [Value], suffix: String = "") throws -> [GeneratedKernel] {
        var byShape: [[Int]: [Value]] = [:]
        var order: [[Int]] = []
        for v in outputs {
            guard let shape = v.type.tensorType?.shape else { continue }
            if byShape[shape] == nil { order.append(shape) }
            byShape[shape, default: []].append(v)
        }
        var kernels: [GeneratedKernel] = []
        for (k, shape) in order.enumerated() {
            let count = shape.reduce(1, *)
            if count == 0 { continue }
            let shapeSuffix = order.count > 1 ? "_\(k)" : ""
            kernels.append(try loopKernel(shape: shape, outputs: byShape[shape] ?? [], name: name + shapeSuffix + suffix))
        }
        return kernels
    }

    private func loopKernel(shape: [Int], outputs: [Value], name: String) throws -> GeneratedKernel {
        let count = shape.reduce(1, *)
        let outputTypes = try outputs.map { v -> KernelElementType in
            guard let t = v.type.tensorType, let kt = KernelElementType(t.elementType) else {
                throw CodeGenError("output without CUDA element type")
            }
            return kt
        }
        if TiledTransposeKernel.isEnabled, let tiled = try TiledTransposeKernel.build(
            self, shape: shape, outputs: outputs, outputTypes: outputTypes, name: name) {
            return tiled
        }
        let widest = outputTypes.map(\.byteWidth).max() ?? 4
        var width = max(1, min(8, 16 / max(1, widest)))
        while width > 1 && count % width != 0 { width /= 2 }
        let w = writer()
        let stride = LaunchLimits.loopBlock * width
        w.emit("for (idx_t base = ((idx_t)blockIdx.x * \(LaunchLimits.loopBlock) + (idx_t)threadIdx.x) * \(width); base < (idx_t)\(count); base += (idx_t)gridDim.x * \(stride)) {")
        w.indent += 1
        // The body is written first, into its own section; the vectors it reads are then
        // declared and loaded ahead of it.
        var loads: [String: VectorLoad] = [:]
        let inputs = inputStorage()
        // Lanes within the minor dimension: the thread's coordinates are computed once and
        // every read that keeps the minor dimension contiguous (through transposes of the
        // other dimensions, reshapes, broadcasts) becomes one vector load.
        let minor = shape.count - 1
        let laneTerms = width > 1 && minor >= 0 && shape[minor] % width == 0
        if laneTerms {
            let strides = ElementIndex.strides(shape)
            for k in shape.indices where shape[k] != 1 {
                var code = strides[k] == 1 ? "base" : "(base / \(strides[k]))"
                if k > 0 { code = "(\(code) % \(shape[k]))" }
                w.emit("const idx_t c\(k) = \(code);")
            }
        }
        var offsetVectors = OffsetVectorLoads(width: width, prefix: "vl_", inputs: inputs)
        if width > 1 {
            w.vectorRead = { load in
                if let vector = offsetVectors.vector(for: load) {
                    loads[vector.name] = vector
                    return vector
                }
                guard let vector = Self.loopVector(for: load, inputs: inputs, count: count, width: width) else { return nil }
                loads[vector.name] = vector
                return vector
            }
        }
        let body = try w.section {
            if width > 1 {
                for (k, v) in outputs.enumerated() {
                    w.emit("__align__(16) \(outputTypes[k].storage) vo_\(parameterNames[v.id] ?? "o\(k)")[\(width)];")
                }
            }
            for j in 0..<width {
                w.emit("{")
                try w.nested {
                    let reindexed = "el\(j)"
                    w.emit("const idx_t \(reindexed) = base + \(j);")
                    let index = laneTerms
                        ? ElementIndex(shape: shape, terms: shape.indices.map { k in
                            if shape[k] == 1 { return .zero }
                            if k == minor {
                                return IndexTerm(code: "(c\(k) + \(j))", tag: .other,
                                                 laneForm: .offset(base: "c\(k)", element: j, width: width))
                            }
                            return IndexTerm(code: "c\(k)", tag: .other, laneForm: .invariant)
                        })
                        : ElementIndex(shape: shape, linear: reindexed,
                                       lane: VectorLane(space: .element, vector: 0, element: j))
                    for (k, v) in outputs.enumerated() {
                        let value = try w.value(v, at: index)
                        let out = parameterNames[v.id] ?? "out\(k)"
                        if width > 1 {
                            w.emit("vo_\(out)[\(j)] = \(w.stored(value, as: outputTypes[k]));")
                        } else {
                            w.emit("\(out)[\(reindexed)] = \(w.stored(value, as: outputTypes[k]));")
                        }
                    }
                }
                w.emit("}")
            }
            if width > 1 {
                for (k, v) in outputs.enumerated() {
                    let out = parameterNames[v.id] ?? "out\(k)"
                    for line in KernelSource.vectorCopy(to: "\(out) + base", from: "vo_\(out)", count: width,
                                                        width: outputTypes[k].byteWidth, constSource: false) {
                        w.emit(line)
                    }
                }
            }
        }
        w.vectorRead = nil
        for vector in loads.values.sorted(by: { $0.name < $1.name }) {
            w.emit(lines: vector.statements(indentation: w.indentation))
        }
        w.emit(lines: body)
        w.indent -= 1
        w.emit("}")
        let threads = (count + width - 1) / width
        let blocks = max(1, min(LaunchLimits.maxLoopBlocks, (threads + LaunchLimits.loopBlock - 1) / LaunchLimits.loopBlock))
        let header = KernelSource.header(
            name: name, parameters: parameterDeclarations, block: LaunchLimits.loopBlock,
            indexType: KernelSource.indexType(for: indexCounts() + [count + stride * blocks]),
            comment: comment("loop over \(shape) ×\(width)"))
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: w.globals, function: header + w.lines),
            grid: [blocks, 1, 1], block: [LaunchLimits.loopBlock, 1, 1], sharedMemoryBytes: 0,
            bindings: bindings, operationNames: operationNames)
    }

    /// The vector a loop taking `width` elements of `count` per thread (`base` the first)
    /// stages `load` in: a read of a full-size input at the loop's own position; nil for
    /// any other read.
    static func loopVector(for load: BufferLoad, inputs: [Int: (count: Int, storage: String, width: Int)],
                           count: Int, width: Int) -> VectorLoad? {
        guard let lane = load.lane, lane.space == .element, lane.vector == 0, lane.element < width,
              let input = inputs[load.valueID], input.count == count else { return nil }
        return VectorLoad(name: "vl_\(load.parameter)", storage: input.storage, byteWidth: input.width,
                          count: width, address: "\(load.parameter) + base")
    }

    /// Element counts, storage types and widths of buffer inputs, by value id.
    func inputStorage() -> [Int: (count: Int, storage: String, width: Int)] {
        var result: [Int: (count: Int, storage: String, width: Int)] = [:]
        for v in group.inputs where literals[v.id] == nil {
            guard let t = v.type.tensorType, let kt = KernelElementType(t.elementType) else { continue }
            result[v.id] = (t.elementCount, kt.storage, kt.byteWidth)
        }
        return result
    }

    /// Every element count the kernel indexes (for choosing 32- or 64-bit indices).
    func indexCounts() -> [Int] {
        (group.inputs + group.outputs + operations.flatMap(\.results) + operations.flatMap(\.operands))
            .compactMap { $0.type.tensorType?.elementCount }
    }

    // MARK: Reductions kept apart from their consumers

    /// One generic reduction kernel per reduced output, loop kernels for the rest.
    func kernelsPerOutput() throws -> FusionKernels {
        var kernels: [GeneratedKernel] = []
        var loopOutputs: [Value] = []
        for v in group.outputs {
            if let op = definitions[v.id], op.name == "stablehlo.reduce" {
                kernels.append(try ReductionKernels.generic(self, reduce: op, name: name + "_r\(kernels.count)"))
            } else {
                loopOutputs.append(v)
            }
        }
        // Named `_l` beside the reduction kernels, in the header as in the launch.
        kernels += try loopKernels(for: loopOutputs, suffix: kernels.isEmpty ? "" : "_l")
        return FusionKernels(kernels: kernels, scratch: [])
    }

    /// A row kernel (or two-stage tree) computing every output of a group whose reductions
    /// all reduce the same trailing dimensions of the same shape.
    func fusedReduction() throws -> FusionKernels {
        guard let first = reductions.first, let inputShape = first.operandTensorType(0)?.shape else {
            throw CodeGenError("no reduction")
        }
        let dims = (first[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
        guard Set(dims).count == dims.count, dims.allSatisfy({ $0 >= 0 && $0 < inputShape.count }) else {
            throw CodeGenError("reduce dimensions out of range", at: first.location)
        }
        let outerRank = inputShape.count - dims.count
        guard dims == Array(outerRank..<inputShape.count) else { throw CodeGenError("reduction over leading dimensions") }
        for r in reductions {
            let d = (r[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
            guard d == dims, r.operandTensorType(0)?.shape == inputShape else {
                throw CodeGenError("reductions of different shapes in one fusion")
            }
        }
        let outer = Array(inputShape[..<outerRank]), inner = Array(inputShape[outerRank...])
        let rows = outer.reduce(1, *), columns = inner.reduce(1, *)
        var full: [Value] = [], perRow: [Value] = []
        for v in group.outputs {
            guard let shape = v.type.tensorType?.shape else { throw CodeGenError("non-tensor output") }
            if ElementIndex.squeezed(shape) == ElementIndex.squeezed(inputShape), shape.reduce(1, *) == rows * columns {
                full.append(v)
            } else if ElementIndex.squeezed(shape) == ElementIndex.squeezed(outer) {
                perRow.append(v)
            } else {
                throw CodeGenError("output of shape \(shape) does not follow the rows of \(inputShape)")
            }
        }
        if rows == 1, columns >= LaunchLimits.twoStageThreshold, reductions.count == 1, full.isEmpty {
            return try ReductionKernels.twoStage(self, reduce: first, inputShape: inputShape, outputs: perRow)
        }
        if SplitRowReduction.applies(rows: rows, columns: columns) {
            return try SplitRowReduction.build(self, inputShape: inputShape, outerRank: outerRank,
                                               fullOutputs: full, rowOutputs: perRow)
        }
        if OnChipRowKernel.isEnabled, let kernel = try OnChipRowKernel.build(
            self, inputShape: inputShape, outerRank: outerRank, fullOutputs: full, rowOutputs: perRow) {
            return FusionKernels(kernels: [kernel], scratch: [])
        }
        let kernel = try ReductionKernels.rows(
            self, inputShape: inputShape, outerRank: outerRank, fullOutputs: full, rowOutputs: perRow)
        return FusionKernels(kernels: [kernel], scratch: [])
    }
}
