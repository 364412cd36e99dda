import CPJRT

/// An error an entry point returns to the framework: a PJRT error code and a message that
/// says which entry point failed and why.
struct PluginFailure: Error, CustomStringConvertible {
    var code: PJRT_Error_Code
    var message: String

    init(_ code: PJRT_Error_Code, _ message: String) {
        self.code = code
        self.message = message
    }

    static func invalidArgument(_ message: String) -> PluginFailure { PluginFailure(PJRT_Error_Code_INVALID_ARGUMENT, message) }
    static func unimplemented(_ message: String) -> PluginFailure { PluginFailure(PJRT_Error_Code_UNIMPLEMENTED, message) }

    var description: String { message }

    /// A C `PJRT_Error` carrying this failure (the framework frees it).
    func cError() -> UnsafeMutablePointer<PJRT_Error>? {
        var text = message
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                nvgpu_error_create(code, chars.baseAddress, chars.count)
            }
        }
    }
}

/// Runs an entry point's body: nil on success, a `PJRT_Error` naming `entry` on any thrown
/// error (nothing an entry point does may abort the host process).
@inline(__always)
func guarded(_ entry: StaticString, _ body: () throws -> Void) -> UnsafeMutablePointer<PJRT_Error>? {
    do {
        try body()
        return nil
    } catch let failure as PluginFailure {
        return PluginFailure(failure.code, "\(entry): \(failure.message)").cError()
    } catch {
        return PluginFailure(PJRT_Error_Code_INVALID_ARGUMENT, "\(entry): \(error)").cError()
    }
}

/// Checks an args pointer and that the caller's struct covers the fields this entry point
/// reads (`struct_size` at least `needed`); newer, larger structs are fine.
@inline(__always)
func arguments<T>(_ pointer: UnsafeMutablePointer<T>?, _ entry: StaticString, needed: Int) throws -> UnsafeMutablePointer<T> {
    guard let pointer else { throw PluginFailure.invalidArgument("null arguments") }
    let size = UnsafeRawPointer(pointer).load(as: Int.self)
    guard size >= needed else {
        throw PluginFailure.invalidArgument("struct_size \(size) is smaller than the \(needed) bytes this plugin reads")
    }
    return pointer
}
