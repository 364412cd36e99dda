import Foundation

/// An end-to-end check of the CUDA stack on a real GPU: driver, context, allocator,
/// copies (sync and async), NVRTC compile + disk cache, kernel launch (f32 and bf16),
/// event timing, and a cuBLASLt GEMM when cuBLASLt is present. `nvgpu devices --self-test`
/// runs it; every result is checked bit-exactly (kernels) or within a bound (GEMM).
public struct CUDASelfTest {
    /// Where progress lines go.
    public var log: (String) -> Void
    /// The device to test.
    public var ordinal: Int
    /// Elements in the vector tests.
    public var elementCount: Int
    /// Bytes per buffer in the copy-bandwidth test.
    public var bandwidthBytes: Int
    /// The square GEMM size timed (0 skips the timing).
    public var gemmTimingSize: Int

    /// Problems found (each also logged as `FAIL`).
    public private(set) var failures: [String] = []

    /// A self-test of device `ordinal` that logs to `log`.
    public init(ordinal: Int = 0, elementCount: Int = 1 << 24, bandwidthBytes: Int = 1 << 30,
                gemmTimingSize: Int = 8192, log: @escaping (String) -> Void) {
        self.ordinal = ordinal
        self.elementCount = elementCount
        self.bandwidthBytes = bandwidthBytes
        self.gemmTimingSize = gemmTimingSize
        self.log = log
    }

    /// Runs every step; returns true when all checks passed. Throws when the stack fails
    /// underneath (no driver, a CUDA call error, NVRTC missing or failing).
    public mutating func run() throws -> Bool {
        let driver = try CUDADriver.load()
        log("driver: CUDA \(driver.versionString), \(try driver.deviceCount()) device(s)")
        let context = try CUDAContext(driver: driver, ordinal: ordinal)
        let memory = try context.memoryInfo()
        log("device \(context.device)")
        log("memory: \(memory.free >> 20) MiB free of \(memory.total >> 20) MiB")
        let allocator = CachingAllocator(backend: context)
        let stream = try CUDAStream(context: context)

        let nvrtc = try NVRTC.load()
        log("nvrtc: \(nvrtc.versionString) from \(nvrtc.library.path)")
        let cache = KernelCache.standard()
        try vectorAdd(context: context, stream: stream, allocator: allocator, nvrtc: nvrtc, cache: cache)
        try scaleAddBFloat16(context: context, stream: stream, allocator: allocator, nvrtc: nvrtc, cache: cache)
        try asyncRoundTrip(context: context, stream: stream, allocator: allocator)
        try copyBandwidth(context: context, stream: stream, allocator: allocator)
        errorPaths(context: context)
        let stats = allocator.stats
        log("allocator: \(stats.cacheHits) hits, \(stats.cacheMisses) misses, peak \(stats.peakBytesReserved >> 20) MiB, \(stats.bytesCached >> 20) MiB cached")
        check(stats.cacheHits > 0, "allocator reused a freed block")
        log("kernel cache: \(cache.directory.path) (\(cache.statistics.hits) hits, \(cache.statistics.misses) compiles)")
        try allocator.trim()

        do {
            let cublasLt = try CUBLASLt.load()
            log("cublasLt: version \(cublasLt.version) from \(cublasLt.library.path)")
            try matmulChecks(cublasLt: cublasLt, context: context, stream: stream, allocator: allocator)
        } catch let error as DynamicLibraryError {
            log("skip cublasLt: \(error)")
        }
        try allocator.trim()
        log(failures.isEmpty ? "self-test passed" : "self-test FAILED: \(failures.count) problem(s)")
        return failures.isEmpty
    }

    mutating func check(_ condition: Bool, _ what: String) {
        if condition {
            log("ok   \(what)")
        } else {
            log("FAIL \(what)")
            failures.append(what)
        }
    }

