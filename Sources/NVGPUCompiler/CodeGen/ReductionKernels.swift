import StableHLO

/// Kernel shapes for reductions: one warp or block per row with shuffles (softmax,
/// layernorm, any reduction over trailing dimensions, with producers and consumers fused),
/// a two-stage tree for one long row, and a thread-per-output loop for anything else.
enum ReductionKernels {
    /// Threads per row and rows per block for rows of `columns` elements.
    static func rowGeometry(columns: Int) -> (threads: Int, rows: Int) {
        if columns <= 1024 { return (32, 8) }
        return (columns <= 4096 ? 256 : 512, 1)
    }

    static func combinerAndType(_ reduce: Operation) throws -> (ReductionCombiner, KernelElementType) {
        guard let combiner = OperationClass.simpleCombiner(reduce),
              let t = reduce.resultTensorType(0), let kt = KernelElementType(t.elementType) else {
            throw CodeGenError("\(reduce.name) has no simple combiner", at: reduce.location)
        }
        return (combiner, kt)
    }

    /// Terms of `flat` over `shape`, tagged with `tag(k)` for the k-th non-unit dimension;
    /// a term that is `flat` itself carries `lane` (when `flat` is a vector position).
    static func taggedTerms(_ w: KernelBodyWriter, _ flat: String, shape: [Int], lane: VectorLane? = nil,
                            tag: (Int) -> DimensionTag) -> [IndexTerm] {
        let strides = ElementIndex.strides(shape)
        var k = 0
        return shape.indices.map { d in
            if shape[d] == 1 { return .zero }
            var code = strides[d] == 1 ? flat : "(\(flat) / \(strides[d]))"
            if d > 0 { code = "(\(code) % \(shape[d]))" }
            defer { k += 1 }
            let bound = w.bind(code, type: "idx_t", prefix: "i")
            return IndexTerm(code: bound, tag: tag(k), lane: bound == flat ? lane : nil)
        }
    }

    /// `terms` (over some shape) moved onto `shape`, which has the same non-unit dimensions.
    static func moved(_ terms: [IndexTerm], from source: [Int], to shape: [Int]) -> [IndexTerm] {
        let kept = source.indices.filter { source[$0] != 1 }.map { terms[$0] }
        var next = 0
        return shape.map { size in
            if size == 1 { return .zero }
            defer { next += 1 }
            return next < kept.count ? kept[next] : .zero
        }
    }

    /// Block-wide `combine` of `acc` over `threads` threads per row (all threads get it).
    static func reduceAcross(_ w: KernelBodyWriter, acc: String, threads: Int, shared: String?,
                             combiner: ReductionCombiner, type: KernelElementType) {
        // The shuffle gets its own statement: inside `||`/`&&` (bool combiners) it would be
        // skipped by lanes that short-circuit, and a partial-warp __shfl_xor_sync is undefined.
        // Fewer than 32 threads: lanes of one row exchange among themselves (xor offsets below
        // `threads` stay within the row's aligned group of lanes).
        let first = min(16, threads / 2)
        if first > 0 {
            w.emit("for (int o = \(first); o > 0; o >>= 1) { const \(type.compute) other = nv_shfl_xor(\(acc), o); \(acc) = \(KernelSource.combine(combiner, type, acc, "other")); }")
        }
        guard threads > 32, let shared else { return }
        w.emit("if ((threadIdx.x & 31) == 0) \(shared)[threadIdx.x >> 5] = \(acc);")
        w.emit("__syncthreads();")
        w.emit("\(acc) = \(shared)[0];")
        w.emit("for (int k = 1; k < \(threads / 32); ++k) \(acc) = \(KernelSource.combine(combiner, type, acc, "\(shared)[k]"));")
        w.emit("__syncthreads();")
    }

    // MARK: Rows

