import Foundation
import StableHLO

/// A loop fusion that reads an input across its memory order (a transpose of any
/// permutation that moves the input's minor dimension, alone or with producers and
/// consumers fused), written as a tiled kernel: each block takes a 32×32 tile of the two
/// output dimensions that are minor on either side — the output's own minor dimension `m`
/// and the dimension `a` the input's minor dimension becomes — for one position of every
/// other (batch) dimension. The transposed inputs are first copied into shared memory with
/// reads along `a` (coalesced in the input), then every output is computed with threads
/// along `m` (coalesced writes), reading the staged elements from the tile.
///
/// The transposed reads are found by writing the body once with a symbolic index per output
/// dimension and looking at each buffer read's terms: a read whose terms are those symbols
/// (through transposes, broadcasts and unit reshapes) is a permutation of the output index.
enum TiledTransposeKernel {
    /// `NVGPU_TILED_TRANSPOSE=0` turns the tiled kernel off (every loop fusion then reads
    /// in output order), for comparison.
    static var isEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_TILED_TRANSPOSE"] != "0" }

    /// `NVGPU_TRANSPOSE_PAIRS=1` moves 16-bit elements in pairs through 64-wide tiles.
    static var pairsEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_TRANSPOSE_PAIRS"] == "1" }

    /// `NVGPU_TRANSPOSE_TALL=0` keeps square 32×32 tiles for narrow elements.
    static var tallEnabled: Bool { ProcessInfo.processInfo.environment["NVGPU_TRANSPOSE_TALL"] != "0" }

    /// Tile edge (elements) along both tiled dimensions, for one element per thread and step.
    static let baseTile = 32
    /// Rows of the tile each thread row covers per step (block = tile × rows threads).
    static let rows = 8
    /// Both tiled dimensions must be at least this long.
    static let minimumExtent = 8
    /// Blocks beyond which the kernel strides over tiles.
    static let maxBlocks = 1 << 20

    /// A staged input read: its parameter, its buffer's shape, and for each of its
    /// dimensions the output dimension whose coordinate indexes it (nil for unit dims).
    struct StagedRead: Hashable {
        var parameter: String
        var shape: [Int]
        var mapping: [Int?]
        var storage: String
    }

    /// The output dimension each of `load`'s dimensions is indexed by, when every non-unit
    /// dimension is indexed by exactly one output coordinate (`dimensionOf` names them).
    static func mapping(of load: BufferLoad, dimensionOf: [String: Int]) -> [Int?]? {
        guard let terms = load.terms, terms.count == load.shape.count else { return nil }
        var result: [Int?] = []
        for (d, size) in load.shape.enumerated() {
            if size == 1 { result.append(nil); continue }
            guard let k = dimensionOf[terms[d].code] else { return nil }
            result.append(k)
        }
        return result
    }

    /// The output dimensions tiled as one along `a`: `a` and the non-unit output dimensions
    /// just before it that every staged read's trailing dimensions map to, in order (the
    /// input's minor dimensions that stay adjacent in the output: NCHW → NHWC tiles H·W as
    /// one extent of 3136, not W's 56 in tiles of 32). Never `m`.
    /// `NVGPU_TRANSPOSE_GROUP=0` tiles `a` alone, for comparison.
    static func tiledGroup(a: Int, m: Int, shape: [Int], staged: [StagedRead]) -> [Int] {
        guard !staged.isEmpty, ProcessInfo.processInfo.environment["NVGPU_TRANSPOSE_GROUP"] != "0" else { return [a] }
        var group = [a]
        while let first = group.first, first > 0 {
            let previous = first - 1
            guard previous != m, shape[previous] != 1 else { break }
            let continues = staged.allSatisfy { read in
                let dims = read.shape.indices.filter { read.shape[$0] != 1 }
                guard dims.count > group.count else { return false }
                return read.mapping[dims[dims.count - group.count - 1]] == previous
            }
            guard continues else { break }
            group.insert(previous, at: 0)
        }
        return group
    }

    /// The tiled kernel for a loop fusion over `shape`, or nil when no input is read across
    /// its memory order (or the tiled dimensions are too short to gain from tiles). A read
    /// that does not vary along the output's minor dimension (a broadcast across it) is no
    /// transposed read: neighbouring threads read one element.
    static func build(_ b: FusionKernelBuilder, shape: [Int], outputs: [Value], outputTypes: [KernelElementType],
                      name: String) throws -> GeneratedKernel? {
        guard let m = shape.indices.last(where: { shape[$0] != 1 }), shape[m] >= minimumExtent else { return nil }
        let inputs = b.inputStorage()

        // Probe: the body over a symbolic index, collecting the reads that move the minor dim.
        var symbolOf: [String: Int] = [:]
        for k in shape.indices where shape[k] != 1 { symbolOf["d\(k)"] = k }
        var found: [StagedRead] = []
        var weight: [Int: Int] = [:]
        let probe = b.writer()
        probe.stagedRead = { load in
            guard let map = mapping(of: load, dimensionOf: symbolOf),
                  let minor = load.shape.indices.last(where: { load.shape[$0] != 1 }),
                  let a = map[minor], a != m, map.contains(m),
                  let input = inputs[load.valueID] else { return nil }
            let read = StagedRead(parameter: load.parameter, shape: load.shape, mapping: map,
                                  storage: input.storage)
            if !found.contains(read) {
                found.append(read)
                weight[a, default: 0] += input.count * input.width
            }
            return nil
        }
        let symbolic = ElementIndex(shape: shape, terms: shape.indices.map {
            shape[$0] == 1 ? .zero : IndexTerm(code: "d\($0)", tag: .other)
        })
        do {
            for v in outputs { _ = try probe.value(v, at: symbolic) }
        } catch {
            return nil
        }
        guard let (a, _) = weight.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) else { return nil }
        let staged = found.filter { read in
            read.shape.indices.last(where: { read.shape[$0] != 1 }).map { read.mapping[$0] == a } ?? false
        }
        let group = tiledGroup(a: a, m: m, shape: shape, staged: staged)
        let extentA = group.map { shape[$0] }.reduce(1, *)
        guard extentA >= minimumExtent else { return nil }

