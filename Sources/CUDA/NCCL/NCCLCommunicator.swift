import CCUDA

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

    init(library: NCCL, handle: ncclComm_t, rank: Int, rankCount: Int, device: Int) {
        self.library = library
        self.handle = handle
        self.rank = rank
        self.rankCount = rankCount
        self.device = device
    }

    deinit {
        _ = library.functions.ncclCommDestroy?(handle)
    }

    private var label: String { "rank \(rank) of \(rankCount) on GPU \(device)" }

    /// `ncclAllReduce`: every rank's `receive` becomes the reduction over all ranks' `send`.
    public func allReduce(from send: DevicePointer, to receive: DevicePointer, count: Int, dataType: NCCLDataType,
                          reduction: NCCLReduction, stream: CUDAStream?) throws(NCCLError) {
        try library.check("ncclAllReduce", context: label) {
            $0.ncclAllReduce?(address(send), address(receive), count, dataType.rawValue, reduction.rawValue, handle, stream?.handle)
        }
    }

    /// `ncclAllGather`: `receive` holds `rankCount` blocks of `sendCount` elements, block `r`
    /// from rank `r`.
    public func allGather(from send: DevicePointer, to receive: DevicePointer, sendCount: Int,
                          dataType: NCCLDataType, stream: CUDAStream?) throws(NCCLError) {
        try library.check("ncclAllGather", context: label) {
            $0.ncclAllGather?(address(send), address(receive), sendCount, dataType.rawValue, handle, stream?.handle)
        }
    }

    /// `ncclReduceScatter`: rank `r`'s `receive` is block `r` (of `receiveCount` elements)
    /// of the reduction over all ranks' `send`.
    public func reduceScatter(from send: DevicePointer, to receive: DevicePointer, receiveCount: Int,
                              dataType: NCCLDataType, reduction: NCCLReduction, stream: CUDAStream?) throws(NCCLError) {
        try library.check("ncclReduceScatter", context: label) {
            $0.ncclReduceScatter?(address(send), address(receive), receiveCount, dataType.rawValue, reduction.rawValue,
                                  handle, stream?.handle)
        }
    }

    /// `ncclBroadcast`: every rank's `receive` becomes rank `root`'s `send`.
    public func broadcast(from send: DevicePointer, to receive: DevicePointer, count: Int, dataType: NCCLDataType,
                          root: Int, stream: CUDAStream?) throws(NCCLError) {
        try library.check("ncclBroadcast", context: label) {
            $0.ncclBroadcast?(address(send), address(receive), count, dataType.rawValue, Int32(root), handle, stream?.handle)
        }
    }

    /// `ncclSend` to rank `peer` (pair it with the peer's `receive`, inside a group when a
    /// rank both sends and receives).
    public func send(from buffer: DevicePointer, count: Int, dataType: NCCLDataType, peer: Int,
                     stream: CUDAStream?) throws(NCCLError) {
        try library.check("ncclSend", context: "\(label) to rank \(peer)") {
            $0.ncclSend?(address(buffer), count, dataType.rawValue, Int32(peer), handle, stream?.handle)
        }
    }

    /// `ncclRecv` from rank `peer`.
    public func receive(into buffer: DevicePointer, count: Int, dataType: NCCLDataType, peer: Int,
                        stream: CUDAStream?) throws(NCCLError) {
        try library.check("ncclRecv", context: "\(label) from rank \(peer)") {
            $0.ncclRecv?(address(buffer), count, dataType.rawValue, Int32(peer), handle, stream?.handle)
        }
    }

    private func address(_ pointer: DevicePointer) -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(pointer.rawValue))
    }
}
