import Foundation
import StableHLO

/// A `reduce` whose body selects among its arguments — argmax, argmin, top-1: every result
/// is a `select` between an accumulator and the element (after comparisons) — fused with
/// its producers (the `iota` of indices, a `convert`, ...), so nothing but the reduced input
/// is read, and with consumers of the kept shape (a `convert`, a division by the count).
/// Rows (reduced dimensions trailing) take a warp or a block per row, each lane folding a
/// contiguous run of its row from the initial values and the lanes meeting through shuffles,
/// lower lane first; columns (a kept dimension after the reduced ones) take the column
/// geometry of `ColumnReductionKernel` (`VariadicReductionKernel+Columns`).
///
/// Every partial covers a contiguous run and partials meet in order, so for a selection
/// that is associative and idempotent (JAX's arg-reductions: the first NaN wins, ties go to
/// the lower index) the result is the sequential fold's, bit for bit. Other bodies, and reductions over
/// dimensions that are neither trailing nor a column view, stay on `GeneralReductionKernel`
/// (one thread per result, the reference's order). `NVGPU_FUSED_ARG_REDUCE=0` turns this off.
enum VariadicReductionKernel {
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_FUSED_ARG_REDUCE"] != "0" }

    /// Combiners a returned value may apply to its accumulator and element besides a
    /// select: those whose result does not depend on the order partials meet in (so the
    /// kernel still gives the sequential fold's result), for every type or for integers.
    static let orderFreeCombiners: Set<String> = ["stablehlo.maximum", "stablehlo.minimum", "stablehlo.and", "stablehlo.or"]
    static let integerCombiners: Set<String> = ["stablehlo.add", "stablehlo.multiply", "stablehlo.xor"]

    /// Compute types the warp shuffles of the prelude take.
    static let shuffledTypes: Set<String> = ["float", "double", "int", "unsigned int", "long long", "unsigned long long"]

    /// Attribute of a `reduce` whose body the compiler wrote to be regrouped freely (a
    /// Welford merge: `nvgpu-one-pass-variance`): its float arithmetic meets partials in
    /// the kernel's grouping, as a float sum's does, so any body is taken.
    static let reassociableAttribute = "nvgpu.reassociable"

