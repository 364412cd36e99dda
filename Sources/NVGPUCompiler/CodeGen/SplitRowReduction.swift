import Foundation
import StableHLO

/// A row-reduction fusion (softmax, RMS norm, a sum per row, ...) over too few rows to fill
/// the GPU with a block per row — three rows of four million elements — written as a chain
/// of kernels that split every row over many blocks:
///
/// 1. for each reduction in program order: blocks of `threads` fold a chunk of one row each
///    (the values of the reductions before it read back per row) into partials, then one
///    thread per row combines the row's partials in order with the initial value into a
///    per-row scratch value;
/// 2. a loop kernel computes the full-size outputs, and a kernel per row the per-row ones,
///    reading the per-row values.
///
/// Each row is read once per reduction and once more for the full-size outputs, at the full
/// bandwidth of the device instead of that of three multiprocessors.
enum SplitRowReduction {
    /// `NVGPU_SPLIT_ROWS=0` turns it off (such fusions then take one block per row).
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_SPLIT_ROWS"] != "0" }
    /// Threads per block of the partial kernels.
    static let threads = 512
    /// Blocks the partial kernels aim for (an H100 twice over, 4 blocks of 512 per SM).
    static let targetBlocks = 1056
    /// Rows fewer than this, each at least `minimumColumns` long, are split.
    static let maximumRows = 264
    static let minimumColumns = 32768
    /// Threads of the per-row combine of the partials.
    static let combineThreads = 128

    static func applies(rows: Int, columns: Int) -> Bool {
        isEnabled && rows > 0 && rows < maximumRows && columns >= minimumColumns
    }

    /// Chunks per row: enough blocks to fill the device, each thread folding at least 8 elements.
    static func chunks(rows: Int, columns: Int) -> Int {
        let wanted = (targetBlocks + rows - 1) / max(1, rows)
        return max(1, min(wanted, columns / (threads * 8)))
    }

