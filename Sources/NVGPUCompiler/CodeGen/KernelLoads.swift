/// One element a kernel reads from an input buffer, described as data: the pointer
/// parameter, the value the buffer holds, its element type and the index (the linear
/// index's C code, and the vector lane when that code is a position the kernel stages as
/// a vector). The body writer hands it to the kernel shape, which may serve it from a
/// `VectorLoad`; otherwise it renders as a scalar read.
struct BufferLoad: Sendable {
    /// The kernel parameter (`in0`, ...).
    var parameter: String
    /// The SSA value the buffer holds.
    var valueID: Int
    var elementType: KernelElementType
    /// The row-major linear index, as C code.
    var index: String
    /// The staged vector element the index names, if any.
    var lane: VectorLane?
    /// How the index varies over a loop thread's lanes.
    var laneForm: LaneForm?
    /// The buffer's shape and the index's per-dimension terms, when the index was built
    /// from terms (a kernel shape may stage the read through shared memory from them).
    var shape: [Int] = []
    var terms: [IndexTerm]?

    /// The scalar read, converted to the compute type.
    var scalarRead: String { elementType.load("\(parameter)[\(index)]") }
}

/// A run of `count` elements of a buffer copied from `address` into a 16-byte-aligned
/// register array `name` with the widest accesses that fit, before the code that reads it.
struct VectorLoad: Hashable, Sendable {
    /// The register array.
    var name: String
    /// The buffer's storage type.
    var storage: String
    /// Bytes per element.
    var byteWidth: Int
    /// Elements copied.
    var count: Int
    /// C pointer expression of the first element (16-byte aligned).
    var address: String

    /// The array element holding lane `element`.
    func element(_ element: Int) -> String { "\(name)[\(element)]" }

    /// The declaration and copies, each line prefixed with `indentation`.
    func statements(indentation: String) -> [String] {
        let copies = KernelSource.vectorCopy(to: name, from: address, count: count, width: byteWidth, constSource: true)
        return (["__align__(16) \(storage) \(name)[\(count)];"] + copies).map { indentation + $0 }
    }
}
