import Foundation

/// Faults provoked on purpose, so that tests can show each one surfaces as an error with
/// context and the process lives on (issue 14). Set `NVGPU_INJECT_FAULT` to:
/// - `illegal-address`: every run of an executable loaded while it is set also queues a kernel
///   that stores to address 8 (`CUDA_ERROR_ILLEGAL_ADDRESS`, which loses the context);
/// - `trap`: likewise, a kernel that executes `trap` (the context is lost);
/// - `nvrtc`: every NVRTC compilation gets a line that fails it (`#error`).
///
/// Nothing else reads the variable; unset, nothing changes. It is a test hook, documented in
/// `docs/reliability.md`, never a way to run anything a program asks for.
public enum InjectedFault: String, Sendable, CaseIterable {
    case illegalAddress = "illegal-address"
    case trap
    case nvrtc

    /// The variable that asks for a fault.
    public static let variable = "NVGPU_INJECT_FAULT"

    /// The fault the environment asks for now, if any (read when an executable is loaded and
    /// at each NVRTC compile, so a test can switch it off for the next client).
    public static var requested: InjectedFault? {
        guard let value = getenv(variable) else { return nil }
        return InjectedFault(rawValue: String(cString: value))
    }

    /// The kernel that provokes a device fault, as PTX the driver compiles (no NVRTC).
    public var kernelPTX: String? {
        let body: String
        switch self {
        case .illegalAddress:
            body = """
                  mov.u64 %rd1, 8;
                  mov.u32 %r1, 1;
                  st.global.u32 [%rd1], %r1;
                """
        case .trap:
            body = "  trap;"
        case .nvrtc:
            return nil
        }
        return """
            .version 7.8
            .target sm_75
            .address_size 64
            .visible .entry \(Self.kernelName)() {
              .reg .b64 %rd<2>;
              .reg .b32 %r<2>;
            \(body)
              ret;
            }

            """
    }

    /// `source` with a first line that fails NVRTC (for `.nvrtc`); other faults leave it.
    public func instrument(_ source: String) -> String {
        self == .nvrtc ? "#error \"fault injected by \(Self.variable)=nvrtc\"\n" + source : source
    }

    /// The entry point of `kernelPTX`.
    public static let kernelName = "nvgpu_injected_fault"
}
