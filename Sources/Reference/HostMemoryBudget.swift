#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StableHLO

/// The host memory a reference run may ask for: what the machine has available when the
/// interpreter is made (`NVGPU_HOST_MEMORY_LIMIT` bytes when set). Each op's results are
/// checked against it before the op runs, so a program whose shapes ask for more than the
/// machine has fails with an error naming the op and the sizes instead of aborting the
/// process in the allocator.
public struct HostMemoryBudget: Sendable {
    /// Bytes available for tensors.
    public var bytes: Int

    /// The budget for this process now.
    public static func current(environment: [String: String]) -> HostMemoryBudget {
        if let text = environment["NVGPU_HOST_MEMORY_LIMIT"], let limit = Int(text), limit > 0 {
            return HostMemoryBudget(bytes: limit)
        }
        let pages = sysconf(Int32(_SC_AVPHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return HostMemoryBudget(bytes: Int.max) }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return HostMemoryBudget(bytes: overflow ? Int.max : bytes)
    }

    /// Bytes the working form of a tensor of `type` takes (8 per element, 16 for complex:
    /// see `Tensor`), or nil when that does not fit an `Int`.
    static func workingBytes(_ type: TensorType) -> Int? {
        var count = 1
        for extent in type.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: max(extent, 0))
            if overflow { return nil }
            count = product
        }
        let width: Int
        if case .complex = type.elementType { width = 16 } else { width = 8 }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
        return overflow ? nil : bytes
    }

    /// Throws when the results of `op` need more than the budget.
    func check(_ op: Operation) throws {
        var total = 0
        for result in op.results {
            guard let type = result.type.tensorType else { continue }
            guard let bytes = Self.workingBytes(type) else {
                throw InterpreterError.failed(Diagnostic(.run, at: op.location,
                    "\(op.name): result \(type) has more elements than this machine can address"))
            }
            let (sum, overflow) = total.addingReportingOverflow(bytes)
            total = overflow ? Int.max : sum
        }
        guard total > self.bytes else { return }
        throw InterpreterError.failed(Diagnostic(.run, at: op.location,
            "\(op.name): its results (\(op.results.compactMap { $0.type.tensorType?.description }.joined(separator: ", "))) need "
                + "\(Self.format(total)) of host memory in the reference backend, \(Self.format(self.bytes)) are available"))
    }

    static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
