import Foundation
import StableHLO

/// A fusion whose reductions keep the input's minor dimension (a column reduction: reduce a
/// `[outer, reduced, inner]` view over its middle, with `inner > 1`; any reduced dimensions
/// that are adjacent once unit dimensions are dropped), with producers and consumers fused.
///
/// Threads of a block lie along `inner` (x: consecutive columns, so every warp reads whole
/// rows, coalesced) and along the reduced axis (y: rows interleaved); the y partials meet in
/// shared memory. When `outer × ⌈inner / x⌉` blocks would leave the GPU idle, the reduced
/// axis is also split over blocks: each writes a partial per column into scratch and a
/// second kernel, one thread per kept element, combines the partials in order with the
/// initial value and computes the consumers.
enum ColumnReductionKernel {
    /// `NVGPU_COLUMN_REDUCTION=0` turns the kernel off (such reductions then run one thread
    /// per kept element), for comparison.
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_COLUMN_REDUCTION"] != "0" }

    /// Threads per block.
    static let threads = 512
    /// Blocks that fill an H100 about twice (132 multiprocessors × 4 blocks of 512 × 2).
    static let targetBlocks = 1056
    /// The fewest reduced elements a thread should fold per split.
    static let minimumPerThread = 8

    /// The `[outer, reduced, inner]` view of `shape` reduced over `dims`, or nil when the
    /// reduced dimensions are not adjacent (unit dimensions aside) or nothing kept is minor.
    static func view(_ shape: [Int], reducing dims: [Int]) -> (outer: Int, reduced: Int, inner: Int)? {
        let reduced = dims.filter { shape[$0] != 1 }
        guard let first = reduced.first, let last = reduced.last else { return nil }
        let keptBetween = (first...last).filter { shape[$0] != 1 && !dims.contains($0) }
        guard keptBetween.isEmpty else { return nil }
        let outer = shape[..<first].reduce(1, *), inner = shape[(last + 1)...].reduce(1, *)
        let count = reduced.map { shape[$0] }.reduce(1, *)
        guard inner > 1, outer > 0, count > 0 else { return nil }  // empty tensors take the generic kernel
        return (outer, count, inner)
    }

    /// Columns a thread folds side by side for inputs of `bytes`-byte elements: a 16-byte
    /// vector, halved until it divides `inner` and leaves a full warp of threads across the
    /// columns (8 bf16 columns of 256: a warp reads 512 contiguous bytes of a row, not 64;
    /// narrower rows keep more threads along the reduced axis, whose partials meet serially).
    /// `NVGPU_COLUMN_VECTOR=0` keeps one column a thread.
    static func vectorWidth(inner: Int, bytes: Int) -> Int {
        if ProcessInfo.processInfo.environment["NVGPU_COLUMN_VECTOR"] == "0" { return 1 }
        var width = max(1, 16 / max(1, min(16, bytes)))
        while width > 1 && (inner % width != 0 || inner / width < 32) { width /= 2 }
        return width
    }

    /// Threads along the columns and along the reduced axis, and how many splits of it, for
    /// threads that each fold `vector` adjacent columns.
    static func geometry(outer: Int, reduced: Int, inner: Int, vector: Int = 1) -> (x: Int, y: Int, splits: Int) {
        let lanes = (inner + vector - 1) / vector
        var x = 1
        while x < min(32, lanes) { x *= 2 }
        let y = threads / x
        let tiles = max(1, outer * ((inner + x * vector - 1) / (x * vector)))
        let wanted = max(1, (targetBlocks + tiles - 1) / tiles)
        let most = max(1, reduced / (y * minimumPerThread))
        return (x, y, min(wanted, most))
    }

