import StableHLO

/// A stable sort of many independent segments by a generated `nv_sort_less(a, b)` on
/// element offsets, shared by `sort` and `chlo.top_k`.
///
/// Each segment is sorted by the reference interpreter's own algorithm (`Sort.mergeSort`):
/// a bottom-up merge sort of position lists, runs of width 1, 2, 4, … merged pairwise, the
/// right run's head taken only when `less(right, left)` holds. The merges of one width are
/// independent and run in parallel, each merge sequentially, so every comparison the
/// reference makes is made here in the same order and any comparator (even one that is not
/// a strict weak order) gives the reference's permutation.
///
/// - A segment of at most `sharedLimit` elements is sorted by one block in shared memory
///   and written out by the same kernel (merge path from `pathWidth` on, as below, when the
///   comparator allows).
/// - Longer segments use two `i32` scratch lists in global memory: one kernel fills the
///   identity, one kernel per width merges, a last kernel writes the results. When the
///   comparator is a strict weak order (`ComparatorOrder`; top_k's always is), runs of
///   `pathWidth` and more are merged by merge path instead: a thread per `pathChunk`
///   outputs finds its start by binary search, which gives the sequential merge's result.
///
/// Segment `s` starts at element `(s / stride) * length * stride + s % stride` and its
/// elements are `stride` apart (a sort along any dimension).
struct SegmentedSort {
    /// Kernel parameters (declarations) and their bindings.
    struct Parameters {
        var declarations: [String] = []
        var bindings: [GeneratedKernel.Binding] = []
        /// The parameter names, to pass the inputs on to `nv_sort_less`.
        var names: [String] = []

        mutating func append(_ declaration: String, name: String, binding: GeneratedKernel.Binding) {
            declarations.append(declaration); names.append(name); bindings.append(binding)
        }
    }

    /// Segments longer than this are sorted in global memory (two `int` lists of this many
    /// positions fill 32 KiB of shared memory).
    static let sharedLimit = 4096

    var name: String
    var operation: Operation
    var segments: Int
    var length: Int
    var stride: Int
    /// The buffers `nv_sort_less` reads.
    var inputs: Parameters
    /// `__device__ bool nv_sort_less(<inputs>, long long a, long long b)` and anything it needs.
    var lessFunction: [String]
    /// The buffers the results are written to.
    var outputs: Parameters
    /// How many leading positions of each sorted segment are written (`length` for sort).
    var written: Int
    /// Statements writing position `i` of segment `s`: `p` is the position (in the segment)
    /// of the element that sorts there, `at` the offset of position `i` and `from` the offset
    /// of the element (both in the operand's layout).
    var write: [String]
    /// Whether `nv_sort_less` is a strict weak order (`ComparatorOrder`): then merges of long
    /// runs are split among threads by merge path, which gives the same result.
    var strictWeakOrder = false

    /// Runs at least this wide are merged by merge path (chunks of `pathChunk` outputs, so
    /// no chunk crosses a merge) when the comparator allows.
    static let pathWidth = 16
    static let pathChunk = 32

    /// The kernels and scratch buffers.
    func build() throws -> FusionKernels {
        guard segments > 0, length > 0, written > 0 else { return FusionKernels(kernels: [], scratch: []) }
        guard length < Int(Int32.max) / 4 else {
            throw CodeGenError("\(operation.name) segment of \(length) elements is too long", at: operation.location)
        }
        return length <= Self.sharedLimit ? sharedMemoryKernel() : globalMemoryKernels()
    }

    /// `nv_sort_less` and `nv_sort_merge` (the reference's merge of `src[lo..<mid]` and
    /// `src[mid..<hi]` into `dst`).
    private var globals: [String] {
        let declarations = inputs.declarations.joined(separator: ", ")
        let arguments = inputs.names.joined(separator: ", ")
        return lessFunction + [
            "__device__ __forceinline__ int nv_sort_end(int end, int length) { return end < length ? end : length; }",
            "__device__ __forceinline__ void nv_sort_merge(\(declarations), const int* src, int* dst, int lo, int mid, int hi,",
            "                                              long long base) {",
            "  int i = lo, j = mid, o = lo;",
            "  while (i < mid && j < hi) {",
            "    if (nv_sort_less(\(arguments), base + (long long)src[j] * \(stride), base + (long long)src[i] * \(stride))) dst[o++] = src[j++];",
            "    else dst[o++] = src[i++];",
            "  }",
            "  while (i < mid) dst[o++] = src[i++];",
            "  while (j < hi) dst[o++] = src[j++];",
            "}",
        ] + (strictWeakOrder ? pathMerge : [])
    }

