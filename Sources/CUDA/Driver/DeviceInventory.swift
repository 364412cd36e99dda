/// What this machine can run on: the CUDA devices the driver reports (if any) and the CPU.
public struct DeviceInventory: Sendable {
    /// The driver's CUDA version (`13.0`), when a driver loaded.
    public var driverVersion: String?
    /// The GPUs found.
    public var devices: [CUDADevice]
    /// Why there are no GPUs, when there are none.
    public var unavailableReason: String?

    /// Asks the driver at `driverPath`; never throws: a missing or failing driver leaves
    /// only the CPU and says why.
    public static func probe(driverPath: String = CUDADriver.libraryName) -> DeviceInventory {
        let driver: CUDADriver
        do {
            driver = try CUDADriver.load(path: driverPath)
        } catch let error as DynamicLibraryError {
            if case .notFound = error {
                return DeviceInventory(driverVersion: nil, devices: [],
                                       unavailableReason: "no CUDA driver found (\(driverPath))")
            }
            return DeviceInventory(driverVersion: nil, devices: [], unavailableReason: "CUDA driver unusable: \(error)")
        } catch {
            return DeviceInventory(driverVersion: nil, devices: [], unavailableReason: "CUDA driver unusable: \(error)")
        }
        do {
            let devices = try driver.devices()
            return DeviceInventory(driverVersion: driver.versionString, devices: devices,
                                   unavailableReason: devices.isEmpty ? "the CUDA driver reports no devices" : nil)
        } catch {
            return DeviceInventory(driverVersion: driver.versionString, devices: [],
                                   unavailableReason: "CUDA driver \(driver.versionString) unusable: \(error)")
        }
    }

    /// The listing `nvgpu devices` prints: one line per GPU, then the CPU.
    public var listing: [String] {
        var lines: [String] = []
        if let unavailableReason {
            lines.append("\(unavailableReason): only the cpu device is available")
        } else if let driverVersion {
            lines.append("CUDA driver \(driverVersion)")
        }
        for device in devices {
            let gib = (device.totalMemoryGiB * 10).rounded() / 10
            lines.append("cuda:\(device.ordinal)  \(device.name)  \(device.architecture)  \(gib) GiB  \(device.multiprocessorCount) SMs")
        }
        lines.append("cpu     CPU reference interpreter")
        return lines
    }
}
