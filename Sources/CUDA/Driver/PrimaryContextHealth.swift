import CCUDA
import Foundation

/// Which devices' primary contexts a sticky fault has ruined, for the whole process.
///
/// A kernel that faults (`CUDA_ERROR_ILLEGAL_ADDRESS` and the other statuses where
/// `CUDAResult.losesContext`) leaves its context unusable: every later call in it fails. The
/// driver call that first reports it records the loss here (`CUDADriver.check`); from then
/// on every `CUDAContext` of that device refuses work with an error that says what happened
/// (`makeCurrent` throws), and its destructors leave the driver alone. The next
/// `CUDAContext` made for the device tries to reset the primary context
/// (`cuDevicePrimaryCtxReset`, which frees everything in it) and, where the driver allows it,
/// starts a new generation: objects of the old one stay refused, so a late free or unload from
/// a failed client can never touch the memory or modules of the new one. The CUDA 13 driver
/// on an H100 does not allow it (measured: `bench/results/2026-12-08-NVIDIA-H100-80GB-HBM3-issue14-run1/`):
/// after a sticky fault every call of the process fails, so the error says to restart the
/// process, and the new client is refused with that message instead of the driver's.
final class PrimaryContextHealth: @unchecked Sendable {
    static let shared = PrimaryContextHealth()

    /// What a sticky fault's error says to do.
    static let lostNote = "the GPU's context is lost to a sticky fault: CUDA runs no more work on this device "
        + "in this process (this client and any new one); restart the process"

    private let lock = NSLock()
    /// Device ordinal → the generation of its primary context (bumped by each reset).
    private var generations: [Int: Int] = [:]
    /// Device ordinal → the error that lost the current generation.
    private var losses: [Int: CUDAError] = [:]
    /// Context handle → device ordinal, for losses reported by handle.
    private var ordinals: [UInt: Int] = [:]

    /// Notes that `handle` is device `ordinal`'s primary context; returns its generation.
    func register(_ handle: CUcontext, ordinal: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        ordinals[UInt(bitPattern: handle)] = ordinal
        return generations[ordinal, default: 0]
    }

    /// Records that the context `handle` (current when `error` came back) is lost.
    func recordLoss(of handle: CUcontext, _ error: CUDAError) {
        lock.lock()
        defer { lock.unlock() }
        guard let ordinal = ordinals[UInt(bitPattern: handle)], losses[ordinal] == nil else { return }
        losses[ordinal] = error
    }

    /// The error that lost device `ordinal`'s current context, if one did.
    func loss(ordinal: Int) -> CUDAError? {
        lock.lock()
        defer { lock.unlock() }
        return losses[ordinal]
    }

    /// Why a context of `generation` on device `ordinal` can do no work: its generation was
    /// lost, or the device has been reset since. Nil for a healthy context.
    func refusal(ordinal: Int, generation: Int) -> CUDAError? {
        lock.lock()
        defer { lock.unlock() }
        let current = generations[ordinal, default: 0]
        if generation != current {
            return CUDAError(
                call: "cuCtxSetCurrent", result: .invalidContext,
                note: "device \(ordinal)'s context was reset after a fault; objects made before the reset "
                    + "(this client's buffers, kernels, streams) are gone: use the new client")
        }
        guard var loss = losses[ordinal] else { return nil }
        loss.note = "device \(ordinal)'s context was lost to this earlier fault; " + Self.lostNote
        return loss
    }

    /// Starts a new generation on device `ordinal` after its primary context was reset.
    func didReset(ordinal: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        losses[ordinal] = nil
        let next = generations[ordinal, default: 0] + 1
        generations[ordinal] = next
        return next
    }
}