    /// `nv_sort_merge_part`: outputs `[q, q + count)` of the same merge, starting where a
    /// binary search on the merge path puts them (left elements first on ties, as the
    /// sequential merge does); exact for strict weak orders.
    private var pathMerge: [String] {
        let declarations = inputs.declarations.joined(separator: ", ")
        let arguments = inputs.names.joined(separator: ", ")
        let at: (String) -> String = { "base + (long long)src[\($0)] * \(stride)" }
        return [
            "__device__ __forceinline__ void nv_sort_merge_part(\(declarations), const int* src, int* dst, int lo, int mid, int hi,",
            "                                                   int q, int count, long long base) {",
            "  const int diag = q - lo, left = mid - lo, right = hi - mid;",
            "  int a = diag > right ? diag - right : 0, b = diag < left ? diag : left;",
            "  while (a < b) {",
            "    const int m = (a + b) / 2;",
            "    if (nv_sort_less(\(arguments), \(at("mid + diag - 1 - m")), \(at("lo + m")))) b = m; else a = m + 1;",
            "  }",
            "  int i = lo + a, j = mid + diag - a, o = q;",
            "  const int end = nv_sort_end(q + count, hi);",
            "  while (o < end) {",
            "    if (j < hi && (i >= mid || nv_sort_less(\(arguments), \(at("j")), \(at("i"))))) dst[o++] = src[j++];",
            "    else dst[o++] = src[i++];",
            "  }",
            "}",
        ]
    }

    /// The offset of segment `segment`'s first element.
    private var baseExpression: (String) -> String {
        { segment in
            stride == 1 ? "(idx_t)\(segment) * \(length)"
                : "((idx_t)\(segment) / \(stride)) * \(length * stride) + (idx_t)\(segment) % \(stride)"
        }
    }

    /// The statements writing position `i` (from `keys[i]`) of the segment at `base`.
    private func writeLines(keys: String, indent: String) -> [String] {
        ["\(indent)const int p = \(keys);",
         "\(indent)const idx_t at = base + (idx_t)i * \(stride);",
         "\(indent)const idx_t from = base + (idx_t)p * \(stride);",
         "\(indent)(void)at; (void)from;"]
            + write.map { indent + $0 }
    }

