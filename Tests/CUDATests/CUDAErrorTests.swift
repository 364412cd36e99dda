import Testing
@testable import CUDA

@Suite("CUDAError")
struct CUDAErrorTests {
    @Test(arguments: [
        (CUDAResult.outOfMemory, "CUDA_ERROR_OUT_OF_MEMORY"),
        (.noDevice, "CUDA_ERROR_NO_DEVICE"),
        (.invalidImage, "CUDA_ERROR_INVALID_IMAGE"),
        (.illegalAddress, "CUDA_ERROR_ILLEGAL_ADDRESS"),
        (.launchOutOfResources, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
        (.noBinaryForGPU, "CUDA_ERROR_NO_BINARY_FOR_GPU"),
    ])
    func knownCodesHaveDriverNames(result: CUDAResult, name: String) {
        #expect(result.knownName == name)
        #expect(CUDAError(call: "cuX", result: result).description == "cuX failed: \(name)")
    }

    @Test func unknownCodeKeepsItsNumber() {
        #expect(CUDAResult(rawValue: 12345).knownName == nil)
        #expect(CUDAError(call: "cuY", result: CUDAResult(rawValue: 12345)).description == "cuY failed: CUDA error 12345")
    }

    @Test func descriptionNamesCallStatusMessageAndContext() {
        let error = CUDAError(call: "cuMemAlloc_v2", result: .outOfMemory, name: "CUDA_ERROR_OUT_OF_MEMORY",
                              message: "out of memory", context: "allocating 4096 bytes")
        #expect(error.description == "cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory) while allocating 4096 bytes")
    }

    @Test func everyDriverSymbolHasATableSlot() {
        let names = DriverSymbols.all.map(\.name)
        #expect(Set(names).count == names.count)
        for symbol in DriverSymbols.all {
            #expect(MemoryLayout<DriverSymbols.Table>.offset(of: symbol.slot) != nil, "\(symbol.name)")
        }
        let slots = Set(DriverSymbols.all.compactMap { MemoryLayout<DriverSymbols.Table>.offset(of: $0.slot) })
        #expect(slots.count * MemoryLayout<UnsafeRawPointer>.size == MemoryLayout<DriverSymbols.Table>.size)
    }

    @Test func bfloat16RoundingMatchesTheKernelHelper() {
        #expect(SelfTestKernels.bfloat16Bits(1.0) == 0x3f80)
        #expect(SelfTestKernels.bfloat16Bits(Float(bitPattern: 0x3f80_8000)) == 0x3f80)  // tie to even
        #expect(SelfTestKernels.bfloat16Bits(Float(bitPattern: 0x3f81_8000)) == 0x3f82)  // tie to even, up
        #expect(SelfTestKernels.bfloat16Bits(Float(bitPattern: 0x3f80_8001)) == 0x3f81)
        #expect(SelfTestKernels.bfloat16Bits(.infinity) == 0x7f80)
        #expect(SelfTestKernels.float(fromBFloat16: SelfTestKernels.bfloat16Bits(.nan)).isNaN)
        #expect(SelfTestKernels.float(fromBFloat16: 0xc040) == -3.0)
    }
}