        // 16-bit elements may move in pairs (32-bit accesses, tiles of 64): every staged input
        // and every output 2 bytes wide, both tiled extents even (pairs never straddle an
        // edge). Opt-in (`NVGPU_TRANSPOSE_PAIRS=1`): measured slower on the one suite program
        // it applies to (transpose4d_0231_f16, H200, 2026-12-07: 0.070 ms vs 0.045 unpaired).
        let pack = pairsEnabled && !staged.isEmpty && staged.allSatisfy({ $0.storage == "unsigned short" })
            && outputTypes.allSatisfy({ $0.byteWidth == 2 && $0.storage == "unsigned short" })
            && extentA % 2 == 0 && shape[m] % 2 == 0 ? 2 : 1
        let tile = baseTile * pack
        // Narrow elements (≤ 2 bytes) take tiles twice as tall along m: each thread then has
        // eight loads and eight stores in flight, the bytes a 32×32 tile of f32 gives it.
        let narrow = !staged.isEmpty && staged.allSatisfy { read in inputs.values.contains { $0.storage == read.storage && $0.width <= 2 } }
            && outputTypes.allSatisfy { $0.byteWidth <= 2 }
        let heights = pack == 1 && tallEnabled && narrow && shape[m] >= 2 * baseTile ? 2 : 1
        let tileM = tile * heights
        let batchDims = shape.indices.filter { !group.contains($0) && $0 != m && shape[$0] != 1 }
        let tilesA = (extentA + tile - 1) / tile, tilesM = (shape[m] + tileM - 1) / tileM
        let batch = batchDims.map { shape[$0] }.reduce(1, *)
        let total = batch * tilesA * tilesM
        guard total > 0 else { return nil }
        let blocks = min(total, maxBlocks)
        // Extents that are whole multiples of the tile need no bounds checks: every thread's
        // position is inside (fewer instructions, and loop-invariant loads can be hoisted).
        let exactA = extentA % tile == 0, exactM = shape[m] % tileM == 0
        func inside(_ aCode: String, _ mCode: String) -> String? {
            var checks: [String] = []
            if !exactA { checks.append("\(aCode) < (idx_t)\(extentA)") }
            if !exactM { checks.append("\(mCode) < (idx_t)\(shape[m])") }
            return checks.isEmpty ? nil : checks.joined(separator: " && ")
        }

