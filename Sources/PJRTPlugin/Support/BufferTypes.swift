import CPJRT
import StableHLO

/// `PJRT_Buffer_Type` ↔ our `ElementType`.
enum BufferTypes {
    private static let table: [(PJRT_Buffer_Type, ElementType)] = [
        (PJRT_Buffer_Type_PRED, .i1),
        (PJRT_Buffer_Type_S8, .si(8)), (PJRT_Buffer_Type_S16, .si(16)), (PJRT_Buffer_Type_S32, .si(32)),
        (PJRT_Buffer_Type_S64, .si(64)),
        (PJRT_Buffer_Type_U8, .ui(8)), (PJRT_Buffer_Type_U16, .ui(16)), (PJRT_Buffer_Type_U32, .ui(32)),
        (PJRT_Buffer_Type_U64, .ui(64)),
        (PJRT_Buffer_Type_F16, .float(.f16)), (PJRT_Buffer_Type_F32, .float(.f32)), (PJRT_Buffer_Type_F64, .float(.f64)),
        (PJRT_Buffer_Type_BF16, .float(.bf16)),
        (PJRT_Buffer_Type_C64, .complex(.f32)), (PJRT_Buffer_Type_C128, .complex(.f64)),
    ]

    private static let floats: [(PJRT_Buffer_Type, String)] = [
        (PJRT_Buffer_Type_F8E5M2, "f8E5M2"), (PJRT_Buffer_Type_F8E4M3FN, "f8E4M3FN"),
        (PJRT_Buffer_Type_F8E4M3B11FNUZ, "f8E4M3B11FNUZ"), (PJRT_Buffer_Type_F8E5M2FNUZ, "f8E5M2FNUZ"),
        (PJRT_Buffer_Type_F8E4M3FNUZ, "f8E4M3FNUZ"), (PJRT_Buffer_Type_F8E4M3, "f8E4M3"),
        (PJRT_Buffer_Type_F8E3M4, "f8E3M4"), (PJRT_Buffer_Type_F8E8M0FNU, "f8E8M0FNU"),
        (PJRT_Buffer_Type_F4E2M1FN, "f4E2M1FN"),
    ]

    /// Our element type for a PJRT buffer type; sub-byte integers and tokens are refused.
    static func elementType(_ type: PJRT_Buffer_Type) throws -> ElementType {
        if let match = table.first(where: { $0.0 == type }) { return match.1 }
        if let match = floats.first(where: { $0.0 == type }), let format = FloatFormat(rawValue: match.1) {
            return .float(format)
        }
        throw PluginFailure.unimplemented("buffer element type \(type.rawValue) is not supported by the nvgpu plugin")
    }

    /// The PJRT buffer type of an element type.
    static func bufferType(_ element: ElementType) throws -> PJRT_Buffer_Type {
        if let match = table.first(where: { $0.1 == element }) { return match.0 }
        if case .float(let format) = element, let match = floats.first(where: { $0.1 == format.rawValue }) {
            return match.0
        }
        throw PluginFailure.unimplemented("element type \(element) has no PJRT buffer type")
    }
}

/// Copies between a dense row-major tensor and host memory laid out with arbitrary byte
/// strides (a transposed or sliced NumPy array), element by element along the outer
/// dimensions and in runs along the innermost one when it is contiguous.
enum StridedCopy {
    /// Gathers `shape` elements of `elementSize` bytes from `source` with `byteStrides`
    /// into a dense row-major array.
    static func gather(from source: UnsafeRawPointer, shape: [Int], byteStrides: [Int], elementSize: Int) -> [UInt8] {
        let count = shape.reduce(1, *)
        var out = [UInt8](repeating: 0, count: count * elementSize)
        guard count > 0 else { return out }
        out.withUnsafeMutableBytes { destination in
            walk(shape: shape, strides: byteStrides, elementSize: elementSize) { offset, index, run in
                destination.baseAddress!.advanced(by: index * elementSize)
                    .copyMemory(from: source.advanced(by: offset), byteCount: run * elementSize)
            }
        }
        return out
    }

    /// Scatters dense row-major `bytes` to `destination` laid out with `byteStrides`.
    static func scatter(_ bytes: [UInt8], to destination: UnsafeMutableRawPointer, shape: [Int], byteStrides: [Int], elementSize: Int) {
        guard shape.reduce(1, *) > 0 else { return }
        bytes.withUnsafeBytes { source in
            walk(shape: shape, strides: byteStrides, elementSize: elementSize) { offset, index, run in
                destination.advanced(by: offset)
                    .copyMemory(from: source.baseAddress!.advanced(by: index * elementSize), byteCount: run * elementSize)
            }
        }
    }

    /// The byte offsets a strided layout touches, relative to its first element: the lowest
    /// (negative for reversed views, as NumPy makes them) and one past the highest byte. Nil
    /// when the arithmetic overflows; an empty array touches nothing.
    static func span(shape: [Int], byteStrides: [Int], elementSize: Int) -> (lowest: Int, end: Int)? {
        guard shape.count == byteStrides.count else { return nil }
        if shape.contains(0) { return (0, 0) }
        var lowest = 0, highest = 0
        for (extent, stride) in zip(shape, byteStrides) {
            let (step, overflow) = (extent - 1).multipliedReportingOverflow(by: stride)
            guard !overflow else { return nil }
            let (sum, overflowSum) = (step < 0 ? lowest : highest).addingReportingOverflow(step)
            guard !overflowSum else { return nil }
            if step < 0 { lowest = sum } else { highest = sum }
        }
        let (end, overflow) = highest.addingReportingOverflow(elementSize)
        return overflow ? nil : (lowest, end)
    }

    /// Row-major byte strides of `shape`.
    static func denseStrides(_ shape: [Int], elementSize: Int) -> [Int] {
        var strides = [Int](repeating: elementSize, count: shape.count)
        var running = elementSize
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Byte strides of a layout given as minor-to-major dimension order.
    static func strides(minorToMajor: [Int], shape: [Int], elementSize: Int) -> [Int] {
        var strides = [Int](repeating: 0, count: shape.count)
        var running = elementSize
        for axis in minorToMajor where axis >= 0 && axis < shape.count {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Visits runs of elements: (byte offset in the strided layout, row-major element index,
    /// run length). Runs are whole innermost rows when that dimension is contiguous.
    private static func walk(shape: [Int], strides: [Int], elementSize: Int, _ visit: (Int, Int, Int) -> Void) {
        let rank = shape.count
        if rank == 0 {
            visit(0, 0, 1)
            return
        }
        let inner = shape[rank - 1]
        let innerContiguous = strides[rank - 1] == elementSize
        var index = [Int](repeating: 0, count: rank - 1)
        var linear = 0
        while true {
            var offset = 0
            for axis in 0..<(rank - 1) { offset += index[axis] * strides[axis] }
            if innerContiguous {
                visit(offset, linear, inner)
            } else {
                for k in 0..<inner { visit(offset + k * strides[rank - 1], linear + k, 1) }
            }
            linear += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}
