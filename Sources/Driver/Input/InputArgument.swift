import Reference
import Runtime
import Foundation
import StableHLO

/// One `--input` argument in IREE's syntax:
///
/// - `2x3xf32=1,2,3,4,5,6` — a type and its elements (commas or spaces between them;
///   one element is repeated to fill the shape), `f32=1.5` a scalar, `2xi1=true,false`,
///   `2xcomplex<f32>=(1,2),(3,-4)`;
/// - `4xbf16=@a.bin` — a type and a file of raw little-endian element bytes;
/// - `@x.npy` — a NumPy file, typed by its dtype; `2x2xbf16=@x.npy` declares the type,
///   which ml_dtypes arrays (`|V2`) need.
public struct InputArgument: Hashable, Sendable {
    /// Where the elements come from.
    public enum Source: Hashable, Sendable {
        case literals([String])
        case rawFile(String)
        case npyFile(String)
    }

    /// The argument as the user wrote it.
    public var text: String
    /// The declared `SHAPExTYPE`, if any.
    public var declaredType: TensorType?
    public var source: Source

    /// Splits `text` into its type and source; checks only the syntax.
    public init(parsing text: String) throws(InputError) {
        self.text = text
        if text.hasPrefix("@") {
            let path = String(text.dropFirst())
            guard path.hasSuffix(".npy") else {
                throw InputError(text, "a file without a declared type must be an .npy file; write SHAPExTYPE=@\(path) for raw bytes")
            }
            declaredType = nil
            source = .npyFile(path)
            return
        }
        guard let eq = text.firstIndex(of: "=") else {
            throw InputError(text, "expected SHAPExTYPE=VALUES (e.g. 2x3xf32=1,2,3,4,5,6), TYPE=@FILE or @FILE.npy")
        }
        let typeText = String(text[..<eq])
        guard let type = TensorTypeText.parse(typeText) else {
            throw InputError(text, "'\(typeText)' is not a tensor type (expected e.g. 2x3xf32, f32, 4xi1, 2xcomplex<f32>)")
        }
        declaredType = type
        let body = String(text[text.index(after: eq)...])
        if body.hasPrefix("@") {
            let path = String(body.dropFirst())
            guard !path.isEmpty else { throw InputError(text, "missing file name after '@'") }
            source = path.hasSuffix(".npy") ? .npyFile(path) : .rawFile(path)
        } else {
            source = .literals(Self.splitElements(body))
        }
    }

    /// Splits on commas and whitespace, keeping `(re,im)` pairs whole; also drops `[`/`]`.
    static func splitElements(_ body: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        for ch in body {
            switch ch {
            case "(": depth += 1; current.append(ch)
            case ")": depth -= 1; current.append(ch)
            case ",", " ", "\t", "\n", "[", "]":
                if depth > 0 { current.append(ch); continue }
                if !current.isEmpty { items.append(current) }
                current = ""
            default: current.append(ch)
            }
        }
        if !current.isEmpty { items.append(current) }
        return items
    }

    /// Loads the tensor. `expected` (the function parameter's type) types an untyped
    /// `.npy` file whose dtype has no type of its own (`|V2`).
    public func load(expected: TensorType? = nil) throws(InputError) -> HostTensor {
        switch source {
        case .literals(let items):
            guard let type = declaredType else { throw InputError(text, "missing type") }
            return try tensor(from: items, type: type)
        case .rawFile(let path):
            guard let type = declaredType else { throw InputError(text, "missing type") }
            let data = try read(path)
            let needed = type.elementCount * type.elementType.storageBytes
            guard data.count == needed else {
                throw InputError(text, "\(path) has \(data.count) bytes but \(TensorTypeText.format(type)) needs \(needed)")
            }
            return HostTensor(type: type, bytes: data)
        case .npyFile(let path):
            let data = try read(path)
            do {
                let array = try NPYArray(decoding: data)
                var elementType = declaredType?.elementType
                if elementType == nil, array.elementType == nil, let expected,
                   expected.elementType.storageBytes == array.itemSize {
                    elementType = expected.elementType
                }
                return try array.hostTensor(as: elementType, shape: declaredType?.shape)
            } catch {
                throw InputError(text, "\(path): \(error.message)")
            }
        }
    }

    private func tensor(from items: [String], type: TensorType) throws(InputError) -> HostTensor {
        let count = type.elementCount
        guard items.count == count || (items.count == 1 && count > 0) else {
            throw InputError(text, "\(TensorTypeText.format(type)) needs \(count) element\(count == 1 ? "" : "s"), got \(items.count)")
        }
        var encoded: [[UInt8]] = []
        for item in items {
            guard let value = ScalarLiteral.parse(item, as: type.elementType) else {
                throw InputError(text, "'\(item)' is not a \(type.elementType) value")
            }
            guard let bytes = type.elementType.encode(value) else {
                throw InputError(text, "'\(item)' does not fit in \(type.elementType)")
            }
            encoded.append(bytes)
        }
        // One literal fills the shape: check the size before allocating it.
        let (needed, overflow) = count.multipliedReportingOverflow(by: max(1, type.elementType.storageBytes))
        let budget = HostMemoryBudget.current(environment: ProcessInfo.processInfo.environment)
        guard !overflow, needed <= budget.bytes else {
            throw InputError(text, "\(TensorTypeText.format(type)) needs \(overflow ? "more than \(Int.max)" : "\(needed)") bytes, "
                + "more than the \(budget.bytes) bytes of host memory available (NVGPU_HOST_MEMORY_LIMIT)")
        }
        var bytes: [UInt8] = []
        if encoded.count == 1 {
            // The fill doubles what it has copied: a billion elements in 30 copies, not a
            // billion appends.
            bytes = encoded[0]
            bytes.reserveCapacity(needed)
            while bytes.count < needed { bytes.append(contentsOf: bytes.prefix(needed - bytes.count)) }
        } else {
            bytes.reserveCapacity(needed)
            for e in encoded { bytes += e }
        }
        return HostTensor(type: type, bytes: bytes)
    }

    private func read(_ path: String) throws(InputError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(text, "cannot read file '\(path)'")
        }
        return [UInt8](data)
    }
}

/// A bad `--input` (or `--output`) argument: the argument and what is wrong with it.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    public var argument: String
    public var message: String
    public var flag: String

    public init(_ argument: String, _ message: String, flag: String = "--input") {
        self.argument = argument
        self.message = message
        self.flag = flag
    }

    public var description: String { "\(flag)=\(argument): \(message)" }
}
