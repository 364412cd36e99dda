import Testing
@testable import CUDA

@Suite("DynamicLibrary")
struct DynamicLibraryTests {
    @Test func missingLibraryThrowsOpenFailedWithLoaderReason() {
        #expect {
            _ = try DynamicLibrary(path: "libnvgpu-does-not-exist.so.7")
        } throws: { error in
            guard case DynamicLibraryError.openFailed(let path, let reason)? = error as? DynamicLibraryError else {
                return false
            }
            return path == "libnvgpu-does-not-exist.so.7" && reason.contains("libnvgpu-does-not-exist.so.7")
        }
    }

    @Test func missingDriverSaysNoNVIDIADriver() {
        #expect {
            _ = try CUDADriver.load(path: "/nonexistent/libcuda.so.1")
        } throws: { error in
            guard let error = error as? DynamicLibraryError, case .notFound = error else { return false }
            return error.description.hasPrefix("/nonexistent/libcuda.so.1 not found: no NVIDIA driver on this machine")
        }
    }

    @Test func openFirstListsEveryCandidateTried() {
        let candidates = ["libnvgpu-missing-a.so", "libnvgpu-missing-b.so"]
        #expect(throws: DynamicLibraryError.notFound(library: "libmissing", tried: candidates, hint: "install it")) {
            _ = try DynamicLibrary.openFirst(of: candidates, library: "libmissing", hint: "install it")
        }
    }

    @Test func libcSymbolsResolveAndMissingOnesAreNamed() throws {
        let libc = try DynamicLibrary(path: "libc.so.6")
        #expect(libc.address(of: "strlen") != nil)
        #expect(libc.address(of: "nvgpu_no_such_symbol") == nil)
        #expect(throws: DynamicLibraryError.missingSymbol(library: "libc.so.6", symbol: "nvgpu_no_such_symbol")) {
            _ = try libc.requiredAddress(of: "nvgpu_no_such_symbol")
        }
        typealias StrlenFunction = @convention(c) (UnsafePointer<CChar>) -> Int
        let strlen = try #require(libc.function("strlen", as: StrlenFunction.self))
        #expect(strlen("hopper") == 6)
    }
}