    static func rows(_ b: FusionKernelBuilder, inputShape: [Int], outerRank: Int,
                     fullOutputs: [Value], rowOutputs: [Value]) throws -> GeneratedKernel {
        let outer = Array(inputShape[..<outerRank]), inner = Array(inputShape[outerRank...])
        let rowCount = outer.reduce(1, *), columns = inner.reduce(1, *)
        let (threads, rowsPerBlock) = rowGeometry(columns: columns)
        let w = b.writer()
        var sharedDeclarations: [String] = []
        w.emit("const int lane = threadIdx.x % \(threads);")
        w.emit("for (idx_t row = (idx_t)blockIdx.x * \(rowsPerBlock) + threadIdx.x / \(threads); row < (idx_t)\(rowCount); row += (idx_t)gridDim.x * \(rowsPerBlock)) {")
        try w.nested {
            let rowTerms = taggedTerms(w, "row", shape: outer, tag: { .row($0) })
            func elementIndex(_ col: String) -> ElementIndex {
                let colTerms = taggedTerms(w, col, shape: inner, tag: { .column($0) })
                let flat = w.bind("row * \(columns) + \(col)", type: "idx_t", prefix: "i")
                return ElementIndex(shape: inputShape, linear: flat, terms: rowTerms + colTerms)
            }
            for (r, reduce) in b.reductions.enumerated() {
                let (combiner, type) = try combinerAndType(reduce)
                let acc = "acc\(r)"
                w.emit("\(type.compute) \(acc) = \(KernelSource.identity(combiner, type));")
                w.emit("for (idx_t col = lane; col < (idx_t)\(columns); col += \(threads)) {")
                try w.nested {
                    let x = try w.value(reduce.operands[0], at: elementIndex("col"))
                    w.emit("\(acc) = \(KernelSource.combine(combiner, type, acc, x));")
                }
                w.emit("}")
                var shared: String?
                if threads > 32 {
                    shared = "sm\(r)"
                    sharedDeclarations.append("  __shared__ \(type.compute) sm\(r)[\(threads / 32)];")
                }
                reduceAcross(w, acc: acc, threads: threads, shared: shared, combiner: combiner, type: type)
                let initial = try w.value(reduce.operands[1], at: ElementIndex(shape: [], linear: "0"))
                let reduced = w.bind(type.rounded(KernelSource.combine(combiner, type, initial, acc)), type: type.compute, prefix: "red")
                w.rowValues[reduce.results[0].id] = RowValue(variable: reduced, shape: reduce.resultTensorType(0)?.shape ?? [])
            }
            if !fullOutputs.isEmpty {
                w.emit("for (idx_t col = lane; col < (idx_t)\(columns); col += \(threads)) {")
                try w.nested {
                    let index = elementIndex("col")
                    for v in fullOutputs {
                        try store(b, w, v, index: index, from: inputShape)
                    }
                }
                w.emit("}")
            }
            if !rowOutputs.isEmpty {
                w.emit("if (lane == 0) {")
                try w.nested {
                    let index = ElementIndex(shape: outer, linear: "row", terms: rowTerms)
                    for v in rowOutputs { try store(b, w, v, index: index, from: outer) }
                }
                w.emit("}")
            }
        }
        w.emit("}")
        let block = threads * rowsPerBlock
        let blocks = max(1, min(LaunchLimits.maxRowBlocks, (rowCount + rowsPerBlock - 1) / rowsPerBlock))
        let header = KernelSource.header(
            name: b.name, parameters: b.parameterDeclarations, block: block,
            indexType: KernelSource.indexType(for: b.indexCounts() + [rowCount * columns + columns]),
            comment: b.comment("\(rowCount) rows of \(columns), \(threads) threads per row"))
        return GeneratedKernel(
            name: b.name, source: KernelSource.unit(globals: w.globals, function: header + sharedDeclarations + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: b.bindings, operationNames: b.operationNames)
    }

    /// Stores output `v` at `index` (an index over `source`, same non-unit dims as `v`).
    static func store(_ b: FusionKernelBuilder, _ w: KernelBodyWriter, _ v: Value, index: ElementIndex, from source: [Int]) throws {
        guard let t = v.type.tensorType, let kt = KernelElementType(t.elementType), let out = b.parameterNames[v.id] else {
            throw CodeGenError("output without a CUDA element type")
        }
        let own = ElementIndex(shape: t.shape, linear: index.linear, terms: moved(w.terms(index), from: source, to: t.shape),
                               lane: index.lane)
        let value = try w.value(v, at: own)
        w.emit("\(out)[\(w.linear(own))] = \(w.stored(value, as: kt));")
    }

    // MARK: Two stages

    static func twoStage(_ b: FusionKernelBuilder, reduce: Operation, inputShape: [Int],
                         outputs: [Value]) throws -> FusionKernels {
        let (combiner, type) = try combinerAndType(reduce)
        let count = inputShape.reduce(1, *)
        let scratchElement = type.computeElementType
        guard let scratchType = KernelElementType(scratchElement) else { throw CodeGenError("no scratch type") }
        let inputWidth = reduce.operandTensorType(0).flatMap { KernelElementType($0.elementType) }?.byteWidth ?? 4
        var width = max(1, min(8, 16 / inputWidth))
        while width > 1 && count % width != 0 { width /= 2 }
        let block = LaunchLimits.loopBlock
        let blocks = max(1, min(LaunchLimits.reductionBlocks, (count / width + block - 1) / block))

        // Stage 1: each block reduces a grid-strided share into one partial.
        let w = b.writer()
        let acc = "acc"
        w.emit("\(type.compute) acc = \(KernelSource.identity(combiner, type));")
        w.emit("for (idx_t base = ((idx_t)blockIdx.x * \(block) + threadIdx.x) * \(width); base < (idx_t)\(count); base += (idx_t)gridDim.x * \(block * width)) {")
        // The body goes into its own section; the vectors it reads are loaded ahead of it.
        var loads: [String: VectorLoad] = [:]
        let inputs = b.inputStorage()
        if width > 1 {
            w.vectorRead = { load in
                guard let vector = FusionKernelBuilder.loopVector(for: load, inputs: inputs, count: count, width: width) else {
                    return nil
                }
                loads[vector.name] = vector
                return vector
            }
        }
        try w.nested {
            let body = try w.section {
                for j in 0..<width {
                    w.emit("{")
                    try w.nested {
                        w.emit("const idx_t el\(j) = base + \(j);")
                        let index = ElementIndex(shape: inputShape, linear: "el\(j)",
                                                 lane: VectorLane(space: .element, vector: 0, element: j))
                        let x = try w.value(reduce.operands[0], at: index)
                        w.emit("\(acc) = \(KernelSource.combine(combiner, type, acc, x));")
                    }
                    w.emit("}")
                }
            }
            w.vectorRead = nil
            for vector in loads.values.sorted(by: { $0.name < $1.name }) {
                w.emit(lines: vector.statements(indentation: w.indentation))
            }
            w.emit(lines: body)
        }
        w.emit("}")
        reduceAcross(w, acc: acc, threads: block, shared: "sm", combiner: combiner, type: type)
        w.emit("if (threadIdx.x == 0) scratch0[blockIdx.x] = \(scratchType.store(acc));")
        let stage1Name = b.name + "_partials"
        let parameters1 = b.parameterDeclarations + ["\(scratchType.storage)* __restrict__ scratch0"]
        let header1 = KernelSource.header(
            name: stage1Name, parameters: parameters1, block: block,
            indexType: KernelSource.indexType(for: b.indexCounts() + [count + block * width * blocks]),
            comment: b.comment("stage 1 of a \(count)-element reduction"))
        let stage1 = GeneratedKernel(
            name: stage1Name,
            source: KernelSource.unit(globals: w.globals, function: header1 + ["  __shared__ \(type.compute) sm[\(block / 32)];"] + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: b.bindings + [.scratch(0)], operationNames: b.operationNames)

        // Stage 2: one block combines the partials with the initial value and runs the consumers.
        let finalBlock = 1024
        let w2 = b.writer()
        w2.emit("\(type.compute) acc = \(KernelSource.identity(combiner, type));")
        w2.emit("for (int k = threadIdx.x; k < \(blocks); k += \(finalBlock)) acc = \(KernelSource.combine(combiner, type, "acc", scratchType.load("scratch0[k]")));")
        reduceAcross(w2, acc: "acc", threads: finalBlock, shared: "sm", combiner: combiner, type: type)
        w2.emit("if (threadIdx.x == 0) {")
        try w2.nested {
            let initial = try w2.value(reduce.operands[1], at: ElementIndex(shape: [], linear: "0"))
            let reduced = w2.bind(type.rounded(KernelSource.combine(combiner, type, initial, "acc")), type: type.compute, prefix: "red")
            w2.rowValues[reduce.results[0].id] = RowValue(variable: reduced, shape: reduce.resultTensorType(0)?.shape ?? [])
            for v in outputs {
                let shape = v.type.tensorType?.shape ?? []
                try store(b, w2, v, index: ElementIndex(shape: shape, linear: "0", terms: shape.map { _ in .zero }), from: shape)
            }
        }
        w2.emit("}")
        let parameters2 = b.parameterDeclarations + ["const \(scratchType.storage)* __restrict__ scratch0"]
        let header2 = KernelSource.header(
            name: b.name, parameters: parameters2, block: finalBlock, indexType: "int",
            comment: b.comment("stage 2: \(blocks) partials"))
        let stage2 = GeneratedKernel(
            name: b.name,
            source: KernelSource.unit(globals: w2.globals, function: header2 + ["  __shared__ \(type.compute) sm[\(finalBlock / 32)];"] + w2.lines),
            grid: [1, 1, 1], block: [finalBlock, 1, 1], sharedMemoryBytes: 0,
            bindings: b.bindings + [.scratch(0)], operationNames: b.operationNames)
        return FusionKernels(
            kernels: [stage1, stage2],
            scratch: [ScratchBuffer(type: TensorType(shape: [blocks], elementType: scratchElement))])
    }

    // MARK: Generic

    /// One thread per output element, looping over the reduced elements: any dimensions.
    static func generic(_ b: FusionKernelBuilder, reduce: Operation, name: String) throws -> GeneratedKernel {
        let (combiner, type) = try combinerAndType(reduce)
        guard let inputShape = reduce.operandTensorType(0)?.shape, let resultShape = reduce.resultTensorType(0)?.shape,
              let out = b.parameterNames[reduce.results[0].id] else { throw CodeGenError("reduce without shapes") }
        let dims = Set((reduce[attribute: "dimensions"]?.intArray ?? []).map { Int($0) })
        let kept = inputShape.indices.filter { !dims.contains($0) }
        let reducedDims = inputShape.indices.filter { dims.contains($0) }
        let reducedShape = reducedDims.map { inputShape[$0] }
        guard kept.count == resultShape.count, dims.allSatisfy({ $0 >= 0 && $0 < inputShape.count }) else {
            throw CodeGenError("reduce dimensions do not match its result", at: reduce.location)
        }
        let outputs = resultShape.reduce(1, *), reducedCount = reducedShape.reduce(1, *)
        let block = LaunchLimits.loopBlock
        let w = b.writer()
        w.emit("for (idx_t o = (idx_t)blockIdx.x * \(block) + threadIdx.x; o < (idx_t)\(outputs); o += (idx_t)gridDim.x * \(block)) {")
        try w.nested {
            let outTerms = w.terms(ElementIndex(shape: resultShape, linear: "o"))
            w.emit("\(type.compute) acc = \(KernelSource.identity(combiner, type));")
            w.emit("for (idx_t r = 0; r < (idx_t)\(reducedCount); ++r) {")
            try w.nested {
                let rTerms = w.terms(ElementIndex(shape: reducedShape, linear: "r"))
                var terms = [IndexTerm](repeating: .zero, count: inputShape.count)
                for (k, d) in kept.enumerated() { terms[d] = outTerms[k] }
                for (k, d) in reducedDims.enumerated() { terms[d] = rTerms[k] }
                let x = try w.value(reduce.operands[0], at: ElementIndex(shape: inputShape, terms: terms))
                w.emit("acc = \(KernelSource.combine(combiner, type, "acc", x));")
            }
            w.emit("}")
            let initial = try w.value(reduce.operands[1], at: ElementIndex(shape: [], linear: "0"))
            w.emit("\(out)[o] = \(type.storeRounded(KernelSource.combine(combiner, type, initial, "acc")));")
        }
        w.emit("}")
        let blocks = max(1, min(LaunchLimits.maxLoopBlocks, (outputs + block - 1) / block))
        let header = KernelSource.header(
            name: name, parameters: b.parameterDeclarations, block: block,
            indexType: KernelSource.indexType(for: b.indexCounts() + [outputs + block * blocks]),
            comment: b.comment("\(outputs) outputs, each reducing \(reducedCount)"))
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: w.globals, function: header + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: b.bindings, operationNames: b.operationNames)
    }
}
