import Foundation

extension CUDASelfTest {
    /// cuBLASLt GEMMs: small ones checked against the host for every element type, then
    /// one large bf16 product timed.
    mutating func matmulChecks(cublasLt: CUBLASLt, context: CUDAContext, stream: CUDAStream,
                               allocator: CachingAllocator) throws {
        let handle = try CUBLASLtHandle(library: cublasLt)
        let shape = MatmulShape(m: 96, n: 80, k: 64)
        for elementType in MatmulElementType.allCases {
            let a = Self.pseudoRandom(count: shape.m * shape.k, seed: 11).map { quantize($0, elementType) }
            let b = Self.pseudoRandom(count: shape.k * shape.n, seed: 12).map { quantize($0, elementType) }
            var expected = [Double](repeating: 0, count: shape.m * shape.n)
            for i in 0..<shape.m {
                for j in 0..<shape.n {
                    var sum = 0.0
                    for p in 0..<shape.k { sum += Double(a[i * shape.k + p]) * Double(b[p * shape.n + j]) }
                    expected[i * shape.n + j] = sum
                }
            }
            let plan = try RowMajorMatmul(handle: handle, shape: shape, elementType: elementType)
            let bufferA = try allocator.allocate(byteCount: a.count * elementType.byteCount)
            let bufferB = try allocator.allocate(byteCount: b.count * elementType.byteCount)
            let bufferD = try allocator.allocate(byteCount: expected.count * elementType.byteCount)
            let workspace = plan.workspaceBytes > 0 ? try allocator.allocate(byteCount: plan.workspaceBytes) : nil
            try upload(a, elementType, to: bufferA.pointer, context: context)
            try upload(b, elementType, to: bufferB.pointer, context: context)
            try plan.run(a: bufferA.pointer, b: bufferB.pointer, d: bufferD.pointer,
                         workspace: workspace?.pointer, stream: stream)
            try stream.synchronize()
            let result = try download(count: expected.count, elementType, from: bufferD.pointer, context: context)
            let tolerance: Double = elementType == .float32 ? 1e-4 : 1e-2
            var worst = 0.0
            for (got, want) in zip(result, expected) {
                worst = max(worst, abs(Double(got) - want) / max(1.0, abs(want)))
            }
            check(worst <= tolerance, "cuBLASLt \(elementType) row-major GEMM \(shape.m)x\(shape.n)x\(shape.k): worst relative error \(worst)")
            for buffer in [bufferA, bufferB, bufferD] { try allocator.deallocate(buffer) }
            if let workspace { try allocator.deallocate(workspace) }
        }
        if gemmTimingSize > 0 { try timeMatmul(handle: handle, context: context, stream: stream, allocator: allocator) }
    }

    private func timeMatmul(handle: CUBLASLtHandle, context: CUDAContext, stream: CUDAStream,
                            allocator: CachingAllocator) throws {
        let size = gemmTimingSize
        let shape = MatmulShape(m: size, n: size, k: size)
        let plan = try RowMajorMatmul(handle: handle, shape: shape, elementType: .bfloat16)
        let bytes = size * size * 2
        let buffers = try (0..<3).map { _ in try allocator.allocate(byteCount: bytes) }
        for (index, buffer) in buffers.prefix(2).enumerated() {
            let values = Self.pseudoRandom(count: size * size, seed: UInt64(20 + index)).map(SelfTestKernels.bfloat16Bits)
            try context.upload(values, to: buffer.pointer)
        }
        let workspace = plan.workspaceBytes > 0 ? try allocator.allocate(byteCount: plan.workspaceBytes) : nil
        func once() throws {
            try plan.run(a: buffers[0].pointer, b: buffers[1].pointer, d: buffers[2].pointer,
                         workspace: workspace?.pointer, stream: stream)
        }
        for _ in 0..<3 { try once() }
        let start = try CUDAEvent(context: context)
        let end = try CUDAEvent(context: context)
        let repeats = 10
        try start.record(on: stream)
        for _ in 0..<repeats { try once() }
        try end.record(on: stream)
        try end.synchronize()
        let milliseconds = try end.elapsedMilliseconds(since: start) / Double(repeats)
        let teraflops = 2 * Double(size) * Double(size) * Double(size) / (milliseconds * 1e9)
        log("cuBLASLt bf16 GEMM \(size)^3: \(format(milliseconds)) ms = \(format(teraflops)) TFLOP/s on random data (workspace \(plan.workspaceBytes >> 10) KiB)")
        for buffer in buffers { try allocator.deallocate(buffer) }
        if let workspace { try allocator.deallocate(workspace) }
    }

    private func quantize(_ value: Float, _ type: MatmulElementType) -> Float {
        switch type {
        case .float32: return value
        case .bfloat16: return SelfTestKernels.float(fromBFloat16: SelfTestKernels.bfloat16Bits(value))
        case .float16: return Float(Float16(value))
        }
    }

    private func upload(_ values: [Float], _ type: MatmulElementType, to pointer: DevicePointer,
                        context: CUDAContext) throws {
        switch type {
        case .float32: try context.upload(values, to: pointer)
        case .bfloat16: try context.upload(values.map(SelfTestKernels.bfloat16Bits), to: pointer)
        case .float16: try context.upload(values.map { Float16($0).bitPattern }, to: pointer)
        }
    }

    private func download(count: Int, _ type: MatmulElementType, from pointer: DevicePointer,
                          context: CUDAContext) throws -> [Float] {
        switch type {
        case .float32:
            return try context.download(Float.self, count: count, from: pointer)
        case .bfloat16:
            return try context.download(UInt16.self, count: count, from: pointer).map(SelfTestKernels.float(fromBFloat16:))
        case .float16:
            return try context.download(UInt16.self, count: count, from: pointer).map { Float(Float16(bitPattern: $0)) }
        }
    }
}
