import StableHLO

extension VariadicReductionKernel {
    /// Columns: the `[outer, reduced, inner]` view reduced over its middle, in the geometry of
    /// `ColumnReductionKernel` — x threads along the columns, each folding `vector` adjacent
    /// columns read as 16-byte vectors, y threads along the reduced axis, and the reduced axis
    /// split over blocks when the kept columns alone would leave the GPU idle (batch
    /// statistics of 256 channels over 200 704 rows: 1 056 splits, not 8 blocks).
    ///
    /// Order is kept throughout, so a selection still equals the sequential fold: each split
    /// is a contiguous chunk of rows, each y thread folds a contiguous run of its split's
    /// chunk, the y partials meet in order through shared memory, and a second kernel folds
    /// each column's split partials in order (runs of them in order, then met in order) and
    /// finishes: kept-shape consumers, stores.
    /// Rows of 16-byte vectors a column thread loads before folding them.
    static let rowBatch = 4
    /// The fewest rows a column thread folds when the reduced axis is split.
    static let minimumRowsPerThread = 32

    static func columns(_ f: VariadicFold, outer: Int, reduced: Int, inner: Int,
                        inputs: [Int: (count: Int, storage: String, width: Int)]) throws -> FusionKernels {
        let b = f.b, n = f.n
        let widest = inputs.values.filter { $0.count == outer * reduced * inner }.map(\.width).max() ?? 4
        let vector = ColumnReductionKernel.vectorWidth(inner: inner, bytes: widest)
        let (x, y, plainSplits) = ColumnReductionKernel.geometry(outer: outer, reduced: reduced, inner: inner, vector: vector)
        // A fold heavier than a sum (a Welford step) wants longer runs: at least
        // `minimumRowsPerThread` rows a thread, so fewer partials meet afterwards.
        let splits = max(1, min(plainSplits, reduced / (y * minimumRowsPerThread)))
        let tiles = (inner + x * vector - 1) / (x * vector)
        let chunk = (reduced + splits - 1) / splits
        let run = (chunk + y - 1) / y
        let total = outer * tiles * splits
        let blocks = min(total, LaunchLimits.maxRowBlocks)
        let scratchTypes = try f.scratchTypes()
        func acc(_ k: Int, _ e: Int) -> String { vector == 1 ? "acc\(k)" : "acc\(k)_\(e)" }
        func accumulators(_ e: Int) -> [String] { (0..<n).map { acc($0, e) } }

        // Stage 1: every block folds a chunk of rows of `x × vector` columns.
        let w = b.writer()
        let shared = (0..<n).map { "  __shared__ \(f.types[$0].compute) sm\($0)[\(y)][\(x + 1)];" }
        w.emit("for (idx_t t = blockIdx.x; t < (idx_t)\(total); t += gridDim.x) {")
        try w.nested {
            w.emit("const idx_t col = ((t % \(tiles)) * \(x) + threadIdx.x) * \(vector);")
            w.emit("const idx_t split = (t / \(tiles)) % \(splits), o = t / \(tiles * splits);")
            for e in 0..<vector { try f.declareInitialValues(w, accumulators(e)) }
            w.emit("if (col < (idx_t)\(inner)) {")
            try w.nested {
                // Each y thread folds a contiguous run of the chunk: y threads in order hold it in order.
                w.emit("const idx_t end = (split + 1) * \(chunk) < (idx_t)\(reduced) ? (split + 1) * \(chunk) : (idx_t)\(reduced);")
                w.emit("const idx_t r0 = split * \(chunk) + (idx_t)threadIdx.y * \(run);")
                w.emit("const idx_t r1 = r0 + \(run) < end ? r0 + \(run) : end;")
                // Rows `rows` (C expressions) folded in order, every row's vectors loaded
                // before the first fold: the loads of a batch are in flight together (a
                // Welford fold between loads left one 16-byte load in flight per thread).
                func foldRows(_ rows: [String]) throws {
                    var loads = OffsetVectorLoads(width: vector, prefix: "vc_", inputs: inputs)
                    if vector > 1 { w.vectorRead = { loads.vector(for: $0) } }
                    defer { w.vectorRead = nil }
                    // Positions first: the loads, emitted before the section, read them.
                    let positions = rows.map { w.bind("(o * \(reduced) + \($0)) * \(inner) + col", type: "idx_t", prefix: "i") }
                    let body = try w.section {
                        for at in positions {
                            for e in 0..<vector {
                                let index = vector == 1 ? ElementIndex(shape: f.shape, linear: at)
                                    : ElementIndex(shape: f.shape, linear: "(\(at) + \(e))", laneForm: .offset(base: at, element: e, width: vector))
                                w.emit("{")
                                try w.nested { try f.fold(w, accumulators(e), try f.elements(w, at: index)) }
                                w.emit("}")
                            }
                        }
                    }
                    for v in loads.loads { w.emit(lines: v.statements(indentation: w.indentation)) }
                    w.emit(lines: body)
                }
                w.emit("idx_t r = r0;")
                if vector > 1 && run >= rowBatch {
                    w.emit("for (; r + \(rowBatch) <= r1; r += \(rowBatch)) {")
                    try w.nested { try foldRows((0..<rowBatch).map { $0 == 0 ? "r" : "(r + \($0))" }) }
                    w.emit("}")
                } else {
                    w.emit("#pragma unroll 4")
                }
                w.emit("for (; r < r1; ++r) {")
                try w.nested { try foldRows(["r"]) }
                w.emit("}")
            }
            w.emit("}")
            // The y partials meet in order through shared memory, one column of the vector at
            // a time (a slot per thread and accumulator: n × y × x values, not × vector), in a
            // tree of adjacent pairs (log₂ y dependent folds, not y − 1).
            for e in 0..<vector {
                try f.meetInTree(w, accumulators(e), count: y, slot: { "sm\($0)[\($1)][threadIdx.x]" })
                w.emit("if (threadIdx.y == 0 && col < (idx_t)\(inner)) {")
                try w.nested {
                    if splits == 1 {
                        try f.finish(w, kept: "o * \(inner) + col + \(e)", accumulators(e))
                    } else {
                        for k in 0..<n {
                            w.emit("scratch\(k)[(o * \(splits) + split) * \(inner) + col + \(e)] = \(scratchTypes[k].store(acc(k, e)));")
                        }
                    }
                }
                w.emit("}")
            }
        }
        w.emit("}")
        let scratch = scratchTypes.map { ScratchBuffer(type: TensorType(shape: [outer * splits * inner], elementType: $0.elementType)) }
        let scratchParameters = scratchTypes.enumerated().map { k, st in "\(st.storage)* __restrict__ scratch\(k)" }
        let indexType = KernelSource.indexType(
            for: b.indexCounts() + [total + blocks, outer * splits * inner + inner, outer * reduced * inner + inner])
        let stage1Name = splits == 1 ? b.name : b.name + "_partials"
        let header1 = KernelSource.header(
            name: stage1Name, parameters: b.parameterDeclarations + (splits == 1 ? [] : scratchParameters), block: x * y,
            indexType: indexType,
            comment: b.comment("\(f.kind): column reduction of [\(outer), \(reduced), \(inner)] over the middle, \(x)×\(y) threads"
                + (vector > 1 ? " × \(vector) columns" : "") + ", \(splits) split(s)"))
        let stage1 = GeneratedKernel(
            name: stage1Name, source: KernelSource.unit(globals: w.globals, function: header1 + shared + w.lines),
            grid: [blocks, 1, 1], block: [x, y, 1], sharedMemoryBytes: 0,
            bindings: b.bindings + (splits == 1 ? [] : scratch.indices.map { .scratch($0) }), operationNames: b.operationNames)
        guard splits > 1 else { return FusionKernels(kernels: [stage1], scratch: []) }

        // Stage 2: blocks of 32 kept elements × 16 runs of splits; each thread folds a
        // contiguous run of one element's split partials (four loaded before they are
        // folded), the runs meet in a tree of adjacent pairs, and the first row finishes.
        let w2 = b.writer()
        let keptCount = outer * inner
        let (x2, y2) = (32, 16)
        let tiles2 = (keptCount + x2 - 1) / x2
        let run2 = (splits + y2 - 1) / y2
        let acc2 = (0..<n).map { "acc\($0)" }
        let shared2 = (0..<n).map { "  __shared__ \(f.types[$0].compute) sm\($0)[\(y2)][\(x2 + 1)];" }
        w2.emit("for (idx_t t = blockIdx.x; t < (idx_t)\(tiles2); t += gridDim.x) {")
        try w2.nested {
            w2.emit("const idx_t k = t * \(x2) + threadIdx.x;")
            try f.declareInitialValues(w2, acc2)
            w2.emit("if (k < (idx_t)\(keptCount)) {")
            try w2.nested {
                w2.emit("const idx_t o = k / \(inner), col = k % \(inner);")
                w2.emit("const int s1 = (threadIdx.y + 1) * \(run2) < \(splits) ? (threadIdx.y + 1) * \(run2) : \(splits);")
                w2.emit("int s = threadIdx.y * \(run2);")
                let partial = { (k: Int, offset: Int) in
                    scratchTypes[k].load("scratch\(k)[(o * \(splits) + s + \(offset)) * \(inner) + col]")
                }
                w2.emit("for (; s + 4 <= s1; s += 4) {")
                try w2.nested {
                    for u in 0..<4 {
                        for k in 0..<n { w2.emit("const \(f.types[k].compute) q\(k)_\(u) = \(partial(k, u));") }
                    }
                    for u in 0..<4 { try f.fold(w2, acc2, (0..<n).map { "q\($0)_\(u)" }) }
                }
                w2.emit("}")
                w2.emit("for (; s < s1; ++s) {")
                try w2.nested { try f.fold(w2, acc2, (0..<n).map { partial($0, 0) }) }
                w2.emit("}")
            }
            w2.emit("}")
            try f.meetInTree(w2, acc2, count: y2, slot: { "sm\($0)[\($1)][threadIdx.x]" })
            w2.emit("if (threadIdx.y == 0 && k < (idx_t)\(keptCount)) {")
            try w2.nested { try f.finish(w2, kept: "k", acc2) }
            w2.emit("}")
        }
        w2.emit("}")
        let blocks2 = max(1, min(LaunchLimits.maxRowBlocks, tiles2))
        let header2 = KernelSource.header(
            name: b.name, parameters: b.parameterDeclarations + scratchParameters.map { "const " + $0 }, block: x2 * y2,
            indexType: indexType, comment: b.comment("\(f.kind) stage 2: \(splits) partials per column, \(y2) runs each"))
        let stage2 = GeneratedKernel(
            name: b.name, source: KernelSource.unit(globals: w2.globals, function: header2 + shared2 + w2.lines),
            grid: [blocks2, 1, 1], block: [x2, y2, 1], sharedMemoryBytes: 0,
            bindings: b.bindings + scratch.indices.map { .scratch($0) }, operationNames: b.operationNames)
        return FusionKernels(kernels: [stage1, stage2], scratch: scratch)
    }
}
