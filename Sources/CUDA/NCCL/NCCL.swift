import CCUDA
import Foundation

/// A failed NCCL call.
public struct NCCLError: Error, Equatable, CustomStringConvertible {
    /// The call that failed (`ncclAllReduce`).
    public var call: String
    /// NCCL's result code.
    public var result: Int32
    /// Its name (`ncclInvalidArgument`).
    public var name: String
    /// NCCL's own text for it (`invalid argument`), when the library could be asked.
    public var message: String?
    /// What nvgpu was doing, when known.
    public var context: String?

    public init(call: String, result: Int32, name: String, message: String? = nil, context: String? = nil) {
        self.call = call
        self.result = result
        self.name = name
        self.message = message
        self.context = context
    }

    public var description: String {
        "\(call) failed: \(name)" + (message.map { " (\($0))" } ?? "") + (context.map { " while \($0)" } ?? "")
    }

    /// NCCL's spelling of a result code (`ncclResult_t`).
    public static func resultName(_ result: Int32) -> String {
        switch result {
        case 0: return "ncclSuccess"
        case 1: return "ncclUnhandledCudaError"
        case 2: return "ncclSystemError"
        case 3: return "ncclInternalError"
        case 4: return "ncclInvalidArgument"
        case 5: return "ncclInvalidUsage"
        case 6: return "ncclRemoteError"
        case 7: return "ncclInProgress"
        default: return "ncclResult \(result)"
        }
    }
}

/// `ncclDataType_t`: the element types NCCL moves and reduces.
public enum NCCLDataType: Int32, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case int8 = 0, uint8 = 1, int32 = 2, uint32 = 3, int64 = 4, uint64 = 5
    case float16 = 6, float32 = 7, float64 = 8, bfloat16 = 9
    case float8e4m3 = 10, float8e5m2 = 11

    /// NCCL's enumerator name (`ncclBfloat16`).
    public var description: String {
        switch self {
        case .int8: return "ncclInt8"
        case .uint8: return "ncclUint8"
        case .int32: return "ncclInt32"
        case .uint32: return "ncclUint32"
        case .int64: return "ncclInt64"
        case .uint64: return "ncclUint64"
        case .float16: return "ncclFloat16"
        case .float32: return "ncclFloat32"
        case .float64: return "ncclFloat64"
        case .bfloat16: return "ncclBfloat16"
        case .float8e4m3: return "ncclFloat8e4m3"
        case .float8e5m2: return "ncclFloat8e5m2"
        }
    }

    /// The type NCCL's enumerator name names.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .float8e4m3, .float8e5m2: return 1
        case .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }
}

/// `ncclRedOp_t`: the built-in reductions.
public enum NCCLReduction: Int32, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case sum = 0, product = 1, maximum = 2, minimum = 3, average = 4

    /// NCCL's enumerator name (`ncclSum`).
    public var description: String {
        switch self {
        case .sum: return "ncclSum"
        case .product: return "ncclProd"
        case .maximum: return "ncclMax"
        case .minimum: return "ncclMin"
        case .average: return "ncclAvg"
        }
    }

    /// The reduction NCCL's enumerator name names.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}

/// NCCL (`libnccl.so.2`), loaded at run time.
public final class NCCL: @unchecked Sendable {
    /// Where NCCL is looked for: `NVGPU_NCCL_PATH`, the loader path (the system's NCCL),
    /// the CUDA toolkit, and the `nvidia-nccl-cu13` wheel's `nvidia/nccl/lib` in virtual
    /// environments.
    public static let locator = LibraryLocator(
        sonames: ["libnccl.so.2"], overrideVariable: "NVGPU_NCCL_PATH",
        wheelFolders: ["nvidia/nccl/lib", "nvidia/cu13/lib"])

    /// What was opened (a path or soname; `fake` names in tests).
    public let origin: String
    /// `ncclGetVersion()` (`22703` for 2.27.3).
    public let versionCode: Int
    let functions: nvgpu_nccl_functions
    /// Keeps the opened library alive.
    private let library: DynamicLibrary?

