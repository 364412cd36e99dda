import Foundation

/// C strings and arrays handed to the framework that must live as long as their owner
/// (a client, a device, an executable): copied once, freed when the store goes away.
final class CStorage: @unchecked Sendable {
    private let lock = NSLock()
    private var strings: [String: UnsafeMutablePointer<CChar>] = [:]
    private var blocks: [UnsafeMutableRawPointer] = []

    /// A NUL-terminated copy of `text` and its length in bytes (without the NUL).
    func string(_ text: String) -> (pointer: UnsafePointer<CChar>, count: Int) {
        lock.lock()
        defer { lock.unlock() }
        if let existing = strings[text] { return (UnsafePointer(existing), text.utf8.count) }
        let copy = strdup(text) ?? UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        strings[text] = copy
        return (UnsafePointer(copy), text.utf8.count)
    }

    /// A copy of `values` that stays put (nil for an empty array is avoided: one spare slot).
    func array<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, values.count))
        pointer.initialize(from: values, count: values.count)
        lock.lock()
        blocks.append(UnsafeMutableRawPointer(pointer))
        lock.unlock()
        return pointer
    }

    deinit {
        for pointer in strings.values { free(pointer) }
        for block in blocks { block.deallocate() }
    }
}

/// Converts between Swift objects and the opaque handles the C API passes around.
enum Handle {
    /// A +1 handle for `object` (released by the matching Destroy).
    static func retained<T: AnyObject>(_ object: T) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    }

    /// A handle for `object` that its owner keeps alive (devices, memories' owners).
    static func unretained<T: AnyObject>(_ object: T) -> OpaquePointer {
        OpaquePointer(Unmanaged.passUnretained(object).toOpaque())
    }

    /// The object behind a handle (not consuming it).
    static func object<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type, _ what: String) throws -> T {
        guard let handle else { throw PluginFailure.invalidArgument("null \(what)") }
        return Unmanaged<T>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    }

    /// Drops the handle's reference.
    static func release<T: AnyObject>(_ handle: OpaquePointer?, as type: T.Type) {
        guard let handle else { return }
        Unmanaged<T>.fromOpaque(UnsafeRawPointer(handle)).release()
    }
}