    private func sharedMemoryKernel() -> FusionKernels {
        var block = 32
        while block < LaunchLimits.loopBlock && block * 2 < length { block *= 2 }
        let arguments = inputs.names.joined(separator: ", ")
        let parameters = inputs.declarations + outputs.declarations
        var lines = KernelSource.header(
            name: name, parameters: parameters, block: block, indexType: "long long",
            comment: "\(name): \(operation.name) of \(segments) segments of \(length) (stride \(stride)) in shared memory")
        lines += [
            "  __shared__ int keys[2][\(length)];",
            "  for (idx_t s = blockIdx.x; s < (idx_t)\(segments); s += gridDim.x) {",
            "    const idx_t base = \(baseExpression("s"));",
            "    for (int i = threadIdx.x; i < \(length); i += \(block)) keys[0][i] = i;",
            "    __syncthreads();",
            "    int from = 0;",
            "    for (int width = 1; width < \(length); width *= 2) {",
        ]
        let merge = [
            "for (int lo = threadIdx.x * 2 * width; lo < \(length); lo += \(block) * 2 * width)",
            "  nv_sort_merge(\(arguments), keys[from], keys[1 - from], lo, nv_sort_end(lo + width, \(length)), nv_sort_end(lo + 2 * width, \(length)), base);",
        ]
        if strictWeakOrder {
            lines += ["      if (width >= \(Self.pathWidth)) {",
                      "        for (int q = threadIdx.x * \(Self.pathChunk); q < \(length); q += \(block) * \(Self.pathChunk)) {",
                      "          const int lo = q / (2 * width) * (2 * width);",
                      "          nv_sort_merge_part(\(arguments), keys[from], keys[1 - from], lo, nv_sort_end(lo + width, \(length)), nv_sort_end(lo + 2 * width, \(length)), q, \(Self.pathChunk), base);",
                      "        }",
                      "      } else {"]
            lines += merge.map { "        " + $0 } + ["      }"]
        } else {
            lines += merge.map { "      " + $0 }
        }
        lines += [
            "      __syncthreads();",
            "      from = 1 - from;",
            "    }",
            "    for (int i = threadIdx.x; i < \(written); i += \(block)) {",
        ]
        lines += writeLines(keys: "keys[from][i]", indent: "      ")
        lines += ["    }", "    __syncthreads();", "  }"]
        let kernel = GeneratedKernel(
            name: name, source: KernelSource.unit(globals: globals, function: lines),
            grid: [min(segments, LaunchLimits.maxRowBlocks), 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: inputs.bindings + outputs.bindings, operationNames: [operation.name])
        return FusionKernels(kernels: [kernel], scratch: [])
    }

    private func globalMemoryKernels() -> FusionKernels {
        let total = segments * length
        let scratch = ScratchBuffer(type: TensorType(shape: [total], elementType: .si(32)))
        let lists = ["int* __restrict__ keys0", "int* __restrict__ keys1"]
        let listBindings: [GeneratedKernel.Binding] = [.scratch(0), .scratch(1)]
        var kernels: [GeneratedKernel] = []
        kernels.append(DedicatedKernels.kernel(
            name: name + "_init", comment: "\(name)_init: identity positions of \(segments) segments of \(length)",
            parameters: [lists[0]], bindings: [listBindings[0]], count: total,
            body: ["    keys0[o] = (int)(o % \(length));"], operation: operation))
        var width = 1, from = 0
        let arguments = inputs.names.joined(separator: ", ")
        while width < length {
            if strictWeakOrder && width >= Self.pathWidth {
                kernels.append(pathKernel(width: width, from: from, lists: lists, listBindings: listBindings))
                width *= 2
                from = 1 - from
                continue
            }
            let merges = (length + 2 * width - 1) / (2 * width)
            let body = [
                "    const idx_t s = o / \(merges);",
                "    const int lo = (int)(o % \(merges)) * \(2 * width);",
                "    const idx_t base = \(baseExpression("s"));",
                "    nv_sort_merge(\(arguments), keys\(from) + s * \(length), keys\(1 - from) + s * \(length), lo, nv_sort_end(lo + \(width), \(length)), nv_sort_end(lo + \(2 * width), \(length)), base);",
            ]
            kernels.append(DedicatedKernels.kernel(
                name: name + "_merge\(width)", comment: "\(name)_merge\(width): merges runs of \(width) into runs of \(2 * width)",
                parameters: inputs.declarations + lists, bindings: inputs.bindings + listBindings,
                count: segments * merges, body: body, operation: operation, globals: globals))
            width *= 2
            from = 1 - from
        }
        var body = [
            "    const idx_t s = o / \(written);",
            "    const int i = (int)(o % \(written));",
            "    const idx_t base = \(baseExpression("s"));",
        ]
        body += writeLines(keys: "keys\(from)[s * \(length) + i]", indent: "    ")
        kernels.append(DedicatedKernels.kernel(
            name: name + "_write", comment: "\(name)_write: the sorted \(written) of each segment",
            parameters: inputs.declarations + outputs.declarations + ["const int* __restrict__ keys\(from)"],
            bindings: inputs.bindings + outputs.bindings + [listBindings[from]],
            count: segments * written, body: body, operation: operation))
        return FusionKernels(kernels: kernels, scratch: [scratch, scratch])
    }

    /// The merges of runs of `width` into `keys(1 - from)`, one thread per `pathChunk` outputs.
    private func pathKernel(width: Int, from: Int, lists: [String], listBindings: [GeneratedKernel.Binding]) -> GeneratedKernel {
        let chunks = (length + Self.pathChunk - 1) / Self.pathChunk
        let body = [
            "    const idx_t s = o / \(chunks);",
            "    const int q = (int)(o % \(chunks)) * \(Self.pathChunk);",
            "    const int lo = q / \(2 * width) * \(2 * width);",
            "    const idx_t base = \(baseExpression("s"));",
            "    nv_sort_merge_part(\(inputs.names.joined(separator: ", ")), keys\(from) + s * \(length), keys\(1 - from) + s * \(length), lo, nv_sort_end(lo + \(width), \(length)), nv_sort_end(lo + \(2 * width), \(length)), q, \(Self.pathChunk), base);",
        ]
        return DedicatedKernels.kernel(
            name: name + "_path\(width)", comment: "\(name)_path\(width): merges runs of \(width) into runs of \(2 * width) by merge path",
            parameters: inputs.declarations + lists, bindings: inputs.bindings + listBindings,
            count: segments * chunks, body: body, operation: operation, globals: globals)
    }
}
