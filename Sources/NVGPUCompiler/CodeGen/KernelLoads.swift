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

/// The vector loads that serve `base + lane` reads (`LaneForm.offset`) of `width` lanes: one
/// per buffer and base, named `prefix` + parameter + a counter.
struct OffsetVectorLoads {
    let width: Int
    let prefix: String
    /// Element counts, storage types and widths of the kernel's buffer inputs, by value id.
    let inputs: [Int: (count: Int, storage: String, width: Int)]
    private var byKey: [String: VectorLoad] = [:]

    init(width: Int, prefix: String, inputs: [Int: (count: Int, storage: String, width: Int)]) {
        self.width = width
        self.prefix = prefix
        self.inputs = inputs
    }

    /// The vector holding `load`'s element, or nil when it is no offset read of a buffer.
    mutating func vector(for load: BufferLoad) -> VectorLoad? {
        guard case let .offset(base, element, lanes)? = load.laneForm, lanes == width, element < width,
              let input = inputs[load.valueID] else { return nil }
        let key = "\(load.parameter)|\(base)"
        if let existing = byKey[key] { return existing }
        let vector = VectorLoad(name: "\(prefix)\(load.parameter)_\(byKey.count)", storage: input.storage,
                                byteWidth: input.width, count: width, address: "\(load.parameter) + (\(base))")
        byKey[key] = vector
        return vector
    }

    /// Every vector handed out, in name order.
    var loads: [VectorLoad] { byKey.values.sorted { $0.name < $1.name } }
}
