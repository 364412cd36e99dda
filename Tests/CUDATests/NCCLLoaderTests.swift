import CCUDA
import Foundation
import Testing
@testable import CUDA

/// What the fake NCCL saw, in call order.
final class FakeNCCLLog: @unchecked Sendable {
    static let shared = FakeNCCLLog()
    private let lock = NSLock()
    private var entries: [String] = []
    /// The result the fake returns from ncclAllReduce (4 = ncclInvalidArgument to test errors).
    private var allReduceResult: Int32 = 0

    func append(_ entry: String) {
        lock.lock()
        entries.append(entry)
        lock.unlock()
    }

    func reset(allReduceResult: Int32 = 0) {
        lock.lock()
        entries = []
        self.allReduceResult = allReduceResult
        lock.unlock()
    }

    var calls: [String] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }

    var nextAllReduceResult: Int32 {
        lock.lock()
        defer { lock.unlock() }
        return allReduceResult
    }
}

/// A fake libnccl: C functions that log their arguments, looked up by name.
enum FakeNCCL {
    typealias Comm = ncclComm_t?
    typealias Stream = CUstream?

    static func address<F>(_ value: F) -> UnsafeMutableRawPointer { unsafeBitCast(value, to: UnsafeMutableRawPointer.self) }

    static func comm(_ c: Comm) -> Int { Int(bitPattern: UnsafeRawPointer(c)) }

    static let getVersion: @convention(c) (UnsafeMutablePointer<Int32>?) -> Int32 = { $0?.pointee = 22703; return 0 }
    static let errorString: @convention(c) (Int32) -> UnsafePointer<CChar>? = { _ in
        UnsafePointer(strdup("fake NCCL: invalid argument"))
    }
    static let uniqueID: @convention(c) (UnsafeMutablePointer<nvgpu_nccl_unique_id>?) -> Int32 = { id in
        id?.pointee.internal.0 = 42
        return 0
    }
    static let initRank: @convention(c) (UnsafeMutablePointer<Comm>?, Int32, nvgpu_nccl_unique_id, Int32) -> Int32 = { out, count, id, rank in
        FakeNCCLLog.shared.append("initRank \(rank)/\(count) id[0]=\(id.internal.0)")
        out?.pointee = OpaquePointer(bitPattern: 0x2000 + Int(rank))
        return 0
    }
    static let initAll: @convention(c) (UnsafeMutablePointer<Comm>?, Int32, UnsafePointer<Int32>?) -> Int32 = { out, count, devices in
        let list = (0..<Int(count)).map { devices?[$0] ?? -1 }
        FakeNCCLLog.shared.append("initAll \(list)")
        for i in 0..<Int(count) { out?[i] = OpaquePointer(bitPattern: 0x1000 + Int(list[i])) }
        return 0
    }
    static let destroy: @convention(c) (Comm) -> Int32 = { FakeNCCLLog.shared.append("destroy \(comm($0))"); return 0 }
    static let abort: @convention(c) (Comm) -> Int32 = { FakeNCCLLog.shared.append("abort \(comm($0))"); return 0 }
    static let count: @convention(c) (Comm, UnsafeMutablePointer<Int32>?) -> Int32 = { _, n in n?.pointee = 1; return 0 }
    static let userRank: @convention(c) (Comm, UnsafeMutablePointer<Int32>?) -> Int32 = { _, r in r?.pointee = 0; return 0 }
    static let groupStart: @convention(c) () -> Int32 = { FakeNCCLLog.shared.append("groupStart"); return 0 }
    static let groupEnd: @convention(c) () -> Int32 = { FakeNCCLLog.shared.append("groupEnd"); return 0 }
    static let allReduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Int32, Comm, Stream) -> Int32 = {
        send, receive, count, type, op, c, _ in
        FakeNCCLLog.shared.append("allReduce \(Int(bitPattern: send)) \(Int(bitPattern: receive)) \(count) type \(type) op \(op) comm \(comm(c))")
        return FakeNCCLLog.shared.nextAllReduceResult
    }
    static let allGather: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Comm, Stream) -> Int32 = {
        send, receive, count, type, c, _ in
        FakeNCCLLog.shared.append("allGather \(Int(bitPattern: send)) \(Int(bitPattern: receive)) \(count) type \(type) comm \(comm(c))")
        return 0
    }
    static let reduceScatter: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Int32, Comm, Stream) -> Int32 = {
        _, _, count, type, op, _, _ in
        FakeNCCLLog.shared.append("reduceScatter \(count) type \(type) op \(op)")
        return 0
    }
    static let broadcast: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, Int32, Int32, Comm, Stream) -> Int32 = {
        _, _, count, type, root, _, _ in
        FakeNCCLLog.shared.append("broadcast \(count) type \(type) root \(root)")
        return 0
    }
    static let send: @convention(c) (UnsafeRawPointer?, Int, Int32, Int32, Comm, Stream) -> Int32 = {
        _, count, type, peer, _, _ in
        FakeNCCLLog.shared.append("send \(count) type \(type) peer \(peer)")
        return 0
    }
    static let receive: @convention(c) (UnsafeMutableRawPointer?, Int, Int32, Int32, Comm, Stream) -> Int32 = {
        _, count, type, peer, _, _ in
        FakeNCCLLog.shared.append("recv \(count) type \(type) peer \(peer)")
        return 0
    }

    nonisolated(unsafe) static let symbols: [String: UnsafeMutableRawPointer] = [
        "ncclGetVersion": address(getVersion), "ncclGetErrorString": address(errorString),
        "ncclGetUniqueId": address(uniqueID), "ncclCommInitRank": address(initRank),
        "ncclCommInitAll": address(initAll), "ncclCommDestroy": address(destroy),
        "ncclCommCount": address(count), "ncclCommUserRank": address(userRank),
        "ncclGroupStart": address(groupStart), "ncclGroupEnd": address(groupEnd),
        "ncclAllReduce": address(allReduce), "ncclAllGather": address(allGather),
        "ncclReduceScatter": address(reduceScatter), "ncclBroadcast": address(broadcast),
        "ncclSend": address(send), "ncclRecv": address(receive), "ncclCommAbort": address(abort),
    ]
}