    static func build(_ b: FusionKernelBuilder, inputShape: [Int], outerRank: Int,
                      fullOutputs: [Value], rowOutputs: [Value]) throws -> FusionKernels {
        let outer = Array(inputShape[..<outerRank]), inner = Array(inputShape[outerRank...])
        let rows = outer.reduce(1, *), columns = inner.reduce(1, *)
        let chunks = chunks(rows: rows, columns: columns)
        let chunkColumns = (columns + chunks - 1) / chunks
        let combiners = try b.reductions.map { try ReductionKernels.combinerAndType($0) }
        let scratchTypes = try combiners.map { c -> KernelElementType in
            guard let st = KernelElementType(c.1.computeElementType) else { throw CodeGenError("no scratch type") }
            return st
        }
        // Scratch 2r: reduction r's partials; 2r + 1: its value per row.
        var scratch: [ScratchBuffer] = []
        var scratchParameters: [String] = []
        for (r, st) in scratchTypes.enumerated() {
            scratch.append(ScratchBuffer(type: TensorType(shape: [rows * chunks], elementType: st.elementType)))
            scratch.append(ScratchBuffer(type: TensorType(shape: [rows], elementType: st.elementType)))
            scratchParameters += ["\(st.storage)* __restrict__ partials\(r)", "\(st.storage)* __restrict__ rowvalue\(r)"]
        }
        let parameters = b.parameterDeclarations + scratchParameters
        let bindings = b.bindings + scratch.indices.map { GeneratedKernel.Binding.scratch($0) }
        let indexType = KernelSource.indexType(for: b.indexCounts() + [rows * columns + columns, rows * chunks])

        /// Declares the per-row values of reductions `0..<count` for row `row` and hands them
        /// to the writer; returns the row's terms.
        func readRowValues(_ w: KernelBodyWriter, count: Int) -> [IndexTerm] {
            for q in 0..<count {
                let reduce = b.reductions[q]
                w.emit("const \(combiners[q].1.compute) rv\(q) = \(scratchTypes[q].load("rowvalue\(q)[row]"));")
                w.rowValues[reduce.results[0].id] = RowValue(variable: "rv\(q)", shape: reduce.resultTensorType(0)?.shape ?? [])
            }
            return ReductionKernels.taggedTerms(w, "row", shape: outer, tag: { .row($0) })
        }
        func kernel(_ name: String, _ w: KernelBodyWriter, block: Int, grid: Int, shared: [String] = [], what: String) -> GeneratedKernel {
            let header = KernelSource.header(name: name, parameters: parameters, block: block, indexType: indexType,
                                             comment: b.comment(what))
            return GeneratedKernel(name: name, source: KernelSource.unit(globals: w.globals, function: header + shared + w.lines),
                                   grid: [grid, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
                                   bindings: bindings, operationNames: b.operationNames)
        }

        var kernels: [GeneratedKernel] = []
        for (r, reduce) in b.reductions.enumerated() {
            let (combiner, type) = combiners[r]
            // Partials: block t folds chunk t % chunks of row t / chunks.
            let w = b.writer()
            w.emit("const idx_t row = blockIdx.x / \(chunks), chunk = blockIdx.x % \(chunks);")
            let rowTerms = readRowValues(w, count: r)
            w.emit("\(type.compute) acc = \(KernelSource.identity(combiner, type));")
            w.emit("const idx_t c0 = chunk * \(chunkColumns);")
            w.emit("const idx_t c1 = c0 + \(chunkColumns) < (idx_t)\(columns) ? c0 + \(chunkColumns) : (idx_t)\(columns);")
            w.emit("#pragma unroll 4")
            w.emit("for (idx_t col = c0 + threadIdx.x; col < c1; col += \(threads)) {")
            try w.nested {
                let colTerms = ReductionKernels.taggedTerms(w, "col", shape: inner, tag: { .column($0) })
                let flat = w.bind("row * \(columns) + col", type: "idx_t", prefix: "i")
                let x = try w.value(reduce.operands[0], at: ElementIndex(shape: inputShape, linear: flat, terms: rowTerms + colTerms))
                w.emit("acc = \(KernelSource.combine(combiner, type, "acc", x));")
            }
            w.emit("}")
            ReductionKernels.reduceAcross(w, acc: "acc", threads: threads, shared: "sm", combiner: combiner, type: type)
            w.emit("if (threadIdx.x == 0) partials\(r)[blockIdx.x] = \(scratchTypes[r].store("acc"));")
            kernels.append(kernel("\(b.name)_r\(r)_partials", w, block: threads, grid: rows * chunks,
                                  shared: ["  __shared__ \(type.compute) sm[\(threads / 32)];"],
                                  what: "split rows: \(rows) rows of \(columns) in \(chunks) chunks, reduction \(r) partials"))
            // Per row, a block: each thread folds a contiguous run of the row's partials, the
            // runs meet in the block's fixed tree, then the initial value (one thread folding
            // hundreds of partials in a row was a serial chain of dependent loads).
            let w2 = b.writer()
            let run = (chunks + combineThreads - 1) / combineThreads
            w2.emit("const idx_t row = blockIdx.x;")
            w2.emit("\(type.compute) acc = \(KernelSource.identity(combiner, type));")
            w2.emit("const int k1 = (threadIdx.x + 1) * \(run) < \(chunks) ? (threadIdx.x + 1) * \(run) : \(chunks);")
            w2.emit("for (int k = threadIdx.x * \(run); k < k1; ++k) acc = \(KernelSource.combine(combiner, type, "acc", scratchTypes[r].load("partials\(r)[row * \(chunks) + k]")));")
            ReductionKernels.reduceAcross(w2, acc: "acc", threads: combineThreads, shared: "sm", combiner: combiner, type: type)
            let initial = try w2.value(reduce.operands[1], at: ElementIndex(shape: [], linear: "0"))
            w2.emit("if (threadIdx.x == 0) rowvalue\(r)[row] = \(scratchTypes[r].store(type.rounded(KernelSource.combine(combiner, type, initial, "acc"))));")
            kernels.append(kernel("\(b.name)_r\(r)_rows", w2, block: combineThreads, grid: rows,
                                  shared: ["  __shared__ \(type.compute) sm[\(combineThreads / 32)];"],
                                  what: "split rows: reduction \(r) per row from \(chunks) partials, a block per row"))
        }
        if !fullOutputs.isEmpty {
            let w = b.writer()
            let count = rows * columns
            let blocks = max(1, min(LaunchLimits.maxLoopBlocks, (count + LaunchLimits.loopBlock - 1) / LaunchLimits.loopBlock))
            w.emit("for (idx_t e = (idx_t)blockIdx.x * \(LaunchLimits.loopBlock) + threadIdx.x; e < (idx_t)\(count); e += (idx_t)gridDim.x * \(LaunchLimits.loopBlock)) {")
            try w.nested {
                w.emit("const idx_t row = e / \(columns), col = e % \(columns);")
                let rowTerms = readRowValues(w, count: b.reductions.count)
                let colTerms = ReductionKernels.taggedTerms(w, "col", shape: inner, tag: { .column($0) })
                let index = ElementIndex(shape: inputShape, linear: "e", terms: rowTerms + colTerms)
                for v in fullOutputs { try ReductionKernels.store(b, w, v, index: index, from: inputShape) }
            }
            w.emit("}")
            kernels.append(kernel(b.name, w, block: LaunchLimits.loopBlock, grid: blocks,
                                  what: "split rows: the \(rows)×\(columns) outputs"))
        }
        if !rowOutputs.isEmpty {
            let w = b.writer()
            w.emit("for (idx_t row = threadIdx.x; row < (idx_t)\(rows); row += \(LaunchLimits.loopBlock)) {")
            try w.nested {
                let rowTerms = readRowValues(w, count: b.reductions.count)
                let index = ElementIndex(shape: outer, linear: "row", terms: rowTerms)
                for v in rowOutputs { try ReductionKernels.store(b, w, v, index: index, from: outer) }
            }
            w.emit("}")
            kernels.append(kernel(fullOutputs.isEmpty ? b.name : b.name + "_row_outputs", w, block: LaunchLimits.loopBlock,
                                  grid: 1, what: "split rows: the per-row outputs"))
        }
        return FusionKernels(kernels: kernels, scratch: scratch)
    }
}
