import StableHLO

extension DenseElements {
    /// Whether every element is the integer (or `i1`) `value`; false for other types.
    func allElementsEqual(integer value: Int64) -> Bool {
        guard hasCompleteStorage else { return false }
        if isSplat, type.elementCount == 0 { return type.elementType.isInteger || type.elementType.isBool }
        if isSplat { return splatInt64Value == value }
        guard let values = int64Values else { return false }
        return values.allSatisfy { $0 == value }
    }

    /// Whether every element is the float `value` with its sign (`-0.0` differs from `0.0`).
    func allElementsEqual(float value: Double) -> Bool {
        guard case .float(let format) = type.elementType else { return false }
        let count = isSplat ? min(1, type.elementCount) : type.elementCount
        guard hasCompleteStorage else { return false }
        for i in 0..<count {
            let x = format.decode(rawBits(at: i))
            guard x == value, x.sign == value.sign else { return false }
        }
        return true
    }

    /// Whether `bytes` holds every element (one for a splat) in full.
    var hasCompleteStorage: Bool {
        let size = type.elementType.storageBytes
        return bytes.count >= (isSplat ? size : type.elementCount * size)
    }

    /// Whether every element is one (`1`, `true`, `1.0`).
    var isAllOnes: Bool {
        type.elementType.isFloat ? allElementsEqual(float: 1) : allElementsEqual(integer: 1)
    }

    /// Whether every element is the integer zero (floats excluded: `x + 0.0` is not `x` for `-0.0`).
    var isIntegerZero: Bool { allElementsEqual(integer: 0) }

    /// Whether all elements have the same bytes.
    var isUniform: Bool {
        if isSplat { return true }
        let size = type.elementType.storageBytes
        guard size > 0, bytes.count >= size else { return true }
        let first = bytes[0..<size]
        var i = size
        while i + size <= bytes.count {
            if bytes[i..<(i + size)] != first { return false }
            i += size
        }
        return true
    }

    /// The same elements as a splat of `type` (a uniform literal shrinks to one element).
    func splat(as type: TensorType) -> DenseElements? {
        guard hasCompleteStorage, isUniform else { return nil }
        let size = self.type.elementType.storageBytes
        guard bytes.count >= size else { return nil }
        return DenseElements(type: type, bytes: Array(bytes[0..<size]), isSplat: true)
    }
}

extension Operation {
    /// `stablehlo.constant` producing `result` with `elements`.
    static func constant(_ elements: DenseElements, result: Value, location: SourceLocation) -> Operation {
        Operation(
            name: "stablehlo.constant", results: [result],
            attributes: [NamedAttribute("value", .dense(elements))], location: location)
    }
}
