import CCUDA

/// Raw device memory from the driver: what the caching allocator sits on.
extension CUDAContext: DeviceMemoryBackend {
    /// `cuMemAlloc_v2`: `byteCount` fresh bytes of device memory.
    public func allocate(byteCount: Int) throws(CUDAError) -> DevicePointer {
        try makeCurrent()
        var address: CUdeviceptr = 0
        try driver.check("cuMemAlloc_v2", context: "allocating \(byteCount) bytes") {
            $0.cuMemAlloc?(&address, max(byteCount, 1))
        }
        return DevicePointer(rawValue: address)
    }

    /// `cuMemFree_v2`.
    public func free(_ pointer: DevicePointer) throws(CUDAError) {
        try makeCurrent()
        try driver.check("cuMemFree_v2", context: "freeing \(pointer)") { $0.cuMemFree?(pointer.rawValue) }
    }

    /// Copies host bytes to the device and waits.
    public func copy(from source: UnsafeRawBufferPointer, to destination: DevicePointer) throws(CUDAError) {
        guard let base = source.baseAddress, source.count > 0 else { return }
        try makeCurrent()
        try driver.check("cuMemcpyHtoD_v2", context: "copying \(source.count) bytes to \(destination)") {
            $0.cuMemcpyHtoD?(destination.rawValue, base, source.count)
        }
    }

    /// Copies device bytes to the host and waits.
    public func copy(from source: DevicePointer, to destination: UnsafeMutableRawBufferPointer) throws(CUDAError) {
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        try makeCurrent()
        try driver.check("cuMemcpyDtoH_v2", context: "copying \(destination.count) bytes from \(source)") {
            $0.cuMemcpyDtoH?(base, source.rawValue, destination.count)
        }
    }

    /// Copies `byteCount` bytes between device buffers and waits.
    public func copy(from source: DevicePointer, to destination: DevicePointer, byteCount: Int) throws(CUDAError) {
        guard byteCount > 0 else { return }
        try makeCurrent()
        try driver.check("cuMemcpyDtoD_v2", context: "copying \(byteCount) bytes \(source) -> \(destination)") {
            $0.cuMemcpyDtoD?(destination.rawValue, source.rawValue, byteCount)
        }
        try synchronize()
    }

    /// Sets `byteCount` bytes at `destination` to `value`.
    public func fill(_ destination: DevicePointer, byte value: UInt8, byteCount: Int) throws(CUDAError) {
        guard byteCount > 0 else { return }
        try makeCurrent()
        try driver.check("cuMemsetD8_v2") { $0.cuMemsetD8?(destination.rawValue, value, byteCount) }
    }

    /// Copies an array of plain values to the device.
    public func upload<Element: BitwiseCopyable>(_ values: [Element], to destination: DevicePointer) throws(CUDAError) {
        var failure: CUDAError?
        values.withUnsafeBytes { bytes in
            do throws(CUDAError) { try copy(from: bytes, to: destination) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Copies `count` plain values from the device.
    public func download<Element: BitwiseCopyable>(
        _ type: Element.Type, count: Int, from source: DevicePointer
    ) throws(CUDAError) -> [Element] {
        guard count > 0 else { return [] }
        let byteCount = count * MemoryLayout<Element>.stride
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: MemoryLayout<Element>.alignment)
        defer { raw.deallocate() }
        try copy(from: source, to: raw)
        return Array(raw.bindMemory(to: Element.self))
    }
}
