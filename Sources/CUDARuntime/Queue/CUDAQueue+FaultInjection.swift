import CUDA
import Foundation
import Runtime

extension CUDAQueue {
    /// Queues the kernel of `fault` (see `InjectedFault`) on the active stream; the fault
    /// shows at the next synchronization, as a real one would.
    func injectFault(_ fault: InjectedFault) throws {
        guard let ptx = fault.kernelPTX else { return }
        let kernel = try loadKernel(KernelImage(
            entryPoint: InjectedFault.kernelName, format: "ptx", binary: Data(ptx.utf8), source: ptx))
        try launch(kernel: kernel, configuration: LaunchConfiguration(grid: (1, 1, 1), block: (1, 1, 1)), arguments: [])
    }
}
