import Foundation
import StableHLO

/// Row reductions that keep the whole row on chip: every thread owns a fixed share of the
/// row's positions (unrolled at compile time, since the row length is static), reads each
/// row-shaped input there once with 16-byte loads issued before any arithmetic, keeps the
/// fused values in registers across all of the group's reductions, and writes each full
/// output once with 16-byte stores. A softmax or layernorm row thus crosses device memory
/// once in and once out, instead of once per reduction plus once for the outputs.
///
/// The same fusion chains as `ReductionKernels.rows` (any producers before, between and
/// after the reductions); it declines (returns nil) when a thread would have to hold more
/// than `maxElementsPerThread` positions, and the caller keeps the strided-loop shape.
/// `NVGPU_ROW_ON_CHIP=0` in the environment turns it off, for A/B timing.
enum OnChipRowKernel {
    /// How one row is spread over the threads of a block.
    struct Geometry: Equatable, Sendable {
        /// Elements per vector access: 16 bytes of the widest row-shaped buffer, halved
        /// until it divides the row.
        var vectorWidth: Int
        /// Threads per row: a power of two from 1 to 1024. Below 32, one warp holds several
        /// rows (a 128-wide bf16 softmax row: 4 threads of 4 vectors, 8 rows a warp).
        var threads: Int
        /// Rows per block: 256 threads' worth for rows of one warp or less, else one.
        var rowsPerBlock: Int
        /// Vectors each thread holds; the last one is partial when `threads` does not
        /// divide the row's vectors.
        var chunks: Int
        /// Elements in one row.
        var columns: Int

        var vectors: Int { columns / vectorWidth }
        var elementsPerThread: Int { chunks * vectorWidth }
        /// Whether some threads have no vector in the last chunk.
        var isRagged: Bool { vectors % threads != 0 }
        /// Whether one warp holds several rows.
        var isSubWarp: Bool { threads < 32 }
    }

    /// 16-byte vectors per thread the geometry aims for: 64 bytes of the row in flight per
    /// thread, issued before any arithmetic (f32 rows: 16 positions, bf16: 32).
    static let targetVectorsPerThread = 4

    /// Positions per thread the geometry aims for: `targetVectorsPerThread` 16-byte vectors'
    /// worth of elements of `bytes` bytes (64 bytes in flight), at most
    /// `maxElementsPerThread` (register budget). A row whose length forces narrower vectors
    /// (4095 f32 columns: scalars) keeps the same bytes per thread in more, smaller loads,
    /// rather than spreading over 4x the threads and their block-wide reductions.
    /// `NVGPU_ROW_ELEMENTS=N` (1…32) overrides it, for tuning on a GPU.
    static func targetElementsPerThread(bytes: Int) -> Int {
        if let text = ProcessInfo.processInfo.environment["NVGPU_ROW_ELEMENTS"], let n = Int(text) {
            return max(1, min(maxElementsPerThread, n))
        }
        return min(maxElementsPerThread, targetVectorsPerThread * 16 / max(1, min(16, bytes)))
    }
    /// Positions per thread beyond which the row is not kept on chip.
    static let maxElementsPerThread = 32

    /// Whether the on-chip shape may be used (`NVGPU_ROW_ON_CHIP` is not `0`).
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_ROW_ON_CHIP"] != "0" }

    /// The geometry for rows of `columns` elements whose widest row-shaped buffer has
    /// elements of `widestBytes` bytes, or nil when the row does not fit on chip.
    static func geometry(columns: Int, widestBytes: Int) -> Geometry? {
        guard columns > 0 else { return nil }
        var width = max(1, 16 / max(1, min(16, widestBytes)))
        while width > 1 && columns % width != 0 { width /= 2 }
        let vectors = columns / width
        let target = targetElementsPerThread(bytes: widestBytes)
        // The fewest threads that keep each one's share within the target: short rows get
        // part of a warp rather than a warp of mostly idle lanes.
        var threads = 1
        while threads < 1024 && (vectors + threads - 1) / threads * width > target {
            threads *= 2
        }
        let chunks = (vectors + threads - 1) / threads
        guard chunks * width <= maxElementsPerThread else { return nil }
        return Geometry(vectorWidth: width, threads: threads, rowsPerBlock: threads <= 32 ? 256 / threads : 1,
                        chunks: chunks, columns: columns)
    }

