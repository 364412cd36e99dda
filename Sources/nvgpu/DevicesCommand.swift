import ArgumentParser
import CUDA

/// `nvgpu devices [--self-test]`: lists the GPUs the CUDA driver reports (or says why
/// there are none) and the CPU; with `--self-test`, checks the whole CUDA stack on a GPU.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the devices nvgpu can run on.",
        discussion: """
            Lists each GPU as 'cuda:N  NAME  sm_XX  MEMORY GiB  N SMs', then 'cpu'. With no \
            NVIDIA driver, says so and lists only cpu (exit 0 either way). --self-test then \
            allocates, copies, compiles kernels with NVRTC, launches them and checks the \
            results, and times a cuBLASLt GEMM when cuBLASLt is found (exit 1 on failure).
            """)

    @Flag(help: "Run the CUDA self-test on --device after listing.")
    var selfTest = false

    @Option(help: "The GPU the self-test uses.")
    var device = 0

    @Option(help: "Square bf16 GEMM size the self-test times (0 skips it).")
    var gemmSize = 8192

    func run() throws {
        let inventory = DeviceInventory.probe()
        for line in inventory.listing { print(line) }
        if !inventory.devices.isEmpty { print(NCCL.availabilityLine()) }
        guard selfTest else { return }
        guard !inventory.devices.isEmpty else {
            print("self-test needs a GPU")
            throw ExitCode.failure
        }
        var test = CUDASelfTest(ordinal: device, gemmTimingSize: gemmSize) { print($0) }
        do {
            if try test.run() { return }
        } catch {
            print("self-test error: \(error)")
        }
        throw ExitCode.failure
    }
}
