import StableHLO

/// A tensor in host memory: its type and its elements in flat, little-endian, row-major
/// storage (`ElementType.storageBytes` per element), byte-for-byte what a device buffer holds.
public struct HostTensor: Hashable, Sendable {
    public var type: TensorType
    public var bytes: [UInt8]

    public init(type: TensorType, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }

    /// A tensor from a `dense<...>` literal (splats expanded).
    public init(_ dense: DenseElements) {
        self.init(type: dense.type, bytes: dense.expandedBytes)
    }

    public var elementCount: Int { type.elementCount }
}

/// Errors from running an executable, with the op or step that failed.
public struct RuntimeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