        let w = b.writer()
        var shared: [String] = []
        for (i, read) in staged.enumerated() {
            // Pairs are stored as one 32-bit word, so paired rows keep an even pitch.
            shared.append("  \(pack == 2 ? "__align__(4) " : "")__shared__ \(read.storage) tile\(i)[\(tileM)][\(tile + pack)];")
        }
        w.emit("for (idx_t t = blockIdx.x; t < (idx_t)\(total); t += gridDim.x) {")
        try w.nested {
            w.emit("const idx_t m0 = (t % \(tilesM)) * \(tileM);")
            w.emit("const idx_t a0 = ((t / \(tilesM)) % \(tilesA)) * \(tile);")
            if !batchDims.isEmpty {
                w.emit("const idx_t bt = t / \(tilesM * tilesA);")
                let batchShape = batchDims.map { shape[$0] }
                let strides = ElementIndex.strides(batchShape)
                for (k, d) in batchDims.enumerated() {
                    var code = strides[k] == 1 ? "bt" : "(bt / \(strides[k]))"
                    if k > 0 { code = "(\(code) % \(batchShape[k]))" }
                    w.emit("const idx_t ob\(d) = \(code);")
                }
            }
            // A grouped dimension's coordinate is its digit of the group's position.
            let groupStrides = ElementIndex.strides(group.map { shape[$0] })
            func coordinate(_ d: Int, a aCode: String, m mCode: String) -> String {
                if let g = group.firstIndex(of: d), group.count > 1 {
                    let quotient = groupStrides[g] == 1 ? aCode : "(\(aCode) / \(groupStrides[g]))"
                    return g == 0 ? quotient : "(\(quotient) % \(shape[d]))"
                }
                return d == a ? aCode : d == m ? mCode : "ob\(d)"
            }
            // Stage: thread x walks the input's minor dimension (output dimension a).
            if !staged.isEmpty {
                w.emit("for (int j = 0; j < \(tileM); j += \(rows)) {")
                w.emit("  const idx_t pa = a0 + \(pack == 2 ? "2 * " : "")threadIdx.x, pm = m0 + threadIdx.y + j;")
                w.emit("  if (\(inside("pa", "pm") ?? "true")) {")
                for (i, read) in staged.enumerated() {
                    let strides = ElementIndex.strides(read.shape)
                    // The group is the read's trailing dimensions in order: its position is `pa`.
                    var parts = read.shape.indices.compactMap { d -> String? in
                        guard let k = read.mapping[d], !group.contains(k) else { return nil }
                        let c = coordinate(k, a: "pa", m: "pm")
                        return strides[d] == 1 ? c : "\(c) * \(strides[d])"
                    }
                    parts.append("pa")
                    let at = parts.isEmpty ? "0" : parts.joined(separator: " + ")
                    if pack == 2 {
                        // pa is even and the input's minor extent even: the pair is one aligned word.
                        w.emit("    *(unsigned int*)&tile\(i)[threadIdx.y + j][2 * threadIdx.x] = *(const unsigned int*)&\(read.parameter)[\(at)];")
                    } else {
                        w.emit("    tile\(i)[threadIdx.y + j][threadIdx.x] = \(read.parameter)[\(at)];")
                    }
                }
                w.emit("  }")
                w.emit("}")
                w.emit("__syncthreads();")
            }
            // Compute: thread x walks the output's minor dimension.
            var codeOf: [String: Int] = [:]
            for k in shape.indices where shape[k] != 1 { codeOf[coordinate(k, a: "oa", m: "om")] = k }
            var element = 0, part = 0
            w.stagedRead = { load in
                guard let map = mapping(of: load, dimensionOf: codeOf),
                      let i = staged.firstIndex(where: { $0.parameter == load.parameter && $0.mapping == map }) else { return nil }
                if pack == 2 { return "tile\(i)[2 * threadIdx.x + \(element)][threadIdx.y + j]" }
                return part == 0 ? "tile\(i)[threadIdx.x][threadIdx.y + j]" : "tile\(i)[\(part * baseTile) + threadIdx.x][threadIdx.y + j]"
            }
            w.emit("for (int j = 0; j < \(tile); j += \(rows)) {")
            for h in 0..<heights {
                part = h
                if heights > 1 { w.emit("{") }
                try w.nested {
                    let mStart = h == 0 ? "m0" : "m0 + \(h * baseTile)"
                    w.emit("const idx_t oa = a0 + threadIdx.y + j, om = \(mStart) + \(pack == 2 ? "2 * " : "")threadIdx.x;")
                    w.emit("if (\(inside("oa", "om") ?? "true")) {")
                    try w.nested {
                        var stored: [[String]] = Array(repeating: [], count: outputs.count)
                        var first = ""
                        for e in 0..<pack {
                            element = e
                            let mCode = e == 0 ? "om" : "(om + \(e))"
                            let index = ElementIndex(shape: shape, terms: shape.indices.map { d in
                                shape[d] == 1 ? .zero : IndexTerm(code: coordinate(d, a: "oa", m: mCode), tag: .other)
                            })
                            if e == 0 { first = w.linear(index) }
                            for (k, v) in outputs.enumerated() {
                                let value = try w.value(v, at: index)
                                if pack == 1 {
                                    let out = b.parameterNames[v.id] ?? "out\(k)"
                                    w.emit("\(out)[\(first)] = \(w.stored(value, as: outputTypes[k]));")
                                } else {
                                    stored[k].append(w.bind(w.stored(value, as: outputTypes[k]), type: "unsigned int", prefix: "s"))
                                }
                            }
                        }
                        if pack == 2 {
                            // om is even and the output's minor extent even: the pair is one aligned word.
                            for (k, v) in outputs.enumerated() {
                                let out = b.parameterNames[v.id] ?? "out\(k)"
                                w.emit("*(unsigned int*)&\(out)[\(first)] = \(stored[k][0]) | (\(stored[k][1]) << 16);")
                            }
                        }
                    }
                    w.emit("}")
                }
                if heights > 1 { w.emit("}") }
            }
            w.emit("}")
            w.stagedRead = nil
            if !staged.isEmpty { w.emit("__syncthreads();") }
        }
        w.emit("}")
        let threads = baseTile * rows
        let header = KernelSource.header(
            name: name, parameters: b.parameterDeclarations, block: threads,
            indexType: KernelSource.indexType(for: b.indexCounts() + [total + blocks, shape.reduce(1, *) + tile * shape[m]]),
            comment: b.comment("\(tile)×\(tileM) tiles of \(shape) over dims \(group.count > 1 ? "\(group)" : "\(a)") and \(m), \(staged.count) input(s) staged"))
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: w.globals, function: header + shared + w.lines),
            grid: [blocks, 1, 1], block: [baseTile, rows, 1], sharedMemoryBytes: 0,
            bindings: b.bindings, operationNames: b.operationNames)
    }
}
