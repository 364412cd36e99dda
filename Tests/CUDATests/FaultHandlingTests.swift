import Foundation
import Testing
@testable import CUDA

/// What the runtime does with faults, checked without a GPU: which statuses lose a context,
/// how a lost primary context is refused and then reset into a new generation, the injected
/// faults of `NVGPU_INJECT_FAULT`, and vendor libraries that are too old.
@Suite("Fault handling")
struct FaultHandlingTests {
    @Test(arguments: [700, 702, 710, 714, 715, 716, 717, 718, 719, 214])
    func stickyStatusesLoseTheContext(code: Int32) {
        let result = CUDAResult(rawValue: code)
        #expect(result.losesContext)
        #expect(result.knownName?.hasPrefix("CUDA_ERROR_") == true)
    }

    @Test(arguments: [1, 2, 200, 209, 400, 500, 600, 701, 801])
    func otherStatusesDoNot(code: Int32) {
        #expect(!CUDAResult(rawValue: code).losesContext)
    }

    @Test func aLostContextIsRefusedThenResetIntoANewGeneration() throws {
        let health = PrimaryContextHealth()
        let handle = try #require(OpaquePointer(bitPattern: 0x1000))
        let other = try #require(OpaquePointer(bitPattern: 0x2000))
        #expect(health.register(handle, ordinal: 0) == 0)
        #expect(health.register(other, ordinal: 1) == 0)
        #expect(health.refusal(ordinal: 0, generation: 0) == nil)

        let fault = CUDAError(call: "cuStreamSynchronize", result: .illegalAddress)
        health.recordLoss(of: handle, fault)
        health.recordLoss(of: handle, CUDAError(call: "cuMemFree_v2", result: .illegalAddress))
        #expect(health.loss(ordinal: 0)?.call == "cuStreamSynchronize")  // the first report is kept
        #expect(health.loss(ordinal: 1) == nil)  // device 1 is untouched
        let refusal = try #require(health.refusal(ordinal: 0, generation: 0))
        #expect(refusal.description.contains("CUDA_ERROR_ILLEGAL_ADDRESS"))
        #expect(refusal.description.contains("restart the process"))

        #expect(health.didReset(ordinal: 0) == 1)
        #expect(health.loss(ordinal: 0) == nil)
        #expect(health.refusal(ordinal: 0, generation: 1) == nil)
        // Objects of the old generation stay refused: they must never touch the new context.
        let stale = try #require(health.refusal(ordinal: 0, generation: 0))
        #expect(stale.description.contains("was reset after a fault"))
    }

    @Test func injectedDeviceFaultsArePTXTheDriverCompiles() throws {
        for fault in [InjectedFault.illegalAddress, .trap] {
            let ptx = try #require(fault.kernelPTX)
            #expect(ptx.contains(".visible .entry \(InjectedFault.kernelName)()"))
        }
        #expect(InjectedFault.illegalAddress.kernelPTX?.contains("st.global.u32 [%rd1]") == true)
        #expect(InjectedFault.trap.kernelPTX?.contains("trap;") == true)
        #expect(InjectedFault.nvrtc.kernelPTX == nil)
        #expect(InjectedFault(rawValue: "illegal-address") == .illegalAddress)
        #expect(InjectedFault(rawValue: "bogus") == nil)
    }

    @Test func anInjectedNVRTCFaultFailsTheCompileWithItsLog() throws {
        guard let nvrtc = NVRTCAvailability.compiler() else { return }
        let source = InjectedFault.nvrtc.instrument(SelfTestKernels.vectorAdd)
        #expect(InjectedFault.trap.instrument(SelfTestKernels.vectorAdd) == SelfTestKernels.vectorAdd)
        let error = try #require(throws: NVRTCError.self) {
            _ = try nvrtc.compile(source: source, name: "injected.cu", architecture: "sm_90")
        }
        #expect("\(error)".contains("nvrtcCompileProgram"))
        #expect("\(error)".contains("fault injected by NVGPU_INJECT_FAULT=nvrtc"))
    }

    @Test func vendorLibrariesOlderThanNeededAreRefused() throws {
        let error = try #require(throws: DynamicLibraryError.self) {
            try DynamicLibraryError.require("libcudnn.so.8", version: 80907, minimum: 90000, format: CUDNN.versionString)
        }
        #expect(error.description == "libcudnn.so.8 is version 8.9.7; nvgpu needs 9.0.0 or newer")
        try DynamicLibraryError.require("libcublasLt.so.13", version: 130100, minimum: 120000, format: CUBLASLt.versionString)
        #expect(CUBLASLt.versionString(130100) == "13.1.0")
    }
}
