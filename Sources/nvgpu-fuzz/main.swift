// nvgpu-fuzz: libFuzzer targets for everything that reads untrusted bytes (issue 14).
//
//   NVGPU_FUZZ_TARGET=text scripts/fuzz.sh text 600        # a fuzzing build (-sanitize=fuzzer,address)
//   NVGPU_FUZZ_TARGET=text .build/release/nvgpu-fuzz fuzz/seeds/text fuzz/regressions/text
//                                                          # any build: replays the files once
//
// Targets: text (StableHLO text parser + verifier), bytecode (MLIR bytecode / VHLO reader +
// verifier), input (`--input` argument strings), npy (.npy decoding), nvx (the .nvx loader +
// executable validation), pinfile (workspace pin files), pjrt (PJRT_Client_Compile on the
// reference backend with the bytes as the program). Every input must end in a value or an
// error; a crash, a sanitizer report or a timeout is a finding.
import CFuzzSupport
import CUDARuntime
import Driver
import Foundation
import PJRTSoak
import Runtime
import StableHLO
import Workspace

enum FuzzTarget: String, CaseIterable {
    case text, bytecode, input, npy, nvx, pinfile, pjrt

    func run(_ bytes: [UInt8]) {
        switch self {
        case .text:
            guard let module = try? Module.parse(utf8: bytes, file: "fuzz.mlir") else { return }
            _ = try? module.verify()
        case .bytecode:
            guard let module = try? Module.parse(bytecode: bytes, file: "fuzz.mlirbc") else { return }
            _ = try? module.verify()
        case .input:
            guard let argument = try? InputArgument(parsing: String(decoding: bytes, as: UTF8.self)) else { return }
            // Literals only: a file source would read whatever path the bytes name.
            if case .literals = argument.source { _ = try? argument.load() }
        case .npy:
            guard let array = try? NPYArray(decoding: bytes) else { return }
            _ = try? array.hostTensor()
        case .nvx:
            guard let executable = try? Executable(decoding: bytes, file: "fuzz.nvx") else { return }
            _ = try? executable.validate()
        case .pinfile:
            _ = try? PinFile.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz.json")
        case .pjrt:
            PJRTCompileTarget.shared.compile(bytes)
        }
    }
}

/// A reference-backend PJRT client made once (through `PJRTCaller`, the plugin's C table);
/// each input is compiled as a program in the `mlir` format (text or a portable artifact)
/// and the executable, if any, destroyed.
final class PJRTCompileTarget {
    nonisolated(unsafe) static let shared = PJRTCompileTarget()
    let caller = try? PJRTCaller(backend: "cpu")

    func compile(_ bytes: [UInt8]) {
        _ = try? caller?.compile(bytes: bytes)
    }
}

let targetName = ProcessInfo.processInfo.environment["NVGPU_FUZZ_TARGET"] ?? ""
guard let target = FuzzTarget(rawValue: targetName) else {
    FileHandle.standardError.write(Data("nvgpu-fuzz: set NVGPU_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
    exit(2)
}
let selected = target
let status = nvgpu_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv) { data, size in
    selected.run(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
exit(status)
