/// The size a caller's args struct must have for the plugin to read `field`: its offset
/// plus its size (the `struct_size` of the version that added it).
func sizeThrough<T, V>(_ field: KeyPath<T, V>) -> Int {
    (MemoryLayout<T>.offset(of: field) ?? MemoryLayout<T>.size - MemoryLayout<V>.size) + MemoryLayout<V>.size
}

/// The fields of a caller's struct that exist at its `struct_size` (newer fields of an
/// older caller read as absent).
func hasField<T, V>(_ pointer: UnsafeMutablePointer<T>, _ field: KeyPath<T, V>) -> Bool {
    UnsafeRawPointer(pointer).load(as: Int.self) >= sizeThrough(field)
}
