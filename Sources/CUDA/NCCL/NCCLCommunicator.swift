import CCUDA
import Foundation

/// One rank of an NCCL clique, bound to one GPU; destroyed when released.
///
/// Every operation is queued on the given stream (the program's compute stream; nil is
/// the legacy default stream) and returns at once; buffers are device addresses on this communicator's GPU. Counts are
/// elements of `dataType`.
public final class NCCLCommunicator: @unchecked Sendable {
    /// The library it came from.
    public let library: NCCL
    /// Its rank in the clique, `0 ..< rankCount`.
    public let rank: Int
    /// Ranks in the clique.
    public let rankCount: Int
    /// The CUDA device ordinal it runs on.
    public let device: Int
    let handle: ncclComm_t
    private let state = NSLock()
    private var aborted = false

    init(library: NCCL, handle: ncclComm_t, rank: Int, rankCount: Int, device: Int) {
        self.library = library
        self.handle = handle
        self.rank = rank
        self.rankCount = rankCount
        self.device = device
    }

    deinit {
        if !isAborted { _ = library.functions.ncclCommDestroy?(handle) }
    }

    /// Whether `abort()` ran (the communicator is gone).
    public var isAborted: Bool {
        state.lock()
        defer { state.unlock() }
        return aborted
    }

    /// `ncclCommAbort`: stops this rank's unfinished operations and frees the communicator,
    /// so that peers blocked on a rank that failed return with an error instead of hanging.
    /// Later calls on it fail; a second abort does nothing.
    public func abort() {
        state.lock()
        defer { state.unlock() }
        guard !aborted else { return }
        aborted = true
        _ = library.functions.ncclCommAbort?(handle)
    }

    private var label: String { "rank \(rank) of \(rankCount) on GPU \(device)" + (isAborted ? " (aborted)" : "") }

    /// `ncclAllReduce`: every rank's `receive` becomes the reduction over all ranks' `send`.
    public func allReduce(from send: DevicePointer, to receive: DevicePointer, count: Int, dataType: NCCLDataType,
                          reduction: NCCLReduction, stream: CUDAStream?) throws(NCCLError) {
        try requireAlive("ncclAllReduce")
        try library.check("ncclAllReduce", context: label) {
            $0.ncclAllReduce?(address(send), address(receive), count, dataType.rawValue, reduction.rawValue, handle, stream?.handle)
        }
    }

    /// `ncclAllGather`: `receive` holds `rankCount` blocks of `sendCount` elements, block `r`
    /// from rank `r`.
    public func allGather(from send: DevicePointer, to receive: DevicePointer, sendCount: Int,
                          dataType: NCCLDataType, stream: CUDAStream?) throws(NCCLError) {
        try requireAlive("ncclAllGather")
        try library.check("ncclAllGather", context: label) {
            $0.ncclAllGather?(address(send), address(receive), sendCount, dataType.rawValue, handle, stream?.handle)
        }
    }

    /// `ncclReduceScatter`: rank `r`'s `receive` is block `r` (of `receiveCount` elements)
    /// of the reduction over all ranks' `send`.
    public func reduceScatter(from send: DevicePointer, to receive: DevicePointer, receiveCount: Int,
                              dataType: NCCLDataType, reduction: NCCLReduction, stream: CUDAStream?) throws(NCCLError) {
        try requireAlive("ncclReduceScatter")
        try library.check("ncclReduceScatter", context: label) {
            $0.ncclReduceScatter?(address(send), address(receive), receiveCount, dataType.rawValue, reduction.rawValue,
                                  handle, stream?.handle)
        }
    }

    /// `ncclBroadcast`: every rank's `receive` becomes rank `root`'s `send`.
    public func broadcast(from send: DevicePointer, to receive: DevicePointer, count: Int, dataType: NCCLDataType,
                          root: Int, stream: CUDAStream?) throws(NCCLError) {
        try requireAlive("ncclBroadcast")
        try library.check("ncclBroadcast", context: label) {
            $0.ncclBroadcast?(address(send), address(receive), count, dataType.rawValue, Int32(root), handle, stream?.handle)
        }
    }

    /// `ncclSend` to rank `peer` (pair it with the peer's `receive`, inside a group when a
    /// rank both sends and receives).
    public func send(from buffer: DevicePointer, count: Int, dataType: NCCLDataType, peer: Int,
                     stream: CUDAStream?) throws(NCCLError) {
        try requireAlive("ncclSend")
        try library.check("ncclSend", context: "\(label) to rank \(peer)") {
            $0.ncclSend?(address(buffer), count, dataType.rawValue, Int32(peer), handle, stream?.handle)
        }
    }

    /// `ncclRecv` from rank `peer`.
    public func receive(into buffer: DevicePointer, count: Int, dataType: NCCLDataType, peer: Int,
                        stream: CUDAStream?) throws(NCCLError) {
        try requireAlive("ncclRecv")
        try library.check("ncclRecv", context: "\(label) from rank \(peer)") {
            $0.ncclRecv?(address(buffer), count, dataType.rawValue, Int32(peer), handle, stream?.handle)
        }
    }

    private func requireAlive(_ call: String) throws(NCCLError) {
        if isAborted { throw NCCLError(call: call, result: 5, name: "ncclInvalidUsage", message: "the communicator was aborted", context: label) }
    }

    private func address(_ pointer: DevicePointer) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(pointer.rawValue))
    }
}
