#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a shared library or one of its symbols could not be loaded.
public enum DynamicLibraryError: Error, Equatable, CustomStringConvertible {
    /// `dlopen` failed; `reason` is `dlerror()`'s text.
    case openFailed(path: String, reason: String)
    /// None of the candidate paths could be opened.
    case notFound(library: String, tried: [String], hint: String)
    /// A required symbol is missing from an opened library.
    case missingSymbol(library: String, symbol: String)
    /// The library opened but is older than nvgpu needs.
    case unsupportedVersion(library: String, found: String, needed: String)

    /// Throws `.unsupportedVersion` when `version` (the library's own number, such as
    /// `cudnnGetVersion()`'s 90100) is below `minimum`; `format` spells a number for people.
    public static func require(_ library: String, version: Int, minimum: Int,
                               format: (Int) -> String) throws(DynamicLibraryError) {
        guard version >= minimum else {
            throw .unsupportedVersion(library: library, found: format(version), needed: format(minimum))
        }
    }

    public var description: String {
        switch self {
        case .openFailed(let path, let reason):
            return "cannot open \(path): \(reason)"
        case .notFound(let library, let tried, let hint):
            let places = tried.isEmpty ? "" : " (tried: \(tried.joined(separator: ", ")))"
            return "\(library) not found: \(hint)\(places)"
        case .missingSymbol(let library, let symbol):
            return "\(library) has no symbol \(symbol) (is it the right library?)"
        case .unsupportedVersion(let library, let found, let needed):
            return "\(library) is version \(found); nvgpu needs \(needed) or newer"
        }
    }
}

/// An open shared library (`dlopen` handle). Closing happens when the value is released,
/// unless the library was opened with `keepLoaded` (vendor libraries are never unloaded:
/// their atexit handlers and threads outlive our handles).
public final class DynamicLibrary: @unchecked Sendable {
    /// The path or soname it was opened with.
    public let path: String
    private let handle: UnsafeMutableRawPointer
    private let keepLoaded: Bool

    /// Opens `path` (a soname searched on the loader path, or a full path).
    /// - Parameters:
    ///   - global: `RTLD_GLOBAL`, making its symbols visible to libraries loaded later.
    ///   - keepLoaded: never `dlclose` it.
    public init(path: String, global: Bool = false, keepLoaded: Bool = true) throws(DynamicLibraryError) {
        _ = dlerror()
        let flags: Int32 = RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL)
        guard let handle = dlopen(path, flags) else {
            throw .openFailed(path: path, reason: DynamicLibrary.lastError() ?? "unknown dlopen error")
        }
        self.path = path
        self.handle = handle
        self.keepLoaded = keepLoaded
    }

    deinit {
        if !keepLoaded { dlclose(handle) }
    }

    /// The address of `symbol`, or nil when the library does not export it.
    public func address(of symbol: String) -> UnsafeMutableRawPointer? {
        dlsym(handle, symbol)
    }

    /// The address of `symbol`; throws `.missingSymbol` when absent.
    public func requiredAddress(of symbol: String) throws(DynamicLibraryError) -> UnsafeMutableRawPointer {
        guard let pointer = address(of: symbol) else {
            throw .missingSymbol(library: path, symbol: symbol)
        }
        return pointer
    }

    /// `symbol` as a C function of type `type`, or nil when absent.
    public func function<F>(_ symbol: String, as type: F.Type) -> F? {
        guard let pointer = address(of: symbol) else { return nil }
        return unsafeBitCast(pointer, to: type)
    }

    /// The first of `candidates` that opens; throws `.notFound` listing every path tried,
    /// with each `dlopen` reason, and `hint` saying what that means for the user.
    public static func openFirst(
        of candidates: [String], library: String, hint: String, global: Bool = false
    ) throws(DynamicLibraryError) -> DynamicLibrary {
        var tried: [String] = []
        for candidate in candidates {
            do {
                return try DynamicLibrary(path: candidate, global: global)
            } catch {
                tried.append(candidate)
            }
        }
        throw .notFound(library: library, tried: tried, hint: hint)
    }

    private static func lastError() -> String? {
        guard let message = dlerror() else { return nil }
        return String(cString: message)
    }
}
