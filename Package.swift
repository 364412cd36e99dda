// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "openxla-nvgpu",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nvgpu", targets: ["nvgpu"]),
        .library(name: "StableHLO", targets: ["StableHLO"]),
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "Reference", targets: ["Reference"]),
        .library(name: "Compiler", targets: ["Compiler"]),
        .library(name: "Workspace", targets: ["Workspace"]),
        .library(name: "CUDA", targets: ["CUDA"]),
        .library(name: "CUDARuntime", targets: ["CUDARuntime"]),
        .library(name: "NVGPUCompiler", targets: ["NVGPUCompiler"]),
        .library(name: "Driver", targets: ["Driver"]),
        // The PJRT plugin JAX loads: libopenxla_nvgpu_pjrt.so, exporting GetPjrtApi.
        .library(name: "openxla_nvgpu_pjrt", type: .dynamic, targets: ["PJRTPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // IR, text parser/printer, verifier, element-type codecs. No dependencies.
        .target(name: "StableHLO"),
        // SHA-256: kernel-cache keys and entries, `.nvx` checksums. No dependencies.
        .target(name: "Digest"),
        // Device, buffer and executable protocols; host tensors.
        .target(name: "Runtime", dependencies: ["StableHLO", "Digest"]),
        // The spec-exact CPU interpreter: the embedded default and the oracle.
        .target(name: "Reference", dependencies: ["StableHLO", "Runtime"]),
        // The conformance runner: cases, worker processes, the report.
        .target(name: "Conformance", dependencies: ["StableHLO", "Runtime", "Reference"]),
        // Pass manager, pipelines, plugin registry.
        .target(name: "Compiler", dependencies: ["StableHLO", "Runtime", "Reference"]),
        // `nvgpu workspace`: pinned multi-repo workspaces.
        .target(name: "Workspace"),
        // Our own CUDA driver/NVRTC/cuBLASLt typedefs and function-pointer tables (no SDK headers).
        .target(name: "CCUDA"),
        // The CUDA runtime: dlopen'd driver, NVRTC, cuBLASLt, streams, events, allocator.
        .target(
            name: "CUDA", dependencies: ["CCUDA", "Digest"],
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // The NVIDIA plugin: fusion planning, CUDA C++ generation, GEMM lowering, buffer planning.
        .target(name: "NVGPUCompiler", dependencies: ["StableHLO", "Runtime", "Compiler", "CUDA"]),
        // The executor: runs compiled `Executable`s on a GPU (kernels, cuBLASLt, host fallbacks).
        .target(name: "CUDARuntime", dependencies: ["CUDA", "Runtime", "StableHLO"]),
        // Compile-and-run wiring the CLI and the PJRT plugin share: compile configuration, device
        // selection, loading a program once (text, bytecode, .nvx), invocations, --input/.npy in and out.
        .target(
            name: "Driver",
            dependencies: ["StableHLO", "Runtime", "Reference", "Conformance", "Compiler", "CUDA", "NVGPUCompiler", "CUDARuntime"]),
        // Our own declarations of the PJRT C API (0.112), the error/memory objects whose layout
        // it fixes, and the PJRT_Api table (GetPjrtApi); the entry points are Swift.
        .target(name: "CPJRT"),
        // The PJRT C API over Driver: clients, devices, buffers, events, executables.
        .target(name: "PJRTPlugin", dependencies: ["CPJRT", "Driver", "Reference", "Runtime", "StableHLO"]),
        .executableTarget(
            name: "nvgpu",
            dependencies: [
                "StableHLO", "Runtime", "Reference", "Conformance", "Compiler", "Workspace", "CUDA", "NVGPUCompiler",
                "CUDARuntime", "Driver",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // libFuzzer targets over everything that reads untrusted bytes (scripts/fuzz.sh); without
        // -sanitize=fuzzer the binary replays corpus files (the test command's regression run).
        // The PJRT plugin driven through its C table under many threads (issue 14 soak).
        .target(name: "PJRTSoak", dependencies: ["CPJRT", "PJRTPlugin"]),
        .executableTarget(name: "nvgpu-soak", dependencies: ["PJRTSoak"]),
        .target(name: "CFuzzSupport"),
        .executableTarget(
            name: "nvgpu-fuzz",
            dependencies: ["CFuzzSupport", "CUDARuntime", "Driver", "PJRTSoak", "Runtime", "StableHLO", "Workspace"]),
        .testTarget(name: "StableHLOTests", dependencies: ["StableHLO"], exclude: ["bytecode"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "StableHLO"]),
        .testTarget(name: "DriverTests", dependencies: ["Driver", "Reference", "Runtime", "StableHLO"], exclude: ["npy"]),
        .testTarget(name: "ReferenceTests", dependencies: ["Reference", "StableHLO", "Runtime"]),
        .testTarget(name: "WorkspaceTests", dependencies: ["Workspace"]),
        .testTarget(name: "CUDATests", dependencies: ["CUDA", "Digest"]),
        .testTarget(name: "CUDARuntimeTests", dependencies: ["CUDARuntime", "CUDA", "Runtime", "StableHLO"]),
        .testTarget(
            name: "NVGPUCompilerTests",
            dependencies: ["NVGPUCompiler", "Compiler", "CUDA", "Runtime", "StableHLO", "Reference"]),
        .testTarget(name: "CompilerTests", dependencies: ["Compiler", "Reference", "StableHLO", "Runtime"]),
        .testTarget(name: "PJRTPluginTests", dependencies: ["PJRTPlugin", "PJRTSoak", "CPJRT", "Runtime", "StableHLO"]),
        .testTarget(name: "nvgpuTests", dependencies: ["nvgpu", "Driver", "Runtime", "StableHLO"]),
    ]
)
