import StableHLO

/// Ops that become generated kernels of their own, fused with nothing: `reduce_window`,
/// `select_and_scatter`, and `reduce`s whose body is more than one combining op (argmax,
/// argmin, variadic reductions). Each runs one thread per result element and applies the
/// op's body in the reference interpreter's order, so results do not depend on scheduling.
enum DedicatedKernels {
    /// The kernels computing `op`, from its family in `KernelFamilies`.
    static func build(_ op: Operation, name: String) throws -> FusionKernels {
        guard let family = KernelFamilies.family(for: op) else {
            throw CodeGenError("no dedicated CUDA kernel for \(op.name)", at: op.location)
        }
        return try family.build(op, name: name)
    }

    /// The element type of `v` in generated code, or an error naming the op and type.
    static func elementType(_ v: Value, of op: Operation) throws -> KernelElementType {
        guard let t = v.type.tensorType, t.isStatic, let kt = KernelElementType(t.elementType) else {
            throw CodeGenError("\(op.name) on \(v.type) has no CUDA element type", at: op.location)
        }
        return kt
    }

    /// The static shape of `v`.
    static func shape(_ v: Value, of op: Operation) throws -> [Int] {
        guard let t = v.type.tensorType, t.isStatic else {
            throw CodeGenError("\(op.name) needs static shapes, got \(v.type)", at: op.location)
        }
        return t.shape
    }

    /// Integer array attribute `name`, or `default` when absent.
    static func ints(_ op: Operation, _ name: String, default fallback: [Int]? = nil) throws -> [Int] {
        if let values = op[attribute: name]?.intArray { return values.map { Int($0) } }
        if let fallback { return fallback }
        throw CodeGenError("\(op.name) is missing '\(name)'", at: op.location)
    }

    /// Threads per block of every dedicated kernel.
    static let block = LaunchLimits.loopBlock

    /// Blocks for `count` threads of `block` (the kernels stride over the rest).
    static func blocks(for count: Int) -> Int {
        max(1, min(LaunchLimits.maxLoopBlocks, (count + block - 1) / block))
    }

    /// Kernel parameters and their bindings for a (variadic) reduction: the inputs `in<k>`,
    /// the init values `init<k>` and the results `out<k>`, the k-th of each of `types[k]`.
    static func reductionParameters(
        inputs: [Value], inits: [Value], results: [Value], types: [KernelElementType]
    ) -> (parameters: [String], bindings: [GeneratedKernel.Binding]) {
        var parameters: [String] = [], bindings: [GeneratedKernel.Binding] = []
        for (k, v) in inputs.enumerated() {
            parameters.append("const \(types[k].storage)* __restrict__ in\(k)"); bindings.append(.value(v))
        }
        for (k, v) in inits.enumerated() {
            parameters.append("const \(types[k].storage)* __restrict__ init\(k)"); bindings.append(.value(v))
        }
        for (k, v) in results.enumerated() {
            parameters.append("\(types[k].storage)* __restrict__ out\(k)"); bindings.append(.value(v))
        }
        return (parameters, bindings)
    }

    /// Statements binding `coordinates[k]` (named `prefix` + k) to the row-major coordinates
    /// of `linear` in `shape`.
    static func coordinates(of linear: String, in shape: [Int], prefix: String, indent: String) -> [String] {
        let strides = ElementIndex.strides(shape)
        return shape.indices.map { k in
            var code = strides[k] == 1 ? linear : "(\(linear) / \(strides[k]))"
            if k > 0 { code = "(\(code) % \(shape[k]))" }
            if shape[k] == 1 { code = "0" }
            return "\(indent)const idx_t \(prefix)\(k) = \(code);"
        }
    }

    /// One generated kernel: `globals` (device functions it calls), header, a grid-stride
    /// loop over `count` elements named `o` around `body`, and the closing brace.
    static func kernel(name: String, comment: String, parameters: [String], bindings: [GeneratedKernel.Binding],
                       count: Int, body: [String], operation: Operation, globals: [String] = []) -> GeneratedKernel {
        let header = KernelSource.header(name: name, parameters: parameters, block: block,
                                         indexType: "long long", comment: comment)
        let loop = ["  for (idx_t o = (idx_t)blockIdx.x * \(block) + (idx_t)threadIdx.x; o < (idx_t)\(count); o += (idx_t)gridDim.x * \(block)) {"]
            + body + ["  }"]
        return GeneratedKernel(
            name: name, source: KernelSource.unit(globals: globals, function: header + loop),
            grid: [blocks(for: count), 1, 1], block: [block, 1, 1], sharedMemoryBytes: 0,
            bindings: bindings, operationNames: [operation.name])
    }
}

extension DedicatedKernels {
    /// `.dedicated` when `build` succeeds for `op`, else a host fallback with the reason.
    static func operationClass(_ op: Operation) -> OperationClass {
        do {
            _ = try build(op, name: "probe")
            return .dedicated
        } catch {
            return .host(reason: "no CUDA kernel for \(op.name) yet: \((error as? CodeGenError)?.message ?? "\(error)")")
        }
    }
}