    static func build(_ b: FusionKernelBuilder) throws -> FusionKernels {
        guard let first = b.reductions.first, let inputShape = first.operandTensorType(0)?.shape else {
            throw CodeGenError("no reduction")
        }
        let dims = (first[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
        guard Set(dims).count == dims.count, dims.allSatisfy({ $0 >= 0 && $0 < inputShape.count }),
              let (outer, reduced, inner) = view(inputShape, reducing: dims) else {
            throw CodeGenError("not a column reduction")
        }
        for r in b.reductions {
            let d = (r[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
            guard d == dims, r.operandTensorType(0)?.shape == inputShape, r.results.count == 1 else {
                throw CodeGenError("reductions of different shapes in one fusion")
            }
        }
        let resultShape = inputShape.indices.filter { !dims.contains($0) }.map { inputShape[$0] }
        for v in b.group.outputs {
            guard let shape = v.type.tensorType?.shape, ElementIndex.squeezed(shape) == ElementIndex.squeezed(resultShape) else {
                throw CodeGenError("an output of a column reduction does not have the kept shape")
            }
        }
        // The widest element of the reduced inputs sets the vector width; reads of every
        // input at the thread's columns (a per-channel mean too) then come as vectors.
        let inputs = b.inputStorage()
        let widest = inputs.values.filter { $0.count == outer * reduced * inner }.map(\.width).max() ?? 4
        let vector = vectorWidth(inner: inner, bytes: widest)
        let (x, y, splits) = geometry(outer: outer, reduced: reduced, inner: inner, vector: vector)
        let tilesInner = (inner + x * vector - 1) / (x * vector)
        let chunk = (reduced + splits - 1) / splits
        let total = outer * tilesInner * splits
        let blocks = min(total, LaunchLimits.maxRowBlocks)
        let combiners = try b.reductions.map { try ReductionKernels.combinerAndType($0) }
        let scratchTypes = try combiners.map { c -> KernelElementType in
            guard !c.1.isComplex, let st = KernelElementType(c.1.computeElementType) else {
                throw CodeGenError("no column reduction kernel for \(c.1.elementType)")
            }
            return st
        }
        // Accumulator of reduction r for the thread's column e.
        func acc(_ r: Int, _ e: Int) -> String { vector == 1 ? "acc\(r)" : "acc\(r)_\(e)" }

        // Stage 1: every block folds `chunk` rows of `x × vector` columns.
        let w = b.writer()
        var shared: [String] = []
        for (r, (_, type)) in combiners.enumerated() {
            shared.append("  __shared__ \(type.compute) sm\(r)[\(y)][\(x * vector + 1)];")
        }
        w.emit("for (idx_t t = blockIdx.x; t < (idx_t)\(total); t += gridDim.x) {")
        try w.nested {
            w.emit("const idx_t col = ((t % \(tilesInner)) * \(x) + threadIdx.x) * \(vector);")
            w.emit("const idx_t split = (t / \(tilesInner)) % \(splits), o = t / \(tilesInner * splits);")
            for (r, (combiner, type)) in combiners.enumerated() {
                for e in 0..<vector { w.emit("\(type.compute) \(acc(r, e)) = \(KernelSource.identity(combiner, type));") }
            }
            w.emit("if (col < (idx_t)\(inner)) {")
            try w.nested {
                w.emit("const idx_t r0 = split * \(chunk);")
                w.emit("const idx_t r1 = r0 + \(chunk) < (idx_t)\(reduced) ? r0 + \(chunk) : (idx_t)\(reduced);")
                w.emit("#pragma unroll 4")
                w.emit("for (idx_t r = r0 + threadIdx.y; r < r1; r += \(y)) {")
                try w.nested {
                    let at = w.bind("(o * \(reduced) + r) * \(inner) + col", type: "idx_t", prefix: "i")
                    var loads = OffsetVectorLoads(width: vector, prefix: "vc_", inputs: inputs)
                    if vector > 1 { w.vectorRead = { loads.vector(for: $0) } }
                    defer { w.vectorRead = nil }
                    let body = try w.section {
                        for e in 0..<vector {
                            let index = vector == 1 ? ElementIndex(shape: inputShape, linear: at)
                                : ElementIndex(shape: inputShape, linear: "(\(at) + \(e))",
                                               laneForm: .offset(base: at, element: e, width: vector))
                            for (r, reduce) in b.reductions.enumerated() {
                                let (combiner, type) = combiners[r]
                                let value = try w.value(reduce.operands[0], at: index)
                                w.emit("\(acc(r, e)) = \(KernelSource.combine(combiner, type, acc(r, e), value));")
                            }
                        }
                    }
                    for v in loads.loads { w.emit(lines: v.statements(indentation: w.indentation)) }
                    w.emit(lines: body)
                }
                w.emit("}")
            }
            w.emit("}")
            try meetInOrder(w, combiners: combiners, rows: y, vector: vector, condition: "col < (idx_t)\(inner)") { e in
                if splits == 1 {
                    try finish(b, w, kept: "o * \(inner) + col + \(e)", resultShape: resultShape, combiners: combiners)
                } else {
                    for (r, st) in scratchTypes.enumerated() {
                        w.emit("scratch\(r)[(o * \(splits) + split) * \(inner) + col + \(e)] = \(st.store("acc\(r)"));")
                    }
                }
            }
            w.emit("__syncthreads();")
        }
        w.emit("}")
        let scratch = scratchTypes.map { ScratchBuffer(type: TensorType(shape: [outer * splits * inner], elementType: $0.elementType)) }
        let scratchParameters = scratchTypes.enumerated().map { r, st in "\(st.storage)* __restrict__ scratch\(r)" }
        let indexType = KernelSource.indexType(for: b.indexCounts() + [total + blocks, outer * splits * inner + inner])
        let stage1Name = splits == 1 ? b.name : b.name + "_partials"
        let header1 = KernelSource.header(
            name: stage1Name, parameters: b.parameterDeclarations + (splits == 1 ? [] : scratchParameters), block: x * y,
            indexType: indexType,
            comment: b.comment("column reduction of [\(outer), \(reduced), \(inner)] over the middle, \(x)×\(y) threads"
                + (vector > 1 ? " × \(vector) columns" : "") + ", \(splits) split(s)"))
        let stage1 = GeneratedKernel(
            name: stage1Name, source: KernelSource.unit(globals: w.globals, function: header1 + shared + w.lines),
            grid: [blocks, 1, 1], block: [x, y, 1], sharedMemoryBytes: 0,
            bindings: b.bindings + (splits == 1 ? [] : scratch.indices.map { .scratch($0) }), operationNames: b.operationNames)
        guard splits > 1 else { return FusionKernels(kernels: [stage1], scratch: []) }

        // Stage 2: blocks of 32 kept elements × 8 runs of splits; each thread folds a
        // contiguous run of one element's splits, the runs meet in order in shared memory,
        // and the first row of threads finishes (initial value, consumers). One thread folding
        // every split of its element was a serial chain of dependent loads.
        let w2 = b.writer()
        let keptCount = outer * inner
        let (x2, y2) = (32, 8)
        let tiles2 = (keptCount + x2 - 1) / x2
        let run = (splits + y2 - 1) / y2
        let shared2 = combiners.enumerated().map { "  __shared__ \($0.element.1.compute) sm\($0.offset)[\(y2)][\(x2 + 1)];" }
        w2.emit("for (idx_t t = blockIdx.x; t < (idx_t)\(tiles2); t += gridDim.x) {")
        try w2.nested {
            w2.emit("const idx_t k = t * \(x2) + threadIdx.x;")
            for (r, (combiner, type)) in combiners.enumerated() {
                w2.emit("\(type.compute) acc\(r) = \(KernelSource.identity(combiner, type));")
            }
            w2.emit("if (k < (idx_t)\(keptCount)) {")
            w2.nested {
                w2.emit("const idx_t o = k / \(inner), col = k % \(inner);")
                w2.emit("const int s1 = (threadIdx.y + 1) * \(run) < \(splits) ? (threadIdx.y + 1) * \(run) : \(splits);")
                for (r, (combiner, type)) in combiners.enumerated() {
                    let partial = scratchTypes[r].load("scratch\(r)[(o * \(splits) + s) * \(inner) + col]")
                    w2.emit("for (int s = threadIdx.y * \(run); s < s1; ++s) acc\(r) = \(KernelSource.combine(combiner, type, "acc\(r)", partial));")
                }
            }
            w2.emit("}")
            try meetInOrder(w2, combiners: combiners, rows: y2, condition: "k < (idx_t)\(keptCount)") { _ in
                try finish(b, w2, kept: "k", resultShape: resultShape, combiners: combiners)
            }
            w2.emit("__syncthreads();")
        }
        w2.emit("}")
        let blocks2 = max(1, min(LaunchLimits.maxRowBlocks, tiles2))
        let header2 = KernelSource.header(
            name: b.name, parameters: b.parameterDeclarations + scratchParameters.map { "const " + $0 }, block: x2 * y2,
            indexType: indexType, comment: b.comment("column reduction stage 2: \(splits) partials per column, \(y2) runs each"))
        let stage2 = GeneratedKernel(
            name: b.name, source: KernelSource.unit(globals: w2.globals, function: header2 + shared2 + w2.lines),
            grid: [blocks2, 1, 1], block: [x2, y2, 1], sharedMemoryBytes: 0,
            bindings: b.bindings + scratch.indices.map { .scratch($0) }, operationNames: b.operationNames)
        return FusionKernels(kernels: [stage1, stage2], scratch: scratch)
    }

    /// Stores each thread's partials (`acc<r>`, or `acc<r>_<e>` for each of its `vector`
    /// columns) in `sm<r>[threadIdx.y][threadIdx.x × vector + e]`; the first row of threads,
    /// where `condition` holds, folds each column's `rows` partials in order into `acc<r>`
    /// and runs `body(e)` for it (in its own scope).
    private static func meetInOrder(_ w: KernelBodyWriter, combiners: [(ReductionCombiner, KernelElementType)],
                                    rows: Int, vector: Int = 1, condition: String, body: (Int) throws -> Void) rethrows {
        let name = { (r: Int, e: Int) in vector == 1 ? "acc\(r)" : "acc\(r)_\(e)" }
        for r in combiners.indices {
            for e in 0..<vector { w.emit("sm\(r)[threadIdx.y][threadIdx.x * \(vector) + \(e)] = \(name(r, e));") }
        }
        w.emit("__syncthreads();")
        w.emit("if (threadIdx.y == 0 && \(condition)) {")
        try w.nested {
            for e in 0..<vector {
                if vector > 1 { w.emit("{") }
                try w.nested {
                    for (r, (combiner, type)) in combiners.enumerated() {
                        if vector > 1 { w.emit("\(type.compute) acc\(r) = \(name(r, e));") }
                        w.emit("for (int q = 1; q < \(rows); ++q) acc\(r) = \(KernelSource.combine(combiner, type, "acc\(r)", "sm\(r)[q][threadIdx.x * \(vector) + \(e)]"));")
                    }
                    try body(e)
                }
                if vector > 1 { w.emit("}") }
            }
        }
        w.emit("}")
    }

    /// Combines each reduction's partial (`acc<r>`) with its initial value and stores every
    /// output at kept position `kept` (C code).
    private static func finish(_ b: FusionKernelBuilder, _ w: KernelBodyWriter, kept: String, resultShape: [Int],
                               combiners: [(ReductionCombiner, KernelElementType)]) throws {
        let position = w.bind(kept, type: "idx_t", prefix: "i")
        let terms = ReductionKernels.taggedTerms(w, position, shape: resultShape, tag: { .row($0) })
        for (r, reduce) in b.reductions.enumerated() {
            let (combiner, type) = combiners[r]
            let initial = try w.value(reduce.operands[1], at: ElementIndex(shape: [], linear: "0"))
            let reduced = w.bind(type.rounded(KernelSource.combine(combiner, type, initial, "acc\(r)")), type: type.compute, prefix: "red")
            w.rowValues[reduce.results[0].id] = RowValue(variable: reduced, shape: reduce.resultTensorType(0)?.shape ?? [])
        }
        let index = ElementIndex(shape: resultShape, linear: position, terms: terms)
        for v in b.group.outputs { try ReductionKernels.store(b, w, v, index: index, from: resultShape) }
    }
}
