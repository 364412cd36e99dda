import Testing
@testable import CUDA

@Suite("Device inventory and vendor libraries")
struct DeviceInventoryTests {
    @Test func missingDriverListsOnlyTheCPU() {
        let inventory = DeviceInventory.probe(driverPath: "/nonexistent/libcuda.so.1")
        #expect(inventory.devices.isEmpty && inventory.driverVersion == nil)
        #expect(inventory.listing == [
            "no CUDA driver found (/nonexistent/libcuda.so.1): only the cpu device is available",
            "cpu     CPU reference interpreter",
        ])
    }

    @Test func aLibraryWithoutDriverSymbolsIsNamedIncomplete() {
        let inventory = DeviceInventory.probe(driverPath: "libc.so.6")
        #expect(inventory.devices.isEmpty)
        #expect(inventory.unavailableReason?.contains("has no symbol cuGetErrorName") == true)
    }

    @Test(arguments: [
        (CUDADevice(ordinal: 0, name: "NVIDIA H100 80GB HBM3", computeCapability: (9, 0),
                    totalMemory: 85_028_896_768, multiprocessorCount: 132), "sm_90",
         "0: NVIDIA H100 80GB HBM3 (sm_90, 79.2 GiB, 132 SMs)"),
        (CUDADevice(ordinal: 1, name: "NVIDIA A100", computeCapability: (8, 0),
                    totalMemory: 42_949_672_960, multiprocessorCount: 108), "sm_80",
         "1: NVIDIA A100 (sm_80, 40.0 GiB, 108 SMs)"),
    ])
    func deviceDescribesItsArchitecture(device: CUDADevice, architecture: String, description: String) {
        #expect(device.architecture == architecture)
        #expect(device.description == description)
    }

    @Test func cublasLtLoadsOrSaysWhereItLooked() {
        do {
            let library = try CUBLASLt.load(environment: ["NVGPU_CUBLASLT_PATH": "/nonexistent/libcublasLt.so.13", "PATH": ""])
            #expect(library.version > 0)
        } catch let error as DynamicLibraryError {
            #expect(error.description.hasPrefix("libcublasLt.so.13 not found: install the CUDA toolkit"))
            #expect(error.description.contains("/nonexistent/libcublasLt.so.13"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func invalidLaunchShapesAreRejectedBeforeTheDriver() {
        #expect(LaunchConfiguration.linear(elementCount: 1000, blockSize: 256).grid.x == 4)
        #expect(LaunchConfiguration.linear(elementCount: 0).grid.x == 1)
        #expect(!LaunchConfiguration(grid: (0, 1, 1), block: (1, 1, 1)).isValid)
        #expect(!LaunchConfiguration(grid: (1, 1, 1), block: (1, 1, 1), sharedMemoryBytes: -1).isValid)
        #expect(LaunchConfiguration(grid: (1, 1, 1), block: (1024, 1, 1)).isValid)
    }
}