    /// Whether `op` is a selecting reduction this kernel takes (over trailing dimensions or a
    /// column view, of element types it can shuffle).
    static func isCandidate(_ op: StableHLO.Operation) -> Bool {
        guard isEnabled, op.name == "stablehlo.reduce", OperationClass.simpleCombiner(op) == nil,
              op.operands.count % 2 == 0, !op.operands.isEmpty, op.results.count == op.operands.count / 2,
              let shape = op.operandTensorType(0)?.shape, shape.reduce(1, *) > 0,
              let region = op.regions.first, let block = region.entry, (try? ScalarRegion(region, of: op)) != nil,
              let ret = block.operations.last else { return false }
        let n = op.results.count
        for k in 0..<n {
            guard op.operandTensorType(k)?.shape == shape,
                  let input = op.operandTensorType(k).flatMap({ KernelElementType($0.elementType) }),
                  let initial = op.operandTensorType(n + k).flatMap({ KernelElementType($0.elementType) }),
                  let result = op.resultTensorType(k).flatMap({ KernelElementType($0.elementType) }),
                  input == initial, initial == result, shuffledTypes.contains(result.compute),
                  result.narrowFloatFormat == nil else { return false }
        }
        // Every returned value is a select between block arguments, or a combiner of its own
        // accumulator and element whose result no order of partials changes (a plain
        // reduction merged next to a selecting one: `nvgpu-merge-sibling-reduces`).
        var definitions: [Int: StableHLO.Operation] = [:]
        for inner in block.operations { for r in inner.results { definitions[r.id] = inner } }
        let arguments = Set(block.arguments.map(\.id))
        guard ret.operands.count == n, block.arguments.count == 2 * n else { return false }
        for (k, v) in ret.operands.enumerated() where op[attribute: reassociableAttribute] == nil {
            guard let d = definitions[v.id] else { return false }
            if d.name == "stablehlo.select", d.operands.count == 3,
               arguments.contains(d.operands[1].id), arguments.contains(d.operands[2].id) { continue }
            let pair: Set<Int> = [block.arguments[k].id, block.arguments[n + k].id]
            let exactInAnyOrder = orderFreeCombiners.contains(d.name)
                || (integerCombiners.contains(d.name) && op.resultTensorType(k).map { !$0.elementType.isFloat && !$0.elementType.isComplex } == true)
            guard exactInAnyOrder, d.operands.count == 2, Set(d.operands.map(\.id)) == pair else { return false }
        }
        let dims = (op[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
        guard Set(dims).count == dims.count, dims.allSatisfy({ $0 >= 0 && $0 < shape.count }) else { return false }
        return rowView(shape, dims) != nil || ColumnReductionKernel.view(shape, reducing: dims) != nil
    }

    /// `[rows, columns]` when the reduced dimensions are the trailing ones.
    static func rowView(_ shape: [Int], _ dims: [Int]) -> (rows: Int, columns: Int)? {
        let first = shape.count - dims.count
        guard dims == Array(first..<shape.count) else { return nil }
        return (shape[..<first].reduce(1, *), shape[first...].reduce(1, *))
    }


    static func build(_ b: FusionKernelBuilder) throws -> FusionKernels {
        let f = try VariadicFold(b)
        let inputs = b.inputStorage()
        if let (rows, columns) = rowView(f.shape, f.dims) {
            return try self.rows(f, rows: rows, columns: columns, inputs: inputs)
        }
        guard let (outer, reduced, inner) = ColumnReductionKernel.view(f.shape, reducing: f.dims) else {
            throw CodeGenError("reduce dimensions \(f.dims) of \(f.shape) are neither trailing nor a column view")
        }
        return try columns(f, outer: outer, reduced: reduced, inner: inner, inputs: inputs)
    }

    /// Rows: a warp or a block of lanes per row, each folding a contiguous run; few long rows
    /// split over blocks (`VariadicReductionKernel+SplitRows`).
    static func rows(_ f: VariadicFold, rows: Int, columns: Int,
                     inputs: [Int: (count: Int, storage: String, width: Int)]) throws -> FusionKernels {
        if SplitRowReduction.applies(rows: rows, columns: columns) {
            return try splitRows(f, rows: rows, columns: columns, inputs: inputs)
        }
        let b = f.b
        let acc = (0..<f.n).map { "acc\($0)" }
        // `ReductionKernels.rowGeometry`: a warp per 4096-column row ran fewer instructions
        // but read each lane's 512-byte run uncoalesced (top-1 of 16384×4096 on an H100:
        // 0.170 ms against 0.095 ms with 256 threads a row).
        let (threads, rowsPerBlock) = ReductionKernels.rowGeometry(columns: columns)
        let w = b.writer()
        var shared: [String] = []
        w.emit("const int lane = threadIdx.x % \(threads);")
        w.emit("for (idx_t row = (idx_t)blockIdx.x * \(rowsPerBlock) + threadIdx.x / \(threads); row < (idx_t)\(rows); row += (idx_t)gridDim.x * \(rowsPerBlock)) {")
        try w.nested {
            try f.declareInitialValues(w, acc)
            // Each lane folds a contiguous run of the row, so lanes in order hold the row in order;
            // runs the lanes divide evenly are read as vectors.
            let run = (columns + threads - 1) / threads
            let vector = f.vectorWidth(run: run, inputs: inputs)
            if columns % threads == 0, vector > 1 {
                try f.foldVectorRun(w, acc, worker: "lane", run: run, vector: vector, base: "row * \(columns)", inputs: inputs)
            } else {
                try f.foldRun(w, acc, worker: "lane", run: run, extent: "\(columns)") { "row * \(columns) + \($0)" }
            }
            try f.meetLanes(w, acc, threads: threads, shared: &shared)
            w.emit("if (lane == 0) {")
            try w.nested { try f.finish(w, kept: "row", acc) }
            w.emit("}")
            if threads > 32 { w.emit("__syncthreads();") }
        }
        w.emit("}")
        let block = threads * rowsPerBlock
        let blocks = max(1, min(LaunchLimits.maxRowBlocks, (rows + rowsPerBlock - 1) / rowsPerBlock))
        let header = KernelSource.header(
            name: b.name, parameters: b.parameterDeclarations, block: block,
            indexType: KernelSource.indexType(for: b.indexCounts() + [rows * columns + columns]),
            comment: b.comment("\(f.kind) of \(rows) rows of \(columns), \(threads) threads per row"))
        return FusionKernels(kernels: [GeneratedKernel(
            name: b.name, source: KernelSource.unit(globals: w.globals, function: header + shared + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: b.bindings, operationNames: b.operationNames)], scratch: [])
    }
}

/// What both layouts of `VariadicReductionKernel` emit for one fusion: the reduction's body
/// folded into accumulators, its initial values, its elements, and the finish (the kept-shape
/// consumers and every output's store).
final class VariadicFold {
    let b: FusionKernelBuilder
    let reduce: StableHLO.Operation
    let body: ScalarRegion
    /// Each result's element type (the accumulators').
    let types: [KernelElementType]
    /// The reduced input's shape, its sorted reduced dimensions and the kept shape.
    let shape: [Int]
    let dims: [Int]
    let resultShape: [Int]
    /// Names of the emitted bodies, numbered.
    private var counter = 0

    var n: Int { types.count }
    /// Whether the body was written by the compiler to be regrouped (`nvgpu.reassociable`).
    var isReassociable: Bool { reduce[attribute: VariadicReductionKernel.reassociableAttribute] != nil }
    /// How the kernel comments name the reduction.
    var kind: String { isReassociable ? "reassociable reduction" : "selecting reduction" }

    init(_ b: FusionKernelBuilder) throws {
        guard b.reductions.count == 1, let reduce = b.reductions.first, VariadicReductionKernel.isCandidate(reduce) else {
            throw CodeGenError("a selecting reduction fuses alone with its producers")
        }
        guard let shape = reduce.operandTensorType(0)?.shape, let region = reduce.regions.first else {
            throw CodeGenError("reduce without shapes")
        }
        let dims = (reduce[attribute: "dimensions"]?.intArray ?? []).map { Int($0) }.sorted()
        let resultShape = shape.indices.filter { !dims.contains($0) }.map { shape[$0] }
        for v in b.group.outputs {
            guard let s = v.type.tensorType?.shape, ElementIndex.squeezed(s) == ElementIndex.squeezed(resultShape) else {
                throw CodeGenError("a consumer of a selecting reduction does not have the kept shape")
            }
        }
        self.b = b
        self.reduce = reduce
        self.body = try ScalarRegion(region, of: reduce)
        self.types = try reduce.results.map { r -> KernelElementType in
            guard let t = r.type.tensorType, let kt = KernelElementType(t.elementType) else { throw CodeGenError("no element type") }
            return kt
        }
        self.shape = shape
        self.dims = dims
        self.resultShape = resultShape
    }

    /// Emits `acc_k = body(acc..., other...)`.
    func fold(_ w: KernelBodyWriter, _ acc: [String], _ other: [String]) throws {
        counter += 1
        var lines: [String] = []
        let out = try body.emit(arguments: acc + other, into: &lines, indent: w.indentation, prefix: "bd\(counter)_",
                                fastDivision: isReassociable)
        w.emit(lines: lines)
        for k in 0..<n { w.emit("\(acc[k]) = \(out[k]);") }
    }

    /// Declares accumulators `names` holding the initial values.
    func declareInitialValues(_ w: KernelBodyWriter, _ names: [String]) throws {
        for k in 0..<n {
            let v = try w.value(reduce.operands[n + k], at: ElementIndex(shape: [], linear: "0"))
            w.emit("\(types[k].compute) \(names[k]) = \(v);")
        }
    }

    /// The element type each result's partials take in scratch (its compute type).
    func scratchTypes() throws -> [KernelElementType] {
        try types.map { t in
            guard let st = KernelElementType(t.computeElementType) else { throw CodeGenError("no scratch type for \(t.compute)") }
            return st
        }
    }

    /// The reduced inputs' values at `index`.
    func elements(_ w: KernelBodyWriter, at index: ElementIndex) throws -> [String] {
        try (0..<n).map { try w.value(reduce.operands[$0], at: index) }
    }

    /// Elements a vector read takes for runs of `run` positions: 16 bytes of the widest
    /// input, halved until it divides the run.
    func vectorWidth(run: Int, inputs: [Int: (count: Int, storage: String, width: Int)]) -> Int {
        let widest = inputs.values.map(\.width).max() ?? 4
        var vector = max(1, 16 / max(1, widest))
        while vector > 1 && run % vector != 0 { vector /= 2 }
        return vector
    }

    /// Folds into `acc` worker `worker`'s contiguous run of the positions below `extent` (C
    /// code; the `run`-long share of a worker numbered in order), so workers in order hold the
    /// positions in order; `linear` gives the input's element for position variable `p`.
    func foldRun(_ w: KernelBodyWriter, _ acc: [String], worker: String, run: Int, extent: String,
                 linear: (String) -> String) throws {
        w.emit("const idx_t p1 = (idx_t)(\(worker) + 1) * \(run) < (idx_t)(\(extent)) ? (idx_t)(\(worker) + 1) * \(run) : (idx_t)(\(extent));")
        w.emit("for (idx_t p = (idx_t)\(worker) * \(run); p < p1; ++p) {")
        try w.nested {
            let index = ElementIndex(shape: shape, linear: w.bind(linear("p"), type: "idx_t", prefix: "i"))
            try fold(w, acc, try elements(w, at: index))
        }
        w.emit("}")
    }

    /// Folds into `acc` worker `worker`'s contiguous run of `run` positions (a multiple of
    /// `vector`) after input element `base`, `vector` positions of every input per vector
    /// load, in batches of up to four vectors whose loads are all issued before the folds
    /// that use them (so a heavy fold — a Welford or online-softmax step — does not leave one
    /// load in flight per thread).
    func foldVectorRun(_ w: KernelBodyWriter, _ acc: [String], worker: String, run: Int, vector: Int, base: String,
                       inputs: [Int: (count: Int, storage: String, width: Int)]) throws {
        let steps = run / vector
        let batch = [4, 3, 2, 1].first { steps % $0 == 0 } ?? 1
        w.emit(steps / batch > 8 ? "#pragma unroll 2" : "#pragma unroll")
        w.emit("for (int s = 0; s < \(steps); s += \(batch)) {")
        try w.nested {
            var loads = OffsetVectorLoads(width: vector, prefix: "vr_", inputs: inputs)
            w.vectorRead = { loads.vector(for: $0) }
            defer { w.vectorRead = nil }
            // Positions first: the loads, emitted before the section, read them.
            let positions = (0..<batch).map { w.bind("(idx_t)\(worker) * \(run) + (s + \($0)) * \(vector)", type: "idx_t", prefix: "p") }
            let body = try w.section {
                for p in positions {
                    for j in 0..<vector {
                        w.emit("{")
                        try w.nested {
                            let index = ElementIndex(shape: shape, linear: "(\(base) + \(p) + \(j))",
                                                     laneForm: .offset(base: "\(base) + \(p)", element: j, width: vector))
                            try fold(w, acc, try elements(w, at: index))
                        }
                        w.emit("}")
                    }
                }
            }
            for v in loads.loads {
                w.emit(lines: v.statements(indentation: w.indentation))
            }
            w.emit(lines: body)
        }
        w.emit("}")
    }

    /// The `threads` lanes of a row (variable `lane`) meet in a tree: shuffles within the
    /// warp, partners lower lane first (the body need not be commutative: two NaNs), then the
    /// warps through shared memory (declared into `shared`), in order. Thread 0 of the row
    /// then holds the row's fold.
    func meetLanes(_ w: KernelBodyWriter, _ acc: [String], threads: Int, shared: inout [String]) throws {
        w.emit("for (int o = 1; o < \(min(32, threads)); o <<= 1) {")
        try w.nested {
            for k in 0..<n { w.emit("\(types[k].compute) other\(k) = nv_shfl_xor(\(acc[k]), o);") }
            w.emit("if (lane & o) {")
            w.nested {
                for k in 0..<n { w.emit("const \(types[k].compute) mine\(k) = \(acc[k]); \(acc[k]) = other\(k); other\(k) = mine\(k);") }
            }
            w.emit("}")
            try fold(w, acc, (0..<n).map { "other\($0)" })
        }
        w.emit("}")
        guard threads > 32 else { return }
        for k in 0..<n { shared.append("  __shared__ \(types[k].compute) sm\(k)[\(threads / 32)];") }
        w.emit("if ((threadIdx.x & 31) == 0) { \((0..<n).map { "sm\($0)[threadIdx.x >> 5] = \(acc[$0]);" }.joined(separator: " ")) }")
        w.emit("__syncthreads();")
        w.emit("if (threadIdx.x == 0) {")
        try w.nested {
            w.emit("for (int q = 1; q < \(threads / 32); ++q) {")
            try w.nested { try fold(w, acc, (0..<n).map { "sm\($0)[q]" }) }
            w.emit("}")
        }
        w.emit("}")
    }

    /// The `count` partials of the threads along y meet in order through shared memory
    /// (`slot(k, index)`: accumulator k's slot of y thread `index`, `count` slots a column),
    /// in a tree of adjacent pairs: at stride h, thread y (a multiple of 2h) folds thread
    /// y + h's partial after its own, so y 0 ends with the fold of all of them, in order, after
    /// log₂ count dependent folds. Every thread of the block must reach it (it synchronizes).
    func meetInTree(_ w: KernelBodyWriter, _ acc: [String], count: Int, slot: (Int, String) -> String) throws {
        for k in 0..<n { w.emit("\(slot(k, "threadIdx.y")) = \(acc[k]);") }
        w.emit("__syncthreads();")
        guard count > 1 else { return }
        w.emit("for (int h = 1; h < \(count); h <<= 1) {")
        try w.nested {
            w.emit("if ((threadIdx.y & (2 * h - 1)) == 0 && threadIdx.y + h < \(count)) {")
            try w.nested {
                try fold(w, acc, (0..<n).map { slot($0, "threadIdx.y + h") })
                for k in 0..<n { w.emit("\(slot(k, "threadIdx.y")) = \(acc[k]);") }
            }
            w.emit("}")
            w.emit("__syncthreads();")
        }
        w.emit("}")
    }

    /// Binds the results to accumulators `acc` at kept position `kept` (C code) and stores
    /// every output there, the kept-shape consumers computed on the way.
    func finish(_ w: KernelBodyWriter, kept: String, _ acc: [String]) throws {
        let position = w.bind(kept, type: "idx_t", prefix: "i")
        let terms = ReductionKernels.taggedTerms(w, position, shape: resultShape, tag: { .row($0) })
        for (k, r) in reduce.results.enumerated() {
            w.rowValues[r.id] = RowValue(variable: acc[k], shape: r.type.tensorType?.shape ?? [])
        }
        let index = ElementIndex(shape: resultShape, linear: position, terms: terms)
        for v in b.group.outputs { try ReductionKernels.store(b, w, v, index: index, from: resultShape) }
    }
}