    /// Where a vector load goes.
    private enum Placement: Hashable {
        /// Before the row loop: an input indexed by the column alone (a layernorm's scale)
        /// when blocks loop over several rows.
        case beforeLoop
        /// At the top of each row, before any arithmetic: the row-shaped inputs.
        case rowTop
        /// Right before the phase (a reduction, or one chunk's outputs) that first reads it:
        /// column-indexed inputs otherwise, so they hold registers only while needed.
        case phase(Int)
    }

    /// A vector the kernel loads once, and where.
    private struct PlacedLoad {
        var load: VectorLoad
        var placement: Placement
    }

    /// Threads per multiprocessor the launch bounds ask registers to allow for small blocks
    /// of one row (8 × 128 threads for a 4096-wide bf16 layernorm: 64 registers, no spills,
    /// instead of 127 registers and 4 blocks): the bytes in flight per multiprocessor bound
    /// a row kernel's bandwidth. Blocks of 512+ threads already get enough, and one-warp
    /// rows with several fused inputs need more registers than the cap would leave.
    /// `NVGPU_ROW_MIN_BLOCKS=0` drops the hint, for A/B timing.
    static let residentThreadsTarget = 1024

    /// The `minBlocksPerMultiprocessor` launch bound for a geometry whose widest row-shaped
    /// buffer has `widestBytes`-byte elements, or nil for none.
    ///
    /// Blocks of 512 or 1024 threads (one long row each: a 32000-wide vocabulary) would
    /// otherwise take up to 64 registers and run one block per multiprocessor, its row's
    /// loads and its block-wide reductions one after the other. When a thread holds at most
    /// `sharedResidencyBytes` of the row, two rows' worth of threads fit in 32 registers
    /// (a few spills at most), so one block's loads overlap another's reductions.
    static func minimumBlocks(_ g: Geometry, widestBytes: Int) -> Int? {
        if ProcessInfo.processInfo.environment["NVGPU_ROW_MIN_BLOCKS"] == "0" { return nil }
        let block = g.threads * g.rowsPerBlock
        guard g.rowsPerBlock == 1, g.threads >= 64 else { return nil }
        if block <= 256 { return residentThreadsTarget / block }
        guard g.elementsPerThread * widestBytes <= sharedResidencyBytes else { return nil }
        return 2048 / block
    }
    /// Row bytes per thread up to which 512/1024-thread blocks ask for two rows resident.
    static let sharedResidencyBytes = 64