/// Whether a real libnccl.so.2 can be found here (system or wheel).
let realNCCLAvailable: Bool = (try? NCCL.load()) != nil

@Suite("NCCL loader", .serialized)
struct NCCLLoaderTests {
    @Test func everySymbolBindsAndTheVersionIsDecoded() throws {
        let nccl = try NCCL(symbols: { FakeNCCL.symbols[$0] }, origin: "fake")
        #expect(nccl.versionCode == 22703)
        #expect(nccl.version == "2.27.3")
    }

    @Test(arguments: FakeNCCL.symbols.keys.sorted())
    func aMissingSymbolIsNamed(_ missing: String) {
        #expect(throws: DynamicLibraryError.missingSymbol(library: "fake", symbol: missing)) {
            _ = try NCCL(symbols: { $0 == missing ? nil : FakeNCCL.symbols[$0] }, origin: "fake")
        }
    }

    @Test func callsPassTheirArgumentsAndEnumValuesThrough() throws {
        FakeNCCLLog.shared.reset()
        let nccl = try NCCL(symbols: { FakeNCCL.symbols[$0] }, origin: "fake")
        do {
            let comms = try nccl.communicators(devices: [1, 0])
            #expect(comms.map(\.rank) == [0, 1])
            #expect(comms.map(\.device) == [1, 0])
            let a = DevicePointer(rawValue: 0x100), b = DevicePointer(rawValue: 0x200)
            try nccl.grouped {
                try comms[0].allReduce(from: a, to: b, count: 6, dataType: .bfloat16, reduction: .maximum, stream: nil)
                try comms[1].allGather(from: a, to: b, sendCount: 3, dataType: .float32, stream: nil)
            }
            try comms[0].reduceScatter(from: a, to: b, receiveCount: 2, dataType: .int64, reduction: .product, stream: nil)
            try comms[0].broadcast(from: a, to: b, count: 5, dataType: .uint8, root: 1, stream: nil)
            try comms[0].send(from: a, count: 7, dataType: .float16, peer: 1, stream: nil)
            try comms[1].receive(into: b, count: 7, dataType: .float16, peer: 0, stream: nil)
            // Optimized builds may release the array (and comms[0]) right after its last
            // read, before the receive runs; keep both alive to the end of the sequence.
            withExtendedLifetime(comms) {}
        }
        #expect(Array(FakeNCCLLog.shared.calls.prefix(9)) == [
            "initAll [1, 0]", "groupStart",
            "allReduce 256 512 6 type 9 op 2 comm \(0x1001)", "allGather 256 512 3 type 7 comm \(0x1000)",
            "groupEnd", "reduceScatter 2 type 4 op 1", "broadcast 5 type 1 root 1",
            "send 7 type 6 peer 1", "recv 7 type 6 peer 0",
        ])
        // Both communicators are destroyed once released (in either order).
        #expect(FakeNCCLLog.shared.calls.dropFirst(9).sorted() == ["destroy \(0x1000)", "destroy \(0x1001)"])
    }

    @Test func uniqueIDReachesInitRankByValue() throws {
        FakeNCCLLog.shared.reset()
        let nccl = try NCCL(symbols: { FakeNCCL.symbols[$0] }, origin: "fake")
        let id = try nccl.uniqueID()
        let comm = try nccl.communicator(rank: 2, of: 4, id: id, device: 2)
        #expect(comm.rank == 2 && comm.rankCount == 4)
        #expect(FakeNCCLLog.shared.calls.first == "initRank 2/4 id[0]=42")
    }

    @Test func aFailedCallNamesTheResultAndNCCLsText() throws {
        FakeNCCLLog.shared.reset(allReduceResult: 4)
        defer { FakeNCCLLog.shared.reset() }
        let nccl = try NCCL(symbols: { FakeNCCL.symbols[$0] }, origin: "fake")
        let comm = try #require(try nccl.communicators(devices: [0]).first)
        #expect {
            try comm.allReduce(from: DevicePointer(rawValue: 8), to: DevicePointer(rawValue: 8), count: 1,
                               dataType: .float32, reduction: .sum, stream: nil)
        } throws: { error in
            guard let error = error as? NCCLError else { return false }
            return error.name == "ncclInvalidArgument" && error.message == "fake NCCL: invalid argument"
                && "\(error)".hasPrefix("ncclAllReduce failed: ncclInvalidArgument")
        }
    }

    @Test func anAbortedCommunicatorIsNotDestroyedAndRefusesCalls() throws {
        FakeNCCLLog.shared.reset()
        let nccl = try NCCL(symbols: { FakeNCCL.symbols[$0] }, origin: "fake")
        do {
            let comm = try #require(try nccl.communicators(devices: [3]).first)
            comm.abort()
            comm.abort()
            #expect(comm.isAborted)
            #expect(throws: NCCLError.self) {
                try comm.allGather(from: DevicePointer(rawValue: 8), to: DevicePointer(rawValue: 16), sendCount: 1,
                                   dataType: .float32, stream: nil)
            }
        }
        #expect(FakeNCCLLog.shared.calls == ["initAll [3]", "abort \(0x1003)"])
    }

    @Test func enumValuesMatchNCCLsHeader() {
        #expect(NCCLDataType.allCases.map { "\($0)=\($0.rawValue)" } == [
            "ncclInt8=0", "ncclUint8=1", "ncclInt32=2", "ncclUint32=3", "ncclInt64=4", "ncclUint64=5",
            "ncclFloat16=6", "ncclFloat32=7", "ncclFloat64=8", "ncclBfloat16=9", "ncclFloat8e4m3=10", "ncclFloat8e5m2=11",
        ])
        #expect(NCCLReduction.allCases.map { "\($0)=\($0.rawValue)" } == [
            "ncclSum=0", "ncclProd=1", "ncclMax=2", "ncclMin=3", "ncclAvg=4",
        ])
    }

    @Test func theWheelFolderIsSearched() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nccl-venv-\(UUID().uuidString)").path
        let lib = root + "/lib/python3.12/site-packages/nvidia/nccl/lib"
        try FileManager.default.createDirectory(atPath: lib, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        FileManager.default.createFile(atPath: lib + "/libnccl.so.2", contents: Data())
        let candidates = NCCL.locator.candidates(environment: ["VIRTUAL_ENV": root, "PATH": ""])
        #expect(candidates.first == "libnccl.so.2")
        #expect(candidates.contains(lib + "/libnccl.so.2"))
    }

    @Test(.enabled(if: realNCCLAvailable, "SKIPPED LOUDLY: no libnccl.so.2 here (pip install nvidia-nccl-cu13 to run it)"))
    func theRealLibraryBindsEverySymbol() throws {
        let nccl = try NCCL.load()
        #expect(nccl.versionCode >= 21800, "NCCL \(nccl.version) from \(nccl.origin)")
    }
}
