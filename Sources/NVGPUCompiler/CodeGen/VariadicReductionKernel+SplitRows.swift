import StableHLO

extension VariadicReductionKernel {
    /// Few long rows (`SplitRowReduction.applies`: an argmax over a 128k vocabulary for a
    /// handful of sequences, one-pass statistics of three rows of four million): each row is
    /// cut into chunks of whole vectors per thread, a block folds one chunk (each lane a
    /// contiguous run, the lanes met in order) into a partial in scratch, and a second kernel
    /// folds each row's partials in order with a warp (contiguous runs, met in order) and
    /// finishes: kept-shape consumers, stores. Order is kept throughout, so a selection still
    /// equals the sequential fold.
    static func splitRows(_ f: VariadicFold, rows: Int, columns: Int,
                          inputs: [Int: (count: Int, storage: String, width: Int)]) throws -> FusionKernels {
        let b = f.b, n = f.n
        let threads = SplitRowReduction.threads
        let widest = inputs.values.map(\.width).max() ?? 4
        var vector = max(1, 16 / max(1, widest))
        while vector > 1 && columns % vector != 0 { vector /= 2 }
        // Chunks of whole `threads × vector` units, about as many as the sum kernels take.
        let unit = threads * vector
        let wanted = SplitRowReduction.chunks(rows: rows, columns: columns)
        let chunkColumns = ((columns + wanted - 1) / wanted + unit - 1) / unit * unit
        let chunks = (columns + chunkColumns - 1) / chunkColumns
        let run = chunkColumns / threads
        let scratchTypes = try f.scratchTypes()
        let scratch = scratchTypes.map { ScratchBuffer(type: TensorType(shape: [rows * chunks], elementType: $0.elementType)) }
        let scratchParameters = scratchTypes.enumerated().map { k, st in "\(st.storage)* __restrict__ scratch\(k)" }
        let indexType = KernelSource.indexType(for: b.indexCounts() + [rows * columns + columns, rows * chunks + chunks])
        let acc = (0..<n).map { "acc\($0)" }

        // Stage 1: a block per (row, chunk).
        let w = b.writer()
        var shared: [String] = []
        w.emit("const int lane = threadIdx.x;")
        w.emit("for (idx_t t = blockIdx.x; t < (idx_t)\(rows * chunks); t += gridDim.x) {")
        try w.nested {
            w.emit("const idx_t row = t / \(chunks), c0 = (t % \(chunks)) * \(chunkColumns);")
            try f.declareInitialValues(w, acc)
            w.emit("if (c0 + \(chunkColumns) <= (idx_t)\(columns)) {")
            try w.nested {
                if vector > 1 {
                    try f.foldVectorRun(w, acc, worker: "lane", run: run, vector: vector, base: "row * \(columns) + c0", inputs: inputs)
                } else {
                    try f.foldRun(w, acc, worker: "lane", run: run, extent: "\(chunkColumns)") { "row * \(columns) + c0 + \($0)" }
                }
            }
            w.emit("} else {")
            try w.nested {
                try f.foldRun(w, acc, worker: "lane", run: run, extent: "\(columns) - c0") { "row * \(columns) + c0 + \($0)" }
            }
            w.emit("}")
            try f.meetLanes(w, acc, threads: threads, shared: &shared)
            w.emit("if (lane == 0) {")
            w.nested {
                for k in 0..<n { w.emit("scratch\(k)[t] = \(scratchTypes[k].store(acc[k]));") }
            }
            w.emit("}")
            w.emit("__syncthreads();")
        }
        w.emit("}")
        let stage1Name = b.name + "_partials"
        let header1 = KernelSource.header(
            name: stage1Name, parameters: b.parameterDeclarations + scratchParameters, block: threads, indexType: indexType,
            comment: b.comment("\(f.kind) of \(rows) rows of \(columns) in \(chunks) chunks of \(chunkColumns), \(threads) threads per chunk"))
        let stage1 = GeneratedKernel(
            name: stage1Name, source: KernelSource.unit(globals: w.globals, function: header1 + shared + w.lines),
            grid: [min(rows * chunks, LaunchLimits.maxRowBlocks), 1, 1], block: [threads, 1, 1], sharedMemoryBytes: 0,
            bindings: b.bindings + scratch.indices.map { .scratch($0) }, operationNames: b.operationNames)

        // Stage 2: a warp per row folds its partials in order, then finishes.
        let w2 = b.writer()
        let rowsPerBlock = 8, run2 = (chunks + 31) / 32
        var shared2: [String] = []
        w2.emit("const int lane = threadIdx.x % 32;")
        w2.emit("for (idx_t row = (idx_t)blockIdx.x * \(rowsPerBlock) + threadIdx.x / 32; row < (idx_t)\(rows); row += (idx_t)gridDim.x * \(rowsPerBlock)) {")
        try w2.nested {
            try f.declareInitialValues(w2, acc)
            w2.emit("const int q1 = (lane + 1) * \(run2) < \(chunks) ? (lane + 1) * \(run2) : \(chunks);")
            w2.emit("for (int q = lane * \(run2); q < q1; ++q) {")
            try w2.nested {
                try f.fold(w2, acc, (0..<n).map { scratchTypes[$0].load("scratch\($0)[row * \(chunks) + q]") })
            }
            w2.emit("}")
            try f.meetLanes(w2, acc, threads: 32, shared: &shared2)
            w2.emit("if (lane == 0) {")
            try w2.nested { try f.finish(w2, kept: "row", acc) }
            w2.emit("}")
        }
        w2.emit("}")
        let header2 = KernelSource.header(
            name: b.name, parameters: b.parameterDeclarations + scratchParameters.map { "const " + $0 }, block: 32 * rowsPerBlock,
            indexType: indexType, comment: b.comment("\(f.kind) stage 2: \(chunks) partials per row, a warp per row"))
        let stage2 = GeneratedKernel(
            name: b.name, source: KernelSource.unit(globals: w2.globals, function: header2 + shared2 + w2.lines),
            grid: [max(1, min(LaunchLimits.maxRowBlocks, (rows + rowsPerBlock - 1) / rowsPerBlock)), 1, 1],
            block: [32 * rowsPerBlock, 1, 1], sharedMemoryBytes: 0,
            bindings: b.bindings + scratch.indices.map { .scratch($0) }, operationNames: b.operationNames)
        return FusionKernels(kernels: [stage1, stage2], scratch: scratch)
    }
}