    /// The kernel for a row group (see `FusionKernelBuilder.fusedReduction`), or nil when
    /// the row does not fit on chip.
    static func build(_ b: FusionKernelBuilder, inputShape: [Int], outerRank: Int,
                      fullOutputs: [Value], rowOutputs: [Value]) throws -> GeneratedKernel? {
        let outer = Array(inputShape[..<outerRank]), inner = Array(inputShape[outerRank...])
        let rowCount = outer.reduce(1, *), columns = inner.reduce(1, *)
        guard rowCount > 0, !b.reductions.isEmpty else { return nil }
        let inputs = b.inputStorage()
        var widest = 1
        for v in fullOutputs {
            guard let t = v.type.tensorType, let kt = KernelElementType(t.elementType) else { return nil }
            widest = max(widest, kt.byteWidth)
        }
        for input in inputs.values where input.count == rowCount * columns { widest = max(widest, input.width) }
        guard let g = geometry(columns: columns, widestBytes: widest) else { return nil }
        let width = g.vectorWidth, threads = g.threads

        let w = b.writer()
        var sharedDeclarations: [String] = []
        w.emit(g.rowsPerBlock == 1 ? "const int lane = threadIdx.x;" : "const int lane = threadIdx.x % \(threads);")
        // Column of each chunk's first element: the same for every row.
        for j in 0..<g.chunks {
            let vector = j == 0 ? "lane" : "\(j * threads) + lane"
            if g.isRagged && j == g.chunks - 1 {
                w.emit("const bool ok\(j) = \(vector) < \(g.vectors);")
                w.emit("const idx_t cb\(j) = (idx_t)(ok\(j) ? \(vector) : \(g.vectors - 1)) * \(width);")
            } else {
                w.emit("const idx_t cb\(j) = (idx_t)(\(vector)) * \(width);")
            }
        }
        let rowStart = "(idx_t)blockIdx.x * \(g.rowsPerBlock)" + (g.rowsPerBlock == 1 ? "" : " + threadIdx.x / \(threads)")
        // Rows of a warp's lanes leave the row loop together (their shuffles need every lane):
        // a lane past the last row runs on the last row and stores nothing.
        if g.isSubWarp { w.emit("const idx_t sub = (threadIdx.x & 31) / \(threads);") }
        // The row loop is written as sections: the loop head, then one section per phase
        // (a reduction, one chunk's outputs, the per-row outputs). The vectors the phases
        // read are collected as they are written, then declared and loaded where they
        // belong: before the loop, at the top of the row, or ahead of their first phase.
        var loads: [String: PlacedLoad] = [:]
        var phases: [[String]] = []
        // Column-indexed inputs are loaded once before the row loop only when a block
        // iterates over several rows; otherwise holding them would only cost registers.
        let hoistsColumns = rowCount > LaunchLimits.maxRowBlocks * g.rowsPerBlock
        w.vectorRead = { load in
            guard let lane = load.lane, lane.vector < g.chunks, lane.element < width,
                  let input = inputs[load.valueID] else { return nil }
            let j = lane.vector
            let name: String, address: String, placement: Placement
            switch lane.space {
            case .element where input.count == rowCount * columns:
                (name, address, placement) = ("vr_\(load.parameter)_\(j)", "\(load.parameter) + rb + cb\(j)", .rowTop)
            case .column where input.count == columns:
                (name, address) = ("vc_\(load.parameter)_\(j)", "\(load.parameter) + cb\(j)")
                placement = hoistsColumns ? .beforeLoop : .phase(phases.count)
            default:
                return nil
            }
            if let placed = loads[name] { return placed.load }
            let vector = VectorLoad(name: name, storage: input.storage, byteWidth: input.width, count: width, address: address)
            loads[name] = PlacedLoad(load: vector, placement: placement)
            return vector
        }
        /// Writes one phase into its own section.
        func phase(_ body: () throws -> Void) rethrows {
            let lines = try w.section(body)
            phases.append(lines)
        }

        let loop = try w.section {
            if g.isSubWarp {
                w.emit("for (idx_t row0 = \(rowStart); row0 - sub < (idx_t)\(rowCount); row0 += (idx_t)gridDim.x * \(g.rowsPerBlock)) {")
            } else {
                w.emit("for (idx_t row = \(rowStart); row < (idx_t)\(rowCount); row += (idx_t)gridDim.x * \(g.rowsPerBlock)) {")
            }
            try w.nested {
                if g.isSubWarp {
                    w.emit("const bool live = row0 < (idx_t)\(rowCount);")
                    w.emit("const idx_t row = live ? row0 : (idx_t)\(rowCount - 1);")
                }
                let rowTerms = ReductionKernels.taggedTerms(w, "row", shape: outer, tag: { .row($0) })
                w.emit("const idx_t rb = row * \(columns);")
                // Every position this thread owns, named `co{j}_{e}` (column) and `fl{j}_{e}`
                // (element of the whole input); indices at them carry their vector lane, so
                // input reads there become vector elements.
                var positions: [[ElementIndex]] = []
                for j in 0..<g.chunks {
                    var chunk: [ElementIndex] = []
                    for e in 0..<width {
                        let column = "co\(j)_\(e)", flat = "fl\(j)_\(e)"
                        w.emit("const idx_t \(column) = cb\(j) + \(e);")
                        w.emit("const idx_t \(flat) = rb + \(column);")
                        let columnTerms = ReductionKernels.taggedTerms(
                            w, column, shape: inner, lane: VectorLane(space: .column, vector: j, element: e),
                            tag: { .column($0) })
                        chunk.append(ElementIndex(shape: inputShape, linear: flat, terms: rowTerms + columnTerms,
                                                  lane: VectorLane(space: .element, vector: j, element: e)))
                    }
                    positions.append(chunk)
                }

                for (r, reduce) in b.reductions.enumerated() {
                    try phase {
                        let (combiner, type) = try ReductionKernels.combinerAndType(reduce)
                        let acc = "acc\(r)"
                        w.emit("\(type.compute) \(acc) = \(KernelSource.identity(combiner, type));")
                        for (j, chunk) in positions.enumerated() {
                            for index in chunk {
                                let x = try w.value(reduce.operands[0], at: index)
                                let combined = "\(acc) = \(KernelSource.combine(combiner, type, acc, x));"
                                w.emit(g.isRagged && j == g.chunks - 1 ? "if (ok\(j)) \(combined)" : combined)
                            }
                        }
                        var shared: String?
                        if threads > 32 {
                            shared = "sm\(r)"
                            sharedDeclarations.append("  __shared__ \(type.compute) sm\(r)[\(threads / 32)];")
                        }
                        ReductionKernels.reduceAcross(w, acc: acc, threads: threads, shared: shared, combiner: combiner, type: type)
                        let initial = try w.value(reduce.operands[1], at: ElementIndex(shape: [], linear: "0"))
                        let reduced = w.bind(type.rounded(KernelSource.combine(combiner, type, initial, acc)),
                                             type: type.compute, prefix: "red")
                        w.rowValues[reduce.results[0].id] = RowValue(variable: reduced, shape: reduce.resultTensorType(0)?.shape ?? [])
                    }
                }

                for (j, chunk) in positions.enumerated() {
                    try phase { try writeChunk(b, w, chunk: chunk, j, geometry: g, fullOutputs: fullOutputs, inputShape: inputShape) }
                }
                if !rowOutputs.isEmpty {
                    try phase {
                        w.emit(g.isSubWarp ? "if (lane == 0 && live) {" : "if (lane == 0) {")
                        try w.nested {
                            let index = ElementIndex(shape: outer, linear: "row", terms: rowTerms)
                            for v in rowOutputs { try ReductionKernels.store(b, w, v, index: index, from: outer) }
                        }
                        w.emit("}")
                    }
                }
                w.vectorRead = nil

                // The row's own data first, then each phase behind the column vectors it
                // reads first.
                w.emit(lines: preloads(loads.values.filter { $0.placement == .rowTop }, indentation: w.indentation))
                for (k, lines) in phases.enumerated() {
                    w.emit(lines: preloads(loads.values.filter { $0.placement == .phase(k) }, indentation: w.indentation))
                    w.emit(lines: lines)
                }
            }
            w.emit("}")
        }
        w.emit(lines: preloads(loads.values.filter { $0.placement == .beforeLoop }, indentation: w.indentation))
        w.emit(lines: loop)
        let block = threads * g.rowsPerBlock
        let blocks = max(1, min(LaunchLimits.maxRowBlocks, (rowCount + g.rowsPerBlock - 1) / g.rowsPerBlock))
        let header = KernelSource.header(
            name: b.name, parameters: b.parameterDeclarations, block: block, minimumBlocks: minimumBlocks(g, widestBytes: widest),
            indexType: KernelSource.indexType(for: b.indexCounts() + [rowCount * columns + columns]),
            comment: b.comment("\(rowCount) rows of \(columns) on chip, \(threads) threads × \(g.chunks) × \(width) per row"))
        return GeneratedKernel(
            name: b.name, source: KernelSource.unit(globals: w.globals, function: header + sharedDeclarations + w.lines),
            grid: [blocks, 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: b.bindings, operationNames: b.operationNames)
    }

    /// Writes chunk `j`'s full outputs: each staged in a 16-byte-aligned array, then stored
    /// with vector stores (predicated for a ragged last chunk).
    private static func writeChunk(_ b: FusionKernelBuilder, _ w: KernelBodyWriter, chunk: [ElementIndex], _ j: Int,
                                   geometry g: Geometry, fullOutputs: [Value], inputShape: [Int]) throws {
        let width = g.vectorWidth
        var stores: [String] = []
        for (k, v) in fullOutputs.enumerated() {
            guard let t = v.type.tensorType, let kt = KernelElementType(t.elementType),
                  let out = b.parameterNames[v.id] else {
                throw CodeGenError("output without a CUDA element type")
            }
            let staged = "vo\(k)_\(j)"
            w.emit("__align__(16) \(kt.storage) \(staged)[\(width)];")
            for (e, index) in chunk.enumerated() {
                let own = ElementIndex(shape: t.shape, linear: index.linear,
                                       terms: ReductionKernels.moved(w.terms(index), from: inputShape, to: t.shape),
                                       lane: index.lane)
                let value = try w.value(v, at: own)
                w.emit("\(staged)[\(e)] = \(w.stored(value, as: kt));")
            }
            stores += KernelSource.vectorCopy(to: "\(out) + rb + cb\(j)", from: staged, count: width,
                                              width: kt.byteWidth, constSource: false)
        }
        if stores.isEmpty { return }
        let ragged = g.isRagged && j == g.chunks - 1
        if ragged || g.isSubWarp {
            w.emit("if (\([ragged ? "ok\(j)" : nil, g.isSubWarp ? "live" : nil].compactMap { $0 }.joined(separator: " && "))) {")
            for line in stores { w.emit("  " + line) }
            w.emit("}")
        } else {
            for line in stores { w.emit(line) }
        }
    }

    /// Declarations and 16-byte copies of `loads` (of one placement, so all row-shaped or
    /// all column-indexed), in name order.
    private static func preloads(_ loads: [PlacedLoad], indentation: String) -> [String] {
        loads.map(\.load).sorted { $0.name < $1.name }.flatMap { $0.statements(indentation: indentation) }
    }
}