    /// Finds and opens NCCL (see `locator`).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NCCL {
        let library = try DynamicLibrary.openFirst(
            of: locator.candidates(environment: environment), library: "libnccl.so.2",
            hint: "install NCCL or the nvidia-nccl-cu13 wheel (pip install nvidia-nccl-cu13), or set NVGPU_NCCL_PATH")
        return try NCCL(symbols: { library.address(of: $0) }, origin: library.path, keeping: library)
    }

    /// Binds every function nvgpu calls through `symbols` (dlsym on the opened library, or a
    /// fake's table in tests); throws `.missingSymbol` naming the first one absent.
    public init(symbols: (String) -> UnsafeMutableRawPointer?, origin: String, keeping library: DynamicLibrary? = nil) throws(DynamicLibraryError) {
        var table = nvgpu_nccl_functions()
        func bind<F>(_ name: String, _ slot: WritableKeyPath<nvgpu_nccl_functions, F?>) throws(DynamicLibraryError) {
            guard let address = symbols(name) else { throw .missingSymbol(library: origin, symbol: name) }
            table[keyPath: slot] = unsafeBitCast(address, to: F.self)
        }
        try bind("ncclGetVersion", \.ncclGetVersion)
        try bind("ncclGetErrorString", \.ncclGetErrorString)
        try bind("ncclGetUniqueId", \.ncclGetUniqueId)
        try bind("ncclCommInitRank", \.ncclCommInitRank)
        try bind("ncclCommInitAll", \.ncclCommInitAll)
        try bind("ncclCommDestroy", \.ncclCommDestroy)
        try bind("ncclCommCount", \.ncclCommCount)
        try bind("ncclCommUserRank", \.ncclCommUserRank)
        try bind("ncclGroupStart", \.ncclGroupStart)
        try bind("ncclGroupEnd", \.ncclGroupEnd)
        try bind("ncclAllReduce", \.ncclAllReduce)
        try bind("ncclAllGather", \.ncclAllGather)
        try bind("ncclReduceScatter", \.ncclReduceScatter)
        try bind("ncclBroadcast", \.ncclBroadcast)
        try bind("ncclSend", \.ncclSend)
        try bind("ncclRecv", \.ncclRecv)
        try bind("ncclCommAbort", \.ncclCommAbort)
        self.origin = origin
        self.functions = table
        self.library = library
        var code: Int32 = 0
        versionCode = table.ncclGetVersion?(&code) == 0 ? Int(code) : 0
    }

    /// `2.27.3` (codes from NCCL 2.9 on are `major*10000 + minor*100 + patch`, older ones
    /// `major*1000 + minor*100 + patch`).
    public var version: String {
        let code = versionCode
        if code >= 10000 { return "\(code / 10000).\(code % 10000 / 100).\(code % 100)" }
        return "\(code / 1000).\(code % 1000 / 100).\(code % 100)"
    }

    /// Runs one NCCL call and throws an `NCCLError` naming `call` and the result when it
    /// fails.
    func check(_ call: String, context: String? = nil, _ body: (nvgpu_nccl_functions) -> ncclResult_t?) throws(NCCLError) {
        guard let result = body(functions) else {
            throw NCCLError(call: call, result: -1, name: "symbol missing", context: context)
        }
        if result == 0 { return }
        let message = functions.ncclGetErrorString.flatMap { $0(result) }.map { String(cString: $0) }
        throw NCCLError(call: call, result: result, name: NCCLError.resultName(result), message: message, context: context)
    }

    /// `ncclGroupStart()`.
    public func groupStart() throws(NCCLError) {
        try check("ncclGroupStart") { $0.ncclGroupStart?() }
    }

    /// `ncclGroupEnd()`: issues everything queued since `groupStart()`.
    public func groupEnd() throws(NCCLError) {
        try check("ncclGroupEnd") { $0.ncclGroupEnd?() }
    }

    /// Runs `body` between `ncclGroupStart` and `ncclGroupEnd` (the group is closed even
    /// when `body` throws, and `body`'s error wins).
    public func grouped<T>(_ body: () throws -> T) throws -> T {
        try groupStart()
        let value: T
        do {
            value = try body()
        } catch {
            _ = functions.ncclGroupEnd?()
            throw error
        }
        try groupEnd()
        return value
    }

    /// A fresh `ncclUniqueId` for `communicator(rank:of:id:device:)`.
    public func uniqueID() throws(NCCLError) -> NCCLUniqueID {
        var id = nvgpu_nccl_unique_id()
        try check("ncclGetUniqueId") { $0.ncclGetUniqueId?(&id) }
        return NCCLUniqueID(raw: id)
    }

    /// One communicator per GPU of `deviceOrdinals`, rank `i` on `deviceOrdinals[i]`
    /// (`ncclCommInitAll`: one process owning every rank).
    public func communicators(devices deviceOrdinals: [Int]) throws(NCCLError) -> [NCCLCommunicator] {
        guard !deviceOrdinals.isEmpty else { return [] }
        var handles = [ncclComm_t?](repeating: nil, count: deviceOrdinals.count)
        let devices = deviceOrdinals.map { Int32($0) }
        let context = "creating a \(devices.count)-rank clique on GPUs \(deviceOrdinals)"
        try handles.withUnsafeMutableBufferPointer { (buffer) throws(NCCLError) in
            try check("ncclCommInitAll", context: context) { $0.ncclCommInitAll?(buffer.baseAddress, Int32(devices.count), devices) }
        }
        var result: [NCCLCommunicator] = []
        for (rank, handle) in handles.enumerated() {
            guard let handle else { throw NCCLError(call: "ncclCommInitAll", result: 3, name: "null communicator", context: context) }
            result.append(NCCLCommunicator(library: self, handle: handle, rank: rank, rankCount: devices.count, device: deviceOrdinals[rank]))
        }
        return result
    }

    /// The communicator of `rank` in a clique of `rankCount` named by `id`, on the GPU whose
    /// context is current (`ncclCommInitRank`; blocks until every rank has joined).
    public func communicator(rank: Int, of rankCount: Int, id: NCCLUniqueID, device: Int) throws(NCCLError) -> NCCLCommunicator {
        var handle: ncclComm_t?
        try check("ncclCommInitRank", context: "rank \(rank) of \(rankCount)") {
            $0.ncclCommInitRank?(&handle, Int32(rankCount), id.raw, Int32(rank))
        }
        guard let handle else { throw NCCLError(call: "ncclCommInitRank", result: 3, name: "null communicator") }
        return NCCLCommunicator(library: self, handle: handle, rank: rank, rankCount: rankCount, device: device)
    }
}

/// `ncclUniqueId`: names a clique while its ranks join.
public struct NCCLUniqueID: @unchecked Sendable {
    var raw: nvgpu_nccl_unique_id
}

extension NCCL {
    /// The line `nvgpu devices` prints: `NCCL 2.27.3 (libnccl.so.2)`, or why there is none.
    public static func availabilityLine(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        do {
            let nccl = try load(environment: environment)
            return "NCCL \(nccl.version) (\(nccl.origin))"
        } catch let error as DynamicLibraryError {
            if case .notFound = error {
                return "NCCL not found (pip install nvidia-nccl-cu13, or set NVGPU_NCCL_PATH): programs with several replicas or partitions cannot run on GPUs"
            }
            return "NCCL unusable: \(error)"
        } catch {
            return "NCCL unusable: \(error)"
        }
    }
}