    /// Deterministic pseudo-random floats in [-1, 1) (a 64-bit LCG's top bits).
    static func pseudoRandom(count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int32(truncatingIfNeeded: state >> 32)) / Float(1 << 31)
        }
    }

    private mutating func vectorAdd(context: CUDAContext, stream: CUDAStream, allocator: CachingAllocator,
                                    nvrtc: NVRTC, cache: KernelCache) throws {
        let n = elementCount
        let a = Self.pseudoRandom(count: n, seed: 1)
        let b = Self.pseudoRandom(count: n, seed: 2)
        let bytes = n * 4
        let bufferA = try allocator.allocate(byteCount: bytes)
        let bufferB = try allocator.allocate(byteCount: bytes)
        let bufferOut = try allocator.allocate(byteCount: bytes)
        try context.upload(a, to: bufferA.pointer)
        try context.upload(b, to: bufferB.pointer)

        let compileStart = Date()
        let cubin = try cache.cubin(source: SelfTestKernels.vectorAdd, name: "vector_add.cu",
                                    architecture: context.device.architecture, compiler: nvrtc)
        let compileMilliseconds = Date().timeIntervalSince(compileStart) * 1000
        log("compiled vector_add for \(context.device.architecture): \(cubin.count) bytes in \(format(compileMilliseconds)) ms")
        let module = try CUDAModule(context: context, image: cubin)
        let function = try module.function(named: "vector_add")
        log("vector_add: \(try function.registerCount()) registers, \(try function.localMemoryBytes()) bytes local")

        let start = try CUDAEvent(context: context)
        let end = try CUDAEvent(context: context)
        let arguments: [KernelArgument] = [.pointer(bufferA.pointer), .pointer(bufferB.pointer),
                                           .pointer(bufferOut.pointer), .uint32(UInt32(n))]
        try stream.launch(function, .linear(elementCount: n), arguments: arguments)  // warm-up
        try start.record(on: stream)
        let repeats = 10
        for _ in 0..<repeats { try stream.launch(function, .linear(elementCount: n), arguments: arguments) }
        try end.record(on: stream)
        try end.synchronize()
        let milliseconds = try end.elapsedMilliseconds(since: start) / Double(repeats)
        let gigabytesPerSecond = Double(3 * bytes) / (milliseconds * 1e6)
        log("vector_add: \(n) elements in \(format(milliseconds)) ms (\(format(gigabytesPerSecond)) GB/s)")

        let result = try context.download(Float.self, count: n, from: bufferOut.pointer)
        let mismatches = zip(zip(a, b), result).filter { pair, out in (pair.0 + pair.1).bitPattern != out.bitPattern }.count
        check(mismatches == 0, "vector_add matches the host bit for bit (\(mismatches) mismatches)")
        for buffer in [bufferA, bufferB, bufferOut] { try allocator.deallocate(buffer) }
    }

    private mutating func scaleAddBFloat16(context: CUDAContext, stream: CUDAStream, allocator: CachingAllocator,
                                           nvrtc: NVRTC, cache: KernelCache) throws {
        let n = min(elementCount, 1 << 20)
        let alpha: Float = 1.5
        let x = Self.pseudoRandom(count: n, seed: 3).map(SelfTestKernels.bfloat16Bits)
        let y = Self.pseudoRandom(count: n, seed: 4).map(SelfTestKernels.bfloat16Bits)
        let bufferX = try allocator.allocate(byteCount: n * 2)  // reuses freed blocks' classes when they fit
        let bufferY = try allocator.allocate(byteCount: n * 2)
        let bufferOut = try allocator.allocate(byteCount: n * 2)
        try context.upload(x, to: bufferX.pointer)
        try context.upload(y, to: bufferY.pointer)
        let cubin = try cache.cubin(source: SelfTestKernels.scaleAddBFloat16, name: "scale_add_bf16.cu",
                                    architecture: context.device.architecture, compiler: nvrtc)
        let module = try CUDAModule(context: context, image: cubin)
        let function = try module.function(named: "scale_add_bf16")
        try stream.launch(function, .linear(elementCount: n),
                          arguments: [.pointer(bufferX.pointer), .pointer(bufferY.pointer), .pointer(bufferOut.pointer),
                                      .float32(alpha), .uint32(UInt32(n))])
        try stream.synchronize()
        let result = try context.download(UInt16.self, count: n, from: bufferOut.pointer)
        var mismatches = 0
        for i in 0..<n {
            let xf = SelfTestKernels.float(fromBFloat16: x[i])
            let yf = SelfTestKernels.float(fromBFloat16: y[i])
            if SelfTestKernels.bfloat16Bits(yf.addingProduct(alpha, xf)) != result[i] { mismatches += 1 }
        }
        check(mismatches == 0, "scale_add_bf16 (own bf16 helpers, no headers) matches the host (\(mismatches) mismatches of \(n))")
        for buffer in [bufferX, bufferY, bufferOut] { try allocator.deallocate(buffer) }
    }

    private mutating func asyncRoundTrip(context: CUDAContext, stream: CUDAStream, allocator: CachingAllocator) throws {
        let n = elementCount  // the vector test's size class: these come from the cache
        let values = Self.pseudoRandom(count: n, seed: 5)
        let first = try allocator.allocate(byteCount: n * 4)
        let second = try allocator.allocate(byteCount: n * 4)
        var back = [Float](repeating: 0, count: n)
        try values.withUnsafeBytes { source in
            try back.withUnsafeMutableBytes { destination in
                try stream.copyAsync(from: source, to: first.pointer)
                try stream.copyAsync(from: first.pointer, to: second.pointer, byteCount: n * 4)
                try stream.copyAsync(from: second.pointer, to: destination)
                try stream.synchronize()
            }
        }
        check(back == values, "async host->device->device->host round trip of \(n * 4) bytes")
        try context.copy(from: second.pointer, to: first.pointer, byteCount: n * 4)
        try context.fill(second.pointer, byte: 0, byteCount: n * 4)
        let zeros = try context.download(Float.self, count: n, from: second.pointer)
        let copied = try context.download(Float.self, count: n, from: first.pointer)
        check(zeros.allSatisfy { $0 == 0 } && copied == values, "sync device copy and memset")
        try allocator.deallocate(first)
        try allocator.deallocate(second)
    }

    private mutating func copyBandwidth(context: CUDAContext, stream: CUDAStream, allocator: CachingAllocator) throws {
        let bytes = bandwidthBytes
        let source = try allocator.allocate(byteCount: bytes)
        let destination = try allocator.allocate(byteCount: bytes)
        try stream.fillAsync(source.pointer, byte: 1, byteCount: bytes)
        try stream.copyAsync(from: source.pointer, to: destination.pointer, byteCount: bytes)  // warm-up
        let start = try CUDAEvent(context: context)
        let end = try CUDAEvent(context: context)
        let repeats = 10
        try start.record(on: stream)
        for _ in 0..<repeats { try stream.copyAsync(from: source.pointer, to: destination.pointer, byteCount: bytes) }
        try end.record(on: stream)
        try end.synchronize()
        let milliseconds = try end.elapsedMilliseconds(since: start) / Double(repeats)
        log("device copy: \(bytes >> 20) MiB in \(format(milliseconds)) ms = \(format(Double(2 * bytes) / (milliseconds * 1e6))) GB/s (read + write)")
        try allocator.deallocate(source)
        try allocator.deallocate(destination)
    }

    /// Bad requests must come back as `CUDAError`s with the driver's names, and leave the
    /// context usable.
    private mutating func errorPaths(context: CUDAContext) {
        func expectFailure(_ expected: CUDAResult, _ what: String, _ body: () throws(CUDAError) -> Void) {
            do {
                try body()
                check(false, "\(what) fails")
            } catch {
                check(error.result == expected && error.name == expected.knownName, "\(what) fails: \(error)")
            }
        }
        expectFailure(.outOfMemory, "allocating 1 PiB") { () throws(CUDAError) in _ = try context.allocate(byteCount: 1 << 50) }
        expectFailure(.invalidImage, "loading a non-cubin image") { () throws(CUDAError) in
            _ = try CUDAModule(context: context, image: Array("not a cubin".utf8) + [0])
        }
        do {
            let empty = try CUDAModule(context: context, image: Array(".version 8.0\n.target sm_90\n.address_size 64\n".utf8) + [0])
            expectFailure(.notFound, "looking up a missing kernel") { () throws(CUDAError) in _ = try empty.function(named: "no_such_kernel") }
        } catch {
            check(false, "loading an empty PTX module: \(error)")
        }
    }

    func format(_ value: Double) -> String {
        String(format: value >= 100 ? "%.0f" : value >= 1 ? "%.2f" : "%.4f", value)
    }
}
